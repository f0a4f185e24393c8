/*
 * sid_rows.h
 *		The extension's rows as C structs: reading them from slots (fetched
 *		rows and triggers' rows alike) and writing them.
 *
 * Layer: above sid_store, below the counter, the audit log and the rules.
 * Decoding treats every column as possibly NULL (a BEFORE trigger sees a
 * row before NOT NULL and CHECK are tested): a NULL text is a NULL pointer,
 * a NULL state is SID_NS_NULL, and so on.  Strings are palloc'd in the
 * caller's memory context and outlive the operation.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_ROWS_H
#define SID_ROWS_H

#include "datatype/timestamp.h"

#include "sid_core.h"
#include "sid_store.h"

typedef struct SidProductRow
{
	char	   *product;
	int32		allowance;
	bool		requires_subscription;
	int32		min_total_months;
	int32		min_remaining_days;
	bool		requires_public_ip;
	char	   *hint;			/* NULL: none */
} SidProductRow;

typedef struct SidInstanceRow
{
	char	   *instance_id;
	char	   *account_id;
	char	   *product;
	char	   *region;
	char	   *billing;
	int32		subscribed_months;
	bool		has_expiry;
	TimestampTz expires_at;
	bool		has_public_ip;
	char	   *status;
	bool		trial;
} SidInstanceRow;

typedef struct SidUsageRow
{
	char	   *instance_id;
	int32		consumed;
	ItemPointerData tid;
} SidUsageRow;

typedef struct SidNumberRow
{
	bool		has_number;
	SidValue	number;
	char	   *instance_id;
	char	   *applicant;
	char	   *grantee;		/* NULL: any account may file with it */
	SidNumberState state;
	bool		has_applied_at;
	TimestampTz applied_at;
	bool		has_state_changed_at;
	TimestampTz state_changed_at;
	ItemPointerData tid;
} SidNumberRow;

typedef struct SidFilingRow
{
	bool		has_filing_id;
	int64		filing_id;
	char	   *account_id;
	char	   *website;
	SidFilingMethod method;
	bool		has_number;
	SidValue	number;
	char	   *instance_id;
	char	   *shop_id;
	SidFilingStatus status;
	bool		has_created_at;
	TimestampTz created_at;
	bool		has_ended_at;
	TimestampTz ended_at;
	ItemPointerData tid;
} SidFilingRow;

/* Decoding a row held in a slot. */
extern void sid_decode_product(const SidSchema *s, TupleTableSlot *slot, SidProductRow *row);
extern void sid_decode_instance(const SidSchema *s, TupleTableSlot *slot, SidInstanceRow *row);
extern void sid_decode_usage(const SidSchema *s, TupleTableSlot *slot, SidUsageRow *row);
extern void sid_decode_number(const SidSchema *s, TupleTableSlot *slot, SidNumberRow *row);
extern void sid_decode_filing(const SidSchema *s, TupleTableSlot *slot, SidFilingRow *row);

/* Fetching by key: false if there is no visible row. */
extern bool sid_get_product(SidOp *op, const char *product, SidProductRow *row);
extern bool sid_get_region_mainland(SidOp *op, const char *region);
extern bool sid_get_instance(SidOp *op, const char *instance_id, SidInstanceRow *row);
extern bool sid_get_usage(SidOp *op, const char *instance_id, SidUsageRow *row);
extern bool sid_get_number(SidOp *op, const SidValue *number, SidNumberRow *row);
extern bool sid_get_filing(SidOp *op, int64 filing_id, SidFilingRow *row);

/* Writing whole rows. */
extern void sid_put_usage(SidOp *op, const SidUsageRow *row);
extern SidWriteResult sid_set_usage(SidOp *op, const SidUsageRow *row);
extern void sid_put_number(SidOp *op, const SidNumberRow *row);
extern SidWriteResult sid_set_number(SidOp *op, const SidNumberRow *row);
extern void sid_put_filing(SidOp *op, const SidFilingRow *row);
extern SidWriteResult sid_set_filing(SidOp *op, const SidFilingRow *row);

/* Datum helpers */
extern Datum sid_text_datum(const char *s);
extern Datum sid_number_datum(const SidValue *v);	/* points into v */

#endif							/* SID_ROWS_H */
