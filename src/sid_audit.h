/*
 * sid_audit.h
 *		The audit log: one row of service_id.audit_store per state change,
 *		written in the same transaction as the change, whoever makes it (the
 *		API or a hand-written statement through a trigger).  With the
 *		setting service_id.notify on, each event also sends
 *		NOTIFY service_id with a small JSON payload.
 *
 * Layer: above sid_rows, beside sid_counter, below sid_rules.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_AUDIT_H
#define SID_AUDIT_H

#include "sid_core.h"
#include "sid_store.h"

typedef enum SidAction
{
	SID_ISSUED,
	SID_REVOKED,
	SID_INVALIDATED,
	SID_REGISTERED,
	SID_CANCELLED,
	SID_ACCESS_REMOVED
} SidAction;

#define SID_EVENT_MAX_DETAIL 3

typedef struct SidEvent
{
	SidAction	action;
	const char *account_id;		/* NULL: none */
	const SidValue *number;		/* NULL: none */
	const char *instance_id;	/* NULL: none */
	int64		filing_id;		/* 0: none */
	/* detail: a JSON object of string values; NULL values are left out */
	const char *detail_key[SID_EVENT_MAX_DETAIL];
	const char *detail_value[SID_EVENT_MAX_DETAIL];
} SidEvent;

extern void sid_audit(SidOp *op, const SidEvent *ev);

/* Registers the setting service_id.notify; called from _PG_init. */
extern void sid_audit_init(void);

#endif							/* SID_AUDIT_H */
