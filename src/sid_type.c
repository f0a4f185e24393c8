/*
 * sid_type.c
 *		The base type service_id.service_id: I/O, binary I/O, comparison,
 *		hashing, validating casts, is_valid() and gen_service_id().
 *
 * The value is 16 bytes laid out as a uuid (see sid_core.c), so it sorts and
 * indexes exactly like uuid and casts to uuid without a function.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include <ctype.h>

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/sortsupport.h"
#include "utils/uuid.h"

#include "sid_type.h"

/*
 * The input as a message may show it.  A text carrying most of a number
 * (24 hex digits or more: a mistyped number, or a real one with a stray
 * character) would put nearly all of a secret into the server log, so only
 * its last four characters are shown.
 */
static const char *
shown_input(const char *str)
{
	size_t		len = strlen(str);
	int			hex = 0;
	size_t		i;

	for (i = 0; i < len; i++)
		if (isxdigit((unsigned char) str[i]))
			hex++;
	if (hex < 24)
		return str;
	return psprintf("...%s", str + (len > 4 ? len - 4 : 0));
}

/*
 * Report a failed parse in core's words, with a detail naming the check.
 */
static void
report_bad_input(const char *str, SidParseResult r)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"",
					"service_id", shown_input(str)),
			 errdetail("%s", sid_parse_detail(r))));
}

/*
 * Fill *out with a fresh random valid number.  Shared by gen_service_id()
 * and the apply functions.
 */
void
sid_generate(SidValue *out)
{
	/*
	 * pg_strong_random costs far more per call than per byte, so this
	 * backend draws for 32 numbers at a time and hands the bytes out once
	 * each, wiping them as they go.  Every backend (and parallel worker)
	 * starts with an empty pool of its own: none is shared across fork().
	 */
	static unsigned char pool[SID_RANDOM_BYTES * 32];
	static int	pool_left = 0;

	if (pool_left < SID_RANDOM_BYTES)
	{
		if (!pg_strong_random(pool, sizeof(pool)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random values")));
		pool_left = sizeof(pool);
	}
	pool_left -= SID_RANDOM_BYTES;
	sid_from_random(pool + pool_left, out);
	explicit_bzero(pool + pool_left, SID_RANDOM_BYTES);
}

/* A palloc'd copy, as a Datum. */
Datum
sid_datum(const SidValue *v)
{
	SidValue   *res = (SidValue *) palloc(sizeof(SidValue));

	*res = *v;
	return PointerGetDatum(res);
}

/*
 * service_id_in(cstring) — text input; accepts what uuid_in accepts and
 * then checks version, variant and check value.
 */
PG_FUNCTION_INFO_V1(service_id_in);
Datum
service_id_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	SidValue	v;
	SidParseResult r = sid_parse(str, strlen(str), &v);

	if (r != SID_OK)
		report_bad_input(str, r);
	return sid_datum(&v);
}

/*
 * service_id_out(service_id) — canonical lower-case text.
 */
PG_FUNCTION_INFO_V1(service_id_out);
Datum
service_id_out(PG_FUNCTION_ARGS)
{
	SidValue   *v = PG_GETARG_SID(0);
	char	   *buf = palloc(SID_TEXT_LEN + 1);

	sid_format(v, buf);
	PG_RETURN_CSTRING(buf);
}

/*
 * service_id_recv(internal) — binary input: 16 raw bytes, validated like
 * text input so nothing invalid enters through COPY BINARY either.
 */
PG_FUNCTION_INFO_V1(service_id_recv);
Datum
service_id_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	SidValue	v;
	SidParseResult r;

	memcpy(v.data, pq_getmsgbytes(buf, SID_LEN), SID_LEN);
	r = sid_validate(&v);
	if (r != SID_OK)
	{
		char		text[SID_TEXT_LEN + 1];

		sid_format(&v, text);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external \"%s\" value", "service_id"),
				 errdetail("Value %s: %s", shown_input(text), sid_parse_detail(r))));
	}
	return sid_datum(&v);
}

/*
 * service_id_send(service_id) — binary output: the 16 bytes.
 */
PG_FUNCTION_INFO_V1(service_id_send);
Datum
service_id_send(PG_FUNCTION_ARGS)
{
	SidValue   *v = PG_GETARG_SID(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (char *) v->data, SID_LEN);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static inline int
sid_cmp_internal(const SidValue *a, const SidValue *b)
{
	return memcmp(a->data, b->data, SID_LEN);
}

/* Comparison: byte order, which is uuid's order. */
#define SID_CMP_FUNC(name, expr) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	int			c = sid_cmp_internal(PG_GETARG_SID(0), PG_GETARG_SID(1)); \
	PG_RETURN_BOOL(expr); \
}

SID_CMP_FUNC(service_id_eq, c == 0)
SID_CMP_FUNC(service_id_ne, c != 0)
SID_CMP_FUNC(service_id_lt, c < 0)
SID_CMP_FUNC(service_id_le, c <= 0)
SID_CMP_FUNC(service_id_gt, c > 0)
SID_CMP_FUNC(service_id_ge, c >= 0)

/*
 * service_id_cmp(a, b) — btree support 1.
 */
PG_FUNCTION_INFO_V1(service_id_cmp);
Datum
service_id_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(sid_cmp_internal(PG_GETARG_SID(0), PG_GETARG_SID(1)));
}

static int
sid_fastcmp(Datum x, Datum y, SortSupport ssup)
{
	return sid_cmp_internal((SidValue *) DatumGetPointer(x),
							(SidValue *) DatumGetPointer(y));
}

/*
 * service_id_sortsupport(internal) — btree support 2: a comparator without
 * the fmgr round trip, for sorts and index builds.
 */
PG_FUNCTION_INFO_V1(service_id_sortsupport);
Datum
service_id_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = sid_fastcmp;
	PG_RETURN_VOID();
}

/*
 * service_id_hash(v) and service_id_hash_extended(v, seed) — hash support,
 * the same hash uuid uses.
 */
PG_FUNCTION_INFO_V1(service_id_hash);
Datum
service_id_hash(PG_FUNCTION_ARGS)
{
	SidValue   *v = PG_GETARG_SID(0);

	return hash_any(v->data, SID_LEN);
}

PG_FUNCTION_INFO_V1(service_id_hash_extended);
Datum
service_id_hash_extended(PG_FUNCTION_ARGS)
{
	SidValue   *v = PG_GETARG_SID(0);

	return hash_any_extended(v->data, SID_LEN, PG_GETARG_INT64(1));
}

/*
 * service_id_from_uuid(uuid) — the explicit cast from uuid: the same bytes,
 * validated.
 */
PG_FUNCTION_INFO_V1(service_id_from_uuid);
Datum
service_id_from_uuid(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *u = PG_GETARG_UUID_P(0);
	SidValue	v;
	SidParseResult r;

	memcpy(v.data, u->data, SID_LEN);
	r = sid_validate(&v);
	if (r != SID_OK)
	{
		char		text[SID_TEXT_LEN + 1];

		sid_format(&v, text);
		report_bad_input(text, r);
	}
	return sid_datum(&v);
}

/*
 * service_id_from_text(text) — the explicit cast from text.
 */
PG_FUNCTION_INFO_V1(service_id_from_text);
Datum
service_id_from_text(PG_FUNCTION_ARGS)
{
	char	   *str = text_to_cstring(PG_GETARG_TEXT_PP(0));
	SidValue	v;
	SidParseResult r = sid_parse(str, strlen(str), &v);

	if (r != SID_OK)
		report_bad_input(str, r);
	return sid_datum(&v);
}

/*
 * service_id_to_text(service_id) — the cast to text.
 */
PG_FUNCTION_INFO_V1(service_id_to_text);
Datum
service_id_to_text(PG_FUNCTION_ARGS)
{
	char		buf[SID_TEXT_LEN + 1];

	sid_format(PG_GETARG_SID(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, SID_TEXT_LEN));
}

/*
 * is_valid(text) — would this text be accepted?  Never raises: any text,
 * of any length, answers true or false.
 */
PG_FUNCTION_INFO_V1(service_id_is_valid);
Datum
service_id_is_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	SidValue	v;

	PG_RETURN_BOOL(sid_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &v) == SID_OK);
}

/*
 * valid_identifier(text) — is this an account, instance, shop or region id
 * (1 to 255 characters, no white space or control character)?  The CHECK
 * constraints of service_id.instance and service_id.region use it, so the
 * tables and the API hold ids to one rule (sid_valid_ident).
 */
PG_FUNCTION_INFO_V1(sid_valid_identifier);
Datum
sid_valid_identifier(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(sid_valid_ident(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/*
 * gen_service_id() — a fresh random valid number, recorded nowhere.
 */
PG_FUNCTION_INFO_V1(service_id_generate);
Datum
service_id_generate(PG_FUNCTION_ARGS)
{
	SidValue	v;

	sid_generate(&v);
	return sid_datum(&v);
}
