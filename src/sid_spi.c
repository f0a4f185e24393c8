/*
 * sid_spi.c
 *		Every SQL statement service_id runs, in one table, each prepared
 *		once per backend with SPI_prepare + SPI_keepplan.
 *
 * The statements run inside SECURITY DEFINER functions and triggers, so
 * every name is schema-qualified and every operator is written
 * OPERATOR(schema.op): a hostile search_path cannot reach them.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "service_id.h"

/* Parameter type codes in the table below; S is the service_id type. */
#define T TEXTOID
#define I4 INT4OID
#define I8 INT8OID
#define ARG_SID InvalidOid		/* service_id, whose OID is looked up */
#define ARG_SID_ARRAY ((Oid) 1) /* service_id[]; no type has OID 1 */
#define S ARG_SID
#define SA ARG_SID_ARRAY

typedef struct SidStmtDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[7];
} SidStmtDef;

static const SidStmtDef stmt_defs[ST_COUNT] = {
	[ST_CLAIM_USAGE] = {
		"UPDATE service_id.instance_usage"
		" SET consumed = consumed OPERATOR(pg_catalog.+) $2"
		" WHERE instance_id OPERATOR(pg_catalog.=) $1"
		" RETURNING consumed OPERATOR(pg_catalog.-) $2",
	2, {T, I4}},
	/* n numbers and their 'issued' events, in one statement */
	[ST_ISSUE] = {
		"WITH n AS ("
		" INSERT INTO service_id.number_store (number, instance_id, applicant, grantee)"
		" SELECT x, $2, $3, $4 FROM pg_catalog.unnest($1) AS x"
		" RETURNING number)"
		" INSERT INTO service_id.audit_store (account_id, action, number, instance_id, detail)"
		" SELECT $3, 'issued', n.number, $2, $5::pg_catalog.jsonb FROM n",
	5, {SA, T, T, T, T}},
	[ST_NUMBER_FOR_USE] = {
		"SELECT state, grantee, instance_id, applicant FROM service_id.number_store"
		" WHERE number OPERATOR(service_id.=) $1 FOR UPDATE",
	1, {S}},
	[ST_ACTIVE_WEBSITE] = {
		"SELECT filing_id FROM service_id.filing_store"
		" WHERE website OPERATOR(pg_catalog.=) $1"
		" AND status OPERATOR(pg_catalog.=) 'active'",
	1, {T}},
	/*
	 * A filing and its 'registered' event, in one statement; no row if the
	 * website has an active filing already (the partial unique index).
	 */
	[ST_REGISTER] = {
		"WITH f AS ("
		" INSERT INTO service_id.filing_store"
		" (account_id, website, method, number, instance_id, shop_id)"
		" VALUES ($1, $2, $3, $4, $5, $6)"
		" ON CONFLICT (website) WHERE status OPERATOR(pg_catalog.=) 'active' DO NOTHING"
		" RETURNING filing_id)"
		" INSERT INTO service_id.audit_store"
		" (account_id, action, number, instance_id, filing_id, detail)"
		" SELECT $1, 'registered', $4, $5, f.filing_id, $7::pg_catalog.jsonb FROM f"
		" RETURNING filing_id",
	7, {T, T, T, S, T, T, T}},
	[ST_FILING_FOR_END] = {
		"SELECT status FROM service_id.filing_store"
		" WHERE filing_id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
	1, {I8}},
	[ST_END_FILING] = {
		"UPDATE service_id.filing_store SET status = $2, ended_at = pg_catalog.now()"
		" WHERE filing_id OPERATOR(pg_catalog.=) $1",
	2, {I8, T}},
	[ST_REVOKE] = {
		"UPDATE service_id.number_store"
		" SET state = 'revoked', state_changed_at = pg_catalog.now()"
		" WHERE number OPERATOR(service_id.=) $1",
	1, {S}},
	[ST_EXPIRE] = {
		"UPDATE service_id.number_store n"
		" SET state = 'invalid', state_changed_at = pg_catalog.now()"
		" FROM service_id.instance i"
		" WHERE i.instance_id OPERATOR(pg_catalog.=) n.instance_id"
		" AND n.state OPERATOR(pg_catalog.=) 'unused'"
		" AND (i.status OPERATOR(pg_catalog.=) ANY ('{expired,released}'::pg_catalog.text[])"
		"      OR i.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now())",
	0, {0}},
	[ST_AUDIT] = {
		"INSERT INTO service_id.audit_store"
		" (account_id, action, number, instance_id, filing_id, detail)"
		" VALUES ($1, $2, $3, $4, $5, $6::pg_catalog.jsonb)",
	6, {T, T, S, T, I8, T}},
	[ST_USAGE_CREATE] = {
		"INSERT INTO service_id.instance_usage (instance_id) VALUES ($1)"
		" ON CONFLICT DO NOTHING",
	1, {T}},
	[ST_USAGE_ADD] = {
		"UPDATE service_id.instance_usage"
		" SET consumed = consumed OPERATOR(pg_catalog.+) $2"
		" WHERE instance_id OPERATOR(pg_catalog.=) $1",
	2, {T, I4}},
	[ST_NUMBER_LOCK] = {
		"SELECT state, instance_id, grantee FROM service_id.number_store"
		" WHERE number OPERATOR(service_id.=) $1 FOR UPDATE",
	1, {S}},
	[ST_NUMBER_BOUND] = {
		"SELECT filing_id FROM service_id.filing_store"
		" WHERE number OPERATOR(service_id.=) $1",
	1, {S}},
	[ST_NUMBER_USE] = {
		"UPDATE service_id.number_store"
		" SET state = 'used', state_changed_at = pg_catalog.now()"
		" WHERE number OPERATOR(service_id.=) $1"
		" AND state OPERATOR(pg_catalog.=) 'unused'",
	1, {S}},
	[ST_INSTANCE_HAS_ROWS] = {
		"SELECT EXISTS (SELECT FROM service_id.number_store"
		"               WHERE instance_id OPERATOR(pg_catalog.=) $1)"
		" OR EXISTS (SELECT FROM service_id.filing_store"
		"            WHERE instance_id OPERATOR(pg_catalog.=) $1)",
	1, {T}},
	[ST_ANY_ROWS] = {
		"SELECT EXISTS (SELECT FROM service_id.number_store)"
		" OR EXISTS (SELECT FROM service_id.filing_store)",
	0, {0}},
};

#undef T
#undef I4
#undef I8
#undef S
#undef SA

static SPIPlanPtr plans[ST_COUNT];
static Oid	plans_type_oid = InvalidOid;

/*
 * The OID of service_id.service_id, looked up in the syscache.
 */
static Oid
lookup_type_oid(void)
{
	Oid			nsp = get_namespace_oid("service_id", false);

	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("service_id"),
						   ObjectIdGetDatum(nsp));
}

/*
 * SPI_connect, and forget the kept plans if the extension was dropped and
 * created again in this backend (they would name a type that is gone).
 */
void
sid_spi_connect(void)
{
	Oid			typoid = lookup_type_oid();

	if (typoid != plans_type_oid)
	{
		int			i;

		for (i = 0; i < ST_COUNT; i++)
		{
			if (plans[i])
				SPI_freeplan(plans[i]);
			plans[i] = NULL;
		}
		plans_type_oid = typoid;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/* The OID of service_id.service_id, as sid_spi_connect() last found it. */
Oid
sid_type_oid(void)
{
	Assert(OidIsValid(plans_type_oid));
	return plans_type_oid;
}

void
sid_spi_finish(void)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

static SPIPlanPtr
get_plan(SidStmt stmt)
{
	if (plans[stmt] == NULL)
	{
		const SidStmtDef *def = &stmt_defs[stmt];
		Oid			types[lengthof(def->argtypes)];
		SPIPlanPtr	plan;
		int			i;

		for (i = 0; i < def->nargs; i++)
		{
			if (def->argtypes[i] == ARG_SID)
				types[i] = plans_type_oid;
			else if (def->argtypes[i] == ARG_SID_ARRAY)
				types[i] = get_array_type(plans_type_oid);
			else
				types[i] = def->argtypes[i];
		}
		plan = SPI_prepare(def->sql, def->nargs, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 def->sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		plans[stmt] = plan;
	}
	return plans[stmt];
}

/*
 * Run one statement.  Statements that only read run read-only when the
 * caller is a STABLE function; sid_exec always lets the executor take a new
 * snapshot, which is what READ COMMITTED callers need after a lock wait.
 */
int
sid_exec(SidStmt stmt, Datum *values, const char *nulls, long tcount)
{
	int			rc;

	rc = SPI_execute_plan(get_plan(stmt), values, nulls, false, tcount);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 stmt_defs[stmt].sql, SPI_result_code_string(rc));
	return rc;
}

Datum
sid_get_datum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

bool
sid_get_bool(int row, int col, bool *isnull)
{
	bool		n;
	Datum		d = sid_get_datum(row, col, &n);

	if (isnull)
		*isnull = n;
	return n ? false : DatumGetBool(d);
}

int32
sid_get_int32(int row, int col, bool *isnull)
{
	bool		n;
	Datum		d = sid_get_datum(row, col, &n);

	if (isnull)
		*isnull = n;
	return n ? 0 : DatumGetInt32(d);
}

int64
sid_get_int64(int row, int col, bool *isnull)
{
	bool		n;
	Datum		d = sid_get_datum(row, col, &n);

	if (isnull)
		*isnull = n;
	return n ? 0 : DatumGetInt64(d);
}

/*
 * A text column as a C string in the caller's memory context (SPI_palloc),
 * so that it outlives SPI_finish.
 */
char *
sid_get_text(int row, int col)
{
	bool		n;
	Datum		d = sid_get_datum(row, col, &n);
	text	   *t;
	char	   *s;

	if (n)
		return NULL;
	t = DatumGetTextPP(d);
	s = SPI_palloc(VARSIZE_ANY_EXHDR(t) + 1);
	memcpy(s, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	s[VARSIZE_ANY_EXHDR(t)] = '\0';
	return s;
}

/*
 * Switch to the owner of rel for the statements a trigger runs, so that a
 * role with only INSERT/UPDATE on service_id.instance can fire it.
 */
void
sid_become_owner(Relation rel, SidUserSwitch *sw)
{
	GetUserIdAndSecContext(&sw->save_userid, &sw->save_sec_context);
	SetUserIdAndSecContext(rel->rd_rel->relowner,
						   sw->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
}

void
sid_restore_user(SidUserSwitch *sw)
{
	SetUserIdAndSecContext(sw->save_userid, sw->save_sec_context);
}
