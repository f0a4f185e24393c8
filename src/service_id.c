/*
 * service_id.c
 *		The module: its magic block and its initialisation.
 *
 * The source files, from the top layer down (no file calls one above it):
 *
 *	 sid_api.c		the SQL API of SPEC section 5 (SECURITY DEFINER)
 *	 sid_admin.c	granting roles, scheduling expiry with pg_cron
 *	 sid_guards.c	the triggers that hold hand-written SQL to the rules
 *	 sid_rules.c	each rule of SPEC section 4, once
 *	 sid_counter.c	the allowance counter, which is also each instance's lock
 *	 sid_audit.c	the audit log and its NOTIFY
 *	 sid_rows.c		the tables' rows as C structs
 *	 sid_store.c	row access through the table and index access methods
 *	 sid_schema.c	the extension's catalog, cached per backend
 *	 sid_type.c		the number type
 *	 sid_core.c		pure logic: encoding, check value, inputs, eligibility
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "fmgr.h"

#include "sid_audit.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	sid_audit_init();
}
