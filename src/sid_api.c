/*
 * sid_api.c
 *		The public API of SPEC section 5: applying for numbers, checking an
 *		instance, revoking, the three kinds of filing, ending filings,
 *		expiring numbers, and an account's two console pages.
 *
 * Every function here is SECURITY DEFINER with a pinned search_path (see
 * the install script).  They are thin: arguments are checked here (22023),
 * the rules and their errors live in sid_rules.c, and every row is read and
 * written through sid_store.c, without SQL.  Writing functions refuse a
 * read-only transaction first thing (25006, as core does on a standby).
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "sid_rules.h"
#include "sid_type.h"

#define SID_MAX_BATCH 20

/* ----------------------------------------------------------------------
 * Arguments
 * ----------------------------------------------------------------------
 */

/* A text argument as a C string; NULL for SQL NULL or a missing argument. */
static char *
text_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* An account, instance or shop id: required and well-formed (22023). */
static char *
ident_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	return sid_check_ident(text_arg(fcinfo, n), what);
}

/* An optional id (the grantee, check_instance's account): NULL stays NULL. */
static char *
optional_ident_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	char	   *value = text_arg(fcinfo, n);

	return value ? sid_check_ident(value, what) : NULL;
}

static char *
website_arg(FunctionCallInfo fcinfo, int n)
{
	return sid_check_website(text_arg(fcinfo, n));
}

static const SidValue *
number_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number must not be null")));
	return PG_GETARG_SID(n);
}

static int64
filing_id_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("filing_id must not be null")));
	return PG_GETARG_INT64(n);
}

/* ----------------------------------------------------------------------
 * Applying
 * ----------------------------------------------------------------------
 */

/*
 * apply_service_id(instance_id, account_id, grantee) — issue one number to
 * the purchaser of an eligible instance, optionally usable by one named
 * grantee account only.
 */
PG_FUNCTION_INFO_V1(sid_apply_service_id);
Datum
sid_apply_service_id(PG_FUNCTION_ARGS)
{
	char	   *instance_id = ident_arg(fcinfo, 0, "instance_id");
	char	   *account_id = ident_arg(fcinfo, 1, "account_id");
	char	   *grantee = optional_ident_arg(fcinfo, 2, "grantee");
	SidValue	v;
	SidOp	   *op;

	PreventCommandIfReadOnly("apply_service_id()");
	op = sid_op_begin(SID_OP_WRITE);
	sid_issue_numbers(op, instance_id, account_id, grantee, 1, &v);
	sid_op_end(op);
	return sid_datum(&v);
}

/*
 * apply_service_ids(instance_id, account_id, n, grantee) — issue n numbers
 * (1 to 20) at once, all or nothing.  They are all issued in the first
 * call, whatever the caller reads of the set (account_numbers() lists
 * them), and returned one per call.
 */
PG_FUNCTION_INFO_V1(sid_apply_service_ids);
Datum
sid_apply_service_ids(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	SidValue   *values;

	if (SRF_IS_FIRSTCALL())
	{
		char	   *instance_id = ident_arg(fcinfo, 0, "instance_id");
		char	   *account_id = ident_arg(fcinfo, 1, "account_id");
		char	   *grantee = optional_ident_arg(fcinfo, 3, "grantee");
		int32		n;
		MemoryContext oldcxt;
		SidOp	   *op;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("n must not be null")));
		n = PG_GETARG_INT32(2);
		if (n < 1 || n > SID_MAX_BATCH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("n must be between 1 and %d, not %d", SID_MAX_BATCH, n)));
		PreventCommandIfReadOnly("apply_service_ids()");

		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		values = palloc(sizeof(SidValue) * n);
		MemoryContextSwitchTo(oldcxt);

		op = sid_op_begin(SID_OP_WRITE);
		sid_issue_numbers(op, instance_id, account_id, grantee, n, values);
		sid_op_end(op);
		funcctx->user_fctx = values;
		funcctx->max_calls = n;
	}

	funcctx = SRF_PERCALL_SETUP();
	values = (SidValue *) funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		/* SRF_RETURN_NEXT advances call_cntr before it reads its argument */
		Datum		next = sid_datum(&values[funcctx->call_cntr]);

		SRF_RETURN_NEXT(funcctx, next);
	}
	SRF_RETURN_DONE(funcctx);
}

/* The row type of a function's OUT parameters, blessed once per call site. */
static TupleDesc
result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;

	if (tupdesc == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		tupdesc = BlessTupleDesc(tupdesc);
		MemoryContextSwitchTo(oldcxt);
		fcinfo->flinfo->fn_extra = tupdesc;
	}
	return tupdesc;
}

/*
 * check_instance(instance_id, account_id) — what the Apply button would
 * say: eligible or not, the allowance figures, and every reason.  Reads
 * only, with the query's snapshot, so it works on a hot standby.
 */
PG_FUNCTION_INFO_V1(sid_check_instance);
Datum
sid_check_instance(PG_FUNCTION_ARGS)
{
	char	   *instance_id = ident_arg(fcinfo, 0, "instance_id");
	char	   *account_id = optional_ident_arg(fcinfo, 1, "account_id");
	TupleDesc	tupdesc = result_desc(fcinfo);
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	SidInstance inst;
	uint32		reasons;
	SidOp	   *op;

	op = sid_op_begin(SID_OP_READ);
	if (!sid_load_instance(op, instance_id, &inst))
		sid_report_unknown_instance(instance_id);
	sid_op_end(op);
	reasons = sid_judge_instance(&inst, account_id);

	values[0] = BoolGetDatum(reasons == 0);
	values[1] = CStringGetTextDatum(inst.row.product ? inst.row.product : "");
	values[2] = Int32GetDatum(inst.product.allowance);
	values[3] = Int32GetDatum(inst.consumed);
	values[4] = Int32GetDatum(sid_remaining(inst.product.allowance, inst.consumed));
	values[5] = PointerGetDatum(sid_reasons_array(reasons));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * eligibility_reasons(...) — the same rules over the columns the
 * instances view joins, as a text[] of reason codes.
 */
PG_FUNCTION_INFO_V1(sid_eligibility_reasons);
Datum
sid_eligibility_reasons(PG_FUNCTION_ARGS)
{
	SidFacts	f;
	text	   *billing;
	text	   *status;
	int			i;

	for (i = 0; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i) && i != 8)	/* only expires_at may be null */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an eligibility fact must not be null")));

	memset(&f, 0, sizeof(f));
	f.allowance = PG_GETARG_INT32(0);
	f.requires_subscription = PG_GETARG_BOOL(1);
	f.min_total_months = PG_GETARG_INT32(2);
	f.min_remaining_days = PG_GETARG_INT32(3);
	f.requires_public_ip = PG_GETARG_BOOL(4);
	f.trial = PG_GETARG_BOOL(5);
	billing = PG_GETARG_TEXT_PP(6);
	f.subscription = VARSIZE_ANY_EXHDR(billing) == 12 &&
		memcmp(VARDATA_ANY(billing), "subscription", 12) == 0;
	f.subscribed_months = PG_GETARG_INT32(7);
	f.has_expiry = !PG_ARGISNULL(8);
	f.expires_at = f.has_expiry ? PG_GETARG_TIMESTAMPTZ(8) : 0;
	status = PG_GETARG_TEXT_PP(9);
	f.status = sid_status_from_text(VARDATA_ANY(status), VARSIZE_ANY_EXHDR(status));
	f.has_public_ip = PG_GETARG_BOOL(10);
	f.mainland = PG_GETARG_BOOL(11);
	f.consumed = PG_GETARG_INT32(12);
	f.now = GetCurrentTransactionStartTimestamp();
	PG_RETURN_ARRAYTYPE_P(sid_reasons_array(sid_eligibility(&f)));
}

/* ----------------------------------------------------------------------
 * Numbers
 * ----------------------------------------------------------------------
 */

/*
 * revoke_service_id(number, account_id) — the purchaser revokes an unused
 * number, which frees its allowance slot.
 */
PG_FUNCTION_INFO_V1(sid_revoke_service_id);
Datum
sid_revoke_service_id(PG_FUNCTION_ARGS)
{
	const SidValue *number = number_arg(fcinfo, 0);
	char	   *account_id = ident_arg(fcinfo, 1, "account_id");
	SidOp	   *op;

	PreventCommandIfReadOnly("revoke_service_id()");
	op = sid_op_begin(SID_OP_WRITE);
	sid_revoke_number(op, number, account_id);
	sid_op_end(op);
	PG_RETURN_VOID();
}

/*
 * expire_service_ids() — mark the unused numbers of expired or released
 * instances invalid; returns how many.  Safe to run from a scheduler at
 * any time and concurrently with the rest of the API: a number used or
 * revoked meanwhile is left alone.
 */
PG_FUNCTION_INFO_V1(sid_expire_service_ids);
Datum
sid_expire_service_ids(PG_FUNCTION_ARGS)
{
	SidOp	   *op;
	int32		n;

	PreventCommandIfReadOnly("expire_service_ids()");
	op = sid_op_begin(SID_OP_WRITE);
	n = sid_expire_numbers(op);
	sid_op_end(op);
	PG_RETURN_INT32(n);
}

/* ----------------------------------------------------------------------
 * Filings
 * ----------------------------------------------------------------------
 */

/*
 * register_filing(account_id, website, number) — file a website with a
 * number.  The number must exist, be granted to this account if granted at
 * all, be unused, and its instance must still be eligible (its allowance
 * and purchaser aside: the number holds its slot already, and may have
 * been handed to another account).  The website must have no active
 * filing.  The number is used for ever.
 */
PG_FUNCTION_INFO_V1(sid_register_filing);
Datum
sid_register_filing(PG_FUNCTION_ARGS)
{
	char	   *account_id = ident_arg(fcinfo, 0, "account_id");
	char	   *website = website_arg(fcinfo, 1);
	const SidValue *number = number_arg(fcinfo, 2);
	SidNumberRow num;
	SidFilingRow f = {0};
	SidOp	   *op;
	int64		filing_id;

	PreventCommandIfReadOnly("register_filing()");
	op = sid_op_begin(SID_OP_WRITE);
	sid_use_number(op, number, account_id, &num);
	sid_require_website_free(op, website);
	f.account_id = account_id;
	f.website = website;
	f.method = SID_FM_SERVICE_ID;
	f.has_number = true;
	f.number = *number;
	f.instance_id = num.instance_id;
	filing_id = sid_register(op, &f);
	sid_op_end(op);
	PG_RETURN_INT64(filing_id);
}

/*
 * register_filing_direct(account_id, website, instance_id) — the purchaser
 * selects its own eligible instance; this takes one slot of the same
 * allowance numbers take.
 */
PG_FUNCTION_INFO_V1(sid_register_filing_direct);
Datum
sid_register_filing_direct(PG_FUNCTION_ARGS)
{
	char	   *account_id = ident_arg(fcinfo, 0, "account_id");
	char	   *website = website_arg(fcinfo, 1);
	char	   *instance_id = ident_arg(fcinfo, 2, "instance_id");
	SidInstance inst;
	SidFilingRow f = {0};
	SidOp	   *op;
	int64		filing_id;

	PreventCommandIfReadOnly("register_filing_direct()");
	op = sid_op_begin(SID_OP_WRITE);
	sid_claim_allowance(op, instance_id, account_id, 1, &inst);
	sid_require_website_free(op, website);
	f.account_id = account_id;
	f.website = website;
	f.method = SID_FM_DIRECT;
	f.instance_id = instance_id;
	filing_id = sid_register(op, &f);
	sid_op_end(op);
	PG_RETURN_INT64(filing_id);
}

/*
 * register_filing_trustpass(account_id, website, shop_id) — a TrustPass
 * (1688) shop's filing: tied to the shop, no number, no allowance.
 */
PG_FUNCTION_INFO_V1(sid_register_filing_trustpass);
Datum
sid_register_filing_trustpass(PG_FUNCTION_ARGS)
{
	char	   *account_id = ident_arg(fcinfo, 0, "account_id");
	char	   *website = website_arg(fcinfo, 1);
	char	   *shop_id = ident_arg(fcinfo, 2, "shop_id");
	SidFilingRow f = {0};
	SidOp	   *op;
	int64		filing_id;

	PreventCommandIfReadOnly("register_filing_trustpass()");
	op = sid_op_begin(SID_OP_WRITE);
	sid_require_website_free(op, website);
	f.account_id = account_id;
	f.website = website;
	f.method = SID_FM_TRUSTPASS;
	f.shop_id = shop_id;
	filing_id = sid_register(op, &f);
	sid_op_end(op);
	PG_RETURN_INT64(filing_id);
}

static void
end_filing(FunctionCallInfo fcinfo, SidFilingStatus to, const char *cmd)
{
	int64		filing_id = filing_id_arg(fcinfo, 0);
	SidOp	   *op;

	PreventCommandIfReadOnly(cmd);
	op = sid_op_begin(SID_OP_WRITE);
	sid_end_filing(op, filing_id, to);
	sid_op_end(op);
}

/* cancel_filing(filing_id) — the filing is cancelled; its number stays used. */
PG_FUNCTION_INFO_V1(sid_cancel_filing);
Datum
sid_cancel_filing(PG_FUNCTION_ARGS)
{
	end_filing(fcinfo, SID_FS_CANCELLED, "cancel_filing()");
	PG_RETURN_VOID();
}

/* remove_access(filing_id) — the provider is removed from the filing. */
PG_FUNCTION_INFO_V1(sid_remove_access);
Datum
sid_remove_access(PG_FUNCTION_ARGS)
{
	end_filing(fcinfo, SID_FS_ACCESS_REMOVED, "remove_access()");
	PG_RETURN_VOID();
}

/* ----------------------------------------------------------------------
 * An account's pages
 * ----------------------------------------------------------------------
 */

typedef struct PageNumber
{
	SidNumberRow num;
	bool		filed;
	SidFilingRow filing;
} PageNumber;

static void
add_numbers(SidOp *op, SidIndexId index, const char *key, const char *account_id,
			bool applied, List **out)
{
	const SidSchema *s = sid_op_schema(op);
	SidScan    *scan = sid_scan_begin(op, index, CStringGetTextDatum(key));
	TupleTableSlot *slot;

	while ((slot = sid_scan_next(scan)) != NULL)
	{
		PageNumber *p = palloc0(sizeof(PageNumber));

		sid_decode_number(s, slot, &p->num);
		/* applied for (via its instances), or granted but not applied for */
		if (applied ? (p->num.applicant && strcmp(p->num.applicant, account_id) == 0)
			: (p->num.applicant == NULL || strcmp(p->num.applicant, account_id) != 0))
			*out = lappend(*out, p);
	}
	sid_scan_end(scan);
}

static int
page_number_cmp(const ListCell *a, const ListCell *b)
{
	const PageNumber *x = lfirst(a);
	const PageNumber *y = lfirst(b);

	if (x->num.applied_at != y->num.applied_at)
		return x->num.applied_at < y->num.applied_at ? -1 : 1;
	return memcmp(x->num.number.data, y->num.number.data, SID_LEN);
}

static int
string_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

static List *
account_instance_ids(SidOp *op, const char *account_id)
{
	SidScan    *scan = sid_scan_begin(op, SID_INSTANCE_ACCOUNT, CStringGetTextDatum(account_id));
	TupleTableSlot *slot;
	List	   *ids = NIL;

	while ((slot = sid_scan_next(scan)) != NULL)
	{
		SidInstanceRow r;

		sid_decode_instance(sid_op_schema(op), slot, &r);
		if (r.instance_id)
			ids = lappend(ids, r.instance_id);
	}
	sid_scan_end(scan);
	list_sort(ids, string_cmp);
	return ids;
}

/*
 * account_numbers(account_id) — the "ICP No. Management" page of one
 * account: every number it applied for or was granted, with the filing
 * that used it.  Index look-ups only: the account's instances, their
 * numbers, the numbers granted to it, each number's filing.
 */
PG_FUNCTION_INFO_V1(sid_account_numbers);
Datum
sid_account_numbers(PG_FUNCTION_ARGS)
{
	char	   *account_id = ident_arg(fcinfo, 0, "account_id");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *numbers = NIL;
	ListCell   *lc;
	SidOp	   *op;

	InitMaterializedSRF(fcinfo, 0);
	op = sid_op_begin(SID_OP_READ);
	foreach(lc, account_instance_ids(op, account_id))
		add_numbers(op, SID_NUMBER_INSTANCE, lfirst(lc), account_id, true, &numbers);
	add_numbers(op, SID_NUMBER_GRANTEE, account_id, account_id, false, &numbers);
	foreach(lc, numbers)
	{
		PageNumber *p = lfirst(lc);
		TupleTableSlot *slot = sid_fetch(op, SID_FILING_NUMBER, sid_number_datum(&p->num.number));

		if (slot)
		{
			p->filed = true;
			sid_decode_filing(sid_op_schema(op), slot, &p->filing);
		}
	}
	sid_op_end(op);

	list_sort(numbers, page_number_cmp);
	foreach(lc, numbers)
	{
		PageNumber *p = lfirst(lc);
		Datum		values[9];
		bool		nulls[9] = {false};

		values[0] = sid_datum(&p->num.number);
		values[1] = sid_text_datum(p->num.instance_id);
		nulls[1] = p->num.instance_id == NULL;
		values[2] = CStringGetTextDatum(sid_number_state_name(p->num.state));
		values[3] = sid_text_datum(p->num.applicant);
		nulls[3] = p->num.applicant == NULL;
		values[4] = sid_text_datum(p->num.grantee);
		nulls[4] = p->num.grantee == NULL;
		values[5] = TimestampTzGetDatum(p->num.applied_at);
		nulls[5] = !p->num.has_applied_at;
		values[6] = Int64GetDatum(p->filing.filing_id);
		nulls[6] = !p->filed;
		values[7] = sid_text_datum(p->filing.website);
		nulls[7] = !p->filed || p->filing.website == NULL;
		values[8] = CStringGetTextDatum(sid_filing_status_name(p->filing.status));
		nulls[8] = !p->filed;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * account_instances(account_id) — the "ICP No. Application" page of one
 * account: each of its instances, whether it may have a number now and
 * why not, and its allowance figures.
 */
PG_FUNCTION_INFO_V1(sid_account_instances);
Datum
sid_account_instances(PG_FUNCTION_ARGS)
{
	char	   *account_id = ident_arg(fcinfo, 0, "account_id");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;
	SidOp	   *op;

	InitMaterializedSRF(fcinfo, 0);
	op = sid_op_begin(SID_OP_READ);
	foreach(lc, account_instance_ids(op, account_id))
	{
		SidInstance inst;
		uint32		reasons;
		Datum		values[8];
		bool		nulls[8] = {false};

		if (!sid_load_instance(op, lfirst(lc), &inst))
			continue;
		reasons = sid_judge_instance(&inst, account_id);
		values[0] = CStringGetTextDatum(inst.row.instance_id);
		values[1] = sid_text_datum(inst.row.product);
		nulls[1] = inst.row.product == NULL;
		values[2] = sid_text_datum(inst.row.region);
		nulls[2] = inst.row.region == NULL;
		values[3] = BoolGetDatum(reasons == 0);
		values[4] = PointerGetDatum(sid_reasons_array(reasons));
		values[5] = Int32GetDatum(inst.product.allowance);
		values[6] = Int32GetDatum(inst.consumed);
		values[7] = Int32GetDatum(sid_remaining(inst.product.allowance, inst.consumed));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	sid_op_end(op);
	return (Datum) 0;
}
