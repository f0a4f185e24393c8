/*
 * sid_api.c
 *		The public API of SPEC section 5: applying for numbers, checking an
 *		instance, revoking, the three kinds of filing, ending filings,
 *		expiring numbers and granting roles.
 *
 * Every function here is SECURITY DEFINER with a pinned search_path.  The
 * rules that must hold whatever the path into the tables (state moves,
 * one filing per number, the counter, the audit of state changes) live in
 * the triggers of sid_guards.c; what only a caller of the API can get
 * wrong (argument syntax, ownership, eligibility, the allowance) is
 * checked here, before anything is written.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "service_id.h"

#define SID_MAX_BATCH 20

/* ----------------------------------------------------------------------
 * Arguments
 * ----------------------------------------------------------------------
 */

static void
null_argument(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must not be null", what)));
}

/*
 * An account, instance or shop id argument, checked.  what names it in
 * messages ("account_id").
 */
static char *
ident_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	text	   *t;

	if (PG_ARGISNULL(n))
		null_argument(what);
	t = PG_GETARG_TEXT_PP(n);
	if (!sid_valid_ident(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: \"%s\"", what, text_to_cstring(t)),
				 errdetail("An identifier has 1 to %d characters, none of them white space or control characters.",
						   SID_MAX_IDENT)));
	return text_to_cstring(t);
}

/* The optional grantee: NULL stays NULL. */
static char *
optional_ident_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return ident_arg(fcinfo, n, what);
}

/* A website argument, checked and lower-cased. */
static char *
website_arg(FunctionCallInfo fcinfo, int n)
{
	text	   *t;
	char	   *out = palloc(SID_MAX_WEBSITE + 1);

	if (PG_ARGISNULL(n))
		null_argument("website");
	t = PG_GETARG_TEXT_PP(n);
	if (!sid_normalize_website(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid website: \"%s\"", text_to_cstring(t)),
				 errdetail("A website is a domain name of at least two labels of letters, digits and hyphens, with no scheme, port, path or trailing dot."),
				 errhint("Write internationalised names in their xn-- form.")));
	return out;
}

static Datum
number_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		null_argument("number");
	return PG_GETARG_DATUM(n);
}


/* ----------------------------------------------------------------------
 * Instances and their eligibility
 * ----------------------------------------------------------------------
 */

typedef struct InstanceRow
{
	const char *instance_id;
	char	   *account_id;
	char	   *product;
	char	   *hint;
	SidFacts	facts;
} InstanceRow;

/*
 * Read an instance, its product and region, and its consumed count, by
 * four primary-key lookups (sid_fetch.c).  fresh: read with a new snapshot
 * under READ COMMITTED, as a new statement would (the apply and filing
 * paths, after a lock wait); otherwise with the calling query's snapshot
 * (check_instance, a STABLE function).  Reports the unknown instance
 * (P0002).
 */
static void
load_instance(const char *instance_id, InstanceRow *row, bool fresh)
{
	static const char *const icols[] = {"account_id", "product", "region",
		"billing", "subscribed_months", "expires_at", "public_ip", "status", "trial"};
	static const char *const pcols[] = {"allowance", "requires_subscription",
		"min_total_months", "min_remaining_days", "requires_public_ip", "hint"};
	static const char *const rcols[] = {"mainland"};
	static const char *const ucols[] = {"consumed"};
	Datum		iv[lengthof(icols)],
				pv[lengthof(pcols)],
				rv[1],
				uv[1];
	bool		in[lengthof(icols)],
				pn[lengthof(pcols)],
				rn[1],
				un[1];
	SidFacts   *f = &row->facts;
	char	   *status;
	bool		found,
				mainland = false,
				counted = false;

	PushActiveSnapshot(fresh ? GetTransactionSnapshot() : GetActiveSnapshot());
	found = sid_fetch("instance", instance_id, GetActiveSnapshot(),
					  icols, lengthof(icols), iv, in);
	if (found)
	{
		row->product = TextDatumGetCString(iv[1]);
		if (!sid_fetch("product", row->product, GetActiveSnapshot(),
					   pcols, lengthof(pcols), pv, pn))
			elog(ERROR, "product \"%s\" of instance \"%s\" is missing",
				 row->product, instance_id);
		mainland = sid_fetch("region", TextDatumGetCString(iv[2]), GetActiveSnapshot(),
							 rcols, 1, rv, rn) && DatumGetBool(rv[0]);
		counted = sid_fetch("instance_usage", instance_id, GetActiveSnapshot(),
							ucols, 1, uv, un);
	}
	PopActiveSnapshot();
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("instance \"%s\" does not exist", instance_id),
				 errhint("If another provider hosts the instance, apply on that provider's filing platform.")));

	memset(f, 0, sizeof(*f));
	row->instance_id = instance_id;
	row->account_id = TextDatumGetCString(iv[0]);
	f->subscription = strcmp(TextDatumGetCString(iv[3]), "subscription") == 0;
	f->subscribed_months = DatumGetInt32(iv[4]);
	f->has_expiry = !in[5];
	f->expires_at = in[5] ? 0 : DatumGetTimestampTz(iv[5]);
	f->has_public_ip = !in[6];
	status = TextDatumGetCString(iv[7]);
	f->status = sid_status_from_text(status, strlen(status));
	f->trial = DatumGetBool(iv[8]);
	f->allowance = DatumGetInt32(pv[0]);
	f->requires_subscription = DatumGetBool(pv[1]);
	f->min_total_months = DatumGetInt32(pv[2]);
	f->min_remaining_days = DatumGetInt32(pv[3]);
	f->requires_public_ip = DatumGetBool(pv[4]);
	row->hint = pn[5] ? NULL : TextDatumGetCString(pv[5]);
	f->mainland = mainland;
	f->consumed = counted ? DatumGetInt32(uv[0]) : 0;
	f->now = GetCurrentTransactionStartTimestamp();
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

/* The reason set as a text[] of codes. */
static ArrayType *
reasons_array(uint32 reasons)
{
	Datum		elems[SID_R_COUNT];
	int			n = 0;
	int			r;

	for (r = 0; r < SID_R_COUNT; r++)
		if (reasons & SID_BIT(r))
			elems[n++] = CStringGetTextDatum(sid_reason_code(r));
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

static void
check_purchaser(const InstanceRow *row, const char *account_id)
{
	if (strcmp(row->account_id, account_id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("account \"%s\" did not purchase instance \"%s\"",
						account_id, row->instance_id),
				 errdetail("Only the account that purchased an instance may apply for its numbers or select it for a filing.")));
}

/*
 * Refuse an instance that is not eligible: 55000 with every reason, or
 * 53400 when the used-up allowance is the only one.
 */
static void
check_eligible(const InstanceRow *row, uint32 reasons)
{
	if (reasons == 0)
		return;
	if (reasons == SID_BIT(SID_R_ALLOWANCE_USED_UP))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("instance \"%s\" has used up its allowance of service identification numbers",
						row->instance_id),
				 errdetail("Its product allows %d, and %d are unused, used or taken by direct filings.",
						   row->facts.allowance, row->facts.consumed),
				 errhint("Revoke an unused number to free its slot.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("instance \"%s\" is not eligible for a service identification number",
					row->instance_id),
			 errdetail("%s", reasons_in_words(reasons)),
			 row->hint ? errhint("%s", row->hint) : 0));
}

/*
 * The common first half of apply and direct selection: n slots of the
 * instance's counter are claimed (which locks it: see sid_claim_slots),
 * then the instance must exist, the account must have purchased it, it must
 * be eligible and the n slots must have been free.  Any refusal is an
 * error, which undoes the claim.  Holding the counter row, which every
 * consumer updates, is what keeps concurrent callers from passing the
 * allowance; reading the instance after the lock means a READ COMMITTED
 * caller that waited judges it as the winner left it.
 *
 * The caller then inserts exactly n rows between sid_set_precounted(n) and
 * sid_set_precounted(0), so that the insert triggers do not count them a
 * second time.
 */
static void
claim_slots(const char *instance_id, const char *account_id, int n,
			InstanceRow *row)
{
	uint32		reasons;
	int32		remaining;
	int32		consumed;
	bool		found;

	consumed = sid_claim_slots(instance_id, n, &found);
	load_instance(instance_id, row, true);	/* reports an unknown instance */
	if (!found)
		elog(ERROR, "allowance counter of instance \"%s\" is missing", instance_id);
	check_purchaser(row, account_id);
	row->facts.consumed = consumed;

	reasons = sid_eligibility(&row->facts);
	check_eligible(row, reasons);

	remaining = sid_remaining(row->facts.allowance, row->facts.consumed);
	if (n > remaining)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg_plural("instance \"%s\" has %d slot of its allowance left, %d numbers were requested",
							   "instance \"%s\" has %d slots of its allowance left, %d numbers were requested",
							   remaining, instance_id, remaining, n),
				 errdetail("A batch is issued whole or not at all.")));
}

/* ----------------------------------------------------------------------
 * Audit
 * ----------------------------------------------------------------------
 */

/*
 * Append one audit row.  Must be inside SPI.  detail_json is a JSON object.
 */
void
sid_audit(const char *account_id, const char *action,
		  Datum number, bool number_null,
		  const char *instance_id, int64 filing_id,
		  const char *detail_json)
{
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = account_id ? CStringGetTextDatum(account_id) : (Datum) 0;
	nulls[0] = account_id ? ' ' : 'n';
	values[1] = CStringGetTextDatum(action);
	values[2] = number;
	nulls[2] = number_null ? 'n' : ' ';
	values[3] = instance_id ? CStringGetTextDatum(instance_id) : (Datum) 0;
	nulls[3] = instance_id ? ' ' : 'n';
	values[4] = Int64GetDatum(filing_id);
	nulls[4] = filing_id > 0 ? ' ' : 'n';
	values[5] = CStringGetTextDatum(detail_json ? detail_json : "{}");
	sid_exec(ST_AUDIT, values, nulls, 0);
}

/* {"key": "value", ...} from pairs; NULL values are left out. */
char *
sid_json_object(int npairs, const char *const *pairs)
{
	StringInfoData buf;
	int			i;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < npairs; i++)
	{
		if (pairs[2 * i + 1] == NULL)
			continue;
		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;
		escape_json(&buf, pairs[2 * i]);
		appendStringInfoString(&buf, ": ");
		escape_json(&buf, pairs[2 * i + 1]);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* ----------------------------------------------------------------------
 * Applying
 * ----------------------------------------------------------------------
 */

/*
 * Issue n numbers into out[], all or nothing (an error rolls back every
 * row this call wrote).
 */
static void
apply_numbers(const char *instance_id, const char *account_id,
			  const char *grantee, int n, SidValue *out)
{
	InstanceRow row;
	const char *pairs[2] = {"grantee", grantee};
	char	   *detail = sid_json_object(1, pairs);
	Datum		elems[SID_MAX_BATCH];
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', grantee ? ' ' : 'n', ' '};
	int			i;

	sid_spi_connect();
	claim_slots(instance_id, account_id, n, &row);
	for (i = 0; i < n; i++)
	{
		sid_generate(&out[i]);
		elems[i] = PointerGetDatum(&out[i]);
	}
	values[0] = PointerGetDatum(construct_array(elems, n, sid_type_oid(),
												SID_LEN, false, TYPALIGN_CHAR));
	values[1] = CStringGetTextDatum(instance_id);
	values[2] = CStringGetTextDatum(account_id);
	values[3] = grantee ? CStringGetTextDatum(grantee) : (Datum) 0;
	values[4] = CStringGetTextDatum(detail);
	sid_set_precounted(n);
	PG_TRY();
	{
		sid_exec(ST_ISSUE, values, nulls, 0);
	}
	PG_FINALLY();
	{
		sid_set_precounted(0);
	}
	PG_END_TRY();
	sid_spi_finish();
}

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

	PreventCommandIfReadOnly("apply_service_id()");
	apply_numbers(instance_id, account_id, grantee, 1, &v);
	return sid_datum(&v);
}

/*
 * apply_service_ids(instance_id, account_id, n, grantee) — issue n numbers
 * (1 to 20) at once, all or nothing.  The numbers are made and written in
 * the first call and returned one per call.
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

		if (PG_ARGISNULL(2))
			null_argument("n");
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

		apply_numbers(instance_id, account_id, grantee, n, values);
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

/*
 * check_instance(instance_id, account_id) — what the Apply button would
 * say: eligible or not, the allowance figures, and every reason.  Reads
 * only, so it works on a hot standby.
 */
PG_FUNCTION_INFO_V1(sid_check_instance);
Datum
sid_check_instance(PG_FUNCTION_ARGS)
{
	char	   *instance_id = ident_arg(fcinfo, 0, "instance_id");
	char	   *account_id = optional_ident_arg(fcinfo, 1, "account_id");
	InstanceRow row;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	uint32		reasons;

	/* the blessed row type, built once per call site */
	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		tupdesc = BlessTupleDesc(tupdesc);
		MemoryContextSwitchTo(oldcxt);
		fcinfo->flinfo->fn_extra = tupdesc;
	}

	load_instance(instance_id, &row, false);

	row.facts.account_given = account_id != NULL;
	row.facts.is_owner = account_id && strcmp(account_id, row.account_id) == 0;
	reasons = sid_eligibility(&row.facts);

	values[0] = BoolGetDatum(reasons == 0);
	values[1] = CStringGetTextDatum(row.product);
	values[2] = Int32GetDatum(row.facts.allowance);
	values[3] = Int32GetDatum(row.facts.consumed);
	values[4] = Int32GetDatum(sid_remaining(row.facts.allowance, row.facts.consumed));
	values[5] = PointerGetDatum(reasons_array(reasons));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * eligibility_reasons(...) — the same rules over the columns the instances
 * view joins, as a text[] of reason codes.
 */
PG_FUNCTION_INFO_V1(sid_eligibility_reasons);
Datum
sid_eligibility_reasons(PG_FUNCTION_ARGS)
{
	SidFacts	f;
	int			i;

	for (i = 0; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i) && i != 8)	/* only expires_at may be null */
			null_argument("an eligibility fact");

	memset(&f, 0, sizeof(f));
	f.allowance = PG_GETARG_INT32(0);
	f.requires_subscription = PG_GETARG_BOOL(1);
	f.min_total_months = PG_GETARG_INT32(2);
	f.min_remaining_days = PG_GETARG_INT32(3);
	f.requires_public_ip = PG_GETARG_BOOL(4);
	f.trial = PG_GETARG_BOOL(5);
	{
		text	   *billing = PG_GETARG_TEXT_PP(6);

		f.subscription = VARSIZE_ANY_EXHDR(billing) == 12 &&
			memcmp(VARDATA_ANY(billing), "subscription", 12) == 0;
	}
	f.subscribed_months = PG_GETARG_INT32(7);
	f.has_expiry = !PG_ARGISNULL(8);
	f.expires_at = f.has_expiry ? PG_GETARG_TIMESTAMPTZ(8) : 0;
	{
		text	   *status = PG_GETARG_TEXT_PP(9);

		f.status = sid_status_from_text(VARDATA_ANY(status), VARSIZE_ANY_EXHDR(status));
	}
	f.has_public_ip = PG_GETARG_BOOL(10);
	f.mainland = PG_GETARG_BOOL(11);
	f.consumed = PG_GETARG_INT32(12);
	f.now = GetCurrentTransactionStartTimestamp();
	PG_RETURN_ARRAYTYPE_P(reasons_array(sid_eligibility(&f)));
}

/* ----------------------------------------------------------------------
 * Numbers
 * ----------------------------------------------------------------------
 */

/*
 * Lock a number and read it; reports the unknown number (P0002).  Returns
 * its state; *grantee, *instance_id and *applicant are set.
 */
static char *
lock_number(Datum number, char **grantee, char **instance_id, char **applicant)
{
	sid_exec(ST_NUMBER_FOR_USE, &number, NULL, 1);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("service identification number %s does not exist",
						sid_number_text(number))));
	*grantee = sid_get_text(0, 2);
	*instance_id = sid_get_text(0, 3);
	*applicant = sid_get_text(0, 4);
	return sid_get_text(0, 1);
}

/* Refuse a number that is not unused: 23505 if used, 55000 otherwise. */
static void
check_unused(Datum number, const char *state, const char *doing)
{
	if (strcmp(state, "unused") == 0)
		return;
	if (strcmp(state, "used") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("service identification number %s has already been used",
						sid_number_text(number)),
				 errdetail("A number is bound to the filing that used it for ever, even after that filing ends."),
				 errhint("%s", doing)));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("service identification number %s is %s",
					sid_number_text(number), state),
			 errdetail("Only an unused number can be used or revoked."),
			 errhint("%s", doing)));
}

/*
 * revoke_service_id(number, account_id) — the purchaser revokes an unused
 * number, which frees its allowance slot.  The trigger on the number
 * updates the counter and writes the audit row.
 */
PG_FUNCTION_INFO_V1(sid_revoke_service_id);
Datum
sid_revoke_service_id(PG_FUNCTION_ARGS)
{
	Datum		number = number_arg(fcinfo, 0);
	char	   *account_id = ident_arg(fcinfo, 1, "account_id");
	char	   *grantee,
			   *instance_id,
			   *applicant,
			   *state;

	PreventCommandIfReadOnly("revoke_service_id()");
	sid_spi_connect();
	state = lock_number(number, &grantee, &instance_id, &applicant);
	if (strcmp(applicant, account_id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("account \"%s\" did not purchase the instance of service identification number %s",
						account_id, sid_number_text(number)),
				 errdetail("Only the account that purchased the instance may revoke its numbers.")));
	check_unused(number, state, "Apply for a new number if one is needed.");
	sid_exec(ST_REVOKE, &number, NULL, 0);
	sid_spi_finish();
	PG_RETURN_VOID();
}

/*
 * expire_service_ids() — mark the unused numbers of expired or released
 * instances invalid; returns how many.  Safe to run from a scheduler at
 * any time and concurrently with the rest of the API: under READ
 * COMMITTED a number being used meanwhile is re-checked and skipped.
 */
PG_FUNCTION_INFO_V1(sid_expire_service_ids);
Datum
sid_expire_service_ids(PG_FUNCTION_ARGS)
{
	uint64		n;

	PreventCommandIfReadOnly("expire_service_ids()");
	sid_spi_connect();
	sid_exec(ST_EXPIRE, NULL, NULL, 0);
	n = SPI_processed;
	sid_spi_finish();
	PG_RETURN_INT32((int32) Min(n, (uint64) PG_INT32_MAX));
}

/* ----------------------------------------------------------------------
 * Filings
 * ----------------------------------------------------------------------
 */

/*
 * Insert a filing and its audit row; 23505 if the website already has an
 * active filing (the partial unique index decides, also between concurrent
 * callers).  Must be inside SPI.
 */
static int64
insert_filing(const char *account_id, const char *website, const char *method,
			  Datum number, bool number_null,
			  const char *instance_id, const char *shop_id)
{
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', number_null ? 'n' : ' ',
	instance_id ? ' ' : 'n', shop_id ? ' ' : 'n', ' '};
	int64		filing_id;
	const char *pairs[6] = {"website", website, "method", method, "shop_id", shop_id};

	values[0] = CStringGetTextDatum(account_id);
	values[1] = CStringGetTextDatum(website);
	values[2] = CStringGetTextDatum(method);
	values[3] = number;
	values[4] = instance_id ? CStringGetTextDatum(instance_id) : (Datum) 0;
	values[5] = shop_id ? CStringGetTextDatum(shop_id) : (Datum) 0;
	values[6] = CStringGetTextDatum(sid_json_object(3, pairs));
	sid_exec(ST_REGISTER, values, nulls, 1);
	if (SPI_processed == 0)
	{
		Datum		arg = values[1];
		int64		other = 0;

		sid_exec(ST_ACTIVE_WEBSITE, &arg, NULL, 1);
		if (SPI_processed > 0)
			other = sid_get_int64(0, 1, NULL);
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("website \"%s\" already has an active filing", website),
				 other > 0 ? errdetail("Filing %lld is active.", (long long) other) : 0,
				 errhint("A website has one active filing at a time; cancel it first.")));
	}
	filing_id = sid_get_int64(0, 1, NULL);
	return filing_id;
}

/*
 * register_filing(account_id, website, number) — file a website with a
 * number.  The number must exist, be unused, be granted to this account if
 * granted at all, and its instance must still be eligible (its allowance
 * and purchaser aside: the number already holds its slot, and may have
 * been handed to another account).
 */
PG_FUNCTION_INFO_V1(sid_register_filing);
Datum
sid_register_filing(PG_FUNCTION_ARGS)
{
	char	   *account_id = ident_arg(fcinfo, 0, "account_id");
	char	   *website = website_arg(fcinfo, 1);
	Datum		number = number_arg(fcinfo, 2);
	char	   *grantee,
			   *instance_id,
			   *applicant,
			   *state;
	InstanceRow row;
	uint32		reasons;
	volatile int64 filing_id = 0;

	PreventCommandIfReadOnly("register_filing()");
	sid_spi_connect();
	state = lock_number(number, &grantee, &instance_id, &applicant);
	if (grantee && strcmp(grantee, account_id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("service identification number %s was granted to another account",
						sid_number_text(number)),
				 errdetail("Only account \"%s\" may file with it.", grantee)));
	check_unused(number, state, "Apply for a new number.");

	load_instance(instance_id, &row, true);
	reasons = sid_eligibility(&row.facts) & ~SID_BIT(SID_R_ALLOWANCE_USED_UP);
	if (reasons)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("instance \"%s\" of service identification number %s is no longer eligible",
						instance_id, sid_number_text(number)),
				 errdetail("%s", reasons_in_words(reasons)),
				 row.hint ? errhint("%s", row.hint) : 0));

	/* checked above under the row lock: the trigger need not check again */
	sid_set_checked_number((SidValue *) DatumGetPointer(number));
	PG_TRY();
	{
		filing_id = insert_filing(account_id, website, "service_id", number, false,
								  instance_id, NULL);
	}
	PG_FINALLY();
	{
		sid_set_checked_number(NULL);
	}
	PG_END_TRY();
	sid_spi_finish();
	PG_RETURN_INT64(filing_id);
}

/*
 * register_filing_direct(account_id, website, instance_id) — the purchaser
 * selects its own instance; this takes one slot of the same allowance.
 */
PG_FUNCTION_INFO_V1(sid_register_filing_direct);
Datum
sid_register_filing_direct(PG_FUNCTION_ARGS)
{
	char	   *account_id = ident_arg(fcinfo, 0, "account_id");
	char	   *website = website_arg(fcinfo, 1);
	char	   *instance_id = ident_arg(fcinfo, 2, "instance_id");
	InstanceRow row;
	volatile int64 filing_id = 0;

	PreventCommandIfReadOnly("register_filing_direct()");
	sid_spi_connect();
	claim_slots(instance_id, account_id, 1, &row);
	sid_set_precounted(1);
	PG_TRY();
	{
		filing_id = insert_filing(account_id, website, "direct", (Datum) 0, true,
								  instance_id, NULL);
	}
	PG_FINALLY();
	{
		sid_set_precounted(0);
	}
	PG_END_TRY();
	sid_spi_finish();
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
	int64		filing_id;

	PreventCommandIfReadOnly("register_filing_trustpass()");
	sid_spi_connect();
	filing_id = insert_filing(account_id, website, "trustpass", (Datum) 0, true,
							  NULL, shop_id);
	sid_spi_finish();
	PG_RETURN_INT64(filing_id);
}

/*
 * End an active filing with the given status.  The trigger writes the
 * audit row; numbers stay used.
 */
static void
end_filing(FunctionCallInfo fcinfo, const char *new_status, const char *cmd)
{
	int64		filing_id;
	Datum		values[2];
	char	   *status;

	if (PG_ARGISNULL(0))
		null_argument("filing_id");
	filing_id = PG_GETARG_INT64(0);
	PreventCommandIfReadOnly(cmd);

	sid_spi_connect();
	values[0] = Int64GetDatum(filing_id);
	sid_exec(ST_FILING_FOR_END, values, NULL, 1);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("filing %lld does not exist", (long long) filing_id)));
	status = sid_get_text(0, 1);
	if (strcmp(status, "active") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("filing %lld has already ended", (long long) filing_id),
				 errdetail("Its status is %s.", status)));
	values[1] = CStringGetTextDatum(new_status);
	sid_exec(ST_END_FILING, values, NULL, 0);
	sid_spi_finish();
}

/* cancel_filing(filing_id) — the filing is cancelled; its number stays used. */
PG_FUNCTION_INFO_V1(sid_cancel_filing);
Datum
sid_cancel_filing(PG_FUNCTION_ARGS)
{
	end_filing(fcinfo, "cancelled", "cancel_filing()");
	PG_RETURN_VOID();
}

/* remove_access(filing_id) — the provider is removed from the filing. */
PG_FUNCTION_INFO_V1(sid_remove_access);
Datum
sid_remove_access(PG_FUNCTION_ARGS)
{
	end_filing(fcinfo, "access_removed", "remove_access()");
	PG_RETURN_VOID();
}

/* ----------------------------------------------------------------------
 * Roles
 * ----------------------------------------------------------------------
 */

/* What a role needs to use the type at all (operators, casts, I/O). */
static const char *const type_functions[] = {
	"service_id.service_id_in(cstring)",
	"service_id.service_id_out(service_id.service_id)",
	"service_id.service_id_recv(internal)",
	"service_id.service_id_send(service_id.service_id)",
	"service_id.service_id_eq(service_id.service_id, service_id.service_id)",
	"service_id.service_id_ne(service_id.service_id, service_id.service_id)",
	"service_id.service_id_lt(service_id.service_id, service_id.service_id)",
	"service_id.service_id_le(service_id.service_id, service_id.service_id)",
	"service_id.service_id_gt(service_id.service_id, service_id.service_id)",
	"service_id.service_id_ge(service_id.service_id, service_id.service_id)",
	"service_id.service_id_cmp(service_id.service_id, service_id.service_id)",
	"service_id.service_id_hash(service_id.service_id)",
	"service_id.service_id_hash_extended(service_id.service_id, int8)",
	"service_id.service_id(text)",
	"service_id.service_id(uuid)",
	"service_id.text(service_id.service_id)",
	"service_id.is_valid(text)",
	NULL
};

static const char *const read_grants[] = {
	"GRANT EXECUTE ON FUNCTION service_id.eligibility_reasons(int, bool, int, int, bool, bool, text, int, timestamptz, text, bool, bool, int) TO %s",
	"GRANT SELECT ON service_id.numbers, service_id.instances, service_id.filings, service_id.audit TO %s",
	NULL
};

static const char *const usage_grants[] = {
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
	" service_id.expire_service_ids() TO %s",
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
		char	   *sql = psprintf(stmts[i], role);

		if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "SPI_execute failed: %s", sql);
	}
}

/*
 * Grant what every role of the extension needs: the schema, the type and
 * its support functions.
 */
static void
grant_common(FunctionCallInfo fcinfo, const char *const *extra)
{
	Oid			roleid;
	const char *role;
	int			i;

	if (PG_ARGISNULL(0))
		null_argument("role");
	roleid = PG_GETARG_OID(0);
	if (!OidIsValid(roleid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a role must be named"),
				 errdetail("Nothing of service_id is granted to PUBLIC.")));
	role = quote_identifier(GetUserNameFromId(roleid, false));
	PreventCommandIfReadOnly("GRANT");

	sid_spi_connect();
	run_grants((const char *const[]) {
		"GRANT USAGE ON SCHEMA service_id TO %s",
		"GRANT USAGE ON TYPE service_id.service_id TO %s",
		NULL
	}, role);
	for (i = 0; type_functions[i]; i++)
	{
		char	   *sql = psprintf("GRANT EXECUTE ON FUNCTION %s TO %%s", type_functions[i]);
		const char *one[2] = {sql, NULL};

		run_grants(one, role);
	}
	run_grants(extra, role);
	sid_spi_finish();
}

/*
 * grant_usage(role) — an application role: the API functions, and SELECT,
 * INSERT and UPDATE on service_id.instance.  Numbers stay unreadable
 * except through what the API returns.
 */
PG_FUNCTION_INFO_V1(sid_grant_usage);
Datum
sid_grant_usage(PG_FUNCTION_ARGS)
{
	grant_common(fcinfo, usage_grants);
	PG_RETURN_VOID();
}

/*
 * grant_read(role) — a reporting role: the four views.
 */
PG_FUNCTION_INFO_V1(sid_grant_read);
Datum
sid_grant_read(PG_FUNCTION_ARGS)
{
	grant_common(fcinfo, read_grants);
	PG_RETURN_VOID();
}
