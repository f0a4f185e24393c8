/*
 * sid_admin.c
 *		What DBAs call: granting roles the API or the views, and scheduling
 *		expire_service_ids() with pg_cron.
 *
 * Rare, so through SPI, with schema-qualified names; SECURITY DEFINER with
 * a pinned search_path like the API.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

/* ----------------------------------------------------------------------
 * Roles
 * ----------------------------------------------------------------------
 */

/* What a role needs to use the type at all (operators, casts, I/O). */
static const char *const common_grants[] = {
	"GRANT USAGE ON SCHEMA service_id TO %s",
	"GRANT USAGE ON TYPE service_id.service_id TO %s",
	"GRANT EXECUTE ON FUNCTION"
	" service_id.service_id_in(cstring),"
	" service_id.service_id_out(service_id.service_id),"
	" service_id.service_id_recv(internal),"
	" service_id.service_id_send(service_id.service_id),"
	" service_id.service_id_eq(service_id.service_id, service_id.service_id),"
	" service_id.service_id_ne(service_id.service_id, service_id.service_id),"
	" service_id.service_id_lt(service_id.service_id, service_id.service_id),"
	" service_id.service_id_le(service_id.service_id, service_id.service_id),"
	" service_id.service_id_gt(service_id.service_id, service_id.service_id),"
	" service_id.service_id_ge(service_id.service_id, service_id.service_id),"
	" service_id.service_id_cmp(service_id.service_id, service_id.service_id),"
	" service_id.service_id_hash(service_id.service_id),"
	" service_id.service_id_hash_extended(service_id.service_id, int8),"
	" service_id.service_id(text),"
	" service_id.service_id(uuid),"
	" service_id.text(service_id.service_id),"
	" service_id.is_valid(text) TO %s",
	NULL
};

static const char *const read_grants[] = {
	"GRANT EXECUTE ON FUNCTION service_id.eligibility_reasons(int, bool, int, int, bool, bool, text, int, timestamptz, text, bool, bool, int) TO %s",
	"GRANT SELECT ON service_id.numbers, service_id.instances, service_id.filings,"
	" service_id.audit, service_id.summary TO %s",
	NULL
};

static const char *const usage_grants[] = {
	"GRANT USAGE ON TYPE service_id.eligibility TO %s",
	"GRANT EXECUTE ON FUNCTION service_id.gen_service_id(),"
	" service_id.apply_service_id(text, text, text),"
	" service_id.apply_service_ids(text, text, int, text),"
	" service_id.check_instance(text, text),"
	" service_id.revoke_service_id(service_id.service_id, text),"
	" service_id.register_filing(text, text, service_id.service_id),"
	" service_id.register_filing_direct(text, text, text),"
	" service_id.register_filing_trustpass(text, text, text),"
	" service_id.cancel_filing(bigint),"
	" service_id.remove_access(bigint),"
	" service_id.expire_service_ids(),"
	" service_id.account_numbers(text),"
	" service_id.account_instances(text),"
	" service_id.valid_identifier(text) TO %s",
	"GRANT SELECT, INSERT, UPDATE ON service_id.instance TO %s",
	"GRANT SELECT ON service_id.product, service_id.region TO %s",
	NULL
};

static void
run_grants(const char *const *stmts, const char *role)
{
	int			i;

	for (i = 0; stmts[i]; i++)
	{
		char	   *sql = psprintf(stmts[i], role, role);

		if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "SPI_execute failed: %s", sql);
	}
}

static void
grant(FunctionCallInfo fcinfo, const char *const *extra)
{
	Oid			roleid;
	const char *role;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("role must not be null")));
	roleid = PG_GETARG_OID(0);
	if (!OidIsValid(roleid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a role must be named"),
				 errdetail("Nothing of service_id is granted to PUBLIC.")));
	role = quote_identifier(GetUserNameFromId(roleid, false));
	PreventCommandIfReadOnly("GRANT");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_grants(common_grants, role);
	run_grants(extra, role);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * grant_usage(role) — an application role: the API functions, and SELECT,
 * INSERT and UPDATE on service_id.instance.  Numbers stay unreadable
 * except through what the API returns (account_numbers among it).
 */
PG_FUNCTION_INFO_V1(sid_grant_usage);
Datum
sid_grant_usage(PG_FUNCTION_ARGS)
{
	grant(fcinfo, usage_grants);
	PG_RETURN_VOID();
}

/* grant_read(role) — a reporting role: the five views. */
PG_FUNCTION_INFO_V1(sid_grant_read);
Datum
sid_grant_read(PG_FUNCTION_ARGS)
{
	grant(fcinfo, read_grants);
	PG_RETURN_VOID();
}

/* ----------------------------------------------------------------------
 * Scheduling with pg_cron
 * ----------------------------------------------------------------------
 */

#define EXPIRY_JOB "service_id_expire"

/* pg_cron must be installed in this database; say how otherwise. */
static void
require_pg_cron(void)
{
	const char *cron_db;

	if (OidIsValid(get_extension_oid("pg_cron", true)))
		return;
	cron_db = GetConfigOption("cron.database_name", true, false);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("pg_cron is not installed in this database"),
			 errdetail("Scheduling expire_service_ids() needs the pg_cron extension in the database that holds service_id."),
			 cron_db ?
			 errhint("pg_cron is loaded and keeps its jobs in database \"%s\": install service_id there, or run CREATE EXTENSION pg_cron in this database if it is \"%s\".",
					 cron_db, cron_db) :
			 errhint("Install the postgresql-15-cron package, add pg_cron to shared_preload_libraries, restart the server, and run CREATE EXTENSION pg_cron in the database named by cron.database_name (by default \"postgres\").")));
}

/*
 * schedule_expiry(schedule) — run expire_service_ids() from pg_cron on the
 * given cron schedule (default every five minutes); returns the job id.
 * Calling it again changes the schedule of the same job.
 */
PG_FUNCTION_INFO_V1(sid_schedule_expiry);
Datum
sid_schedule_expiry(PG_FUNCTION_ARGS)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	bool		isnull;
	int64		jobid;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("schedule must not be null")));
	PreventCommandIfReadOnly("schedule_expiry()");
	require_pg_cron();

	values[0] = CStringGetTextDatum(EXPIRY_JOB);
	values[1] = PG_GETARG_DATUM(0);
	values[2] = CStringGetTextDatum("SELECT service_id.expire_service_ids()");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT cron.schedule($1, $2, $3)", 3, types, values,
							  NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cron.schedule() returned no job");
	jobid = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	PG_RETURN_INT64(jobid);
}

/* unschedule_expiry() — remove that job; a notice if there was none. */
PG_FUNCTION_INFO_V1(sid_unschedule_expiry);
Datum
sid_unschedule_expiry(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(EXPIRY_JOB)};

	PreventCommandIfReadOnly("unschedule_expiry()");
	require_pg_cron();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* pg_cron keeps jobs per (name, user): ours are the owner's, who runs this */
	if (SPI_execute_with_args("SELECT FROM cron.job WHERE jobname OPERATOR(pg_catalog.=) $1"
							  " AND username OPERATOR(pg_catalog.=) CURRENT_USER",
							  1, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read cron.job");
	if (SPI_processed == 0)
		ereport(NOTICE,
				(errmsg("no expiry job was scheduled")));
	else if (SPI_execute_with_args("SELECT cron.unschedule($1)", 1, types, values,
								   NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "cron.unschedule() failed");
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	PG_RETURN_VOID();
}
