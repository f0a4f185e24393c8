/*
 * service_id.h
 *		Declarations shared by the server-side files of service_id.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SERVICE_ID_H
#define SERVICE_ID_H

#include "fmgr.h"
#include "utils/relcache.h"

#include "sid_core.h"

#define PG_GETARG_SID(n) ((SidValue *) PG_GETARG_POINTER(n))

/* sid_type.c */
extern void sid_generate(SidValue *out);
extern Datum sid_datum(const SidValue *v);
extern char *sid_number_text(Datum number);

/*
 * sid_spi.c: every SQL statement the extension runs, prepared once per
 * backend and kept.  The statements are listed in sid_spi.c.
 */
typedef enum SidStmt
{
	/* API */
	ST_CLAIM_USAGE,
	ST_ISSUE,
	ST_NUMBER_FOR_USE,
	ST_ACTIVE_WEBSITE,
	ST_REGISTER,
	ST_FILING_FOR_END,
	ST_END_FILING,
	ST_REVOKE,
	ST_EXPIRE,
	ST_AUDIT,
	/* guards */
	ST_USAGE_CREATE,
	ST_USAGE_ADD,
	ST_NUMBER_LOCK,
	ST_NUMBER_BOUND,
	ST_NUMBER_USE,
	ST_INSTANCE_HAS_ROWS,
	ST_ANY_ROWS,
	ST_COUNT
} SidStmt;

extern void sid_spi_connect(void);
extern void sid_spi_finish(void);
extern int	sid_exec(SidStmt stmt, Datum *values, const char *nulls, long tcount);
extern Oid	sid_type_oid(void);	/* valid after sid_spi_connect() */

/* Helpers for reading SPI results. */
extern bool sid_get_bool(int row, int col, bool *isnull);
extern int32 sid_get_int32(int row, int col, bool *isnull);
extern int64 sid_get_int64(int row, int col, bool *isnull);
extern char *sid_get_text(int row, int col);	/* NULL for SQL NULL */
extern Datum sid_get_datum(int row, int col, bool *isnull);

/* Run as the owner of a relation (triggers), as core's RI triggers do. */
typedef struct SidUserSwitch
{
	Oid			save_userid;
	int			save_sec_context;
} SidUserSwitch;

extern void sid_become_owner(Relation rel, SidUserSwitch *sw);
extern void sid_restore_user(SidUserSwitch *sw);

/* sid_fetch.c */
#include "utils/snapshot.h"
extern bool sid_fetch(const char *table, const char *key, Snapshot snap,
					  const char *const *cols, int ncols, Datum *values, bool *nulls);

/* sid_guards.c: the API counts slots itself, the triggers then don't */
extern int32 sid_claim_slots(const char *instance_id, int32 n, bool *found);
extern void sid_set_precounted(int32 n);
extern void sid_set_checked_number(const SidValue *v);

/* sid_api.c */
extern void sid_audit(const char *account_id, const char *action,
					  Datum number, bool number_null,
					  const char *instance_id, int64 filing_id,
					  const char *detail_json);
extern char *sid_json_object(int npairs, const char *const *pairs);

#endif							/* SERVICE_ID_H */
