/*
 * sid_core.h
 *		The pure logic of service_id: the number's encoding and check value,
 *		the validation of identifiers and website names, and the eligibility
 *		rules.  Nothing here calls the server beyond CRC-32C, so the same
 *		code is built into the extension, the unit tests and the fuzzer.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_CORE_H
#define SID_CORE_H

#include "c.h"

#define SID_LEN 16				/* bytes in a number, as uuid */
#define SID_TEXT_LEN 36			/* canonical text, without the NUL */
#define SID_RANDOM_BYTES 12		/* entropy consumed per number (90 bits kept) */

typedef struct SidValue
{
	unsigned char data[SID_LEN];
} SidValue;

/* What sid_parse found wrong, in the order it checks. */
typedef enum SidParseResult
{
	SID_OK = 0,
	SID_BAD_SYNTAX,				/* length, characters or hyphen placement */
	SID_BAD_VERSION,			/* not version 8 or not the RFC variant */
	SID_BAD_CHECK				/* the CRC-32C check value does not match */
} SidParseResult;

extern SidParseResult sid_parse(const char *str, size_t len, SidValue *out);
extern SidParseResult sid_validate(const SidValue *v);
extern void sid_format(const SidValue *v, char *buf);	/* SID_TEXT_LEN + 1 */
extern void sid_from_random(const unsigned char *random, SidValue *out);
extern uint32 sid_check_value(const SidValue *v);
extern const char *sid_parse_detail(SidParseResult r);

/* Identifiers (account, instance, shop) and website names. */
extern bool sid_valid_ident(const char *s, size_t len);
extern bool sid_normalize_website(const char *s, size_t len, char *out);

#define SID_MAX_IDENT 255
#define SID_MAX_WEBSITE 253

/*
 * Eligibility.  The facts about one instance and its product, and the
 * reason codes in the order SPEC section 4 lists them.  A reason is a bit;
 * sid_eligibility returns the set.
 */
typedef enum SidStatus
{
	SID_STATUS_PENDING,
	SID_STATUS_RUNNING,
	SID_STATUS_STOPPED,
	SID_STATUS_EXPIRED,
	SID_STATUS_RELEASED,
	SID_STATUS_UNKNOWN
} SidStatus;

typedef struct SidFacts
{
	/* product */
	int32		allowance;
	bool		requires_subscription;
	int32		min_total_months;
	int32		min_remaining_days;
	bool		requires_public_ip;
	/* instance */
	bool		trial;
	bool		subscription;	/* billing = 'subscription' */
	int32		subscribed_months;
	bool		has_expiry;
	int64		expires_at;		/* TimestampTz, microseconds */
	SidStatus	status;
	bool		has_public_ip;
	bool		mainland;
	/* the caller */
	bool		account_given;
	bool		is_owner;
	/* usage */
	int32		consumed;
	int64		now;			/* TimestampTz */
} SidFacts;

typedef enum SidReason
{
	SID_R_PRODUCT_NOT_SUPPORTED,
	SID_R_TRIAL,
	SID_R_NOT_SUBSCRIPTION,
	SID_R_SUBSCRIPTION_TOO_SHORT,
	SID_R_REMAINING_TOO_SHORT,
	SID_R_EXPIRED,
	SID_R_RELEASED,
	SID_R_NOT_RUNNING,
	SID_R_NO_PUBLIC_IP,
	SID_R_REGION_NOT_MAINLAND,
	SID_R_NOT_OWNER,
	SID_R_ALLOWANCE_USED_UP,
	SID_R_COUNT
} SidReason;

#define SID_BIT(r) ((uint32) 1 << (r))

extern uint32 sid_eligibility(const SidFacts *f);
extern int32 sid_remaining(int32 allowance, int32 consumed);
extern const char *sid_reason_code(SidReason r);
extern const char *sid_reason_words(SidReason r);
extern SidStatus sid_status_from_text(const char *s, size_t len);

/*
 * The states of a number and of a filing, and filing methods, as stored
 * (text columns).  _NULL stands for SQL NULL and _OTHER for any other text:
 * a BEFORE trigger sees rows before NOT NULL and CHECK are tested.
 */
typedef enum SidNumberState
{
	SID_NS_UNUSED,
	SID_NS_USED,
	SID_NS_REVOKED,
	SID_NS_INVALID,
	SID_NS_NULL,
	SID_NS_OTHER
} SidNumberState;

typedef enum SidFilingStatus
{
	SID_FS_ACTIVE,
	SID_FS_CANCELLED,
	SID_FS_ACCESS_REMOVED,
	SID_FS_NULL,
	SID_FS_OTHER
} SidFilingStatus;

typedef enum SidFilingMethod
{
	SID_FM_SERVICE_ID,
	SID_FM_DIRECT,
	SID_FM_TRUSTPASS,
	SID_FM_NULL,
	SID_FM_OTHER
} SidFilingMethod;

extern SidNumberState sid_number_state_from_text(const char *s, size_t len);
extern SidFilingStatus sid_filing_status_from_text(const char *s, size_t len);
extern SidFilingMethod sid_filing_method_from_text(const char *s, size_t len);
extern const char *sid_number_state_name(SidNumberState st);	/* "null", "unused", ... */
extern const char *sid_filing_status_name(SidFilingStatus st);
extern const char *sid_filing_method_name(SidFilingMethod m);

/*
 * SPEC section 4, number states: unused -> used, revoked or invalid, and
 * nothing else.  True when from -> to is one of those moves.
 */
extern bool sid_number_move_allowed(SidNumberState from, SidNumberState to);

/* A filing ends: active -> cancelled or access_removed, and nothing else. */
extern bool sid_filing_move_allowed(SidFilingStatus from, SidFilingStatus to);

/*
 * How a number is named in messages and logs without giving it away: its
 * last four hex digits ("ending in 1a2b").  Numbers are secrets (SPEC
 * section 7): whoever holds one can file with it.
 */
#define SID_HINT_LEN 4
extern void sid_number_hint(const SidValue *v, char *buf);	/* SID_HINT_LEN + 1 */

#endif							/* SID_CORE_H */
