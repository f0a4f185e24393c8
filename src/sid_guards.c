/*
 * sid_guards.c
 *		The triggers that hold hand-written SQL to the rules of SPEC section
 *		4, whoever runs it: the application role, the table owner, a
 *		superuser.  One C function per trigger; CREATE TRIGGER ... WHEN
 *		decides when each fires, so most statements fire none.
 *
 * The API writes its rows directly (sid_store.c) and fires none of these:
 * it applies the same rules itself, through the same functions of
 * sid_rules.c, under the same locks.  So there is no hand-shake between
 * the API and the triggers, and no state kept between calls.
 *
 * Rows inserted by hand are taken as data being loaded (pg_restore): they
 * are checked for consistency and counted, and bring their own audit rows.
 * A statement that changes the state of a row already there — a number
 * becoming used, revoked or invalid, a filing ending — is audited here
 * exactly as the API's changes are, and a filing that uses an unused
 * number is held to everything register_filing() checks.
 *
 * Every trigger function first checks that it fires on the table, at the
 * time, for the event and at the level it was written for (anyone allowed
 * to attach it elsewhere gets an error, not a misread row), and treats
 * every column as possibly NULL: a BEFORE trigger sees a row before NOT
 * NULL and CHECK are tested.
 *
 * Only disabling triggers (ALTER TABLE ... DISABLE TRIGGER, or
 * session_replication_role = replica; a superuser's act) gets past them.
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
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "sid_counter.h"
#include "sid_rules.h"

/* ----------------------------------------------------------------------
 * Helpers
 * ----------------------------------------------------------------------
 */

#define FIRED_MASK (TRIGGER_EVENT_OPMASK | TRIGGER_EVENT_ROW | TRIGGER_EVENT_TIMINGMASK)
#define BEFORE_ROW(op) ((op) | TRIGGER_EVENT_ROW | TRIGGER_EVENT_BEFORE)
#define AFTER_ROW(op) ((op) | TRIGGER_EVENT_ROW | TRIGGER_EVENT_AFTER)
#define BEFORE_STATEMENT(op) ((op) | TRIGGER_EVENT_BEFORE)

static void
protocol_violated(const char *fname, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("function \"%s\" %s", fname, what)));
}

/*
 * Check the call: a trigger, on one of the tables in rels (a bit set of
 * SidRelId), fired by one of the events in events (TriggerEvent values
 * masked with FIRED_MASK, terminated by -1).
 */
static TriggerData *
guard_call(FunctionCallInfo fcinfo, const char *fname, uint32 rels, const int *events,
		   SidRelId *rel)
{
	TriggerData *td;
	const SidSchema *s;
	int			r;
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo))
		protocol_violated(fname, "was not called by trigger manager");
	td = (TriggerData *) fcinfo->context;
	s = sid_schema();
	r = sid_schema_rel_of(s, RelationGetRelid(td->tg_relation));
	if (r < 0 || !(rels & (1u << r)))
		protocol_violated(fname, psprintf("must not be a trigger on table \"%s\"",
										  RelationGetRelationName(td->tg_relation)));
	for (i = 0; events[i] >= 0; i++)
		if ((int) (td->tg_event & FIRED_MASK) == events[i])
			break;
	if (events[i] < 0)
		protocol_violated(fname, "was fired for an event it does not handle");
	if (rel)
		*rel = r;
	return td;
}

#define REL(r) (1u << (r))
#define EVENTS(...) ((const int[]) {__VA_ARGS__, -1})

static char *
text_of(TupleTableSlot *slot, SidRelId rel, int col)
{
	bool		isnull;
	Datum		d = sid_col(sid_schema(), rel, slot, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* Are the two rows' values of a column the same (NULLs alike)? */
static bool
same_col(SidRelId rel, TupleTableSlot *a, TupleTableSlot *b, int col)
{
	const SidSchema *s = sid_schema();
	AttrNumber	attno = s->attno[rel][col];
	Form_pg_attribute att = TupleDescAttr(a->tts_tupleDescriptor, attno - 1);
	bool		na,
				nb;
	Datum		da = slot_getattr(a, attno, &na);
	Datum		db = slot_getattr(b, attno, &nb);

	if (na || nb)
		return na == nb;
	return datum_image_eq(da, db, att->attbyval, att->attlen);
}

/* The first column, other than those in mutable_cols (-1 ended), that differs. */
static const char *
changed_col(SidRelId rel, TupleTableSlot *a, TupleTableSlot *b, int ncols,
			const int *mutable_cols)
{
	int			c;

	for (c = 0; c < ncols; c++)
	{
		const int  *m;
		bool		skip = false;

		for (m = mutable_cols; *m >= 0; m++)
			if (*m == c)
				skip = true;
		if (!skip && !same_col(rel, a, b, c))
			return sid_col_name(rel, c);
	}
	return NULL;
}

/* The trigger's row with one text column replaced. */
static HeapTuple
with_text(TriggerData *td, HeapTuple tuple, SidRelId rel, int col, const char *value)
{
	int			attno = sid_schema()->attno[rel][col];
	Datum		v = CStringGetTextDatum(value);
	bool		n = false;

	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(td->tg_relation),
									 1, &attno, &v, &n);
}

/* The trigger's row with one timestamptz column set to now(). */
static HeapTuple
with_now(TriggerData *td, HeapTuple tuple, SidRelId rel, int col)
{
	int			attno = sid_schema()->attno[rel][col];
	Datum		v = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	bool		n = false;

	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(td->tg_relation),
									 1, &attno, &v, &n);
}

/*
 * The BEFORE UPDATE guard of a row that only changes state: any column but
 * the state and the time it changed is refused, and so is a new time for
 * an unchanged state.  Returns true when the state changed: the caller
 * judges the move.  what names the row in messages, detail explains it.
 */
static bool
state_changes(TriggerData *td, SidRelId rel, int ncols, int state_col, int time_col,
			  const char *what, const char *detail)
{
	const char *changed = changed_col(rel, td->tg_trigslot, td->tg_newslot, ncols,
									  (const int[]) {state_col, time_col, -1});

	if (changed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot change %s of %s", changed, what),
				 errdetail("%s", detail)));
	if (!same_col(rel, td->tg_trigslot, td->tg_newslot, state_col))
		return true;
	if (!same_col(rel, td->tg_trigslot, td->tg_newslot, time_col))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot change %s of %s", sid_col_name(rel, time_col), what),
				 errdetail("It records when the %s changed, and the %s did not.",
						   sid_col_name(rel, state_col), sid_col_name(rel, state_col))));
	return false;
}

/* ----------------------------------------------------------------------
 * Rows kept for ever
 * ----------------------------------------------------------------------
 */

/*
 * append_only() — no DELETE of numbers or filings, no UPDATE or DELETE of
 * audit rows, no TRUNCATE of any of the three.
 */
PG_FUNCTION_INFO_V1(sid_append_only);
Datum
sid_append_only(PG_FUNCTION_ARGS)
{
	SidRelId	rel;
	TriggerData *td = guard_call(fcinfo, "append_only",
								 REL(SID_NUMBER) | REL(SID_FILING) | REL(SID_AUDIT),
								 EVENTS(BEFORE_ROW(TRIGGER_EVENT_DELETE),
										BEFORE_ROW(TRIGGER_EVENT_UPDATE),
										BEFORE_STATEMENT(TRIGGER_EVENT_TRUNCATE)),
								 &rel);
	const char *what;

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		what = "truncate";
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		what = "delete from";
	else if (rel == SID_AUDIT)
		what = "update";
	else
		protocol_violated("append_only", "refuses updates of the audit log only");

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s %s", what, sid_rel_name(rel)),
			 errdetail("Its rows are kept for ever: numbers and filings only change state, and the audit log is append-only."),
			 rel == SID_NUMBER ? errhint("Revoke an unused number with service_id.revoke_service_id().") :
			 rel == SID_FILING ? errhint("End a filing with service_id.cancel_filing() or service_id.remove_access().") : 0));
	return PointerGetDatum(NULL);			/* not reached */
}

/*
 * usage_guard() — the allowance counters are kept by service_id alone
 * (sid_counter.c writes them without SQL): any INSERT, UPDATE, DELETE or
 * TRUNCATE of service_id.instance_usage is refused.
 */
PG_FUNCTION_INFO_V1(sid_usage_guard);
Datum
sid_usage_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "usage_guard", REL(SID_USAGE),
								 EVENTS(BEFORE_ROW(TRIGGER_EVENT_INSERT),
										BEFORE_ROW(TRIGGER_EVENT_UPDATE),
										BEFORE_ROW(TRIGGER_EVENT_DELETE),
										BEFORE_STATEMENT(TRIGGER_EVENT_TRUNCATE)),
								 NULL);
	const char *what = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? "insert into" :
		TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "update" :
		TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "delete from" : "truncate";

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s %s", what, sid_rel_name(SID_USAGE)),
			 errdetail("The allowance counters are kept by service_id: they change only with the numbers and filings they count.")));
	return PointerGetDatum(NULL);			/* not reached */
}

/* ----------------------------------------------------------------------
 * Instances
 * ----------------------------------------------------------------------
 */

/* instance_inserted() — AFTER INSERT: the instance's counter (and lock) row. */
PG_FUNCTION_INFO_V1(sid_instance_inserted);
Datum
sid_instance_inserted(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "instance_inserted", REL(SID_INSTANCE),
								 EVENTS(AFTER_ROW(TRIGGER_EVENT_INSERT)), NULL);
	char	   *id = text_of(td->tg_trigslot, SID_INSTANCE, INST_INSTANCE_ID);
	SidOp	   *op;

	if (id == NULL)
		elog(ERROR, "instance without instance_id");	/* NOT NULL holds here */
	op = sid_op_begin(SID_OP_WRITE);
	sid_counter_create(op, id);
	sid_op_end(op);
	return PointerGetDatum(NULL);
}

/*
 * instance_delete_guard() — BEFORE DELETE: an instance with numbers or
 * filings is never deleted (it is released instead).
 */
PG_FUNCTION_INFO_V1(sid_instance_delete_guard);
Datum
sid_instance_delete_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "instance_delete_guard", REL(SID_INSTANCE),
								 EVENTS(BEFORE_ROW(TRIGGER_EVENT_DELETE)), NULL);
	char	   *id = text_of(td->tg_trigslot, SID_INSTANCE, INST_INSTANCE_ID);
	SidOp	   *op;

	if (id != NULL)
	{
		op = sid_op_begin(SID_OP_WRITE);
		sid_require_instance_unbound(op, id, "delete");
		sid_op_end(op);
	}
	return PointerGetDatum(td->tg_trigtuple);
}

/* instance_deleted() — AFTER DELETE: its counter goes with it. */
PG_FUNCTION_INFO_V1(sid_instance_deleted);
Datum
sid_instance_deleted(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "instance_deleted", REL(SID_INSTANCE),
								 EVENTS(AFTER_ROW(TRIGGER_EVENT_DELETE)), NULL);
	char	   *id = text_of(td->tg_trigslot, SID_INSTANCE, INST_INSTANCE_ID);
	SidOp	   *op;

	if (id != NULL)
	{
		op = sid_op_begin(SID_OP_WRITE);
		sid_counter_drop(op, id);
		sid_op_end(op);
	}
	return PointerGetDatum(NULL);
}

/*
 * instance_keys_guard() — AFTER UPDATE, when instance_id, account_id or
 * product changed: refused for an instance with numbers or filings, which
 * stay bound to it as it is; otherwise a new instance_id takes the
 * counter along.
 */
PG_FUNCTION_INFO_V1(sid_instance_keys_guard);
Datum
sid_instance_keys_guard(PG_FUNCTION_ARGS)
{
	static const int keys[] = {INST_INSTANCE_ID, INST_ACCOUNT_ID, INST_PRODUCT};
	TriggerData *td = guard_call(fcinfo, "instance_keys_guard", REL(SID_INSTANCE),
								 EVENTS(AFTER_ROW(TRIGGER_EVENT_UPDATE)), NULL);
	char	   *old_id = text_of(td->tg_trigslot, SID_INSTANCE, INST_INSTANCE_ID);
	char	   *new_id = text_of(td->tg_newslot, SID_INSTANCE, INST_INSTANCE_ID);
	const char *changed = NULL;
	SidOp	   *op;
	int			i;

	for (i = 0; i < (int) lengthof(keys) && changed == NULL; i++)
		if (!same_col(SID_INSTANCE, td->tg_trigslot, td->tg_newslot, keys[i]))
			changed = sid_col_name(SID_INSTANCE, keys[i]);
	if (changed == NULL || old_id == NULL || new_id == NULL)
		return PointerGetDatum(NULL);		/* nothing guarded changed; NOT NULL holds ids */

	op = sid_op_begin(SID_OP_WRITE);
	sid_require_instance_unbound(op, old_id, psprintf("change the %s of", changed));
	if (strcmp(old_id, new_id) != 0)
	{
		sid_op_next_command(op);	/* the counter row again */
		sid_counter_rekey(op, old_id, new_id);
	}
	sid_op_end(op);
	return PointerGetDatum(NULL);
}

/* ----------------------------------------------------------------------
 * Numbers
 * ----------------------------------------------------------------------
 */

/*
 * number_inserted() — AFTER INSERT, the restore path: the instance must
 * exist and have been purchased by the applicant; an unused or used number
 * takes a slot of its counter (which also takes the instance's lock).  Not
 * audited: a restore brings the audit rows along, and the API, which
 * issues numbers, writes its own.  Not held to the allowance: a DBA may
 * have lowered it since the numbers were issued.
 */
PG_FUNCTION_INFO_V1(sid_number_inserted);
Datum
sid_number_inserted(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "number_inserted", REL(SID_NUMBER),
								 EVENTS(AFTER_ROW(TRIGGER_EVENT_INSERT)), NULL);
	SidNumberRow num;
	SidInstanceRow inst;
	SidOp	   *op;
	int32		before;
	bool		counts;

	sid_decode_number(sid_schema(), td->tg_trigslot, &num);
	if (!num.has_number || num.instance_id == NULL)
		elog(ERROR, "number without number or instance_id");	/* NOT NULL holds here */
	sid_check_ident(num.applicant, "applicant");
	if (num.grantee)
		sid_check_ident(num.grantee, "grantee");

	counts = num.state == SID_NS_UNUSED || num.state == SID_NS_USED;
	op = sid_op_begin(SID_OP_WRITE);
	if (!sid_counter_add(op, num.instance_id, counts ? 1 : 0, &before) ||
		!sid_get_instance(op, num.instance_id, &inst))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("instance \"%s\" of service identification number %s does not exist",
						num.instance_id, sid_number_name(&num.number))));
	sid_require_purchaser(&inst, num.applicant);
	sid_op_end(op);
	return PointerGetDatum(NULL);
}

/*
 * number_update_guard() — BEFORE UPDATE: only the state changes (and
 * state_changed_at with it), only from unused, and to 'used' only through
 * a filing.  state_changed_at is filled in when left out.
 */
PG_FUNCTION_INFO_V1(sid_number_update_guard);
Datum
sid_number_update_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "number_update_guard", REL(SID_NUMBER),
								 EVENTS(BEFORE_ROW(TRIGGER_EVENT_UPDATE)), NULL);
	const SidSchema *s = sid_schema();
	SidNumberRow old;
	SidNumberRow new;
	char	   *name;

	sid_decode_number(s, td->tg_trigslot, &old);
	sid_decode_number(s, td->tg_newslot, &new);
	name = sid_number_name(&old.number);	/* the stored row has its number */

	if (!state_changes(td, SID_NUMBER, NUM_NCOLS, NUM_STATE, NUM_STATE_CHANGED_AT,
					   psprintf("service identification number %s", name),
					   "Only the state of a number changes."))
		return PointerGetDatum(td->tg_newtuple);
	if (old.state == SID_NS_USED)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("service identification number %s has already been used", name),
				 sid_errconstraint(SID_NUMBER_USED_ONCE),
				 errdetail("A used number stays bound to its filing for ever; it cannot become %s.",
						   sid_number_state_name(new.state))));
	if (!sid_number_move_allowed(old.state, new.state))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("service identification number %s is %s and cannot become %s",
						name, sid_number_state_name(old.state), sid_number_state_name(new.state)),
				 errdetail("A number moves only from unused to used, revoked or invalid.")));
	if (new.state == SID_NS_USED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("service identification number %s becomes used only through a filing", name),
				 errhint("Use service_id.register_filing().")));
	if (!new.has_state_changed_at)
		return PointerGetDatum(with_now(td, td->tg_newtuple, SID_NUMBER, NUM_STATE_CHANGED_AT));
	return PointerGetDatum(td->tg_newtuple);
}

/*
 * number_released() — AFTER UPDATE, when the state changed (the guard
 * above let only unused -> revoked or invalid through): the slot goes
 * back, and the change is audited.
 */
PG_FUNCTION_INFO_V1(sid_number_released);
Datum
sid_number_released(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "number_released", REL(SID_NUMBER),
								 EVENTS(AFTER_ROW(TRIGGER_EVENT_UPDATE)), NULL);
	SidNumberRow old;
	SidNumberRow new;
	SidOp	   *op;

	sid_decode_number(sid_schema(), td->tg_trigslot, &old);
	sid_decode_number(sid_schema(), td->tg_newslot, &new);
	if (old.state == new.state)
		return PointerGetDatum(NULL);
	if (old.state != SID_NS_UNUSED ||
		(new.state != SID_NS_REVOKED && new.state != SID_NS_INVALID))
		protocol_violated("number_released", "must follow number_update_guard");
	op = sid_op_begin(SID_OP_WRITE);
	sid_release_number(op, &new);
	sid_op_end(op);
	return PointerGetDatum(NULL);
}

/* ----------------------------------------------------------------------
 * Filings
 * ----------------------------------------------------------------------
 */

/*
 * filing_insert_guard() — BEFORE INSERT: the ids and the website are held
 * to the syntax the API accepts (22023), and the website is stored
 * lower-cased, so the one-active-filing index sees every spelling alike.
 */
PG_FUNCTION_INFO_V1(sid_filing_insert_guard);
Datum
sid_filing_insert_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "filing_insert_guard", REL(SID_FILING),
								 EVENTS(BEFORE_ROW(TRIGGER_EVENT_INSERT)), NULL);
	SidFilingRow f;
	char	   *website;

	sid_decode_filing(sid_schema(), td->tg_trigslot, &f);
	sid_check_ident(f.account_id, "account_id");
	website = sid_check_website(f.website);
	if (f.instance_id)
		sid_check_ident(f.instance_id, "instance_id");
	if (f.shop_id)
		sid_check_ident(f.shop_id, "shop_id");
	if (strcmp(website, f.website) != 0)
		return PointerGetDatum(with_text(td, td->tg_trigtuple, SID_FILING, FIL_WEBSITE, website));
	return PointerGetDatum(td->tg_trigtuple);
}

/*
 * filing_inserted() — AFTER INSERT.  A filing with an unused number is a
 * registration by hand: it is held to register_filing()'s rules, binds the
 * number and is audited.  A filing with a used number is the restore path:
 * consistent with its number, not audited.  A direct filing takes a slot
 * of its instance's counter and must be its purchaser's.
 */
PG_FUNCTION_INFO_V1(sid_filing_inserted);
Datum
sid_filing_inserted(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "filing_inserted", REL(SID_FILING),
								 EVENTS(AFTER_ROW(TRIGGER_EVENT_INSERT)), NULL);
	SidFilingRow f;
	SidNumberRow num;
	SidInstanceRow inst;
	SidOp	   *op;
	int32		before;

	sid_decode_filing(sid_schema(), td->tg_trigslot, &f);
	if (f.method == SID_FM_TRUSTPASS)
		return PointerGetDatum(NULL);
	op = sid_op_begin(SID_OP_WRITE);
	if (f.method == SID_FM_DIRECT)
	{
		if (f.instance_id == NULL ||
			!sid_counter_add(op, f.instance_id, 1, &before) ||
			!sid_get_instance(op, f.instance_id, &inst))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("instance \"%s\" of filing %lld does not exist",
							f.instance_id ? f.instance_id : "", (long long) f.filing_id)));
		sid_require_purchaser(&inst, f.account_id);
	}
	else if (f.method == SID_FM_SERVICE_ID && f.has_number)
	{
		if (!sid_get_number(op, &f.number, &num))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("service identification number %s does not exist",
							sid_number_name(&f.number))));
		if (num.state == SID_NS_UNUSED && f.status != SID_FS_ACTIVE)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("filing %lld uses service identification number %s but is not active",
							(long long) f.filing_id, sid_number_name(&f.number)),
					 errdetail("A number is used by registering an active filing.")));
		if (num.state != SID_NS_USED)
			sid_use_number(op, &f.number, f.account_id, &num);	/* every rule of register_filing */
		else
			sid_require_number_unbound(op, &f.number, f.filing_id);
		if (num.state == SID_NS_USED)
			sid_require_grantee(&num, f.account_id);
		if (num.instance_id == NULL || f.instance_id == NULL ||
			strcmp(num.instance_id, f.instance_id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("filing %lld names an instance other than its number's",
							(long long) f.filing_id),
					 errdetail("Service identification number %s belongs to instance \"%s\".",
							   sid_number_name(&f.number), num.instance_id ? num.instance_id : "")));
		if (num.state == SID_NS_UNUSED)
			sid_audit_registered(op, &f);
	}
	sid_op_end(op);
	return PointerGetDatum(NULL);
}

/*
 * filing_update_guard() — BEFORE UPDATE: only the status changes (and
 * ended_at with it), only from active to cancelled or access_removed.
 * ended_at is filled in when left out.
 */
PG_FUNCTION_INFO_V1(sid_filing_update_guard);
Datum
sid_filing_update_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "filing_update_guard", REL(SID_FILING),
								 EVENTS(BEFORE_ROW(TRIGGER_EVENT_UPDATE)), NULL);
	SidFilingRow old;
	SidFilingRow new;

	sid_decode_filing(sid_schema(), td->tg_trigslot, &old);
	sid_decode_filing(sid_schema(), td->tg_newslot, &new);

	if (!state_changes(td, SID_FILING, FIL_NCOLS, FIL_STATUS, FIL_ENDED_AT,
					   psprintf("filing %lld", (long long) old.filing_id),
					   "Only the status of a filing changes."))
		return PointerGetDatum(td->tg_newtuple);
	if (old.status != SID_FS_ACTIVE)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("filing %lld has already ended", (long long) old.filing_id),
				 errdetail("Its status is %s; a filing moves only from active to cancelled or access_removed.",
						   sid_filing_status_name(old.status))));
	if (!sid_filing_move_allowed(old.status, new.status))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("filing %lld cannot become %s", (long long) old.filing_id,
						sid_filing_status_name(new.status)),
				 errdetail("A filing moves only from active to cancelled or access_removed.")));
	if (!new.has_ended_at)
		return PointerGetDatum(with_now(td, td->tg_newtuple, SID_FILING, FIL_ENDED_AT));
	return PointerGetDatum(td->tg_newtuple);
}

/* filing_ended() — AFTER UPDATE, when the status changed: audited. */
PG_FUNCTION_INFO_V1(sid_filing_ended);
Datum
sid_filing_ended(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "filing_ended", REL(SID_FILING),
								 EVENTS(AFTER_ROW(TRIGGER_EVENT_UPDATE)), NULL);
	SidFilingRow old;
	SidFilingRow new;
	SidOp	   *op;

	sid_decode_filing(sid_schema(), td->tg_trigslot, &old);
	sid_decode_filing(sid_schema(), td->tg_newslot, &new);
	if (old.status == new.status)
		return PointerGetDatum(NULL);
	if (!sid_filing_move_allowed(old.status, new.status))
		protocol_violated("filing_ended", "must follow filing_update_guard");
	op = sid_op_begin(SID_OP_WRITE);
	sid_audit_ended(op, &new);
	sid_op_end(op);
	return PointerGetDatum(NULL);
}

/* ----------------------------------------------------------------------
 * Catalogs
 * ----------------------------------------------------------------------
 */

/*
 * catalog_upsert(key) — BEFORE INSERT on product and region: an INSERT of
 * a key that exists replaces that row instead.  pg_restore loads the
 * catalogs into a freshly seeded extension; this is how DBA edits of seed
 * rows come back.  (Rare, so plain SPI.)
 */
PG_FUNCTION_INFO_V1(sid_catalog_upsert);
Datum
sid_catalog_upsert(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "catalog_upsert", REL(SID_PRODUCT) | REL(SID_REGION),
								 EVENTS(BEFORE_ROW(TRIGGER_EVENT_INSERT)), NULL);
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	tup = td->tg_trigtuple;
	const char *table = sid_rel_name(sid_schema_rel_of(sid_schema(), RelationGetRelid(rel)));
	const char *key;
	int			keyno;
	StringInfoData sql;
	Datum	   *values;
	char	   *nulls;
	Oid		   *types;
	int			nargs = 0;
	int			i;
	bool		isnull;
	bool		replaced;

	if (td->tg_trigger->tgnargs != 1)
		protocol_violated("catalog_upsert", "needs the key column as its argument");
	key = td->tg_trigger->tgargs[0];
	keyno = SPI_fnumber(desc, key);
	if (keyno <= 0)
		protocol_violated("catalog_upsert", "was given a key column the table does not have");
	(void) heap_getattr(tup, keyno, desc, &isnull);
	if (isnull)
		return PointerGetDatum(tup);	/* NOT NULL refuses it */

	values = palloc(sizeof(Datum) * (desc->natts + 1));
	nulls = palloc(desc->natts + 1);
	types = palloc(sizeof(Oid) * (desc->natts + 1));

	/* UPDATE t SET (a, b, ...) = ROW($1, $2, ...) WHERE key = $n */
	initStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s SET (", table);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

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
	values[nargs] = heap_getattr(tup, keyno, desc, &isnull);
	nulls[nargs] = ' ';
	types[nargs] = TupleDescAttr(desc, keyno - 1)->atttypid;
	appendStringInfo(&sql, ") WHERE %s OPERATOR(pg_catalog.=) $%d",
					 quote_identifier(key), nargs + 1);
	nargs++;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql.data, nargs, types, values, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "SPI_execute_with_args failed: %s", sql.data);
	replaced = SPI_processed > 0;
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");

	/* The existing row took the new values: skip the insert. */
	return replaced ? PointerGetDatum(NULL) : PointerGetDatum(tup);
}

/*
 * catalog_changed() — AFTER INSERT, UPDATE, DELETE or TRUNCATE on product
 * and region, for each statement: every backend drops its copy of the two
 * tables (sid_rows.c) before its next call, this one at its next command.
 */
PG_FUNCTION_INFO_V1(sid_catalog_changed);
Datum
sid_catalog_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = guard_call(fcinfo, "catalog_changed", REL(SID_PRODUCT) | REL(SID_REGION),
								 EVENTS(TRIGGER_EVENT_INSERT, TRIGGER_EVENT_UPDATE,
										TRIGGER_EVENT_DELETE, TRIGGER_EVENT_TRUNCATE),
								 NULL);

	CacheInvalidateRelcache(td->tg_relation);
	return PointerGetDatum(NULL);
}

/* ----------------------------------------------------------------------
 * Functions of earlier versions
 * ----------------------------------------------------------------------
 */

/*
 * The trigger functions of versions 1.0 and 1.1 that 1.2 replaced.  Their
 * symbols stay so that CREATE EXTENSION service_id VERSION '1.0' (the first
 * step of an upgrade test) can create them; this library does not run an
 * older schema, so they only say what to do.
 */
static Datum
retired(FunctionCallInfo fcinfo)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the service_id library is version %s, and this trigger belongs to an older version of the extension",
					SID_VERSION),
			 errhint("Run ALTER EXTENSION service_id UPDATE.")));
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(sid_instance_guard);
Datum
sid_instance_guard(PG_FUNCTION_ARGS)
{
	return retired(fcinfo);
}

PG_FUNCTION_INFO_V1(sid_number_guard);
Datum
sid_number_guard(PG_FUNCTION_ARGS)
{
	return retired(fcinfo);
}

PG_FUNCTION_INFO_V1(sid_filing_guard);
Datum
sid_filing_guard(PG_FUNCTION_ARGS)
{
	return retired(fcinfo);
}
