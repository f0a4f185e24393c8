/*
 * sid_guards.c
 *		The triggers that keep SPEC section 4 true against any DML, the
 *		table owner's and a superuser's included: number states move only
 *		unused -> used, revoked or invalid; a number binds to one filing for
 *		ever; numbers, filings and audit rows are never deleted; an instance
 *		with numbers or filings is never deleted; the allowance counter
 *		follows every change.
 *
 * The guards judge the data, not who writes it: a plain pg_restore, which
 * inserts numbers already used and then the filings that used them, is
 * consistent and passes; an INSERT or UPDATE that would reuse a number is
 * not, and fails, whoever runs it.  Only disabling triggers (a superuser
 * act) gets past them.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "service_id.h"

/* ----------------------------------------------------------------------
 * Helpers
 * ----------------------------------------------------------------------
 */

/* Check that we were called as the trigger we are declared as. */
static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", name)));
	return (TriggerData *) fcinfo->context;
}

static void
wrong_event(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("function \"%s\" was fired for an event it does not handle", name)));
}

static char *
table_name(Relation rel)
{
	return quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									  RelationGetRelationName(rel));
}

/* A column by name: its value and whether it is null. */
static Datum
col(Relation rel, HeapTuple tup, const char *name, bool *isnull)
{
	int			attno = SPI_fnumber(RelationGetDescr(rel), name);

	if (attno <= 0)
		elog(ERROR, "column \"%s\" of %s is missing", name, table_name(rel));
	return heap_getattr(tup, attno, RelationGetDescr(rel), isnull);
}

/* A text column as a C string, NULL for SQL NULL. */
static char *
col_text(Relation rel, HeapTuple tup, const char *name)
{
	bool		isnull;
	Datum		d = col(rel, tup, name, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static bool
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * The first column, other than those named in mutable[], whose value
 * differs between the two tuples; NULL if none.
 */
static const char *
changed_column(Relation rel, HeapTuple oldtup, HeapTuple newtup,
			   const char *const *mutable)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *const *m;
		bool		skip = false,
					n1,
					n2;
		Datum		d1,
					d2;

		if (att->attisdropped)
			continue;
		for (m = mutable; *m; m++)
			if (strcmp(NameStr(att->attname), *m) == 0)
				skip = true;
		if (skip)
			continue;
		d1 = heap_getattr(oldtup, i + 1, desc, &n1);
		d2 = heap_getattr(newtup, i + 1, desc, &n2);
		if (n1 != n2 ||
			(!n1 && !datum_image_eq(d1, d2, att->attbyval, att->attlen)))
			return NameStr(att->attname);
	}
	return NULL;
}

/*
 * True while the guards themselves change a counter.  usage_guard refuses
 * every other change of a consumed count, so the counter can only follow
 * the numbers and filings.  A static of this backend: no SQL can set it.
 */
static bool counter_write_allowed = false;

/* Run one of the two statements that change a consumed count by n. */
static void
counter_exec(SidStmt stmt, const char *instance_id, int32 n)
{
	Datum		values[2];

	values[0] = CStringGetTextDatum(instance_id);
	values[1] = Int32GetDatum(n);
	counter_write_allowed = true;
	PG_TRY();
	{
		sid_exec(stmt, values, NULL, 1);
	}
	PG_FINALLY();
	{
		counter_write_allowed = false;
	}
	PG_END_TRY();
}

/*
 * Slots the API has counted already for the rows it is inserting now
 * (sid_claim_slots, then sid_set_precounted): each insert trigger takes one
 * instead of counting the row again.  Reset by the API when it is done.
 */
static int32 precounted = 0;

void
sid_set_precounted(int32 n)
{
	precounted = n;
}

/*
 * Take n slots of an instance's counter at once and return the count
 * before, locking the counter row until the transaction ends: concurrent
 * callers queue on it (READ COMMITTED, where the UPDATE re-reads the row
 * the winner left) or fail with 40001 (REPEATABLE READ, SERIALIZABLE).  The
 * caller judges the count and raises an error if the slots are not there,
 * which undoes the claim.  *found is false if the instance has no counter.
 */
int32
sid_claim_slots(const char *instance_id, int32 n, bool *found)
{
	counter_exec(ST_CLAIM_USAGE, instance_id, n);
	*found = SPI_processed == 1;
	return *found ? sid_get_int32(0, 1, NULL) : 0;
}

/* Add delta to an instance's consumed count. */
static void
usage_add(const char *instance_id, int32 delta)
{
	counter_exec(ST_USAGE_ADD, instance_id, delta);
}


/*
 * SPI for a trigger, opened only when a branch needs it (most rows the API
 * writes need none), as the table's owner.
 */
typedef struct GuardSpi
{
	Relation	rel;
	bool		open;
	SidUserSwitch sw;
} GuardSpi;

static void
guard_spi(GuardSpi *g)
{
	if (!g->open)
	{
		sid_become_owner(g->rel, &g->sw);
		sid_spi_connect();
		g->open = true;
	}
}

static void
guard_spi_done(GuardSpi *g)
{
	if (g->open)
	{
		sid_spi_finish();
		sid_restore_user(&g->sw);
	}
}

/*
 * True while filing_guard itself moves the number it binds to 'used': the
 * number's trigger need not look for the filing that holds it.
 */
static bool binding_number = false;

/*
 * The number register_filing() has locked and checked (exists, unused,
 * granted to the filer, instance matching) for the filing it is inserting
 * now; filing_guard need not check it again.  Set and cleared by the API.
 */
static bool number_checked = false;
static SidValue checked_number;

void
sid_set_checked_number(const SidValue *v)
{
	number_checked = v != NULL;
	if (v)
		checked_number = *v;
}

/* ----------------------------------------------------------------------
 * append_only: no UPDATE or DELETE of audit rows, no TRUNCATE of numbers,
 * filings or the audit log.
 * ----------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(sid_append_only);
Datum
sid_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "append_only");
	const char *what;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event))
		wrong_event("append_only");
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		what = "truncate";
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		what = "delete from";
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		what = "update";
	else
		wrong_event("append_only");

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s %s", what, table_name(td->tg_relation)),
			 errdetail("Its rows are kept for ever: numbers and filings only change state, and the audit log is append-only.")));
	PG_RETURN_NULL();			/* not reached */
}

/* ----------------------------------------------------------------------
 * catalog_upsert: an INSERT of an existing product or region key updates
 * that row instead.  pg_restore loads the catalogs into a freshly seeded
 * extension; this is how DBA edits of seed rows come back.
 * ----------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(sid_catalog_upsert);
Datum
sid_catalog_upsert(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "catalog_upsert");
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	tup = td->tg_trigtuple;
	const char *key;
	int			keyno;
	StringInfoData sql;
	Datum	   *values;
	char	   *nulls;
	Oid		   *types;
	int			nargs = 0;
	int			i;
	bool		replaced;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		wrong_event("catalog_upsert");
	if (td->tg_trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"catalog_upsert\" needs the key column as its argument")));
	key = td->tg_trigger->tgargs[0];
	keyno = SPI_fnumber(desc, key);
	if (keyno <= 0)
		elog(ERROR, "key column \"%s\" of %s is missing", key, table_name(rel));

	values = palloc(sizeof(Datum) * desc->natts);
	nulls = palloc(desc->natts);
	types = palloc(sizeof(Oid) * desc->natts);

	/* UPDATE t SET (a, b, ...) = ROW($1, $2, ...) WHERE key = $n */
	initStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s SET (", table_name(rel));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		isnull;

		if (att->attisdropped || i + 1 == keyno)
			continue;
		appendStringInfo(&sql, "%s%s", nargs ? ", " : "",
						 quote_identifier(NameStr(att->attname)));
		values[nargs] = heap_getattr(tup, i + 1, desc, &isnull);
		nulls[nargs] = isnull ? 'n' : ' ';
		types[nargs] = att->atttypid;
		nargs++;
	}
	appendStringInfoString(&sql, ") = ROW(");
	for (i = 0; i < nargs; i++)
		appendStringInfo(&sql, "%s$%d", i ? ", " : "", i + 1);
	{
		Form_pg_attribute katt = TupleDescAttr(desc, keyno - 1);
		bool		isnull;

		values[nargs] = heap_getattr(tup, keyno, desc, &isnull);
		nulls[nargs] = isnull ? 'n' : ' ';
		types[nargs] = katt->atttypid;
		appendStringInfo(&sql, ") WHERE %s OPERATOR(pg_catalog.=) $%d",
						 quote_identifier(key), nargs + 1);
		nargs++;
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql.data, nargs, types, values, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "SPI_execute_with_args failed: %s", sql.data);
	replaced = SPI_processed > 0;
	sid_spi_finish();

	/* The existing row took the new values: skip the insert. */
	return replaced ? PointerGetDatum(NULL) : PointerGetDatum(tup);
}

/* ----------------------------------------------------------------------
 * instance_guard: creates the allowance counter with the instance; keeps
 * an instance that has numbers or filings from being deleted or having
 * its id, purchaser or product changed.
 * ----------------------------------------------------------------------
 */
static bool
instance_has_rows(const char *instance_id)
{
	Datum		arg = CStringGetTextDatum(instance_id);

	sid_exec(ST_INSTANCE_HAS_ROWS, &arg, NULL, 1);
	return sid_get_bool(0, 1, NULL);
}

PG_FUNCTION_INFO_V1(sid_instance_guard);
Datum
sid_instance_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "instance_guard");
	Relation	rel = td->tg_relation;
	TriggerEvent ev = td->tg_event;
	HeapTuple	result = NULL;
	SidUserSwitch sw;

	sid_become_owner(rel, &sw);
	sid_spi_connect();

	if (TRIGGER_FIRED_BY_TRUNCATE(ev))
	{
		if (!TRIGGER_FIRED_BEFORE(ev))
			wrong_event("instance_guard");
		sid_exec(ST_ANY_ROWS, NULL, NULL, 1);
		if (sid_get_bool(0, 1, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot truncate %s", table_name(rel)),
					 errdetail("Instances that have service identification numbers or filings are never deleted.")));
	}
	else if (!TRIGGER_FIRED_FOR_ROW(ev))
		wrong_event("instance_guard");
	else if (TRIGGER_FIRED_AFTER(ev) && TRIGGER_FIRED_BY_INSERT(ev))
	{
		Datum		arg = CStringGetTextDatum(col_text(rel, td->tg_trigtuple, "instance_id"));

		sid_exec(ST_USAGE_CREATE, &arg, NULL, 0);
	}
	else if (TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_BY_DELETE(ev))
	{
		char	   *id = col_text(rel, td->tg_trigtuple, "instance_id");

		if (instance_has_rows(id))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot delete instance \"%s\"", id),
					 errdetail("It has service identification numbers or filings, which are kept for ever."),
					 errhint("Set its status to 'released' instead.")));
		result = td->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_BY_UPDATE(ev))
	{
		static const char *const fixed[] = {"instance_id", "account_id", "product"};
		char	   *id = col_text(rel, td->tg_trigtuple, "instance_id");
		const char *changed = NULL;
		int			i;

		for (i = 0; i < (int) lengthof(fixed); i++)
			if (!streq(col_text(rel, td->tg_trigtuple, fixed[i]),
					   col_text(rel, td->tg_newtuple, fixed[i])))
			{
				changed = fixed[i];
				break;
			}
		if (changed && instance_has_rows(id))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot change %s of instance \"%s\"", changed, id),
					 errdetail("The instance has service identification numbers or filings, which stay bound to it as it is.")));
		result = td->tg_newtuple;
	}
	else
		wrong_event("instance_guard");

	sid_spi_finish();
	sid_restore_user(&sw);
	return PointerGetDatum(result);
}

/* ----------------------------------------------------------------------
 * number_guard: the state machine of a number and its counter.
 *
 *	 BEFORE DELETE			refused
 *	 BEFORE UPDATE			only state and state_changed_at change, and only
 *							unused -> used (a filing must hold it), revoked
 *							or invalid
 *	 AFTER INSERT			an unused or used number takes a slot
 *	 AFTER UPDATE			revoked or invalid gives the slot back and is
 *							audited
 * ----------------------------------------------------------------------
 */
static const char *const number_mutable[] = {"state", "state_changed_at", NULL};

PG_FUNCTION_INFO_V1(sid_number_guard);
Datum
sid_number_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "number_guard");
	Relation	rel = td->tg_relation;
	TriggerEvent ev = td->tg_event;
	HeapTuple	result = NULL;
	GuardSpi	g = {.rel = rel};
	bool		isnull;
	Datum		number;

	if (!TRIGGER_FIRED_FOR_ROW(ev))
		wrong_event("number_guard");
	number = col(rel, td->tg_trigtuple, "number", &isnull);

	/* A number the API has counted already: nothing to do. */
	if (TRIGGER_FIRED_AFTER(ev) && TRIGGER_FIRED_BY_INSERT(ev) && precounted > 0 &&
		streq(col_text(rel, td->tg_trigtuple, "state"), "unused"))
	{
		precounted--;
		return PointerGetDatum(NULL);
	}

	if (TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_BY_DELETE(ev))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot delete service identification number %s", sid_number_text(number)),
				 errdetail("Numbers are kept for ever."),
				 errhint("Revoke an unused number with service_id.revoke_service_id().")));

	if (TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_BY_UPDATE(ev))
	{
		char	   *from = col_text(rel, td->tg_trigtuple, "state");
		char	   *to = col_text(rel, td->tg_newtuple, "state");
		const char *changed = changed_column(rel, td->tg_trigtuple, td->tg_newtuple,
											 number_mutable);

		if (changed)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot change %s of service identification number %s",
							changed, sid_number_text(number)),
					 errdetail("Only the state of a number changes.")));
		if (streq(from, to))
		{
			const char *const only_state[] = {"state", NULL};

			if (changed_column(rel, td->tg_trigtuple, td->tg_newtuple, only_state))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot change state_changed_at of service identification number %s",
								sid_number_text(number)),
						 errdetail("It records when the state changed, and the state did not.")));
		}
		else if (strcmp(from, "unused") != 0)
		{
			if (strcmp(from, "used") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNIQUE_VIOLATION),
						 errmsg("service identification number %s has already been used",
								sid_number_text(number)),
						 errdetail("A used number stays bound to its filing for ever; it cannot become %s.", to)));
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("service identification number %s is %s and cannot become %s",
							sid_number_text(number), from, to),
					 errdetail("A number moves only from unused to used, revoked or invalid.")));
		}
		else if (strcmp(to, "used") == 0 && !binding_number)
		{
			guard_spi(&g);
			sid_exec(ST_NUMBER_BOUND, &number, NULL, 1);
			if (SPI_processed == 0)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("service identification number %s cannot become used without a filing",
								sid_number_text(number)),
						 errhint("Use service_id.register_filing().")));
		}
		result = td->tg_newtuple;
	}
	else if (TRIGGER_FIRED_AFTER(ev) && TRIGGER_FIRED_BY_INSERT(ev))
	{
		char	   *state = col_text(rel, td->tg_trigtuple, "state");

		if (strcmp(state, "unused") == 0 || strcmp(state, "used") == 0)
		{
			guard_spi(&g);
			usage_add(col_text(rel, td->tg_trigtuple, "instance_id"), 1);
		}
	}
	else if (TRIGGER_FIRED_AFTER(ev) && TRIGGER_FIRED_BY_UPDATE(ev))
	{
		char	   *from = col_text(rel, td->tg_trigtuple, "state");
		char	   *to = col_text(rel, td->tg_newtuple, "state");

		if (strcmp(from, "unused") == 0 &&
			(strcmp(to, "revoked") == 0 || strcmp(to, "invalid") == 0))
		{
			char	   *instance_id = col_text(rel, td->tg_newtuple, "instance_id");
			const char *action = strcmp(to, "revoked") == 0 ? "revoked" : "invalidated";

			guard_spi(&g);
			usage_add(instance_id, -1);
			sid_audit(col_text(rel, td->tg_newtuple, "applicant"), action,
					  number, false, instance_id, 0, "{}");
		}
	}
	else
		wrong_event("number_guard");

	guard_spi_done(&g);
	return PointerGetDatum(result);
}

/* ----------------------------------------------------------------------
 * filing_guard: a filing binds its number for ever.
 *
 *	 BEFORE INSERT			the number must be unused (or, as a restore
 *							loads it, used and bound to no other filing);
 *							never revoked or invalid; its grantee, if
 *							any, must be the filing account
 *	 AFTER INSERT			the number becomes used; a direct filing takes
 *							a slot
 *	 BEFORE UPDATE			only status and ended_at change, and only
 *							active -> cancelled or access_removed
 *	 AFTER UPDATE			the end of a filing is audited
 *	 BEFORE DELETE			refused
 * ----------------------------------------------------------------------
 */
static const char *const filing_mutable[] = {"status", "ended_at", NULL};

PG_FUNCTION_INFO_V1(sid_filing_guard);
Datum
sid_filing_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "filing_guard");
	Relation	rel = td->tg_relation;
	TriggerEvent ev = td->tg_event;
	HeapTuple	result = NULL;
	GuardSpi	g = {.rel = rel};
	bool		no_number;
	Datum		number;
	bool		isnull;
	int64		filing_id;

	if (!TRIGGER_FIRED_FOR_ROW(ev))
		wrong_event("filing_guard");
	number = col(rel, td->tg_trigtuple, "number", &no_number);
	filing_id = DatumGetInt64(col(rel, td->tg_trigtuple, "filing_id", &isnull));

	if (TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_BY_DELETE(ev))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot delete filing %lld", (long long) filing_id),
				 errdetail("Filings are kept for ever."),
				 errhint("Use service_id.cancel_filing() or service_id.remove_access().")));

	if (TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_BY_INSERT(ev))
	{
		if (!no_number && !(number_checked &&
							memcmp(DatumGetPointer(number), checked_number.data, SID_LEN) == 0))
		{
			char	   *state;
			char	   *number_instance;
			char	   *grantee;

			guard_spi(&g);
			sid_exec(ST_NUMBER_LOCK, &number, NULL, 1);
			if (SPI_processed == 0)
				ereport(ERROR,
						(errcode(ERRCODE_NO_DATA_FOUND),
						 errmsg("service identification number %s does not exist",
								sid_number_text(number))));
			state = sid_get_text(0, 1);
			number_instance = sid_get_text(0, 2);
			grantee = sid_get_text(0, 3);
			if (grantee && !streq(grantee, col_text(rel, td->tg_trigtuple, "account_id")))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("service identification number %s was granted to another account",
								sid_number_text(number)),
						 errdetail("Only account \"%s\" may file with it.", grantee)));
			if (strcmp(state, "revoked") == 0 || strcmp(state, "invalid") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("service identification number %s is %s",
								sid_number_text(number), state),
						 errdetail("Only an unused number can be used for a filing.")));
			if (strcmp(state, "used") == 0)
			{
				sid_exec(ST_NUMBER_BOUND, &number, NULL, 1);
				if (SPI_processed > 0)
					ereport(ERROR,
							(errcode(ERRCODE_UNIQUE_VIOLATION),
							 errmsg("service identification number %s has already been used",
									sid_number_text(number)),
							 errdetail("It is bound to filing %lld for ever.",
									   (long long) sid_get_int64(0, 1, NULL))));
			}
			if (!streq(number_instance, col_text(rel, td->tg_trigtuple, "instance_id")))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("filing %lld names an instance other than its number's",
								(long long) filing_id),
						 errdetail("Service identification number %s belongs to instance \"%s\".",
								   sid_number_text(number), number_instance)));
		}
		result = td->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_AFTER(ev) && TRIGGER_FIRED_BY_INSERT(ev))
	{
		char	   *method = col_text(rel, td->tg_trigtuple, "method");

		if (!no_number)
		{
			guard_spi(&g);
			binding_number = true;
			PG_TRY();
			{
				sid_exec(ST_NUMBER_USE, &number, NULL, 0);
			}
			PG_FINALLY();
			{
				binding_number = false;
			}
			PG_END_TRY();
		}
		else if (strcmp(method, "direct") == 0 && precounted > 0)
			precounted--;		/* the API counted it already */
		else if (strcmp(method, "direct") == 0)
		{
			guard_spi(&g);
			usage_add(col_text(rel, td->tg_trigtuple, "instance_id"), 1);
		}
	}
	else if (TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_BY_UPDATE(ev))
	{
		char	   *from = col_text(rel, td->tg_trigtuple, "status");
		char	   *to = col_text(rel, td->tg_newtuple, "status");
		const char *changed = changed_column(rel, td->tg_trigtuple, td->tg_newtuple,
											 filing_mutable);

		if (changed)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot change %s of filing %lld", changed, (long long) filing_id),
					 errdetail("Only the status of a filing changes.")));
		if (streq(from, to))
		{
			const char *const only_status[] = {"status", NULL};

			if (changed_column(rel, td->tg_trigtuple, td->tg_newtuple, only_status))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot change ended_at of filing %lld", (long long) filing_id),
						 errdetail("It records when the filing ended, and its status did not change.")));
		}
		else if (strcmp(from, "active") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("filing %lld has already ended", (long long) filing_id),
					 errdetail("Its status is %s; a filing moves only from active to cancelled or access_removed.",
							   from)));
		result = td->tg_newtuple;
	}
	else if (TRIGGER_FIRED_AFTER(ev) && TRIGGER_FIRED_BY_UPDATE(ev))
	{
		char	   *from = col_text(rel, td->tg_trigtuple, "status");
		char	   *to = col_text(rel, td->tg_newtuple, "status");

		if (!streq(from, to))
		{
			const char *pairs[2] = {"website", col_text(rel, td->tg_newtuple, "website")};

			guard_spi(&g);
			sid_audit(col_text(rel, td->tg_newtuple, "account_id"),
					  strcmp(to, "cancelled") == 0 ? "cancelled" : "access_removed",
					  number, no_number,
					  col_text(rel, td->tg_newtuple, "instance_id"),
					  filing_id, sid_json_object(1, pairs));
		}
	}
	else
		wrong_event("filing_guard");

	guard_spi_done(&g);
	return PointerGetDatum(result);
}

/* ----------------------------------------------------------------------
 * usage_guard: the allowance counter follows the numbers and filings and
 * nothing else.  A consumed count changes only through usage_add() and
 * sid_claim_slots(); a row
 * may be created, deleted (as its instance is) or re-keyed (ON UPDATE
 * CASCADE) only while it counts nothing.
 * ----------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(sid_usage_guard);
Datum
sid_usage_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "usage_guard");
	Relation	rel = td->tg_relation;
	TriggerEvent ev = td->tg_event;
	bool		isnull;
	int32		before = 0,
				after = 0;

	if (!TRIGGER_FIRED_BEFORE(ev))
		wrong_event("usage_guard");
	if (TRIGGER_FIRED_BY_TRUNCATE(ev))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot truncate %s", table_name(rel)),
				 errdetail("The allowance counters follow the numbers and filings; they are never set by hand.")));
	if (!TRIGGER_FIRED_FOR_ROW(ev))
		wrong_event("usage_guard");

	if (!TRIGGER_FIRED_BY_INSERT(ev))
		before = DatumGetInt32(col(rel, td->tg_trigtuple, "consumed", &isnull));
	if (TRIGGER_FIRED_BY_INSERT(ev))
		after = DatumGetInt32(col(rel, td->tg_trigtuple, "consumed", &isnull));
	else if (TRIGGER_FIRED_BY_UPDATE(ev))
		after = DatumGetInt32(col(rel, td->tg_newtuple, "consumed", &isnull));

	if (TRIGGER_FIRED_BY_UPDATE(ev) ? (before != after && !counter_write_allowed)
		: (before != 0 || after != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot set the allowance counter of instance \"%s\" by hand",
						col_text(rel, td->tg_trigtuple, "instance_id")),
				 errdetail("It counts the instance's unused and used numbers and direct filings, and changes only with them.")));

	return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(ev) ? td->tg_newtuple : td->tg_trigtuple);
}
