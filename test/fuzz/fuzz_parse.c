/*
 * test/fuzz/fuzz_parse.c
 *		libFuzzer harness for the text inputs of the pure C core.
 *
 * Each input is copied into a heap buffer of exactly its size (no NUL), so
 * ASan sees any read past the length, and given to sid_parse,
 * sid_valid_ident, sid_normalize_website, sid_status_from_text and the
 * readers of the stored number states, filing statuses and methods.  Each
 * result is checked against a property or an independent reference
 * written here; a violated property calls abort(), which libFuzzer reports
 * as a crash with the input saved.
 *
 *	sid_parse		the result is one of the four; SID_BAD_SYNTAX exactly when
 *					the reference grammar (uuid_in's: optional braces, 32 hex
 *					digits, at most one hyphen after each group of four)
 *					refuses the text; otherwise the same 16 bytes, and the
 *					result sid_validate gives; SID_OK exactly when version,
 *					variant and a bitwise reference CRC-32C agree.  On SID_OK
 *					sid_format gives 36 canonical characters that parse back
 *					to the same value.
 *	sid_valid_ident	never true for an empty text, one with an ASCII control
 *					or space, or more than 255 * 4 bytes; on strictly valid
 *					UTF-8, exactly "1..255 code points, none White_Space
 *					nor Cc" (U+200B and U+FEFF may go either way).
 *	sid_normalize_website
 *					writes into exactly SID_MAX_WEBSITE + 1 bytes; agrees with
 *					a reference domain-name check; the output is the input
 *					lower-cased, and normalizes to itself.
 *	sid_status_from_text
 *					a known status only for its exact name.
 *	sid_number_state_from_text, sid_filing_status_from_text,
 *	sid_filing_method_from_text
 *					a value of the enum, never the NULL one for a text; a
 *					known value exactly when the text is its name (SPEC's
 *					words, written here); the name functions give that name
 *					back.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined (see test/fuzz/run.sh).
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "c.h"

#include "sid_core.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "property violated at %s:%d: %s\n", \
					__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static char *
dup_exact(const char *s, size_t n)
{
	char	   *p = malloc(n);		/* under ASan, malloc(0) is a 0-byte chunk */

	if (p == NULL)
		p = malloc(1);
	CHECK(p != NULL);
	if (n > 0)
		memcpy(p, s, n);
	return p;
}

/* ------------------------------------------------------------ numbers */

static int
nib(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * uuid_in's grammar, said differently from sid_parse: strip a matching
 * pair of braces, then 32 hex digits where a hyphen may follow a digit
 * count of 4, 8, ..., 28, once.
 */
static bool
ref_syntax(const unsigned char *s, size_t n, unsigned char out[16])
{
	size_t		a = 0,
				b = n,
				i;
	int			digits = 0;
	bool		prev_hyphen = false;

	if (n > 0 && s[0] == '{')
	{
		if (n < 2 || s[n - 1] != '}')
			return false;
		a = 1;
		b = n - 1;
	}
	for (i = a; i < b; i++)
	{
		int			v;

		if (s[i] == '-')
		{
			if (digits == 0 || digits % 4 != 0 || digits >= 32 || prev_hyphen)
				return false;
			prev_hyphen = true;
			continue;
		}
		v = nib(s[i]);
		if (v < 0 || digits == 32)
			return false;
		if (digits % 2 == 0)
			out[digits / 2] = (unsigned char) (v << 4);
		else
			out[digits / 2] |= (unsigned char) v;
		digits++;
		prev_hyphen = false;
	}
	return digits == 32;
}

static uint32
ref_crc32c(const unsigned char *p, size_t n)
{
	uint32		crc = 0xFFFFFFFFU;

	while (n--)
	{
		int			k;

		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78U & (0U - (crc & 1U)));
	}
	return crc ^ 0xFFFFFFFFU;
}

static void
check_parse(const char *buf, size_t size)
{
	SidValue	v,
				again;
	unsigned char ref[16];
	SidParseResult r = sid_parse(buf, size, &v);
	bool		syntax_ok = ref_syntax((const unsigned char *) buf, size, ref);

	CHECK(r == SID_OK || r == SID_BAD_SYNTAX || r == SID_BAD_VERSION ||
		  r == SID_BAD_CHECK);
	CHECK((r != SID_BAD_SYNTAX) == syntax_ok);
	if (!syntax_ok)
		return;

	CHECK(memcmp(v.data, ref, 16) == 0);
	CHECK(sid_validate(&v) == r);
	{
		bool		version_ok = (ref[6] >> 4) == 8 && (ref[8] >> 6) == 2;
		uint32		stored = (uint32) ref[12] | ((uint32) ref[13] << 8) |
			((uint32) ref[14] << 16) | ((uint32) ref[15] << 24);

		if (!version_ok)
			CHECK(r == SID_BAD_VERSION);
		else if (stored != ref_crc32c(ref, 12))
			CHECK(r == SID_BAD_CHECK);
		else
			CHECK(r == SID_OK);
	}

	if (r == SID_OK)
	{
		char	   *text = malloc(SID_TEXT_LEN + 1);
		char	   *exact;
		int			i;

		CHECK(text != NULL);
		sid_format(&v, text);
		CHECK(strlen(text) == SID_TEXT_LEN);
		for (i = 0; i < SID_TEXT_LEN; i++)
		{
			if (i == 8 || i == 13 || i == 18 || i == 23)
				CHECK(text[i] == '-');
			else
				CHECK((text[i] >= '0' && text[i] <= '9') ||
					  (text[i] >= 'a' && text[i] <= 'f'));
		}
		exact = dup_exact(text, SID_TEXT_LEN);
		CHECK(sid_parse(exact, SID_TEXT_LEN, &again) == SID_OK);
		CHECK(memcmp(again.data, v.data, SID_LEN) == 0);
		CHECK(sid_validate(&again) == SID_OK);
		free(exact);
		free(text);
	}
}

/* -------------------------------------------------------- identifiers */

/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
static int
strict_utf8(const unsigned char *s, size_t n, uint32 *cp)
{
	uint32		c;
	int			len,
				i;

	if (s[0] < 0x80)
	{
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if ((size_t) len > n)
		return 0;
	for (i = 1; i < len; i++)
	{
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
		c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Unicode White_Space, and general category Cc. */
static bool
ws_or_cc(uint32 c)
{
	return c <= 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xa0 ||
		c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
		c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

static void
check_ident(const char *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *) buf;
	bool		r = sid_valid_ident(buf, size);
	size_t		i;
	bool		strict = true,
				either = false,
				bad_char = false;
	size_t		chars = 0;

	if (size == 0 || size > 4 * SID_MAX_IDENT)
		CHECK(!r);
	for (i = 0; i < size; i++)
		if (s[i] <= 0x20 || s[i] == 0x7f)
			CHECK(!r);

	for (i = 0; i < size;)
	{
		uint32		c;
		int			n = strict_utf8(s + i, size - i, &c);

		if (n == 0)
		{
			strict = false;
			break;
		}
		if (ws_or_cc(c))
			bad_char = true;
		if (c == 0x200b || c == 0xfeff)
			either = true;
		chars++;
		i += (size_t) n;
	}
	if (strict && !either)
		CHECK(r == (chars >= 1 && chars <= SID_MAX_IDENT && !bad_char));
}

/* ----------------------------------------------------------- websites */

static bool
ref_website(const unsigned char *s, size_t n)
{
	size_t		i,
				start = 0;
	int			labels = 0;

	if (n < 1 || n > 253)
		return false;
	for (i = 0; i <= n; i++)
	{
		if (i == n || s[i] == '.')
		{
			size_t		len = i - start;

			if (len < 1 || len > 63 || s[start] == '-' || s[i - 1] == '-')
				return false;
			labels++;
			start = i + 1;
		}
		else if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
				   (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	}
	return labels >= 2;
}

static void
check_website(const char *buf, size_t size)
{
	char	   *out = malloc(SID_MAX_WEBSITE + 1);
	bool		r;

	CHECK(out != NULL);
	r = sid_normalize_website(buf, size, out);
	CHECK(r == ref_website((const unsigned char *) buf, size));
	if (r)
	{
		size_t		i;
		char	   *exact;
		char	   *out2 = malloc(SID_MAX_WEBSITE + 1);

		CHECK(strlen(out) == size);
		for (i = 0; i < size; i++)
		{
			char		c = buf[i];

			if (c >= 'A' && c <= 'Z')
				c = c - 'A' + 'a';
			CHECK(out[i] == c);
		}
		exact = dup_exact(out, size);
		CHECK(out2 != NULL);
		CHECK(sid_normalize_website(exact, size, out2));
		CHECK(strcmp(out, out2) == 0);
		free(exact);
		free(out2);
	}
	free(out);
}

/* ----------------------------------------------------------- statuses */

static void
check_status(const char *buf, size_t size)
{
	static const char *const names[] = {"pending", "running", "stopped", "expired", "released"};
	SidStatus	st = sid_status_from_text(buf, size);

	CHECK(st >= SID_STATUS_PENDING && st <= SID_STATUS_UNKNOWN);
	if (st != SID_STATUS_UNKNOWN)
		CHECK(strlen(names[st]) == size && memcmp(names[st], buf, size) == 0);
}

/* ---------------------------------- number states, filing statuses, methods */

/*
 * SPEC's words (sections 3 and 4), index = enum value; the value after
 * the last word is the NULL one, the next the "other" one.
 */
static const char *const number_states[] = {"unused", "used", "revoked", "invalid"};
static const char *const filing_statuses[] = {"active", "cancelled", "access_removed"};
static const char *const filing_methods[] = {"service_id", "direct", "trustpass"};

/* The word buf is exactly, or -1. */
static int
exact_word(const char *const *words, int n, const char *buf, size_t size)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strlen(words[i]) == size && memcmp(words[i], buf, size) == 0)
			return i;
	return -1;
}

static void
check_words(const char *buf, size_t size)
{
	int			w;
	SidNumberState ns = sid_number_state_from_text(buf, size);
	SidFilingStatus fs = sid_filing_status_from_text(buf, size);
	SidFilingMethod fm = sid_filing_method_from_text(buf, size);

	w = exact_word(number_states, lengthof(number_states), buf, size);
	CHECK(SID_NS_NULL == lengthof(number_states) && SID_NS_OTHER == SID_NS_NULL + 1);
	CHECK((int) ns == (w < 0 ? (int) SID_NS_OTHER : w));
	if (w >= 0)
		CHECK(strcmp(sid_number_state_name(ns), number_states[w]) == 0);
	else
		CHECK(strcmp(sid_number_state_name(ns), "not a state") == 0);

	w = exact_word(filing_statuses, lengthof(filing_statuses), buf, size);
	CHECK(SID_FS_NULL == lengthof(filing_statuses) && SID_FS_OTHER == SID_FS_NULL + 1);
	CHECK((int) fs == (w < 0 ? (int) SID_FS_OTHER : w));
	if (w >= 0)
		CHECK(strcmp(sid_filing_status_name(fs), filing_statuses[w]) == 0);
	else
		CHECK(strcmp(sid_filing_status_name(fs), "not a status") == 0);

	w = exact_word(filing_methods, lengthof(filing_methods), buf, size);
	CHECK(SID_FM_NULL == lengthof(filing_methods) && SID_FM_OTHER == SID_FM_NULL + 1);
	CHECK((int) fm == (w < 0 ? (int) SID_FM_OTHER : w));
	if (w >= 0)
		CHECK(strcmp(sid_filing_method_name(fm), filing_methods[w]) == 0);
	else
		CHECK(strcmp(sid_filing_method_name(fm), "not a method") == 0);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *buf = dup_exact((const char *) data, size);

	check_parse(buf, size);
	check_ident(buf, size);
	check_website(buf, size);
	check_status(buf, size);
	check_words(buf, size);
	free(buf);
	return 0;
}
