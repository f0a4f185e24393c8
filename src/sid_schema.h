/*
 * sid_schema.h
 *		The extension's own catalog, looked up once per backend: the OIDs of
 *		its schema, type, tables, indexes and sequences, and the attribute
 *		number of every column the C code reads or writes.
 *
 * Layer: the bottom of the server-side code (with sid_core and sid_type).
 * Everything above reads names through here instead of by name lookups in
 * the hot path.  The cache is dropped by relcache and syscache
 * invalidation, so ALTER TABLE, DROP/CREATE EXTENSION and ALTER EXTENSION
 * UPDATE are seen by every backend before its next call.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_SCHEMA_H
#define SID_SCHEMA_H

#include "access/attnum.h"

/* The library's version: it serves only a database at this version. */
#define SID_VERSION "1.2"

typedef enum SidRelId
{
	SID_PRODUCT,
	SID_REGION,
	SID_INSTANCE,
	SID_USAGE,					/* instance_usage: the allowance counters */
	SID_NUMBER,					/* number_store */
	SID_FILING,					/* filing_store */
	SID_AUDIT,					/* audit_store */
	SID_NRELS
} SidRelId;

typedef enum SidIndexId
{
	SID_PRODUCT_PKEY,
	SID_REGION_PKEY,
	SID_INSTANCE_PKEY,
	SID_INSTANCE_ACCOUNT,		/* instance (account_id) */
	SID_USAGE_PKEY,
	SID_NUMBER_PKEY,
	SID_NUMBER_INSTANCE,		/* number_store (instance_id) */
	SID_NUMBER_GRANTEE,			/* number_store (grantee) WHERE grantee IS NOT NULL */
	SID_FILING_NUMBER,			/* filing_store (number), unique */
	SID_FILING_WEBSITE,			/* filing_store (website) WHERE status = 'active', unique */
	SID_FILING_PKEY,
	SID_NINDEXES
} SidIndexId;

/* Columns, per table, in the order of the CREATE TABLE. */
typedef enum
{
	PROD_PRODUCT, PROD_ALLOWANCE, PROD_REQUIRES_SUBSCRIPTION,
	PROD_MIN_TOTAL_MONTHS, PROD_MIN_REMAINING_DAYS, PROD_REQUIRES_PUBLIC_IP,
	PROD_HINT, PROD_NCOLS
} SidProductCol;

typedef enum
{
	REG_REGION, REG_MAINLAND, REG_NCOLS
} SidRegionCol;

typedef enum
{
	INST_INSTANCE_ID, INST_ACCOUNT_ID, INST_PRODUCT, INST_REGION, INST_BILLING,
	INST_SUBSCRIBED_MONTHS, INST_EXPIRES_AT, INST_PUBLIC_IP, INST_STATUS,
	INST_TRIAL, INST_NCOLS
} SidInstanceCol;

typedef enum
{
	USE_INSTANCE_ID, USE_CONSUMED, USE_NCOLS
} SidUsageCol;

typedef enum
{
	NUM_NUMBER, NUM_INSTANCE_ID, NUM_APPLICANT, NUM_GRANTEE, NUM_STATE,
	NUM_APPLIED_AT, NUM_STATE_CHANGED_AT, NUM_NCOLS
} SidNumberCol;

typedef enum
{
	FIL_FILING_ID, FIL_ACCOUNT_ID, FIL_WEBSITE, FIL_METHOD, FIL_NUMBER,
	FIL_INSTANCE_ID, FIL_SHOP_ID, FIL_STATUS, FIL_CREATED_AT, FIL_ENDED_AT,
	FIL_NCOLS
} SidFilingCol;

typedef enum
{
	AUD_EVENT_ID, AUD_AT, AUD_DB_USER, AUD_ACCOUNT_ID, AUD_ACTION, AUD_NUMBER,
	AUD_INSTANCE_ID, AUD_FILING_ID, AUD_DETAIL, AUD_NCOLS
} SidAuditCol;

#define SID_MAXCOLS 10

/* What an index is on: its table and its (first and only) key column. */
typedef struct SidIndexDef
{
	const char *name;
	SidRelId	rel;
	int			keycol;			/* the table's column enum */
	bool		required;		/* else the store scans the table without it */
} SidIndexDef;

extern const SidIndexDef sid_index_defs[SID_NINDEXES];

typedef struct SidSchema
{
	Oid			namespace;
	Oid			type;			/* service_id.service_id */
	Oid			type_eq;		/* its = function, for index scan keys */
	Oid			rel[SID_NRELS];
	Oid			index[SID_NINDEXES];	/* InvalidOid: an optional index is missing */
	Oid			filing_seq;
	Oid			audit_seq;
	AttrNumber	attno[SID_NRELS][SID_MAXCOLS];
	uint64		generation;		/* new with every build: caches above follow it */
} SidSchema;

/*
 * The schema, built on first use after any invalidation.  Raises an error
 * if the extension is not installed in this database, or is at a version
 * this library does not serve, or one of its tables has been altered.
 */
extern const SidSchema *sid_schema(void);

/* The table a relation OID is, or -1. */
extern int	sid_schema_rel_of(const SidSchema *s, Oid relid);

/* A table's name, for messages ("service_id.number_store"). */
extern const char *sid_rel_name(SidRelId rel);

/* A column's name, by the table's column enum. */
extern const char *sid_col_name(SidRelId rel, int col);

#endif							/* SID_SCHEMA_H */
