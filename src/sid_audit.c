/*
 * sid_audit.c
 *		The audit log and its optional NOTIFY (see sid_audit.h).
 *
 * The detail column is built as jsonb in C, not parsed from text.  The
 * NOTIFY payload carries the event id and the action only: any role that
 * may connect can LISTEN, and numbers and account ids are not for
 * everyone; a listener with grant_read looks the event up in
 * service_id.audit.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/async.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "sid_audit.h"
#include "sid_rows.h"

static bool notify_enabled = false;

/* The session user's name, looked up once (ALTER ROLE ... RENAME drops it). */
static Oid	session_user_oid = InvalidOid;
static NameData session_user_name;

static void
role_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	session_user_oid = InvalidOid;
}

static const char *
session_user_text(void)
{
	Oid			user = GetSessionUserId();

	if (user != session_user_oid)
	{
		namestrcpy(&session_user_name, GetUserNameFromId(user, false));
		session_user_oid = user;
	}
	return NameStr(session_user_name);
}

static const char *const action_names[] = {
	[SID_ISSUED] = "issued",
	[SID_REVOKED] = "revoked",
	[SID_INVALIDATED] = "invalidated",
	[SID_REGISTERED] = "registered",
	[SID_CANCELLED] = "cancelled",
	[SID_ACCESS_REMOVED] = "access_removed",
};

void
sid_audit_init(void)
{
	DefineCustomBoolVariable("service_id.notify",
							 "Sends NOTIFY service_id for every state change of a number or a filing.",
							 "The payload is a JSON object with the audit event id and the action.",
							 &notify_enabled,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("service_id");
	CacheRegisterSyscacheCallback(AUTHOID, role_changed, (Datum) 0);
}

static void
push_string(JsonbParseState **state, JsonbIteratorToken token, const char *s)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	pushJsonbValue(state, token, &v);
}

static Jsonb *
detail_jsonb(const SidEvent *ev)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;
	int			i;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < SID_EVENT_MAX_DETAIL; i++)
	{
		if (ev->detail_key[i] == NULL || ev->detail_value[i] == NULL)
			continue;
		push_string(&state, WJB_KEY, ev->detail_key[i]);
		push_string(&state, WJB_VALUE, ev->detail_value[i]);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

void
sid_audit(SidOp *op, const SidEvent *ev)
{
	const SidSchema *s = sid_op_schema(op);
	Datum		v[AUD_NCOLS];
	bool		n[AUD_NCOLS];
	int64		event_id = sid_nextval(op, s->audit_seq);

	v[AUD_EVENT_ID] = Int64GetDatum(event_id);
	n[AUD_EVENT_ID] = false;
	v[AUD_AT] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	n[AUD_AT] = false;
	v[AUD_DB_USER] = CStringGetTextDatum(session_user_text());
	n[AUD_DB_USER] = false;
	v[AUD_ACCOUNT_ID] = sid_text_datum(ev->account_id);
	n[AUD_ACCOUNT_ID] = ev->account_id == NULL;
	v[AUD_ACTION] = CStringGetTextDatum(action_names[ev->action]);
	n[AUD_ACTION] = false;
	v[AUD_NUMBER] = ev->number ? sid_number_datum(ev->number) : (Datum) 0;
	n[AUD_NUMBER] = ev->number == NULL;
	v[AUD_INSTANCE_ID] = sid_text_datum(ev->instance_id);
	n[AUD_INSTANCE_ID] = ev->instance_id == NULL;
	v[AUD_FILING_ID] = Int64GetDatum(ev->filing_id);
	n[AUD_FILING_ID] = ev->filing_id == 0;
	v[AUD_DETAIL] = JsonbPGetDatum(detail_jsonb(ev));
	n[AUD_DETAIL] = false;
	sid_insert(op, SID_AUDIT, v, n);

	if (notify_enabled)
		Async_Notify("service_id",
					 psprintf("{\"event_id\": " INT64_FORMAT ", \"action\": \"%s\"}",
							  event_id, action_names[ev->action]));
}
