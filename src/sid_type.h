/*
 * sid_type.h
 *		The number type's C helpers shared beyond sid_type.c.
 *
 * Layer: the bottom of the server-side code, with sid_core.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_TYPE_H
#define SID_TYPE_H

#include "fmgr.h"

#include "sid_core.h"

#define PG_GETARG_SID(n) ((SidValue *) PG_GETARG_POINTER(n))

/* A fresh random valid number (gen_service_id and the apply functions). */
extern void sid_generate(SidValue *out);

/* A palloc'd copy of a number, as a Datum. */
extern Datum sid_datum(const SidValue *v);

#endif							/* SID_TYPE_H */
