/*
 * sid_rules.h
 *		The rules of SPEC section 4, each in one function, shared by the API
 *		(sid_api.c) and the guards of hand-written SQL (sid_guards.c).
 *
 * Layer: above sid_counter and sid_audit; below sid_api and sid_guards.
 *
 *	 rule (SPEC section 4)						function
 *	 --------------------------------------------------------------------
 *	 eligibility reasons						sid_judge_instance
 *	 only the purchaser applies, selects		sid_require_purchaser
 *	 a granted number serves its grantee only	sid_require_grantee
 *	 the allowance, under every interleaving	sid_claim_allowance
 *	 issuing numbers							sid_issue_numbers
 *	 using a number for a filing				sid_use_number
 *	 revoked and invalid numbers free a slot	sid_release_number
 *	 a website has one active filing			sid_require_website_free
 *	 a number is bound to one filing, ever		sid_use_number, sid_require_number_unbound
 *	 filings: registering, ending				sid_register, sid_end_filing
 *	 an instance with numbers or filings keeps
 *	   its id, purchaser and product, and stays	sid_require_instance_unbound
 *	 number states move only unused -> ...		sid_number_move_allowed (core)
 *	 filings move only active -> ...			sid_filing_move_allowed (core)
 *	 input syntax (ids, websites)				sid_check_ident, sid_check_website
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_RULES_H
#define SID_RULES_H

#include "sid_rows.h"

/* An instance with everything its eligibility depends on. */
typedef struct SidInstance
{
	SidInstanceRow row;
	SidProductRow product;
	bool		mainland;
	int32		consumed;
} SidInstance;

/* Input syntax: 22023 with the argument's name; returns its value. */
extern char *sid_check_ident(const char *value, const char *what);
extern char *sid_check_website(const char *value);	/* lower-cased */

/* Reading an instance with the operation's snapshot; false if unknown. */
extern bool sid_load_instance(SidOp *op, const char *instance_id, SidInstance *inst);
extern void sid_report_unknown_instance(const char *instance_id) pg_attribute_noreturn();

/*
 * The eligibility reasons of SPEC section 4 (a set of SID_BIT(reason)).
 * account_id: the asking account, or NULL when none was given.
 */
extern uint32 sid_judge_instance(const SidInstance *inst, const char *account_id);
extern ArrayType *sid_reasons_array(uint32 reasons);

/*
 * 42501 unless account_id purchased the instance, or, for a number granted
 * to one account, is that account (without naming it: SPEC section 7).
 */
extern void sid_require_purchaser(const SidInstanceRow *inst, const char *account_id);
extern void sid_require_grantee(const SidNumberRow *num, const char *account_id);

/*
 * Claim n slots of an instance's allowance for account_id, or raise the
 * error that says why not (P0002, 42501, 55000, 53400).  On return the
 * slots are counted and the counter row is held until the transaction
 * ends; inst is the instance as judged.
 */
extern void sid_claim_allowance(SidOp *op, const char *instance_id,
								const char *account_id, int n, SidInstance *inst);

/* apply_service_id(s): claim n slots and issue n numbers into out[]. */
extern void sid_issue_numbers(SidOp *op, const char *instance_id,
							  const char *account_id, const char *grantee,
							  int n, SidValue *out);

/*
 * A filing of account_id uses the number: it must exist, be granted to
 * that account if granted at all, be unused, and its instance must still
 * be eligible (allowance and purchaser aside).  The number becomes used.
 * *num is the number as it was.
 */
extern void sid_use_number(SidOp *op, const SidValue *number,
						   const char *account_id, SidNumberRow *num);

/*
 * The purchaser revokes an unused number (revoke_service_id), or any
 * unused number of an expired or released instance becomes invalid
 * (expire_service_ids): the state moves and sid_release_number follows.
 */
extern void sid_revoke_number(SidOp *op, const SidValue *number, const char *account_id);
extern int32 sid_expire_numbers(SidOp *op);

/* A number that left 'unused' for revoked or invalid: slot back, audited. */
extern void sid_release_number(SidOp *op, const SidNumberRow *after);

/* 23505 if the website has an active filing (40001 if only a newer snapshot sees it). */
extern void sid_require_website_free(SidOp *op, const char *website);

/*
 * 23505 if a filing other than filing_id holds the number.  The unique
 * index filing_store_number_used_once says the same; this holds without it.
 */
extern void sid_require_number_unbound(SidOp *op, const SidValue *number, int64 filing_id);

/* Insert a filing (the id is assigned here) and its 'registered' event. */
extern int64 sid_register(SidOp *op, SidFilingRow *filing);
/* The 'registered' event of a filing already inserted. */
extern void sid_audit_registered(SidOp *op, const SidFilingRow *filing);

/* cancel_filing / remove_access. */
extern void sid_end_filing(SidOp *op, int64 filing_id, SidFilingStatus to);
/* The event of a filing that has ended. */
extern void sid_audit_ended(SidOp *op, const SidFilingRow *filing);

/*
 * Take the instance's lock (its counter row) and refuse with 55000 if it
 * has numbers or filings; doing says what was refused ("delete",
 * "change account_id of").
 */
extern void sid_require_instance_unbound(SidOp *op, const char *instance_id,
										 const char *doing);

/*
 * The fields core's unique violations carry (schema, table, constraint),
 * for the 23505s of the rules that a unique index also holds, so that an
 * application tells "number used" from "website taken" without reading
 * the message.
 */
#define SID_NUMBER_USED_ONCE "filing_store_number_used_once"
#define SID_ONE_ACTIVE_FILING "filing_store_one_active_per_website"
extern int	sid_errconstraint(const char *constraint);

/* A number's name in messages: "ending in 1a2b" (palloc'd). */
extern char *sid_number_name(const SidValue *v);

#endif							/* SID_RULES_H */
