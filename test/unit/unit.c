/*
 * test/unit/unit.c
 *		Unit tests of the pure C core (src/sid_core.c), printed as TAP.
 *
 * test/unit/run.sh builds this file with src/sid_core.c under ASan and
 * UBSan and links the server's libpgport.a for CRC-32C.  Every function of
 * sid_core.h is exercised.  Expected values come from SPEC.md and from
 * references written here -- a bitwise CRC-32C checked against the RFC 3720
 * test vectors, an independent text formatter, a model of the eligibility
 * rules of SPEC section 4 -- never from the code under test.
 *
 * Pseudo-random values are reproducible: SID_UNIT_SEED=n in the environment
 * picks another seed (the one used is printed as a TAP comment).
 *
 * The plan line comes last (a trailing plan is valid TAP), so that a crash
 * half-way shows as a missing plan.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "c.h"

#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "port/pg_crc32c.h"
#include "sid_core.h"

#define USECS_PER_DAY_T INT64CONST(86400000000)
/* 2026-01-01 00:00:00 UTC as a TimestampTz (microseconds since 2000-01-01) */
#define NOW_T (INT64CONST(9497) * USECS_PER_DAY_T)
#define TS_NOBEGIN PG_INT64_MIN		/* '-infinity' */
#define TS_NOEND PG_INT64_MAX		/* 'infinity' */

/* ---------------------------------------------------------------- TAP */

static int	tests_run = 0;
static int	tests_failed = 0;

static bool ok(bool cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));
static void diag(const char *fmt,...) __attribute__((format(printf, 1, 2)));

static bool
ok(bool cond, const char *fmt,...)
{
	va_list		ap;

	tests_run++;
	if (!cond)
		tests_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static void
diag(const char *fmt,...)
{
	va_list		ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/*
 * Run fn in a child process, so that a sanitizer abort (which
 * -fno-sanitize-recover makes fatal) fails one test, not the whole file.
 */
static void
ok_isolated(bool (*fn) (void), const char *desc)
{
	pid_t		pid;
	int			status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
	{
		ok(false, "%s (fork failed)", desc);
		return;
	}
	if (pid == 0)
	{
		bool		r = fn();

		fflush(stdout);
		_exit(r ? 0 : 3);
	}
	if (waitpid(pid, &status, 0) != pid)
	{
		ok(false, "%s (waitpid failed)", desc);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ok(true, "%s", desc);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		ok(false, "%s (wrong result)", desc);
	else if (WIFEXITED(status))
		ok(false, "%s (child exited with status %d: see the sanitizer report)",
		   desc, WEXITSTATUS(status));
	else
		ok(false, "%s (child killed by signal %d)", desc,
		   WIFSIGNALED(status) ? WTERMSIG(status) : -1);
}

/* ------------------------------------------------- pseudo-random values */

static uint64 rng_state;

/* splitmix64 */
static uint64
rnd64(void)
{
	uint64		z = (rng_state += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void
rnd_bytes(unsigned char *p, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char) (rnd64() >> 56);
}

/* ------------------------------------------------ exactly-sized copies */

/*
 * A heap copy of exactly n bytes with no terminating NUL, so ASan reports
 * any read past the length the function was given.
 */
static char *
dup_exact(const char *s, size_t n)
{
	char	   *p = malloc(n);

	if (p == NULL && n == 0)
		p = malloc(1);			/* never NULL: NULL + 0 is itself UB */
	if (p == NULL)
		abort();
	if (n > 0)
		memcpy(p, s, n);
	return p;
}

static SidParseResult
parse_n(const char *s, size_t n, SidValue *v)
{
	char	   *b = dup_exact(s, n);
	SidParseResult r = sid_parse(b, n, v);

	free(b);
	return r;
}

static SidParseResult
parse_s(const char *s, SidValue *v)
{
	return parse_n(s, strlen(s), v);
}

static bool
ident_n(const char *s, size_t n)
{
	char	   *b = dup_exact(s, n);
	bool		r = sid_valid_ident(b, n);

	free(b);
	return r;
}

static bool
ident_s(const char *s)
{
	return ident_n(s, strlen(s));
}

/* The normalized name, or NULL; the caller frees it. */
static char *
website_n(const char *s, size_t n)
{
	char	   *b = dup_exact(s, n);
	char	   *out = malloc(SID_MAX_WEBSITE + 1);	/* exactly as documented */
	bool		r = sid_normalize_website(b, n, out);

	free(b);
	if (!r)
	{
		free(out);
		return NULL;
	}
	return out;
}

static const char *
result_name(SidParseResult r)
{
	switch (r)
	{
		case SID_OK:
			return "SID_OK";
		case SID_BAD_SYNTAX:
			return "SID_BAD_SYNTAX";
		case SID_BAD_VERSION:
			return "SID_BAD_VERSION";
		case SID_BAD_CHECK:
			return "SID_BAD_CHECK";
	}
	return "(out of range)";
}

/* ------------------------------------------------- reference CRC-32C */

/*
 * Bitwise, reflected, polynomial 0x1EDC6F41 (reversed 0x82F63B78): no
 * table, nothing shared with PostgreSQL's implementations.
 */
static uint32
ref_crc_raw(uint32 crc, const unsigned char *p, size_t n)
{
	while (n--)
	{
		int			k;

		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78U & (0U - (crc & 1U)));
	}
	return crc;
}

static uint32
ref_crc32c(const unsigned char *p, size_t n)
{
	return ref_crc_raw(0xFFFFFFFFU, p, n) ^ 0xFFFFFFFFU;
}

static uint32
le32(const unsigned char *p)
{
	return (uint32) p[0] | ((uint32) p[1] << 8) | ((uint32) p[2] << 16) |
		((uint32) p[3] << 24);
}

/* A valid number built by the test alone: version, variant, reference CRC. */
static void
ref_make_valid(const unsigned char *random12, SidValue *v)
{
	uint32		crc;

	memcpy(v->data, random12, 12);
	v->data[6] = 0x80 | (v->data[6] & 0x0f);
	v->data[8] = 0x80 | (v->data[8] & 0x3f);
	crc = ref_crc32c(v->data, 12);
	v->data[12] = crc & 0xff;
	v->data[13] = (crc >> 8) & 0xff;
	v->data[14] = (crc >> 16) & 0xff;
	v->data[15] = (crc >> 24) & 0xff;
}

static void
ref_fix_crc(SidValue *v)
{
	uint32		crc = ref_crc32c(v->data, 12);

	v->data[12] = crc & 0xff;
	v->data[13] = (crc >> 8) & 0xff;
	v->data[14] = (crc >> 16) & 0xff;
	v->data[15] = (crc >> 24) & 0xff;
}

static void
random_valid(SidValue *v)
{
	unsigned char r[12];

	rnd_bytes(r, 12);
	ref_make_valid(r, v);
}

/* ----------------------------------------------- reference formatter */

#define CASE_LOWER 0
#define CASE_UPPER 1
#define CASE_MIXED 2
#define HYPHENS_CANONICAL 0x1E	/* after digit groups 2, 3, 4, 5 (8-4-4-4-12) */

/*
 * Text for v: bit k of hyphens puts a hyphen after the (k+1)-th group of
 * four digits (k = 0..6), braces around it if asked.  Returns the length;
 * out needs 48 bytes.
 */
static size_t
ref_text(const SidValue *v, unsigned hyphens, bool braces, int casing,
		 char *out)
{
	static const char lower[] = "0123456789abcdef";
	static const char upper[] = "0123456789ABCDEF";
	size_t		n = 0;
	int			d;

	if (braces)
		out[n++] = '{';
	for (d = 0; d < 32; d++)
	{
		int			nib = (d % 2 == 0) ? v->data[d / 2] >> 4 : v->data[d / 2] & 0x0f;
		bool		up = casing == CASE_UPPER ||
			(casing == CASE_MIXED && (rnd64() & 1));

		out[n++] = up ? upper[nib] : lower[nib];
		if (d % 4 == 3 && d < 31 && (hyphens & (1U << (d / 4))))
			out[n++] = '-';
	}
	if (braces)
		out[n++] = '}';
	out[n] = '\0';
	return n;
}

/* Position in the canonical text of hex digit d (0..31). */
static int
canon_pos(int d)
{
	return d + (d >= 8) + (d >= 12) + (d >= 16) + (d >= 20);
}

static int
hexnib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ================================================================ CRC */

static void
test_crc(void)
{
	static const unsigned char digits[] = "123456789";
	unsigned char buf[32];
	int			i,
				n,
				bad;

	/* The reference itself, against RFC 3720 appendix B.4 and the check value. */
	ok(ref_crc32c(digits, 9) == 0xE3069283U,
	   "reference CRC-32C of \"123456789\" is e3069283");
	memset(buf, 0, 32);
	ok(ref_crc32c(buf, 32) == 0x8A9136AAU, "reference CRC-32C of 32 zero bytes (RFC 3720 B.4)");
	memset(buf, 0xff, 32);
	ok(ref_crc32c(buf, 32) == 0x62A8AB43U, "reference CRC-32C of 32 0xff bytes (RFC 3720 B.4)");
	for (i = 0; i < 32; i++)
		buf[i] = (unsigned char) i;
	ok(ref_crc32c(buf, 32) == 0x46DD794EU, "reference CRC-32C of 0x00..0x1f (RFC 3720 B.4)");

	/* sid_check_value against the reference, with the chooser's pick. */
	n = 100000;
	bad = 0;
	for (i = 0; i < n; i++)
	{
		SidValue	v;

		rnd_bytes(v.data, SID_LEN);
		if (i == 0)
			memset(v.data, 0, SID_LEN);
		if (i == 1)
			memset(v.data, 0xff, SID_LEN);
		if (sid_check_value(&v) != ref_crc32c(v.data, 12))
		{
			if (bad++ == 0)
				diag("sid_check_value %08x, reference %08x", sid_check_value(&v),
					 ref_crc32c(v.data, 12));
		}
	}
	ok(bad == 0, "sid_check_value equals the bitwise reference CRC-32C of bytes 0..11 (%d values)", n);

	/* It covers bytes 0..11 only. */
	{
		SidValue	v,
					w;

		bad = 0;
		for (i = 0; i < 1000; i++)
		{
			int			b;

			rnd_bytes(v.data, SID_LEN);
			w = v;
			rnd_bytes(w.data + 12, 4);
			if (sid_check_value(&v) != sid_check_value(&w))
				bad++;
			/* every single bit of bytes 0..11 changes it */
			b = (int) (rnd64() % 96);
			w = v;
			w.data[b / 8] ^= (unsigned char) (1U << (b % 8));
			if (sid_check_value(&v) == sid_check_value(&w))
				bad++;
		}
		ok(bad == 0, "sid_check_value ignores bytes 12..15 and changes with any bit of bytes 0..11");
	}

#ifdef USE_SSE42_CRC32C_WITH_RUNTIME_CHECK

	/*
	 * The server picks an implementation at run time: SSE 4.2 where the CPU
	 * has it, else slicing-by-8.  Force each and compare both with the
	 * reference through sid_check_value.
	 */
	{
		pg_crc32c	(*saved) (pg_crc32c, const void *, size_t);
		SidValue	v;

		memset(&v, 0, sizeof(v));
		(void) sid_check_value(&v);	/* let the chooser run once */
		saved = pg_comp_crc32c;
		pg_comp_crc32c = pg_comp_crc32c_sb8;
		bad = 0;
		for (i = 0; i < 20000; i++)
		{
			rnd_bytes(v.data, SID_LEN);
			if (sid_check_value(&v) != ref_crc32c(v.data, 12))
				bad++;
		}
		ok(bad == 0, "slicing-by-8 CRC-32C (libpgport) agrees with the reference (20000 values)");
		if (__builtin_cpu_supports("sse4.2"))
		{
			pg_comp_crc32c = pg_comp_crc32c_sse42;
			bad = 0;
			for (i = 0; i < 20000; i++)
			{
				rnd_bytes(v.data, SID_LEN);
				if (sid_check_value(&v) != ref_crc32c(v.data, 12))
					bad++;
			}
			ok(bad == 0, "SSE 4.2 CRC-32C (libpgport) agrees with the reference (20000 values)");
		}
		else
			ok(true, "# SKIP no SSE 4.2 on this CPU");
		pg_comp_crc32c = saved;
	}
#else
	ok(true, "# SKIP CRC-32C has no run-time choice in this build");
	ok(true, "# SKIP CRC-32C has no run-time choice in this build");
#endif

	/*
	 * Affine: crc(x ^ e) = crc(x) ^ crc(e) ^ crc(0).  The typo proof below
	 * rests on this.
	 */
	{
		SidValue	x,
					e,
					xe,
					z;

		memset(z.data, 0, SID_LEN);
		bad = 0;
		for (i = 0; i < 10000; i++)
		{
			int			k;

			rnd_bytes(x.data, SID_LEN);
			rnd_bytes(e.data, SID_LEN);
			for (k = 0; k < SID_LEN; k++)
				xe.data[k] = x.data[k] ^ e.data[k];
			if (sid_check_value(&xe) !=
				(sid_check_value(&x) ^ sid_check_value(&e) ^ sid_check_value(&z)))
				bad++;
		}
		ok(bad == 0, "sid_check_value is affine over GF(2) (10000 pairs)");
	}
}

/* ======================================================== the numbers */

/*
 * Every single-digit substitution and every adjacent swap, as an error
 * pattern: since the check is affine, a pattern (e_data, e_check) is
 * accepted for some value iff it is accepted for all, iff the linear part
 * of the CRC of e_data equals e_check.  So checking the 32 * 15 + 31 * 15
 * patterns once proves the claim for all 2^90 numbers.
 */
static void
apply_nibble(unsigned char *bytes, int d, unsigned delta)
{
	if (d % 2 == 0)
		bytes[d / 2] ^= (unsigned char) (delta << 4);
	else
		bytes[d / 2] ^= (unsigned char) delta;
}

static void
test_error_patterns(void)
{
	int			d,
				delta,
				patterns = 0,
				undetected = 0;

	for (d = 0; d < 32; d++)
	{
		for (delta = 1; delta < 16; delta++)
		{
			unsigned char e[16] = {0};

			apply_nibble(e, d, (unsigned) delta);
			patterns++;
			if (ref_crc_raw(0, e, 12) == le32(e + 12))
			{
				if (undetected++ == 0)
					diag("substitution at digit %d, delta %x escapes the CRC", d, delta);
			}
		}
	}
	for (d = 0; d < 31; d++)
	{
		for (delta = 1; delta < 16; delta++)
		{
			unsigned char e[16] = {0};

			/* swapping digits a and b changes both by a ^ b */
			apply_nibble(e, d, (unsigned) delta);
			apply_nibble(e, d + 1, (unsigned) delta);
			patterns++;
			if (ref_crc_raw(0, e, 12) == le32(e + 12))
			{
				if (undetected++ == 0)
					diag("swap at digits %d,%d, delta %x escapes the CRC", d, d + 1, delta);
			}
		}
	}
	ok(undetected == 0 && patterns == 945,
	   "all %d typo and adjacent-swap error patterns are caught by the CRC alone, for every value", patterns);
}

static void
test_format_and_random(void)
{
	int			i,
				bad_valid = 0,
				bad_kept = 0,
				bad_crc = 0,
				bad_fmt = 0,
				bad_trip = 0,
				bad_ignored = 0;
	int			n = 10000;

	for (i = 0; i < n; i++)
	{
		unsigned char *r = malloc(SID_RANDOM_BYTES);	/* exactly 12 */
		SidValue	v,
					w,
					back;
		char	   *buf = malloc(SID_TEXT_LEN + 1);
		char		ref[48];
		int			k;

		rnd_bytes(r, SID_RANDOM_BYTES);
		sid_from_random(r, &v);
		if (sid_validate(&v) != SID_OK)
			bad_valid++;
		for (k = 0; k < 12; k++)
		{
			unsigned char keep = (k == 6) ? 0x0f : (k == 8) ? 0x3f : 0xff;

			if ((v.data[k] & keep) != (r[k] & keep))
				bad_kept++;
		}
		if ((v.data[6] >> 4) != 8 || (v.data[8] >> 6) != 2)
			bad_kept++;
		if (le32(v.data + 12) != ref_crc32c(v.data, 12))
			bad_crc++;
		/* the 6 bits it overwrites do not matter: exactly 90 are kept */
		r[6] ^= 0xf0;
		r[8] ^= 0xc0;
		sid_from_random(r, &w);
		if (memcmp(v.data, w.data, SID_LEN) != 0)
			bad_ignored++;

		memset(buf, 'X', SID_TEXT_LEN + 1);
		sid_format(&v, buf);
		ref_text(&v, HYPHENS_CANONICAL, false, CASE_LOWER, ref);
		if (memcmp(buf, ref, SID_TEXT_LEN + 1) != 0)
		{
			if (bad_fmt++ == 0)
				diag("sid_format gave %.36s, expected %s", buf, ref);
		}
		if (parse_n(buf, SID_TEXT_LEN, &back) != SID_OK ||
			memcmp(back.data, v.data, SID_LEN) != 0)
			bad_trip++;
		free(buf);
		free(r);
	}
	ok(bad_valid == 0, "sid_from_random gives a number sid_validate accepts (%d random inputs)", n);
	ok(bad_kept == 0, "sid_from_random keeps the 90 random bits and sets version 8 and variant 10");
	ok(bad_ignored == 0, "sid_from_random ignores the 6 random bits it overwrites");
	ok(bad_crc == 0, "sid_from_random stores the CRC-32C of bytes 0..11 least significant byte first");
	ok(bad_fmt == 0, "sid_format writes canonical lower-case 8-4-4-4-12 and a NUL (%d values)", n);
	ok(bad_trip == 0, "sid_format then sid_parse gives the same 16 bytes (%d values)", n);

	/* A fixed value, formatted by hand. */
	{
		SidValue	v;
		char		buf[SID_TEXT_LEN + 1];

		for (i = 0; i < SID_LEN; i++)
			v.data[i] = (unsigned char) (i * 0x11);
		sid_format(&v, buf);
		ok(strcmp(buf, "00112233-4455-6677-8899-aabbccddeeff") == 0,
		   "sid_format of bytes 00 11 .. ff is 00112233-4455-6677-8899-aabbccddeeff");
		memset(v.data, 0xAB, SID_LEN);
		sid_format(&v, buf);
		ok(strcmp(buf, "abababab-abab-abab-abab-abababababab") == 0,
		   "sid_format writes lower case");
	}
	/* All zero random bytes: the smallest number, computed by the reference. */
	{
		unsigned char zero[SID_RANDOM_BYTES] = {0};
		SidValue	v,
					ref;
		char		buf[SID_TEXT_LEN + 1],
					rbuf[48];

		sid_from_random(zero, &v);
		ref_make_valid(zero, &ref);
		sid_format(&v, buf);
		ref_text(&ref, HYPHENS_CANONICAL, false, CASE_LOWER, rbuf);
		ok(strcmp(buf, rbuf) == 0 && strncmp(buf, "00000000-0000-8000-8000-0000", 28) == 0,
		   "sid_from_random of zero bytes is %s", rbuf);
	}
}

static void
test_parse_forms(void)
{
	SidValue	v,
				out;
	char		text[48];
	unsigned	mask;
	int			i,
				casing,
				braces,
				count = 0,
				bad = 0;

	/* The forms uuid_in accepts, spelled out once. */
	random_valid(&v);
	{
		struct
		{
			unsigned	hyphens;
			bool		braces;
			int			casing;
			const char *what;
		}			forms[] = {
			{HYPHENS_CANONICAL, false, CASE_LOWER, "canonical 8-4-4-4-12"},
			{HYPHENS_CANONICAL, false, CASE_UPPER, "upper case"},
			{HYPHENS_CANONICAL, false, CASE_MIXED, "mixed case"},
			{0, false, CASE_LOWER, "no hyphens"},
			{HYPHENS_CANONICAL, true, CASE_LOWER, "braces"},
			{0, true, CASE_UPPER, "braces, no hyphens, upper case"},
			{0x7F, false, CASE_LOWER, "a hyphen after every group of four"},
			{0x7F, true, CASE_LOWER, "a hyphen after every group of four, braces"},
			{0x15, false, CASE_LOWER, "hyphens after groups 1, 3, 5 (8-8-8-8)"},
			{0x40, false, CASE_LOWER, "one hyphen after 28 digits"},
			{0x01, false, CASE_LOWER, "one hyphen after 4 digits"},
		};

		for (i = 0; i < (int) lengthof(forms); i++)
		{
			SidParseResult r;
			size_t		len = ref_text(&v, forms[i].hyphens, forms[i].braces, forms[i].casing, text);

			memset(&out, 0, sizeof(out));
			r = parse_n(text, len, &out);
			ok(r == SID_OK && memcmp(out.data, v.data, SID_LEN) == 0,
			   "sid_parse accepts %s: %s", forms[i].what, text);
		}
	}

	/* Every hyphen placement x braces x case, for 200 numbers. */
	for (i = 0; i < 200; i++)
	{
		random_valid(&v);
		for (mask = 0; mask < 128; mask++)
			for (braces = 0; braces < 2; braces++)
				for (casing = 0; casing < 3; casing++)
				{
					size_t		len = ref_text(&v, mask, braces, casing, text);

					count++;
					if (parse_n(text, len, &out) != SID_OK ||
						memcmp(out.data, v.data, SID_LEN) != 0)
					{
						if (bad++ == 0)
							diag("refused: %s", text);
					}
				}
	}
	ok(bad == 0, "sid_parse accepts all 128 hyphen placements x braces x 3 casings (%d texts)", count);
}

static void
test_parse_failures(void)
{
	SidValue	v,
				out;
	char		canon[48],
				t[128];
	size_t		len;
	int			i;

	random_valid(&v);
	len = ref_text(&v, HYPHENS_CANONICAL, false, CASE_LOWER, canon);

	/* Syntax. */
	{
		struct
		{
			const char *fmt;	/* %s is the canonical text */
			const char *what;
		}			syn[] = {
			{"", "empty"},
			{"{", "a lone brace"},
			{"{}", "empty braces"},
			{" %s", "a leading space"},
			{"%s ", "a trailing space"},
			{"%s\n", "a trailing newline"},
			{"{%s", "an opening brace only"},
			{"%s}", "a closing brace only"},
			{"[%s]", "square brackets"},
			{"(%s)", "parentheses"},
			{"{{%s}}", "double braces"},
			{"-%s", "a leading hyphen"},
			{"%s-", "a trailing hyphen"},
			{"urn:uuid:%s", "a urn:uuid: prefix"},
			{"0x%s", "a 0x prefix"},
			{"%s0", "33 digits"},
			{"%s%s", "two numbers"},
		};

		for (i = 0; i < (int) lengthof(syn); i++)
		{
			snprintf(t, sizeof(t), syn[i].fmt, canon, canon);
			ok(parse_s(t, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: %s", syn[i].what);
		}
	}
	{
		char		s[48];
		SidParseResult r;

		/* 31 digits */
		strcpy(s, canon);
		s[35] = '\0';
		ok(parse_s(s, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: 31 digits");
		/* a hyphen after 2 (odd group) or 6 digits */
		len = ref_text(&v, 0, false, CASE_LOWER, s);
		memmove(s + 3, s + 2, len - 1);
		s[2] = '-';
		ok(parse_n(s, len + 1, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: a hyphen after 2 digits");
		len = ref_text(&v, 0, false, CASE_LOWER, s);
		memmove(s + 7, s + 6, len - 5);
		s[6] = '-';
		ok(parse_n(s, len + 1, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: a hyphen after 6 digits");
		/* two hyphens in a row */
		len = ref_text(&v, HYPHENS_CANONICAL, false, CASE_LOWER, s);
		memmove(s + 9, s + 8, len - 7);
		s[8] = '-';
		ok(parse_n(s, len + 1, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: two hyphens in a row");
		/* hyphen before the closing brace */
		len = ref_text(&v, HYPHENS_CANONICAL, true, CASE_LOWER, s);
		s[len - 1] = '-';
		s[len] = '}';
		ok(parse_n(s, len + 1, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: a hyphen before the closing brace");
		/* a non-hex letter, an embedded NUL, a full-width digit */
		strcpy(s, canon);
		s[0] = 'g';
		ok(parse_s(s, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: the letter g");
		strcpy(s, canon);
		s[35] = 'G';
		ok(parse_s(s, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: the letter G last");
		strcpy(s, canon);
		s[36] = '\0';
		ok(parse_n(s, 37, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: a NUL byte inside the given length");
		snprintf(t, sizeof(t), "\xef\xbc\x90%s", canon + 1);	/* U+FF10 */
		ok(parse_s(t, &out) == SID_BAD_SYNTAX, "SID_BAD_SYNTAX: a full-width digit");

		/* Every prefix of an exactly-sized buffer: no read past len. */
		{
			char	   *b = dup_exact(canon, SID_TEXT_LEN);
			int			bad = 0;

			for (i = 0; i < SID_TEXT_LEN; i++)
				if (sid_parse(b, (size_t) i, &out) != SID_BAD_SYNTAX)
					bad++;
			r = sid_parse(b, SID_TEXT_LEN, &out);
			ok(bad == 0 && r == SID_OK,
			   "without a NUL: each of the 36 proper prefixes is SID_BAD_SYNTAX, the whole is SID_OK");
			free(b);
		}
	}

	/*
	 * Every byte value at every position of the canonical text, for 100
	 * numbers: a hyphen replaced by anything else, or a digit by anything
	 * but a hex digit, is a syntax error; a digit by the same digit in the
	 * other case is fine; by another hex digit, never SID_OK.
	 */
	{
		int			n,
					pos,
					c,
					count = 0,
					bad = 0;

		for (n = 0; n < 100; n++)
		{
			SidValue	w;
			char		s[48];

			random_valid(&w);
			ref_text(&w, HYPHENS_CANONICAL, false, CASE_LOWER, s);
			for (pos = 0; pos < SID_TEXT_LEN; pos++)
				for (c = 0; c < 256; c++)
				{
					char		orig = s[pos];
					bool		hyphen_pos = (orig == '-');
					SidParseResult r;
					int			want;	/* a result, or -1: neither OK nor syntax */
					bool		wrong;

					if ((char) c == orig)
						continue;
					s[pos] = (char) c;
					r = parse_n(s, SID_TEXT_LEN, &out);
					count++;
					if (hyphen_pos || hexnib((char) c) < 0)
						want = SID_BAD_SYNTAX;
					else if (hexnib((char) c) == hexnib(orig))
						want = SID_OK;
					else
						want = -1;
					if (want == -1)
						wrong = (r == SID_OK || r == SID_BAD_SYNTAX);
					else
						wrong = ((int) r != want);
					if (wrong)
					{
						if (bad++ == 0)
							diag("byte 0x%02x at %d of %s: %s", c, pos, s, result_name(r));
					}
					s[pos] = orig;
				}
		}
		ok(bad == 0, "every byte at every position of the canonical text (%d texts): syntax, case or rejection as expected", count);
	}

	/* Version and variant, with a correct check value otherwise. */
	{
		int			nib,
					bad = 0;

		for (nib = 0; nib < 16; nib++)
		{
			SidValue	w = v;
			char		s[48];
			SidParseResult r;

			w.data[6] = (unsigned char) ((nib << 4) | (w.data[6] & 0x0f));
			ref_fix_crc(&w);
			ref_text(&w, HYPHENS_CANONICAL, false, CASE_LOWER, s);
			r = parse_s(s, &out);
			if (nib == 8 ? r != SID_OK : r != SID_BAD_VERSION)
			{
				bad++;
				diag("version nibble %x: %s", nib, result_name(r));
			}
		}
		ok(bad == 0, "version nibble: 8 is SID_OK, the 15 others SID_BAD_VERSION (check value correct)");
		bad = 0;
		for (nib = 0; nib < 16; nib++)
		{
			SidValue	w = v;
			char		s[48];
			SidParseResult r;
			bool		rfc = nib >= 8 && nib <= 11;

			w.data[8] = (unsigned char) ((nib << 4) | (w.data[8] & 0x0f));
			ref_fix_crc(&w);
			ref_text(&w, HYPHENS_CANONICAL, false, CASE_LOWER, s);
			r = parse_s(s, &out);
			if (rfc ? r != SID_OK : r != SID_BAD_VERSION)
			{
				bad++;
				diag("variant nibble %x: %s", nib, result_name(r));
			}
		}
		ok(bad == 0, "variant nibble: 8, 9, a, b are SID_OK, the 12 others SID_BAD_VERSION");
	}
	ok(parse_s("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", &out) == SID_BAD_VERSION,
	   "SID_BAD_VERSION: a version-4 UUID");
	ok(parse_s("00000000-0000-0000-0000-000000000000", &out) == SID_BAD_VERSION,
	   "SID_BAD_VERSION: the nil UUID");
	ok(parse_s("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", &out) == SID_BAD_VERSION,
	   "SID_BAD_VERSION: the max UUID");
	{
		SidValue	w = v;
		char		s[48];

		w.data[6] = 0x40 | (w.data[6] & 0x0f);	/* wrong version, stale check */
		ref_text(&w, HYPHENS_CANONICAL, false, CASE_LOWER, s);
		ok(parse_s(s, &out) == SID_BAD_VERSION,
		   "version is checked before the check value");
	}

	/* Check value. */
	{
		int			b,
					bad = 0;

		for (b = 12; b < 16; b++)
		{
			SidValue	w = v;
			char		s[48];

			w.data[b] ^= 0x01;
			ref_text(&w, HYPHENS_CANONICAL, false, CASE_LOWER, s);
			if (parse_s(s, &out) != SID_BAD_CHECK)
				bad++;
		}
		ok(bad == 0, "SID_BAD_CHECK: one bit of any check byte flipped");
	}
	{
		SidValue	w = v;
		char		s[48];
		unsigned char tmp;

		/* the check stored most significant byte first */
		while (w.data[12] == w.data[15] && w.data[13] == w.data[14])
			random_valid(&w);
		tmp = w.data[12];
		w.data[12] = w.data[15];
		w.data[15] = tmp;
		tmp = w.data[13];
		w.data[13] = w.data[14];
		w.data[14] = tmp;
		ref_text(&w, HYPHENS_CANONICAL, false, CASE_LOWER, s);
		ok(parse_s(s, &out) == SID_BAD_CHECK,
		   "SID_BAD_CHECK: the check value stored big-endian");
	}
	{
		SidValue	w = v;
		char		s[48];

		w.data[0] ^= 0x10;
		ref_text(&w, HYPHENS_CANONICAL, false, CASE_LOWER, s);
		ok(parse_s(s, &out) == SID_BAD_CHECK, "SID_BAD_CHECK: the first digit mistyped");
	}

	/* sid_validate on bytes. */
	{
		SidValue	w = v;

		ok(sid_validate(&w) == SID_OK, "sid_validate: a valid value");
		w.data[6] = 0x70 | (w.data[6] & 0x0f);
		ref_fix_crc(&w);
		ok(sid_validate(&w) == SID_BAD_VERSION, "sid_validate: version 7 is SID_BAD_VERSION");
		w = v;
		w.data[8] = 0xc0 | (w.data[8] & 0x3f);
		ref_fix_crc(&w);
		ok(sid_validate(&w) == SID_BAD_VERSION, "sid_validate: variant 11 (reserved) is SID_BAD_VERSION");
		w = v;
		w.data[8] = 0x00 | (w.data[8] & 0x3f);
		ref_fix_crc(&w);
		ok(sid_validate(&w) == SID_BAD_VERSION, "sid_validate: variant 0 (NCS) is SID_BAD_VERSION");
		w = v;
		w.data[3] ^= 0x80;
		ok(sid_validate(&w) == SID_BAD_CHECK, "sid_validate: one data bit flipped is SID_BAD_CHECK");
	}
}

/*
 * The SPEC promise, tried on text: every single hex-digit typo and every
 * swap of two adjacent different digits, on 10 000 random numbers.
 */
static void
test_typos(void)
{
	int			n = 10000,
				i,
				d,
				nv;
	long		subs = 0,
				subs_bad = 0,
				subs_version = 0,
				subs_check = 0,
				swaps = 0,
				swaps_bad = 0,
				swaps_version = 0,
				swaps_check = 0;

	for (i = 0; i < n; i++)
	{
		SidValue	v,
					out;
		char		s[48];
		char	   *b;

		random_valid(&v);
		ref_text(&v, HYPHENS_CANONICAL, false, CASE_LOWER, s);
		b = dup_exact(s, SID_TEXT_LEN);

		for (d = 0; d < 32; d++)
		{
			int			pos = canon_pos(d);
			char		orig = b[pos];

			for (nv = 0; nv < 16; nv++)
			{
				SidParseResult r,
							want;

				if (nv == hexnib(orig))
					continue;
				b[pos] = "0123456789abcdef"[nv];
				r = sid_parse(b, SID_TEXT_LEN, &out);
				subs++;
				if (d == 12 || (d == 16 && (nv < 8 || nv > 11)))
					want = SID_BAD_VERSION;
				else
					want = SID_BAD_CHECK;
				if (r == SID_BAD_VERSION)
					subs_version++;
				if (r == SID_BAD_CHECK)
					subs_check++;
				if (r != want)
				{
					if (subs_bad++ == 0)
						diag("substitution %.36s: %s, expected %s", b, result_name(r), result_name(want));
				}
			}
			b[pos] = orig;
		}
		for (d = 0; d < 31; d++)
		{
			int			p1 = canon_pos(d),
						p2 = canon_pos(d + 1);
			char		c1 = b[p1],
						c2 = b[p2];
			SidParseResult r,
						want;
			int			new12,
						new16;

			if (c1 == c2)
				continue;
			b[p1] = c2;
			b[p2] = c1;
			r = sid_parse(b, SID_TEXT_LEN, &out);
			swaps++;
			new12 = hexnib(b[canon_pos(12)]);
			new16 = hexnib(b[canon_pos(16)]);
			if (new12 != 8 || new16 < 8 || new16 > 11)
				want = SID_BAD_VERSION;
			else
				want = SID_BAD_CHECK;
			if (r == SID_BAD_VERSION)
				swaps_version++;
			if (r == SID_BAD_CHECK)
				swaps_check++;
			if (r != want)
			{
				if (swaps_bad++ == 0)
					diag("swap %.36s: %s, expected %s", b, result_name(r), result_name(want));
			}
			b[p1] = c1;
			b[p2] = c2;
		}
		free(b);
	}
	ok(subs_bad == 0 && subs == (long) n * 32 * 15,
	   "%d random numbers: all %ld single-digit substitutions rejected (%ld SID_BAD_VERSION, %ld SID_BAD_CHECK)",
	   n, subs, subs_version, subs_check);
	ok(swaps_bad == 0 && swaps > 0,
	   "%d random numbers: all %ld swaps of adjacent different digits rejected (%ld SID_BAD_VERSION, %ld SID_BAD_CHECK)",
	   n, swaps, swaps_version, swaps_check);
}

static void
test_parse_detail(void)
{
	const char *d[4];
	int			i,
				j;
	bool		distinct = true,
				sentences = true;

	d[0] = sid_parse_detail(SID_OK);
	d[1] = sid_parse_detail(SID_BAD_SYNTAX);
	d[2] = sid_parse_detail(SID_BAD_VERSION);
	d[3] = sid_parse_detail(SID_BAD_CHECK);
	for (i = 0; i < 4; i++)
	{
		size_t		len = d[i] ? strlen(d[i]) : 0;

		if (len < 2 || d[i][0] < 'A' || d[i][0] > 'Z' || d[i][len - 1] != '.')
			sentences = false;
		for (j = 0; j < i; j++)
			if (d[i] && d[j] && strcmp(d[i], d[j]) == 0)
				distinct = false;
	}
	ok(sentences, "sid_parse_detail gives full sentences (capital, full stop)");
	ok(distinct, "sid_parse_detail differs for each result");
	ok(d[1] && strstr(d[1], "32 hexadecimal digits") != NULL,
	   "sid_parse_detail(SID_BAD_SYNTAX) names the 32 hexadecimal digits");
	ok(d[2] && strstr(d[2], "version 8") != NULL && strstr(d[2], "variant") != NULL,
	   "sid_parse_detail(SID_BAD_VERSION) names version 8 and the variant");
	ok(d[3] && strstr(d[3], "check value") != NULL,
	   "sid_parse_detail(SID_BAD_CHECK) names the check value");
}

/* ======================================================== identifiers */

/* n copies of the UTF-8 sequence u, prefixed by pre; returns the length. */
static char *
repeat(const char *pre, const char *u, int n, size_t *len)
{
	size_t		lp = strlen(pre),
				lu = strlen(u);
	char	   *s = malloc(lp + lu * (size_t) n + 1);
	int			i;

	memcpy(s, pre, lp);
	for (i = 0; i < n; i++)
		memcpy(s + lp + lu * (size_t) i, u, lu);
	*len = lp + lu * (size_t) n;
	s[*len] = '\0';
	return s;
}

/* Truncated UTF-8 at the very end of exactly-sized buffers. */
static bool
ragged_utf8(void)
{
	static const char *const tails[] = {"\xc3", "\xe4\xb8", "\xf0\x9f\x98", "\xf0", "\xe3\x80", "\xf7\xbf\xbf"};
	int			i;

	for (i = 0; i < (int) lengthof(tails); i++)
	{
		char		buf[16];
		size_t		n;

		snprintf(buf, sizeof(buf), "ab%s", tails[i]);
		for (n = 0; n <= strlen(buf); n++)
			(void) ident_n(buf, n);
	}
	return true;
}

static void
test_ident(void)
{
	size_t		len;
	char	   *s;
	int			i;

	ok(!ident_n("", 0), "sid_valid_ident refuses the empty string");
	ok(ident_s("a"), "sid_valid_ident accepts one character");
	ok(ident_s("acc-123_X.y@example.com"), "sid_valid_ident accepts ASCII punctuation");
	ok(ident_s("i-bp1234567890abcdef"), "sid_valid_ident accepts an instance id");
	ok(ident_s("\xe7\x94\xa8\xe6\x88\xb7\xe4\xb8\x80"), "sid_valid_ident accepts CJK (3-byte UTF-8)");
	ok(ident_s("Zo\xc3\xab"), "sid_valid_ident accepts Latin-1 letters (2-byte UTF-8)");
	ok(ident_s("shop\xf0\x9f\x9b\x92"), "sid_valid_ident accepts an emoji (4-byte UTF-8)");

	/* Lengths, counted in characters. */
	{
		struct
		{
			const char *u;
			const char *what;
		}			chars[] = {
			{"a", "ASCII"},
			{"\xc3\xa9", "2-byte"},
			{"\xe4\xb8\xad", "3-byte"},
			{"\xf0\x9f\x98\x80", "4-byte"},
		};

		for (i = 0; i < (int) lengthof(chars); i++)
		{
			bool		a255,
						a256;

			s = repeat("", chars[i].u, 255, &len);
			a255 = ident_n(s, len);
			free(s);
			s = repeat("", chars[i].u, 256, &len);
			a256 = ident_n(s, len);
			free(s);
			ok(a255 && !a256, "sid_valid_ident: 255 %s characters accepted, 256 refused", chars[i].what);
		}
		s = repeat("\xe2\x82\xac", "b", 254, &len);	/* euro sign + 254 */
		ok(ident_n(s, len), "sid_valid_ident: 1 three-byte + 254 ASCII = 255 characters accepted");
		free(s);
		s = repeat("\xe2\x82\xac", "b", 255, &len);
		ok(!ident_n(s, len), "sid_valid_ident: 1 three-byte + 255 ASCII = 256 characters refused");
		free(s);
	}

	/* White space, at the start, in the middle, at the end. */
	{
		static const char *const ws[] = {
			" ", "\t", "\n", "\v", "\f", "\r",
			"\xc2\x85",			/* U+0085 NEL */
			"\xc2\xa0",			/* U+00A0 no-break space */
			"\xe1\x9a\x80",		/* U+1680 ogham space mark */
			"\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83",
			"\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
			"\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a",	/* U+2000..U+200A */
			"\xe2\x80\xa8",		/* U+2028 line separator */
			"\xe2\x80\xa9",		/* U+2029 paragraph separator */
			"\xe2\x80\xaf",		/* U+202F narrow no-break space */
			"\xe2\x81\x9f",		/* U+205F medium mathematical space */
			"\xe3\x80\x80",		/* U+3000 ideographic space */
		};
		int			bad = 0;

		for (i = 0; i < (int) lengthof(ws); i++)
		{
			char		buf[32];

			snprintf(buf, sizeof(buf), "%sab", ws[i]);
			if (ident_s(buf))
				bad++;
			snprintf(buf, sizeof(buf), "a%sb", ws[i]);
			if (ident_s(buf))
				bad++;
			snprintf(buf, sizeof(buf), "ab%s", ws[i]);
			if (ident_s(buf))
				bad++;
			if (ident_s(ws[i]))
				bad++;
		}
		ok(bad == 0, "sid_valid_ident refuses all %d Unicode White_Space characters, anywhere",
		   (int) lengthof(ws));
		ok(!ident_s("shop\xe3\x80\x80one"), "sid_valid_ident refuses U+3000 (ideographic space)");
		ok(!ident_s("acct\xc2\xa0" "1"), "sid_valid_ident refuses U+00A0 (no-break space)");
	}

	/* Control characters: C0, DEL, C1 (as UTF-8), and a NUL inside the length. */
	{
		int			bad = 0;
		char		buf[8];

		for (i = 0; i < 0x20; i++)
		{
			buf[0] = 'a';
			buf[1] = (char) i;
			buf[2] = 'b';
			if (ident_n(buf, 3))
				bad++;
		}
		buf[1] = 0x7f;
		if (ident_n(buf, 3))
			bad++;
		for (i = 0x80; i < 0xa0; i++)
		{
			buf[0] = 'a';
			buf[1] = (char) 0xc2;
			buf[2] = (char) i;
			buf[3] = 'b';
			if (ident_n(buf, 4))
				bad++;
		}
		ok(bad == 0, "sid_valid_ident refuses the 65 control characters (C0 incl. NUL, DEL, C1)");
	}
	ok(!ident_n("ab\x80", 3), "sid_valid_ident refuses a lone continuation byte 0x80");
	ok(ident_s("a\xc2\xa1" "b") && ident_s("a\xe2\x80\x90" "b") && ident_s("a\xe3\x80\x81" "b"),
	   "sid_valid_ident accepts the neighbours of refused ranges: U+00A1, U+2010, U+3001");

	ok_isolated(ragged_utf8, "sid_valid_ident reads no byte past a truncated UTF-8 sequence (ASan, exact buffers)");
}

/* ========================================================== websites */

static void
test_website(void)
{
	struct
	{
		const char *in;
		const char *want;		/* NULL: refused */
		const char *what;
	}			cases[] = {
		{"example.com", "example.com", "a plain name"},
		{"Example.COM", "example.com", "lower-cased"},
		{"WWW.EXAMPLE.CN", "www.example.cn", "all upper case"},
		{"a.b", "a.b", "two one-letter labels"},
		{"123.com", "123.com", "a numeric label"},
		{"my-shop.example.com.cn", "my-shop.example.com.cn", "an inner hyphen"},
		{"a--b.com", "a--b.com", "two inner hyphens"},
		{"xn--fiqs8s.xn--55qx5d", "xn--fiqs8s.xn--55qx5d", "xn-- labels"},
		{"XN--FIQS8S.CN", "xn--fiqs8s.cn", "an upper-case xn-- label"},
		{"", NULL, "empty"},
		{"localhost", NULL, "one label"},
		{"com", NULL, "a bare TLD"},
		{".", NULL, "a dot"},
		{"example.com.", NULL, "a trailing dot"},
		{".example.com", NULL, "a leading dot"},
		{"example..com", NULL, "an empty label"},
		{"-example.com", NULL, "a label starting with a hyphen"},
		{"example-.com", NULL, "a label ending with a hyphen"},
		{"example.-com", NULL, "the last label starting with a hyphen"},
		{"example.com-", NULL, "the last label ending with a hyphen"},
		{"-.com", NULL, "a label that is one hyphen"},
		{"http://example.com", NULL, "a scheme"},
		{"//example.com", NULL, "a scheme-relative URL"},
		{"example.com:8080", NULL, "a port"},
		{"example.com/", NULL, "a trailing slash"},
		{"example.com/path", NULL, "a path"},
		{"example.com?q=1", NULL, "a query"},
		{"user@example.com", NULL, "a user part"},
		{"_dmarc.example.com", NULL, "an underscore"},
		{"my_shop.com", NULL, "an inner underscore"},
		{"*.example.com", NULL, "a wildcard"},
		{" example.com", NULL, "a leading space"},
		{"example.com ", NULL, "a trailing space"},
		{"exa mple.com", NULL, "an inner space"},
		{"example.com\n", NULL, "a trailing newline"},
		{"\xe4\xbe\x8b\xe5\xad\x90.cn", NULL, "a Unicode label (not in xn-- form)"},
		{"b\xc3\xbc" "cher.de", NULL, "a Latin-1 letter in UTF-8"},
		{"[::1].com", NULL, "brackets"},
	};
	int			i;

	for (i = 0; i < (int) lengthof(cases); i++)
	{
		char	   *out = website_n(cases[i].in, strlen(cases[i].in));

		if (cases[i].want)
			ok(out != NULL && strcmp(out, cases[i].want) == 0,
			   "sid_normalize_website accepts %s: %s -> %s", cases[i].what,
			   cases[i].in, out ? out : "(refused)");
		else
			ok(out == NULL, "sid_normalize_website refuses %s", cases[i].what);
		free(out);
	}
	{
		char	   *out = website_n("example.com\0evil.com", 20);

		ok(out == NULL, "sid_normalize_website refuses a NUL inside the length");
		free(out);
	}

	/* Label and name lengths. */
	{
		char		buf[600];
		char	   *out;
		size_t		len;

		memset(buf, 'a', 63);
		strcpy(buf + 63, ".com");
		out = website_n(buf, strlen(buf));
		ok(out != NULL && strcmp(out, buf) == 0, "sid_normalize_website accepts a 63-character label");
		free(out);
		memset(buf, 'a', 64);
		strcpy(buf + 64, ".com");
		out = website_n(buf, strlen(buf));
		ok(out == NULL, "sid_normalize_website refuses a 64-character label");
		free(out);
		strcpy(buf, "www.");
		memset(buf + 4, 'b', 64);
		strcpy(buf + 68, ".com");
		out = website_n(buf, strlen(buf));
		ok(out == NULL, "sid_normalize_website refuses a 64-character middle label");
		free(out);
		strcpy(buf, "example.");
		memset(buf + 8, 'C', 64);
		buf[72] = '\0';
		out = website_n(buf, strlen(buf));
		ok(out == NULL, "sid_normalize_website refuses a 64-character last label");
		free(out);

		/* 63.63.63.61 = 253 characters, in upper case */
		len = 0;
		for (i = 0; i < 4; i++)
		{
			int			l = (i < 3) ? 63 : 61;

			memset(buf + len, 'A' + i, (size_t) l);
			len += (size_t) l;
			if (i < 3)
				buf[len++] = '.';
		}
		buf[len] = '\0';
		out = website_n(buf, len);
		ok(len == 253 && out != NULL && strlen(out) == 253 && out[0] == 'a' && out[252] == 'd',
		   "sid_normalize_website accepts 253 characters (labels 63.63.63.61), lower-cased");
		free(out);
		buf[len] = 'd';
		out = website_n(buf, len + 1);
		ok(out == NULL, "sid_normalize_website refuses 254 characters (labels 63.63.63.62)");
		free(out);

		/* 127 one-letter labels: 253 characters */
		len = 0;
		for (i = 0; i < 127; i++)
		{
			if (i > 0)
				buf[len++] = '.';
			buf[len++] = 'x';
		}
		out = website_n(buf, len);
		ok(len == 253 && out != NULL && strlen(out) == 253,
		   "sid_normalize_website accepts 127 one-letter labels (253 characters)");
		free(out);
		buf[len++] = '.';
		buf[len++] = 'x';
		out = website_n(buf, len);
		ok(out == NULL, "sid_normalize_website refuses 128 one-letter labels (255 characters)");
		free(out);
		memset(buf, 'a', 599);
		buf[300] = '.';
		out = website_n(buf, 599);
		ok(out == NULL, "sid_normalize_website refuses 599 characters");
		free(out);
	}

	/* Every byte value inside a label. */
	{
		int			c,
					bad = 0;

		for (c = 0; c < 256; c++)
		{
			char		in[8] = {'a', (char) c, 'b', '.', 'c', 'n'};
			char	   *out = website_n(in, 6);
			bool		want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '-' || c == '.';

			if (want != (out != NULL))
			{
				bad++;
				diag("byte 0x%02x: %s", c, out ? "accepted" : "refused");
			}
			else if (out)
			{
				char		exp[8];
				int			k;

				for (k = 0; k < 6; k++)
					exp[k] = (in[k] >= 'A' && in[k] <= 'Z') ? in[k] - 'A' + 'a' : in[k];
				exp[6] = '\0';
				if (strcmp(out, exp) != 0)
					bad++;
			}
			free(out);
		}
		ok(bad == 0, "sid_normalize_website: of the 256 byte values only letters, digits, '-' and '.' pass inside a label, lower-cased");
	}

	/* Normalizing is idempotent. */
	{
		char	   *once = website_n("Sub-1.EXAMPLE.xn--FIQS8S", 24);
		char	   *twice = once ? website_n(once, strlen(once)) : NULL;

		ok(once && twice && strcmp(once, twice) == 0, "sid_normalize_website is idempotent");
		free(once);
		free(twice);
	}
}

/* ======================================================== eligibility */

static const char *const spec_codes[] = {
	"product_not_supported", "trial", "not_subscription",
	"subscription_too_short", "remaining_too_short", "expired", "released",
	"not_running", "no_public_ip", "region_not_mainland", "not_owner",
	"allowance_used_up"
};

#define B(r) SID_BIT(SID_R_##r)

/* An ECS instance as seeded, that may have a number. */
static SidFacts
eligible_facts(void)
{
	SidFacts	f;

	memset(&f, 0, sizeof(f));
	f.allowance = 5;
	f.requires_subscription = true;
	f.min_total_months = 3;
	f.min_remaining_days = 0;
	f.requires_public_ip = true;
	f.trial = false;
	f.subscription = true;
	f.subscribed_months = 3;
	f.has_expiry = true;
	f.expires_at = NOW_T + 365 * USECS_PER_DAY_T;
	f.status = SID_STATUS_RUNNING;
	f.has_public_ip = true;
	f.mainland = true;
	f.account_given = true;
	f.is_owner = true;
	f.consumed = 0;
	f.now = NOW_T;
	return f;
}

static void
codes_of(uint32 set, char *buf, size_t size)
{
	int			r;

	buf[0] = '\0';
	for (r = 0; r < SID_R_COUNT; r++)
		if (set & SID_BIT(r))
		{
			if (buf[0])
				strlcat(buf, ",", size);
			strlcat(buf, sid_reason_code((SidReason) r), size);
		}
	if (!buf[0])
		strlcpy(buf, "(none)", size);
}

static void
expect_reasons(const SidFacts *f, uint32 want, const char *what)
{
	uint32		got = sid_eligibility(f);
	char		g[400],
				w[400];

	codes_of(got, g, sizeof(g));
	codes_of(want, w, sizeof(w));
	if (!ok(got == want, "sid_eligibility: %s -> %s", what, w))
		diag("got %s", g);
}

/*
 * SPEC section 4, written out on its own.  Wide arithmetic, so that no
 * product setting can make it overflow.
 */
static uint32
spec_model(const SidFacts *f)
{
	uint32		r = 0;
	bool		supported = f->allowance > 0;
	bool		expired = f->status == SID_STATUS_EXPIRED ||
		(f->has_expiry && f->expires_at <= f->now);
	bool		length_rules = f->requires_subscription && f->subscription;

	if (!supported)
		r |= B(PRODUCT_NOT_SUPPORTED);
	if (f->trial)
		r |= B(TRIAL);
	if (f->requires_subscription && !f->subscription)
		r |= B(NOT_SUBSCRIPTION);
	if (length_rules && f->subscribed_months < f->min_total_months)
		r |= B(SUBSCRIPTION_TOO_SHORT);
	if (length_rules && !expired && f->has_expiry &&
		(__int128) f->expires_at - (__int128) f->now <
		(__int128) f->min_remaining_days * (__int128) USECS_PER_DAY_T)
		r |= B(REMAINING_TOO_SHORT);
	if (expired)
		r |= B(EXPIRED);
	if (f->status == SID_STATUS_RELEASED)
		r |= B(RELEASED);
	if (f->status == SID_STATUS_PENDING || f->status == SID_STATUS_STOPPED ||
		f->status == SID_STATUS_UNKNOWN)
		r |= B(NOT_RUNNING);
	if (f->requires_public_ip && !f->has_public_ip)
		r |= B(NO_PUBLIC_IP);
	if (!f->mainland)
		r |= B(REGION_NOT_MAINLAND);
	if (f->account_given && !f->is_owner)
		r |= B(NOT_OWNER);
	if (supported && (int64) f->allowance - (int64) f->consumed <= 0)
		r |= B(ALLOWANCE_USED_UP);
	return r;
}

static void
test_eligibility_rules(void)
{
	SidFacts	f;

	f = eligible_facts();
	expect_reasons(&f, 0, "a subscribed, running, public, mainland ECS instance of its owner");
	f.account_given = false;
	f.is_owner = false;
	expect_reasons(&f, 0, "no account given (the view's case)");

	f = eligible_facts();
	f.allowance = 0;
	expect_reasons(&f, B(PRODUCT_NOT_SUPPORTED), "allowance 0");
	f.consumed = 3;
	expect_reasons(&f, B(PRODUCT_NOT_SUPPORTED), "allowance 0 with consumed 3: no allowance_used_up");

	f = eligible_facts();
	f.trial = true;
	expect_reasons(&f, B(TRIAL), "a trial");

	f = eligible_facts();
	f.subscription = false;
	f.subscribed_months = 0;
	f.min_remaining_days = 30;
	f.expires_at = NOW_T + USECS_PER_DAY_T;
	expect_reasons(&f, B(NOT_SUBSCRIPTION),
				   "pay_as_you_go, 0 months, 1 day left of 30 required: not_subscription alone");
	f.has_expiry = false;
	expect_reasons(&f, B(NOT_SUBSCRIPTION), "pay_as_you_go without expiry");

	f = eligible_facts();
	f.requires_subscription = false;
	f.subscription = false;
	f.min_total_months = 0;
	expect_reasons(&f, 0, "pay_as_you_go where the product does not require a subscription");

	f = eligible_facts();
	f.subscribed_months = 2;
	expect_reasons(&f, B(SUBSCRIPTION_TOO_SHORT), "2 months of 3");
	f.subscribed_months = 3;
	expect_reasons(&f, 0, "exactly 3 months of 3");
	f.subscribed_months = 3;
	f.expires_at = NOW_T + USECS_PER_DAY_T;
	expect_reasons(&f, 0, "3 months, 1 day left (total length counts, not what is left)");

	f = eligible_facts();
	f.min_remaining_days = 30;
	f.expires_at = NOW_T + 29 * USECS_PER_DAY_T;
	expect_reasons(&f, B(REMAINING_TOO_SHORT), "29 days left of 30 required");
	f.expires_at = NOW_T + 30 * USECS_PER_DAY_T - 1;
	expect_reasons(&f, B(REMAINING_TOO_SHORT), "30 days less 1 microsecond left of 30");
	f.expires_at = NOW_T + 30 * USECS_PER_DAY_T;
	expect_reasons(&f, 0, "exactly 30 days left of 30");
	f.has_expiry = false;
	expect_reasons(&f, 0, "no expiry with 30 days required");
	f.has_expiry = true;
	f.expires_at = TS_NOEND;
	expect_reasons(&f, 0, "expiry 'infinity' with 30 days required");

	f = eligible_facts();
	f.expires_at = NOW_T - 1;
	expect_reasons(&f, B(EXPIRED), "expires_at 1 microsecond ago");
	f.expires_at = TS_NOBEGIN;
	expect_reasons(&f, B(EXPIRED), "expires_at '-infinity'");
	f.expires_at = NOW_T - 1;
	f.min_remaining_days = 30;
	expect_reasons(&f, B(EXPIRED), "expired with 30 days required: no remaining_too_short beside expired");
	f = eligible_facts();
	f.status = SID_STATUS_EXPIRED;
	f.min_remaining_days = 30;
	f.expires_at = NOW_T + USECS_PER_DAY_T;
	expect_reasons(&f, B(EXPIRED), "status expired, 1 day left of 30: expired alone");
	f.expires_at = NOW_T + 1;
	expect_reasons(&f, B(EXPIRED), "status expired while expires_at is still ahead");

	f = eligible_facts();
	f.status = SID_STATUS_RELEASED;
	expect_reasons(&f, B(RELEASED), "status released");
	f.status = SID_STATUS_PENDING;
	expect_reasons(&f, B(NOT_RUNNING), "status pending");
	f.status = SID_STATUS_STOPPED;
	expect_reasons(&f, B(NOT_RUNNING), "status stopped");
	f.status = SID_STATUS_UNKNOWN;
	ok(sid_eligibility(&f) != 0, "sid_eligibility: an unknown status is never eligible");

	f = eligible_facts();
	f.has_public_ip = false;
	expect_reasons(&f, B(NO_PUBLIC_IP), "no public IP");
	f.requires_public_ip = false;
	expect_reasons(&f, 0, "no public IP where the product does not need one");

	f = eligible_facts();
	f.mainland = false;
	expect_reasons(&f, B(REGION_NOT_MAINLAND), "not mainland");

	f = eligible_facts();
	f.is_owner = false;
	expect_reasons(&f, B(NOT_OWNER), "another account given");

	f = eligible_facts();
	f.consumed = 4;
	expect_reasons(&f, 0, "4 of 5 consumed");
	f.consumed = 5;
	expect_reasons(&f, B(ALLOWANCE_USED_UP), "5 of 5 consumed");
	f.consumed = 9;
	expect_reasons(&f, B(ALLOWANCE_USED_UP), "9 of 5 consumed (allowance lowered later)");

	/* As many as can hold at once. */
	f = eligible_facts();
	f.trial = true;
	f.subscribed_months = 1;
	f.min_remaining_days = 30;
	f.expires_at = NOW_T + USECS_PER_DAY_T;
	f.status = SID_STATUS_STOPPED;
	f.has_public_ip = false;
	f.mainland = false;
	f.is_owner = false;
	f.consumed = 5;
	expect_reasons(&f, B(TRIAL) | B(SUBSCRIPTION_TOO_SHORT) | B(REMAINING_TOO_SHORT) |
				   B(NOT_RUNNING) | B(NO_PUBLIC_IP) | B(REGION_NOT_MAINLAND) |
				   B(NOT_OWNER) | B(ALLOWANCE_USED_UP),
				   "eight reasons at once");
	f = eligible_facts();
	f.allowance = 0;
	f.trial = true;
	f.subscription = false;
	f.status = SID_STATUS_RELEASED;
	f.expires_at = NOW_T - USECS_PER_DAY_T;
	f.has_public_ip = false;
	f.mainland = false;
	f.is_owner = false;
	expect_reasons(&f, B(PRODUCT_NOT_SUPPORTED) | B(TRIAL) | B(NOT_SUBSCRIPTION) |
				   B(EXPIRED) | B(RELEASED) | B(NO_PUBLIC_IP) |
				   B(REGION_NOT_MAINLAND) | B(NOT_OWNER),
				   "a released, expired trial of an unsupported product");
}

/*
 * Every combination of a grid of facts (boundaries included), against the
 * model and against the exceptions of SPEC section 4.
 */
static void
test_eligibility_grid(void)
{
	static const int32 allowances[] = {0, 1, 5};
	static const int32 min_months[] = {0, 3};
	static const int32 min_days[] = {0, 30};
	static const int32 months[] = {0, 2, 3, 12};
	static const int64 expiries[] = {
		-2,						/* none */
		TS_NOBEGIN,
		NOW_T - USECS_PER_DAY_T,
		NOW_T - 1,
		NOW_T + 1,
		NOW_T + 29 * USECS_PER_DAY_T,
		NOW_T + 30 * USECS_PER_DAY_T,
		NOW_T + 31 * USECS_PER_DAY_T,
		TS_NOEND
	};
	static const int32 consumed[] = {0, 1, 4, 5, 6};
	long		combos = 0,
				mismatches = 0,
				payg = 0,
				payg_bad = 0,
				expired = 0,
				expired_bad = 0,
				used_bad = 0,
				owner_bad = 0,
				eligible = 0;
	int			a,
				rs,
				mm,
				md,
				pi,
				tr,
				sub,
				mo,
				ex,
				st,
				hp,
				ml,
				ow,
				co;

	for (a = 0; a < (int) lengthof(allowances); a++)
	for (rs = 0; rs < 2; rs++)
	for (mm = 0; mm < 2; mm++)
	for (md = 0; md < 2; md++)
	{
		/* see the report: length rules where no subscription is required */
		if (!rs && (min_months[mm] != 0 || min_days[md] != 0))
			continue;
		for (pi = 0; pi < 2; pi++)
		for (tr = 0; tr < 2; tr++)
		for (sub = 0; sub < 2; sub++)
		for (mo = 0; mo < (int) lengthof(months); mo++)
		for (ex = 0; ex < (int) lengthof(expiries); ex++)
		for (st = 0; st <= SID_STATUS_UNKNOWN; st++)
		for (hp = 0; hp < 2; hp++)
		for (ml = 0; ml < 2; ml++)
		for (ow = 0; ow < 4; ow++)
		for (co = 0; co < (int) lengthof(consumed); co++)
		{
			SidFacts	f;
			uint32		got,
						want;

			memset(&f, 0, sizeof(f));
			f.allowance = allowances[a];
			f.requires_subscription = rs;
			f.min_total_months = min_months[mm];
			f.min_remaining_days = min_days[md];
			f.requires_public_ip = pi;
			f.trial = tr;
			f.subscription = sub;
			f.subscribed_months = months[mo];
			f.has_expiry = expiries[ex] != -2;
			f.expires_at = f.has_expiry ? expiries[ex] : 0;
			f.status = (SidStatus) st;
			f.has_public_ip = hp;
			f.mainland = ml;
			f.account_given = (ow & 1) != 0;
			f.is_owner = (ow & 2) != 0;
			f.consumed = consumed[co];
			f.now = NOW_T;

			got = sid_eligibility(&f);
			want = spec_model(&f);
			combos++;
			if (got != want)
			{
				if (mismatches++ < 3)
				{
					char		g[400],
								w[400];

					codes_of(got, g, sizeof(g));
					codes_of(want, w, sizeof(w));
					diag("allowance %d req_sub %d months %d/%d days %d expiry %lld status %d: got %s, want %s",
						 f.allowance, f.requires_subscription, f.subscribed_months,
						 f.min_total_months, f.min_remaining_days,
						 (long long) f.expires_at, st, g, w);
				}
			}
			if (f.requires_subscription && !f.subscription)
			{
				payg++;
				if (got & (B(SUBSCRIPTION_TOO_SHORT) | B(REMAINING_TOO_SHORT)))
					payg_bad++;
				if (!(got & B(NOT_SUBSCRIPTION)))
					payg_bad++;
			}
			if (got & B(EXPIRED))
			{
				expired++;
				if (got & B(REMAINING_TOO_SHORT))
					expired_bad++;
			}
			if ((got & B(ALLOWANCE_USED_UP)) && f.allowance <= 0)
				used_bad++;
			if ((got & B(NOT_OWNER)) && !f.account_given)
				owner_bad++;
			if (got == 0)
				eligible++;
		}
	}
	ok(mismatches == 0, "sid_eligibility agrees with the SPEC model on all %ld grid combinations (%ld eligible)",
	   combos, eligible);
	ok(payg_bad == 0 && payg > 0,
	   "pay_as_you_go: not_subscription, never a subscription-length reason (%ld combinations)", payg);
	ok(expired_bad == 0 && expired > 0,
	   "remaining_too_short never beside expired (%ld expired combinations)", expired);
	ok(used_bad == 0, "allowance_used_up only where allowance > 0");
	ok(owner_bad == 0, "not_owner only when an account is given");
}

/*
 * Product settings a DBA may legally store (the columns only CHECK >= 0):
 * an absurd min_remaining_days must still refuse an instance expiring
 * tomorrow.  106751992 days is the first value whose microseconds pass
 * INT64_MAX.
 */
static bool
extreme_remaining_days(void)
{
	static const int32 days[] = {1, 106751991, 106751992, 200000000, PG_INT32_MAX};
	int			i;
	bool		good = true;

	for (i = 0; i < (int) lengthof(days); i++)
	{
		SidFacts	f = eligible_facts();
		uint32		got;

		f.min_remaining_days = days[i];
		f.expires_at = NOW_T + 1;
		got = sid_eligibility(&f);
		if (got != B(REMAINING_TOO_SHORT))
		{
			printf("# min_remaining_days %d, 1 microsecond left: reasons %x, expected remaining_too_short only\n",
				   days[i], got);
			good = false;
		}
	}
	return good;
}

static bool
extreme_grid(void)
{
	static const int32 ints[] = {0, 1, 5, PG_INT32_MAX};
	static const int64 expiries[] = {TS_NOBEGIN, NOW_T - 1, NOW_T + 1,
		NOW_T + INT64CONST(365000) * USECS_PER_DAY_T, TS_NOEND};
	int			a,
				mm,
				mo,
				ex,
				co;
	long		bad = 0;

	for (a = 0; a < 4; a++)
	for (mm = 0; mm < 4; mm++)
	for (mo = 0; mo < 4; mo++)
	for (ex = 0; ex < 5; ex++)
	for (co = 0; co < 4; co++)
	{
		SidFacts	f = eligible_facts();

		f.allowance = ints[a];
		f.min_total_months = ints[mm];
		f.subscribed_months = ints[mo];
		f.expires_at = expiries[ex];
		f.consumed = ints[co];
		if (sid_eligibility(&f) != spec_model(&f))
			bad++;
	}
	if (bad)
		printf("# %ld extreme combinations disagree with the model\n", bad);
	return bad == 0;
}

static void
test_eligibility_extremes(void)
{
	ok_isolated(extreme_grid,
				"sid_eligibility agrees with the model at INT32_MAX allowance, months, consumed and +-infinity expiry");
	ok_isolated(extreme_remaining_days,
				"remaining_too_short for min_remaining_days up to INT32_MAX (no overflow) with 1 microsecond left");
}

static void
test_reason_codes(void)
{
	int			i,
				bad = 0;

	ok(SID_R_COUNT == (int) lengthof(spec_codes),
	   "SID_R_COUNT is the %d reasons of SPEC section 4", (int) lengthof(spec_codes));
	for (i = 0; i < SID_R_COUNT && i < (int) lengthof(spec_codes); i++)
		if (strcmp(sid_reason_code((SidReason) i), spec_codes[i]) != 0)
		{
			bad++;
			diag("reason %d is %s, SPEC says %s", i, sid_reason_code((SidReason) i), spec_codes[i]);
		}
	ok(bad == 0, "sid_reason_code in bit order is the SPEC order: product_not_supported .. allowance_used_up");
	ok(strcmp(sid_reason_code(SID_R_COUNT), "unknown") == 0 &&
	   strcmp(sid_reason_code((SidReason) -1), "unknown") == 0 &&
	   strcmp(sid_reason_code((SidReason) 1000), "unknown") == 0,
	   "sid_reason_code out of range is \"unknown\"");
	bad = 0;
	for (i = 0; i < SID_R_COUNT; i++)
	{
		const char *w = sid_reason_words((SidReason) i);
		size_t		len = w ? strlen(w) : 0;
		int			j;

		if (len < 2 || w[0] < 'A' || w[0] > 'Z' || w[len - 1] != '.')
			bad++;
		for (j = 0; j < i; j++)
			if (strcmp(w, sid_reason_words((SidReason) j)) == 0)
				bad++;
	}
	ok(bad == 0, "sid_reason_words: %d distinct full sentences", SID_R_COUNT);
	ok(strcmp(sid_reason_words(SID_R_COUNT), sid_reason_words(SID_R_TRIAL)) != 0 &&
	   sid_reason_words((SidReason) -1) != NULL,
	   "sid_reason_words out of range is a sentence of its own");
}

static void
test_remaining(void)
{
	ok(sid_remaining(5, 0) == 5, "sid_remaining(5, 0) = 5");
	ok(sid_remaining(5, 3) == 2, "sid_remaining(5, 3) = 2");
	ok(sid_remaining(5, 5) == 0, "sid_remaining(5, 5) = 0");
	ok(sid_remaining(5, 9) == 0, "sid_remaining(5, 9) = 0 (greatest(.., 0))");
	ok(sid_remaining(0, 0) == 0, "sid_remaining(0, 0) = 0");
	ok(sid_remaining(PG_INT32_MAX, 0) == PG_INT32_MAX, "sid_remaining(INT32_MAX, 0) = INT32_MAX");
	ok(sid_remaining(0, PG_INT32_MAX) == 0, "sid_remaining(0, INT32_MAX) = 0");
	ok(sid_remaining(PG_INT32_MIN, PG_INT32_MAX) == 0, "sid_remaining(INT32_MIN, INT32_MAX) = 0 (no overflow)");
}

static void
test_status(void)
{
	static const char *const status_names[] = {
		"SID_STATUS_PENDING", "SID_STATUS_RUNNING", "SID_STATUS_STOPPED",
		"SID_STATUS_EXPIRED", "SID_STATUS_RELEASED", "SID_STATUS_UNKNOWN"
	};
	static const struct
	{
		const char *s;
		SidStatus	want;
	}			cases[] = {
		{"pending", SID_STATUS_PENDING},
		{"running", SID_STATUS_RUNNING},
		{"stopped", SID_STATUS_STOPPED},
		{"expired", SID_STATUS_EXPIRED},
		{"released", SID_STATUS_RELEASED},
		{"", SID_STATUS_UNKNOWN},
		{"Running", SID_STATUS_UNKNOWN},
		{"RUNNING", SID_STATUS_UNKNOWN},
		{"runnin", SID_STATUS_UNKNOWN},
		{"running ", SID_STATUS_UNKNOWN},
		{" running", SID_STATUS_UNKNOWN},
		{"releasedd", SID_STATUS_UNKNOWN},
		{"deleted", SID_STATUS_UNKNOWN},
	};
	int			i;

	for (i = 0; i < (int) lengthof(cases); i++)
	{
		char	   *b = dup_exact(cases[i].s, strlen(cases[i].s));
		SidStatus	got = sid_status_from_text(b, strlen(cases[i].s));

		ok(got == cases[i].want, "sid_status_from_text(\"%s\") = %s", cases[i].s,
		   status_names[cases[i].want]);
		free(b);
	}
	{
		char	   *b = dup_exact("running\0x", 9);

		ok(sid_status_from_text(b, 7) == SID_STATUS_RUNNING &&
		   sid_status_from_text(b, 9) == SID_STATUS_UNKNOWN,
		   "sid_status_from_text uses the length, not a NUL");
		free(b);
	}
}

/* ===================================== stored states, statuses, methods */

/*
 * The words of SPEC sections 3 and 4 as the tables store them, written
 * here and not taken from the code under test.  Index = enum value.
 */
static const char *const spec_number_states[] = {"unused", "used", "revoked", "invalid"};
static const char *const spec_filing_statuses[] = {"active", "cancelled", "access_removed"};
static const char *const spec_filing_methods[] = {"service_id", "direct", "trustpass"};

/*
 * One kind of stored word: the function under test, the SPEC words, and
 * the values that stand for SQL NULL and for any other text.  The three
 * enums differ, so each function is called through a wrapper returning int.
 */
typedef struct WordKind
{
	const char *what;			/* "sid_number_state_from_text" */
	const char *name_what;		/* "sid_number_state_name" */
	int			(*from_text) (const char *s, size_t len);
	const char *(*name) (int v);
	const char *const *words;
	int			nwords;
	int			null_value;
	int			other_value;
	const char *other_name;		/* what name() says for other_value */
} WordKind;

static int
ns_from(const char *s, size_t len)
{
	return (int) sid_number_state_from_text(s, len);
}

static int
fs_from(const char *s, size_t len)
{
	return (int) sid_filing_status_from_text(s, len);
}

static int
fm_from(const char *s, size_t len)
{
	return (int) sid_filing_method_from_text(s, len);
}

static const char *
ns_name(int v)
{
	return sid_number_state_name((SidNumberState) v);
}

static const char *
fs_name(int v)
{
	return sid_filing_status_name((SidFilingStatus) v);
}

static const char *
fm_name(int v)
{
	return sid_filing_method_name((SidFilingMethod) v);
}

static const WordKind word_kinds[] = {
	{"sid_number_state_from_text", "sid_number_state_name", ns_from, ns_name, spec_number_states,
	 lengthof(spec_number_states), SID_NS_NULL, SID_NS_OTHER, "not a state"},
	{"sid_filing_status_from_text", "sid_filing_status_name", fs_from, fs_name, spec_filing_statuses,
	 lengthof(spec_filing_statuses), SID_FS_NULL, SID_FS_OTHER, "not a status"},
	{"sid_filing_method_from_text", "sid_filing_method_name", fm_from, fm_name, spec_filing_methods,
	 lengthof(spec_filing_methods), SID_FM_NULL, SID_FM_OTHER, "not a method"},
};

/* from_text on an exactly-sized heap copy of n bytes of s. */
static int
word_n(const WordKind *k, const char *s, size_t n)
{
	char	   *b = dup_exact(s, n);
	int			r = k->from_text(b, n);

	free(b);
	return r;
}

/* The reference: a NUL-terminated copy compared with strcmp. */
static int
ref_word(const WordKind *k, const char *s, size_t n)
{
	char	   *z = malloc(n + 1);
	int			i,
				r = k->other_value;

	if (z == NULL)
		abort();
	memcpy(z, s, n);
	z[n] = '\0';
	if (strlen(z) == n)			/* an embedded NUL matches no word */
		for (i = 0; i < k->nwords; i++)
			if (strcmp(z, k->words[i]) == 0)
				r = i;
	free(z);
	return r;
}

/*
 * The length given, not a NUL: a word followed by more bytes and no NUL,
 * a word with a NUL inside the length, every proper prefix.  Run in a
 * child (ok_isolated), so that a read past the length, which ASan aborts
 * on, fails this test by name.
 */
static const WordKind *length_kind;

static bool
words_use_length(void)
{
	const WordKind *k = length_kind;
	int			i,
				bad = 0;

	for (i = 0; i < k->nwords; i++)
	{
		const char *w = k->words[i];
		size_t		len = strlen(w);
		char		longer[64];
		size_t		n;

		snprintf(longer, sizeof(longer), "%sXYZ", w);
		if (word_n(k, longer, len) != i)
			bad++;
		if (word_n(k, longer, len + 1) != k->other_value)
			bad++;
		memcpy(longer, w, len + 1);
		if (word_n(k, longer, len + 1) != k->other_value)
			bad++;
		for (n = 0; n < len; n++)
			if (word_n(k, w, n) != ref_word(k, w, n))
				bad++;
	}
	return bad == 0;
}

static void
test_stored_words(void)
{
	/* Near misses: case, white space, spelling, separators, other kinds. */
	static const char *const near[] = {
		"", " ", "null", "NULL", "Null", "unknown", "other",
		"Unused", "UNUSED", "unUsed", " unused", "unused ", "unused\n", "\tused",
		"used\r", "use", "usedd", "unuse", "unusedd", "revoke", "Revoked",
		"invalidated", "invalid.", "in valid", "expired",
		"Active", "ACTIVE", " active", "active ", "activ", "inactive", "canceled",
		"Cancelled", "cancel", "access_Removed", "ACCESS_REMOVED", "access-removed",
		"access removed", "accessremoved", "access_removed ", "removed", "ended",
		"Service_ID", "SERVICE_ID", "service-id", "serviceid", "service id",
		"service_id ", " direct", "Direct", "TrustPass", "trust_pass", "trustpass\t",
		"sid", "uuid",
	};
	int			ki;

	for (ki = 0; ki < (int) lengthof(word_kinds); ki++)
	{
		const WordKind *k = &word_kinds[ki];
		int			i,
					j,
					bad;
		char		desc[200];

		/* first, in a child: no read past the length given */
		length_kind = k;
		snprintf(desc, sizeof(desc), "%s uses the length given: a word then more bytes "
				 "(no NUL), a word then a NUL, every prefix", k->what);
		ok_isolated(words_use_length, desc);

		/* every word of SPEC, exactly sized */
		for (i = 0; i < k->nwords; i++)
			ok(word_n(k, k->words[i], strlen(k->words[i])) == i,
			   "%s(\"%s\") is value %d", k->what, k->words[i], i);

		/* NULL stands for SQL NULL, whatever length comes with it */
		ok(k->from_text(NULL, 0) == k->null_value &&
		   k->from_text(NULL, strlen(k->words[0])) == k->null_value &&
		   k->from_text(NULL, 1000) == k->null_value,
		   "%s(NULL, any length) is the NULL value", k->what);
		/* the text "null" is not SQL NULL */
		ok(word_n(k, "null", 4) == k->other_value && word_n(k, "", 0) == k->other_value,
		   "%s: the texts \"null\" and \"\" are other, not NULL", k->what);

		/* near misses, and the words of the other two kinds */
		bad = 0;
		for (i = 0; i < (int) lengthof(near); i++)
			if (word_n(k, near[i], strlen(near[i])) != k->other_value)
			{
				bad++;
				diag("%s(\"%s\") is not other", k->what, near[i]);
			}
		for (j = 0; j < (int) lengthof(word_kinds); j++)
			if (j != ki)
				for (i = 0; i < word_kinds[j].nwords; i++)
					if (word_n(k, word_kinds[j].words[i], strlen(word_kinds[j].words[i])) !=
						k->other_value)
					{
						bad++;
						diag("%s(\"%s\") is not other", k->what, word_kinds[j].words[i]);
					}
		ok(bad == 0, "%s: case, white space, spelling and separator variants and the "
		   "other kinds' words are other (%d texts)", k->what,
		   (int) lengthof(near) + (int) (lengthof(spec_number_states) +
										 lengthof(spec_filing_statuses) +
										 lengthof(spec_filing_methods)) - k->nwords);

		/*
		 * Every one-byte edit of every word (each byte value substituted or
		 * inserted at each position, each byte deleted, adjacent bytes
		 * swapped) against the strcmp reference.
		 */
		bad = 0;
		j = 0;
		for (i = 0; i < k->nwords; i++)
		{
			const char *w = k->words[i];
			size_t		len = strlen(w),
						p;
			char		buf[64];
			int			c;

			for (p = 0; p <= len; p++)
			{
				for (c = 0; c < 256; c++)
				{
					if (p < len)
					{
						memcpy(buf, w, len);
						buf[p] = (char) c;
						if (word_n(k, buf, len) != ref_word(k, buf, len))
							bad++;
						j++;
					}
					memcpy(buf, w, p);
					buf[p] = (char) c;
					memcpy(buf + p + 1, w + p, len - p);
					if (word_n(k, buf, len + 1) != ref_word(k, buf, len + 1))
						bad++;
					j++;
				}
				if (p < len)
				{
					memcpy(buf, w, p);
					memcpy(buf + p, w + p + 1, len - p - 1);
					if (word_n(k, buf, len - 1) != ref_word(k, buf, len - 1))
						bad++;
					j++;
				}
				if (p + 1 < len)
				{
					memcpy(buf, w, len);
					buf[p] = w[p + 1];
					buf[p + 1] = w[p];
					if (word_n(k, buf, len) != ref_word(k, buf, len))
						bad++;
					j++;
				}
			}
		}
		ok(bad == 0, "%s agrees with a strcmp reference on every one-byte edit of its words "
		   "(%d texts)", k->what, j);

		/* random short texts over the words' letters */
		bad = 0;
		for (i = 0; i < 20000; i++)
		{
			static const char alphabet[] = "acdeiklmnoprstuvd_ -AEU";
			char		buf[16];
			size_t		n = (size_t) (rnd64() % 16),
						p;

			for (p = 0; p < n; p++)
				buf[p] = alphabet[rnd64() % (sizeof(alphabet) - 1)];
			if (word_n(k, buf, n) != ref_word(k, buf, n))
				bad++;
		}
		ok(bad == 0, "%s agrees with the reference on 20000 random texts of its letters", k->what);

		/* the names back */
		bad = 0;
		for (i = 0; i < k->nwords; i++)
		{
			const char *nm = k->name(i);

			if (nm == NULL || strcmp(nm, k->words[i]) != 0 ||
				word_n(k, nm, strlen(nm)) != i)
				bad++;
		}
		ok(bad == 0, "%s of each value is its SPEC word, which %s reads back",
		   k->name_what, k->what);
		ok(k->name(k->null_value) != NULL && strcmp(k->name(k->null_value), "null") == 0,
		   "%s of the NULL value is \"null\"", k->name_what);
		ok(k->name(k->other_value) != NULL &&
		   strcmp(k->name(k->other_value), k->other_name) == 0 &&
		   k->name(k->other_value + 1) != NULL &&
		   strcmp(k->name(k->other_value + 1), k->other_name) == 0 &&
		   k->name(1000) != NULL && strcmp(k->name(1000), k->other_name) == 0 &&
		   k->name(-1) != NULL && strcmp(k->name(-1), k->other_name) == 0,
		   "%s of other and out-of-range values is \"%s\"", k->name_what, k->other_name);
	}
}

/*
 * SPEC section 4, written out: a number moves unused -> used, revoked or
 * invalid, and nothing else; a filing moves active -> cancelled or
 * access_removed, and nothing else.  Staying in a state is no move (the
 * guards handle an unchanged state before they ask), and NULL or another
 * text is neither a source nor a target.
 */
static void
test_moves(void)
{
	static const char *const ns_label[] = {"unused", "used", "revoked", "invalid", "NULL", "other"};
	static const bool number_moves[6][6] = {
		/* to:      unused used   revoked invalid NULL   other */
		/* unused  */ {false, true, true, true, false, false},
		/* used    */ {false, false, false, false, false, false},
		/* revoked */ {false, false, false, false, false, false},
		/* invalid */ {false, false, false, false, false, false},
		/* NULL    */ {false, false, false, false, false, false},
		/* other   */ {false, false, false, false, false, false},
	};
	static const char *const fs_label[] = {"active", "cancelled", "access_removed", "NULL", "other"};
	static const bool filing_moves[5][5] = {
		/* to:              active cancelled access_removed NULL other */
		/* active         */ {false, true, true, false, false},
		/* cancelled      */ {false, false, false, false, false},
		/* access_removed */ {false, false, false, false, false},
		/* NULL           */ {false, false, false, false, false},
		/* other          */ {false, false, false, false, false},
	};
	int			from,
				to,
				allowed;

	/* the table's axes are the enums' order */
	ok(SID_NS_UNUSED == 0 && SID_NS_USED == 1 && SID_NS_REVOKED == 2 &&
	   SID_NS_INVALID == 3 && SID_NS_NULL == 4 && SID_NS_OTHER == 5 &&
	   SID_FS_ACTIVE == 0 && SID_FS_CANCELLED == 1 && SID_FS_ACCESS_REMOVED == 2 &&
	   SID_FS_NULL == 3 && SID_FS_OTHER == 4,
	   "the move tables are indexed in the enums' order");

	allowed = 0;
	for (from = 0; from < 6; from++)
		for (to = 0; to < 6; to++)
		{
			bool		got = sid_number_move_allowed((SidNumberState) from, (SidNumberState) to);

			allowed += got;
			ok(got == number_moves[from][to], "number %s -> %s is %s", ns_label[from],
			   ns_label[to], number_moves[from][to] ? "allowed" : "refused");
		}
	ok(allowed == 3, "exactly 3 of the 36 number moves are allowed");

	allowed = 0;
	for (from = 0; from < 5; from++)
		for (to = 0; to < 5; to++)
		{
			bool		got = sid_filing_move_allowed((SidFilingStatus) from, (SidFilingStatus) to);

			allowed += got;
			ok(got == filing_moves[from][to], "filing %s -> %s is %s", fs_label[from],
			   fs_label[to], filing_moves[from][to] ? "allowed" : "refused");
		}
	ok(allowed == 2, "exactly 2 of the 25 filing moves are allowed");

	/* out-of-range values are no state at all */
	ok(!sid_number_move_allowed(SID_NS_UNUSED, (SidNumberState) 99) &&
	   !sid_number_move_allowed((SidNumberState) 99, SID_NS_USED) &&
	   !sid_filing_move_allowed(SID_FS_ACTIVE, (SidFilingStatus) 99) &&
	   !sid_filing_move_allowed((SidFilingStatus) 99, SID_FS_CANCELLED),
	   "moves to or from out-of-range values are refused");

	/* and from the stored words, as the guards read them */
	ok(sid_number_move_allowed(sid_number_state_from_text("unused", 6),
							   sid_number_state_from_text("invalid", 7)) &&
	   !sid_number_move_allowed(sid_number_state_from_text("unused", 6),
								sid_number_state_from_text("Invalid", 7)) &&
	   !sid_number_move_allowed(sid_number_state_from_text("invalid", 7),
								sid_number_state_from_text("unused", 6)) &&
	   sid_filing_move_allowed(sid_filing_status_from_text("active", 6),
							   sid_filing_status_from_text("access_removed", 14)) &&
	   !sid_filing_move_allowed(sid_filing_status_from_text("active", 6),
								sid_filing_status_from_text("canceled", 8)),
	   "moves between stored words: unused -> invalid yes, unused -> Invalid no, "
	   "invalid -> unused no, active -> access_removed yes, active -> canceled no");
}

/* The hint: the last four hex digits of the canonical text. */
static void
test_number_hint(void)
{
	int			i,
				n = 10000,
				bad = 0;

	for (i = 0; i < n; i++)
	{
		SidValue	v;
		char		ref[48];
		char	   *hint = malloc(SID_HINT_LEN + 1);	/* exactly as documented */
		char	   *text = malloc(SID_TEXT_LEN + 1);

		if (i == 0)
			memset(v.data, 0, SID_LEN);
		else if (i == 1)
			memset(v.data, 0xff, SID_LEN);
		else if (i % 2)
			random_valid(&v);
		else
			rnd_bytes(v.data, SID_LEN);	/* any 16 bytes, valid or not */
		memset(hint, 'X', SID_HINT_LEN + 1);
		sid_number_hint(&v, hint);
		ref_text(&v, HYPHENS_CANONICAL, false, CASE_LOWER, ref);
		sid_format(&v, text);
		if (memcmp(hint, ref + SID_TEXT_LEN - SID_HINT_LEN, SID_HINT_LEN + 1) != 0 ||
			strcmp(hint, text + SID_TEXT_LEN - SID_HINT_LEN) != 0)
		{
			if (bad++ == 0)
				diag("sid_number_hint of %s gave %.5s", ref, hint);
		}
		free(hint);
		free(text);
	}
	ok(bad == 0, "sid_number_hint is the last %d hex digits of the canonical text and a NUL "
	   "(%d sampled numbers)", SID_HINT_LEN, n);
	{
		SidValue	v;
		char		hint[SID_HINT_LEN + 1];

		for (i = 0; i < SID_LEN; i++)
			v.data[i] = (unsigned char) (i * 0x11);
		sid_number_hint(&v, hint);
		ok(strcmp(hint, "eeff") == 0, "sid_number_hint of 00112233-4455-6677-8899-aabbccddeeff is eeff");
		memset(v.data, 0xAB, SID_LEN);
		sid_number_hint(&v, hint);
		ok(strcmp(hint, "abab") == 0, "sid_number_hint writes lower case");
	}
	{
		SidValue	v;
		char		real[SID_TEXT_LEN + 1];
		char		hint[SID_HINT_LEN + 1];

		/* SPEC's example shape, 32a43232-a888-88e8-b9ec-00888be8xxxx */
		if (parse_s("32a43232-a888-88e8-b9ec-00888be8c0de", &v) != SID_BAD_SYNTAX)
		{
			sid_number_hint(&v, hint);
			sid_format(&v, real);
			ok(strcmp(hint, "c0de") == 0 && strcmp(real + 32, "c0de") == 0,
			   "sid_number_hint of 32a43232-a888-88e8-b9ec-00888be8c0de is c0de");
		}
		else
			ok(false, "sid_number_hint of 32a43232-a888-88e8-b9ec-00888be8c0de (did not parse)");
	}
}

int
main(void)
{
	const char *seed = getenv("SID_UNIT_SEED");

	rng_state = seed ? strtoull(seed, NULL, 10) : UINT64CONST(20260101);
	printf("# service_id core unit tests, seed %llu\n", (unsigned long long) rng_state);

	test_crc();
	test_error_patterns();
	test_format_and_random();
	test_parse_forms();
	test_parse_failures();
	test_typos();
	test_parse_detail();
	test_ident();
	test_website();
	test_eligibility_rules();
	test_eligibility_grid();
	test_eligibility_extremes();
	test_reason_codes();
	test_remaining();
	test_status();
	test_stored_words();
	test_moves();
	test_number_hint();

	printf("1..%d\n", tests_run);
	if (tests_failed)
		diag("%d of %d tests failed", tests_failed, tests_run);
	return tests_failed ? 1 : 0;
}
