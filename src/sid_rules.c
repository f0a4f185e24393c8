/*
 * sid_rules.c
 *		The rules of SPEC section 4, each in one function (see sid_rules.h
 *		for the map), and the errors they raise.
 *
 * Every function here runs inside an operation (sid_store.h) and writes
 * through the row layer directly; nothing here fires a trigger.  Where a
 * row may be changed by a concurrent transaction between reading and
 * writing it, the function reads, judges and writes in a loop: the store
 * reports a concurrent change only under READ COMMITTED (the snapshot
 * isolation levels raise 40001 there), and then the row is read again with
 * a new snapshot and judged again, as core's UPDATE re-checks its WHERE
 * clause on the newest row version.
 *
 * Messages never show a whole number (numbers are secrets, SPEC section
 * 7): a number is named by its last four hex digits.  No message names an
 * account other than the caller's.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "sid_audit.h"
#include "sid_counter.h"
#include "sid_rules.h"
#include "sid_type.h"

static bool
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
sid_errconstraint(const char *constraint)
{
	err_generic_string(PG_DIAG_SCHEMA_NAME, "service_id");
	err_generic_string(PG_DIAG_TABLE_NAME, "filing_store");
	return err_generic_string(PG_DIAG_CONSTRAINT_NAME, constraint);
}

char *
sid_number_name(const SidValue *v)
{
	char		hint[SID_HINT_LEN + 1];

	sid_number_hint(v, hint);
	return psprintf("ending in %s", hint);
}

/* ----------------------------------------------------------------------
 * Input syntax (SPEC section 4, "Inputs")
 * ----------------------------------------------------------------------
 */

static void
report_null(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must not be null", what)));
}

/*
 * A refused value as a message shows it: at most 64 bytes (a megabyte of
 * input is not a megabyte of log), cut at a character boundary.
 */
static const char *
shown(const char *value)
{
	int			len = strlen(value);

	if (len <= 64)
		return value;
	return psprintf("%.*s...", pg_mbcliplen(value, len, 64), value);
}

char *
sid_check_ident(const char *value, const char *what)
{
	if (value == NULL)
		report_null(what);
	if (!sid_valid_ident(value, strlen(value)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: \"%s\"", what, shown(value)),
				 errdetail("An identifier has 1 to %d characters, none of them white space or control characters.",
						   SID_MAX_IDENT)));
	return (char *) value;
}

char *
sid_check_website(const char *value)
{
	char	   *out = palloc(SID_MAX_WEBSITE + 1);

	if (value == NULL)
		report_null("website");
	if (!sid_normalize_website(value, strlen(value), out))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid website: \"%s\"", shown(value)),
				 errdetail("A website is a domain name of at least two labels of letters, digits and hyphens, with no scheme, port, path or trailing dot."),
				 errhint("Write internationalised names in their xn-- form.")));
	return out;
}

/* ----------------------------------------------------------------------
 * Instances and their eligibility
 * ----------------------------------------------------------------------
 */

void
sid_report_unknown_instance(const char *instance_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("instance \"%s\" does not exist", instance_id),
			 errhint("If another provider hosts the instance, apply on that provider's filing platform.")));
}

/*
 * Read the instance, its product and region, and (with_counter) its
 * consumed count, with the operation's snapshot.  A product that is
 * missing (its foreign key can only be bypassed with triggers off) counts
 * as not supported.
 */
static bool
load_instance(SidOp *op, const char *instance_id, SidInstance *inst, bool with_counter)
{
	memset(inst, 0, sizeof(*inst));
	if (!sid_get_instance(op, instance_id, &inst->row))
		return false;
	if (inst->row.product == NULL || !sid_get_product(op, inst->row.product, &inst->product))
		inst->product.allowance = 0;
	inst->mainland = inst->row.region != NULL &&
		sid_get_region_mainland(op, inst->row.region);
	if (with_counter)
		(void) sid_counter_read(op, instance_id, &inst->consumed);	/* none: 0 */
	return true;
}

bool
sid_load_instance(SidOp *op, const char *instance_id, SidInstance *inst)
{
	return load_instance(op, instance_id, inst, true);
}

uint32
sid_judge_instance(const SidInstance *inst, const char *account_id)
{
	const SidInstanceRow *r = &inst->row;
	const SidProductRow *p = &inst->product;
	SidFacts	f;

	memset(&f, 0, sizeof(f));
	f.allowance = p->allowance;
	f.requires_subscription = p->requires_subscription;
	f.min_total_months = p->min_total_months;
	f.min_remaining_days = p->min_remaining_days;
	f.requires_public_ip = p->requires_public_ip;
	f.trial = r->trial;
	f.subscription = streq(r->billing, "subscription");
	f.subscribed_months = r->subscribed_months;
	f.has_expiry = r->has_expiry;
	f.expires_at = r->expires_at;
	f.status = r->status ? sid_status_from_text(r->status, strlen(r->status)) : SID_STATUS_UNKNOWN;
	f.has_public_ip = r->has_public_ip;
	f.mainland = inst->mainland;
	f.account_given = account_id != NULL;
	f.is_owner = account_id != NULL && streq(r->account_id, account_id);
	f.consumed = inst->consumed;
	f.now = GetCurrentTransactionStartTimestamp();
	return sid_eligibility(&f);
}

ArrayType *
sid_reasons_array(uint32 reasons)
{
	Datum		elems[SID_R_COUNT];
	int			n = 0;
	int			r;

	for (r = 0; r < SID_R_COUNT; r++)
		if (reasons & SID_BIT(r))
			elems[n++] = CStringGetTextDatum(sid_reason_code(r));
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/* Every reason in the set, as sentences, for errdetail. */
static char *
reasons_in_words(uint32 reasons)
{
	StringInfoData buf;
	int			r;

	initStringInfo(&buf);
	for (r = 0; r < SID_R_COUNT; r++)
		if (reasons & SID_BIT(r))
		{
			if (buf.len > 0)
				appendStringInfoChar(&buf, ' ');
			appendStringInfoString(&buf, sid_reason_words(r));
		}
	return buf.data;
}

/* 55000 with every reason, or 53400 when the used-up allowance is the only one. */
static void
report_ineligible(const SidInstance *inst, uint32 reasons)
{
	if (reasons == SID_BIT(SID_R_ALLOWANCE_USED_UP))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("instance \"%s\" has used up its allowance of service identification numbers",
						inst->row.instance_id),
				 errdetail("Its product allows %d, and %d are unused, used or taken by direct filings.",
						   inst->product.allowance, inst->consumed),
				 errhint("Revoke an unused number to free its slot.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("instance \"%s\" is not eligible for a service identification number",
					inst->row.instance_id),
			 errdetail("%s", reasons_in_words(reasons)),
			 inst->product.hint ? errhint("%s", inst->product.hint) : 0));
}

static void
report_damaged_counter(const char *instance_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("instance \"%s\" has no allowance counter", instance_id),
			 errdetail("Its row in service_id.instance_usage is made when the instance is inserted, unless triggers were disabled then."),
			 errhint("Dump and restore the extension's data to rebuild the counters.")));
}

void
sid_require_purchaser(const SidInstanceRow *inst, const char *account_id)
{
	if (!streq(inst->account_id, account_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("account \"%s\" did not purchase instance \"%s\"",
						account_id ? account_id : "", inst->instance_id),
				 errdetail("Only the account that purchased an instance may apply for its numbers or select it for a filing.")));
}

/* ----------------------------------------------------------------------
 * The allowance, and issuing
 * ----------------------------------------------------------------------
 */

void
sid_claim_allowance(SidOp *op, const char *instance_id, const char *account_id,
					int n, SidInstance *inst)
{
	int32		before;
	int32		remaining;
	uint32		reasons;

	/*
	 * Count the slots first: that takes the instance's lock, so the
	 * instance read next is the one every concurrent claim and key change
	 * has finished with (see sid_counter.h).  Any refusal below is an
	 * error, which undoes the count.
	 */
	if (!sid_counter_add(op, instance_id, n, &before))
	{
		if (load_instance(op, instance_id, inst, false))
			report_damaged_counter(instance_id);
		sid_report_unknown_instance(instance_id);
	}
	if (!load_instance(op, instance_id, inst, false))
		sid_report_unknown_instance(instance_id);
	inst->consumed = before;

	/* the purchaser first: a stranger learns nothing of the instance's state */
	sid_require_purchaser(&inst->row, account_id);

	reasons = sid_judge_instance(inst, NULL);
	if (reasons)
		report_ineligible(inst, reasons);

	remaining = sid_remaining(inst->product.allowance, before);
	if (n > remaining)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg_plural("instance \"%s\" has %d slot of its allowance left, %d numbers were requested",
							   "instance \"%s\" has %d slots of its allowance left, %d numbers were requested",
							   remaining, instance_id, remaining, n),
				 errdetail("A batch is issued whole or not at all.")));
}

void
sid_issue_numbers(SidOp *op, const char *instance_id, const char *account_id,
				  const char *grantee, int n, SidValue *out)
{
	SidInstance inst;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	int			i;

	sid_claim_allowance(op, instance_id, account_id, n, &inst);
	for (i = 0; i < n; i++)
	{
		SidNumberRow row = {
			.has_number = true,
			.instance_id = (char *) instance_id,
			.applicant = (char *) account_id,
			.grantee = (char *) grantee,
			.state = SID_NS_UNUSED,
			.has_applied_at = true,
			.applied_at = now,
		};
		SidEvent	ev = {
			.action = SID_ISSUED,
			.account_id = account_id,
			.number = &out[i],
			.instance_id = instance_id,
			.detail_key = {"grantee"},
			.detail_value = {grantee},
		};

		sid_generate(&out[i]);
		row.number = out[i];
		sid_put_number(op, &row);
		sid_audit(op, &ev);
	}
}

/* ----------------------------------------------------------------------
 * Numbers
 * ----------------------------------------------------------------------
 */

static void
report_unknown_number(const SidValue *number)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("service identification number %s does not exist",
					sid_number_name(number))));
}

/* Refuse a number that is not unused: 23505 if used, 55000 otherwise. */
static void
report_not_unused(const SidNumberRow *num, const char *hint)
{
	if (num->state == SID_NS_USED)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("service identification number %s has already been used",
						sid_number_name(&num->number)),
				 sid_errconstraint(SID_NUMBER_USED_ONCE),
				 errdetail("A number is bound to the filing that used it for ever, even after that filing ends."),
				 errhint("%s", hint)));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("service identification number %s is %s",
					sid_number_name(&num->number), sid_number_state_name(num->state)),
			 errdetail("Only an unused number can be used or revoked."),
			 errhint("%s", hint)));
}

void
sid_require_grantee(const SidNumberRow *num, const char *account_id)
{
	if (num->grantee != NULL && !streq(num->grantee, account_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("service identification number %s was not granted to account \"%s\"",
						sid_number_name(&num->number), account_id ? account_id : ""),
				 errdetail("A number granted to one account may be used by that account only.")));
}

void
sid_use_number(SidOp *op, const SidValue *number, const char *account_id,
			   SidNumberRow *num)
{
	for (;;)
	{
		SidNumberRow after;
		SidInstance inst;
		uint32		reasons;

		if (!sid_get_number(op, number, num))
			report_unknown_number(number);
		/* the grantee first, and without naming it (SPEC sections 6, 7) */
		sid_require_grantee(num, account_id);
		if (num->state != SID_NS_UNUSED)
			report_not_unused(num, "Apply for a new number.");
		if (!num->instance_id || !load_instance(op, num->instance_id, &inst, false))
			sid_report_unknown_instance(num->instance_id ? num->instance_id : "");
		/* the number holds its slot already, and may have changed hands */
		reasons = sid_judge_instance(&inst, NULL) & ~SID_BIT(SID_R_ALLOWANCE_USED_UP);
		if (reasons)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("instance \"%s\" of service identification number %s is no longer eligible",
							num->instance_id, sid_number_name(number)),
					 errdetail("%s", reasons_in_words(reasons)),
					 inst.product.hint ? errhint("%s", inst.product.hint) : 0));

		after = *num;
		after.state = SID_NS_USED;
		after.has_state_changed_at = true;
		after.state_changed_at = GetCurrentTransactionStartTimestamp();
		if (sid_set_number(op, &after) == SID_DONE)
			return;
		sid_op_refresh(op);		/* READ COMMITTED: judge the newest version */
	}
}

void
sid_release_number(SidOp *op, const SidNumberRow *after)
{
	int32		before;
	SidEvent	ev = {
		.action = after->state == SID_NS_REVOKED ? SID_REVOKED : SID_INVALIDATED,
		.account_id = after->applicant,
		.number = &after->number,
		.instance_id = after->instance_id,
	};

	Assert(after->state == SID_NS_REVOKED || after->state == SID_NS_INVALID);
	if (!sid_counter_add(op, after->instance_id, -1, &before))
		report_damaged_counter(after->instance_id);
	sid_audit(op, &ev);
}

void
sid_revoke_number(SidOp *op, const SidValue *number, const char *account_id)
{
	for (;;)
	{
		SidNumberRow num;
		SidNumberRow after;

		if (!sid_get_number(op, number, &num))
			report_unknown_number(number);
		if (!streq(num.applicant, account_id))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("account \"%s\" did not apply for service identification number %s",
							account_id, sid_number_name(number)),
					 errdetail("Only the account that purchased the instance may revoke its numbers.")));
		if (num.state != SID_NS_UNUSED)
			report_not_unused(&num, "Apply for a new number if one is needed.");
		after = num;
		after.state = SID_NS_REVOKED;
		after.has_state_changed_at = true;
		after.state_changed_at = GetCurrentTransactionStartTimestamp();
		if (sid_set_number(op, &after) == SID_DONE)
		{
			sid_release_number(op, &after);
			return;
		}
		sid_op_refresh(op);
	}
}

/* Has the instance expired or been released, so its numbers must go? */
static bool
instance_gone(const SidInstanceRow *r, TimestampTz now)
{
	SidStatus	st = r->status ? sid_status_from_text(r->status, strlen(r->status))
		: SID_STATUS_UNKNOWN;

	return st == SID_STATUS_EXPIRED || st == SID_STATUS_RELEASED ||
		(r->has_expiry && r->expires_at <= now);
}

/* The unused numbers of one instance, as seen now. */
static List *
unused_numbers(SidOp *op, const char *instance_id)
{
	const SidSchema *s = sid_op_schema(op);
	SidScan    *scan = sid_scan_begin(op, SID_NUMBER_INSTANCE, CStringGetTextDatum(instance_id));
	TupleTableSlot *slot;
	List	   *out = NIL;

	while ((slot = sid_scan_next(scan)) != NULL)
	{
		SidNumberRow num;

		sid_decode_number(s, slot, &num);
		if (num.state == SID_NS_UNUSED && num.has_number)
		{
			SidValue   *v = palloc(sizeof(SidValue));

			*v = num.number;
			out = lappend(out, v);
		}
	}
	sid_scan_end(scan);
	return out;
}

int32
sid_expire_numbers(SidOp *op)
{
	const SidSchema *s = sid_op_schema(op);
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	SidScan    *scan;
	TupleTableSlot *slot;
	List	   *gone = NIL;
	ListCell   *lc;
	int32		count = 0;

	/* First collect, then write: a write may take a new snapshot. */
	scan = sid_seqscan_begin(op, SID_INSTANCE);
	while ((slot = sid_scan_next(scan)) != NULL)
	{
		SidInstanceRow r;

		sid_decode_instance(s, slot, &r);
		if (r.instance_id && instance_gone(&r, now))
			gone = lappend(gone, r.instance_id);
	}
	sid_scan_end(scan);

	foreach(lc, gone)
	{
		List	   *numbers = unused_numbers(op, lfirst(lc));
		ListCell   *ln;

		foreach(ln, numbers)
		{
			const SidValue *number = lfirst(ln);

			for (;;)
			{
				SidNumberRow num;
				SidNumberRow after;

				/* revoked, used or already invalid meanwhile: leave it */
				if (!sid_get_number(op, number, &num) || num.state != SID_NS_UNUSED)
					break;
				after = num;
				after.state = SID_NS_INVALID;
				after.has_state_changed_at = true;
				after.state_changed_at = now;
				if (sid_set_number(op, &after) == SID_DONE)
				{
					sid_release_number(op, &after);
					sid_op_next_command(op);	/* the counter again, next */
					count++;
					break;
				}
				sid_op_refresh(op);
			}
		}
	}
	return count;
}

/* ----------------------------------------------------------------------
 * Filings
 * ----------------------------------------------------------------------
 */

static bool
filing_is_active(const SidSchema *s, TupleTableSlot *slot, void *arg)
{
	bool		isnull;
	Datum		d = sid_col(s, SID_FILING, slot, FIL_STATUS, &isnull);

	return !isnull && strcmp(TextDatumGetCString(d), "active") == 0;
}

void
sid_require_website_free(SidOp *op, const char *website)
{
	TupleTableSlot *slot = sid_fetch_latest(op, SID_FILING_WEBSITE,
											CStringGetTextDatum(website),
											filing_is_active, NULL);
	SidFilingRow other;

	if (slot == NULL)
		return;
	if (IsolationUsesXactSnapshot() && !sid_visible(op, slot))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update")));
	sid_decode_filing(sid_op_schema(op), slot, &other);
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("website \"%s\" already has an active filing", website),
			 sid_errconstraint(SID_ONE_ACTIVE_FILING),
			 errdetail("Filing %lld is active.", (long long) other.filing_id),
			 errhint("A website has one active filing at a time; cancel it first.")));
}

static bool
filing_is_other(const SidSchema *s, TupleTableSlot *slot, void *arg)
{
	bool		isnull;
	Datum		d = sid_col(s, SID_FILING, slot, FIL_FILING_ID, &isnull);

	return isnull || DatumGetInt64(d) != *(int64 *) arg;
}

void
sid_require_number_unbound(SidOp *op, const SidValue *number, int64 filing_id)
{
	TupleTableSlot *slot = sid_fetch_latest(op, SID_FILING_NUMBER, sid_number_datum(number),
											filing_is_other, &filing_id);
	SidFilingRow other;

	if (slot == NULL)
		return;
	sid_decode_filing(sid_op_schema(op), slot, &other);
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("service identification number %s has already been used",
					sid_number_name(number)),
			 errdetail("It is bound to filing %lld for ever.", (long long) other.filing_id),
			 sid_errconstraint(SID_NUMBER_USED_ONCE)));
}

void
sid_audit_registered(SidOp *op, const SidFilingRow *f)
{
	SidEvent	ev = {
		.action = SID_REGISTERED,
		.account_id = f->account_id,
		.number = f->has_number ? &f->number : NULL,
		.instance_id = f->instance_id,
		.filing_id = f->filing_id,
		.detail_key = {"website", "method", "shop_id"},
		.detail_value = {f->website, sid_filing_method_name(f->method), f->shop_id},
	};

	sid_audit(op, &ev);
}

int64
sid_register(SidOp *op, SidFilingRow *f)
{
	f->has_filing_id = true;
	f->filing_id = sid_nextval(op, sid_op_schema(op)->filing_seq);
	f->status = SID_FS_ACTIVE;
	f->has_created_at = true;
	f->created_at = GetCurrentTransactionStartTimestamp();
	f->has_ended_at = false;
	sid_put_filing(op, f);
	sid_audit_registered(op, f);
	return f->filing_id;
}

void
sid_audit_ended(SidOp *op, const SidFilingRow *f)
{
	SidEvent	ev = {
		.action = f->status == SID_FS_CANCELLED ? SID_CANCELLED : SID_ACCESS_REMOVED,
		.account_id = f->account_id,
		.number = f->has_number ? &f->number : NULL,
		.instance_id = f->instance_id,
		.filing_id = f->filing_id,
		.detail_key = {"website"},
		.detail_value = {f->website},
	};

	Assert(f->status == SID_FS_CANCELLED || f->status == SID_FS_ACCESS_REMOVED);
	sid_audit(op, &ev);
}

void
sid_end_filing(SidOp *op, int64 filing_id, SidFilingStatus to)
{
	for (;;)
	{
		SidFilingRow f;
		SidFilingRow after;

		if (!sid_get_filing(op, filing_id, &f))
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("filing %lld does not exist", (long long) filing_id)));
		if (f.status != SID_FS_ACTIVE)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("filing %lld has already ended", (long long) filing_id),
					 errdetail("Its status is %s.", sid_filing_status_name(f.status))));
		after = f;
		after.status = to;
		after.has_ended_at = true;
		after.ended_at = GetCurrentTransactionStartTimestamp();
		if (sid_set_filing(op, &after) == SID_DONE)
		{
			sid_audit_ended(op, &after);
			return;
		}
		sid_op_refresh(op);
	}
}

/* ----------------------------------------------------------------------
 * Instances that have numbers or filings
 * ----------------------------------------------------------------------
 */

static bool
has_numbers(SidOp *op, const char *instance_id)
{
	SidScan    *scan = sid_scan_begin(op, SID_NUMBER_INSTANCE, CStringGetTextDatum(instance_id));
	bool		found = sid_scan_next(scan) != NULL;

	sid_scan_end(scan);
	return found;
}

void
sid_require_instance_unbound(SidOp *op, const char *instance_id, const char *doing)
{
	int32		consumed = 0;

	/*
	 * The lock first: an apply or a filing still in flight holds the
	 * counter row, so this waits for it and then sees its rows (or, under
	 * the snapshot isolation levels, fails with 40001).  Direct filings
	 * are counted for ever; numbers are looked for, since revoked and
	 * invalid ones no longer count.
	 */
	(void) sid_counter_add(op, instance_id, 0, &consumed);
	if (consumed > 0 || has_numbers(op, instance_id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot %s instance \"%s\"", doing, instance_id),
				 errdetail("The instance has service identification numbers or filings, which stay bound to it as it is."),
				 strcmp(doing, "delete") == 0 ?
				 errhint("Set its status to 'released' instead.") : 0));
}
