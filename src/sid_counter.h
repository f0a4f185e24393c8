/*
 * sid_counter.h
 *		The allowance counter: one row per instance in
 *		service_id.instance_usage holding the instance's consumed slots
 *		(unused and used numbers plus direct filings).
 *
 * It is also the instance's lock.  Every writer that adds something the
 * counter counts, and every change that would re-key, re-own or delete an
 * instance, updates the instance's counter row first (a change of 0 still
 * writes a new row version).  So two such writers never pass each other:
 * under READ COMMITTED the second waits for the first and reads what it
 * left; under REPEATABLE READ and SERIALIZABLE it fails with 40001.  A
 * SELECT ... FOR UPDATE would not do under REPEATABLE READ, where the
 * waiter's snapshot does not see the winner's rows (SPEC section 4).
 *
 * Only this module writes the counters; a hand-written statement on
 * instance_usage is refused by its trigger.
 *
 * Layer: above sid_rows, beside sid_audit, below sid_rules.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_COUNTER_H
#define SID_COUNTER_H

#include "sid_store.h"

/*
 * Add delta to the instance's consumed count (0: only take the lock) and
 * return the count as it was.  Under READ COMMITTED a concurrent change
 * makes it take a new snapshot (sid_op_refresh) and try again, so the
 * caller's later reads see what the winner left.  false if the instance
 * has no counter (it does not exist for this snapshot).
 */
extern bool sid_counter_add(SidOp *op, const char *instance_id, int32 delta,
							int32 *before);

/* The count, read without a lock; false if there is no counter. */
extern bool sid_counter_read(SidOp *op, const char *instance_id, int32 *consumed);

/* The counter's life follows its instance's (instance triggers). */
extern void sid_counter_create(SidOp *op, const char *instance_id);
extern void sid_counter_drop(SidOp *op, const char *instance_id);
extern void sid_counter_rekey(SidOp *op, const char *from, const char *to);

#endif							/* SID_COUNTER_H */
