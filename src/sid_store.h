/*
 * sid_store.h
 *		Row access for the extension's tables without planning or executing
 *		SQL: index look-ups through the index access method, and inserts,
 *		updates and deletes through the table access method with the
 *		indexes kept in step, as core's logical replication apply does
 *		(executor/execReplication.c).
 *
 * Layer: above sid_schema, below the row codecs (sid_rows).  It knows
 * tables, indexes, snapshots and concurrency; it knows nothing of numbers
 * or filings.
 *
 * An operation (SidOp) is one unit of work of an API function or a
 * trigger: it holds the snapshot it reads with, the executor state its
 * writes use, and the relations it has opened.
 *
 * Snapshots and concurrency.  A writing operation starts as a new SQL
 * statement would: CommandCounterIncrement, then a new snapshot under READ
 * COMMITTED or the transaction's under REPEATABLE READ and SERIALIZABLE.
 * An update or delete that meets a row changed by a concurrent transaction
 * waits for it to end; then, under READ COMMITTED, it reports
 * SID_CHANGED_CONCURRENTLY and the caller takes a new snapshot
 * (sid_op_refresh), reads the row again and judges it again; under the
 * snapshot isolation levels it raises 40001, as core's UPDATE does.  A
 * reading operation uses the caller's snapshot as it is (a STABLE
 * function's), so it works on a hot standby.
 *
 * Writes fire no triggers: the triggers on these tables are the guards of
 * hand-written SQL, and the API applies the same rules itself (sid_rules).
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#ifndef SID_STORE_H
#define SID_STORE_H

#include "access/htup.h"
#include "executor/tuptable.h"
#include "storage/itemptr.h"

#include "sid_schema.h"

typedef struct SidOp SidOp;
typedef struct SidScan SidScan;

typedef enum SidOpMode
{
	SID_OP_READ,				/* the caller's snapshot, no writes */
	SID_OP_WRITE				/* a new command, snapshot and executor state */
} SidOpMode;

typedef enum SidWriteResult
{
	SID_DONE,
	SID_CHANGED_CONCURRENTLY	/* READ COMMITTED: refresh, re-read, re-judge */
} SidWriteResult;

extern SidOp *sid_op_begin(SidOpMode mode);
extern void sid_op_end(SidOp *op);
extern const SidSchema *sid_op_schema(SidOp *op);

/* A new command (and, under READ COMMITTED, a new snapshot). */
extern void sid_op_refresh(SidOp *op);

/* A new command, same snapshot: later reads see this operation's writes. */
extern void sid_op_next_command(SidOp *op);

/*
 * The visible row whose key (the first column of the index) equals key,
 * or NULL.  The slot belongs to the operation and is overwritten by the
 * next fetch from the same table.
 */
extern TupleTableSlot *sid_fetch(SidOp *op, SidIndexId index, Datum key);

/*
 * The latest row with that key that filter accepts, whoever wrote it: like
 * a unique index's own check, it looks with a dirty snapshot, waits for any
 * transaction still in progress that inserted or deleted such a row, and
 * looks again.  So it also finds rows committed after this operation's
 * snapshot; sid_visible says whether the snapshot sees the row.
 */
typedef bool (*SidRowFilter) (const SidSchema *s, TupleTableSlot *slot, void *arg);
extern TupleTableSlot *sid_fetch_latest(SidOp *op, SidIndexId index, Datum key,
										SidRowFilter filter, void *arg);
extern bool sid_visible(SidOp *op, TupleTableSlot *slot);

/* Every visible row with that key, one at a time; a slot of its own. */
extern SidScan *sid_scan_begin(SidOp *op, SidIndexId index, Datum key);
/* Every visible row of a table, in physical order. */
extern SidScan *sid_seqscan_begin(SidOp *op, SidRelId rel);
/* The same, as of now: every committed row, whatever this operation's snapshot. */
extern SidScan *sid_seqscan_latest(SidOp *op, SidRelId rel);
extern TupleTableSlot *sid_scan_next(SidScan *scan);
extern void sid_scan_end(SidScan *scan);

/*
 * Writes.  values[] and nulls[] are indexed by the table's column enum
 * (SidNumberCol and so on), not by attribute number.
 */
extern void sid_insert(SidOp *op, SidRelId rel, const Datum *values, const bool *nulls);
extern SidWriteResult sid_update(SidOp *op, SidRelId rel, ItemPointer tid,
								 const Datum *values, const bool *nulls);
extern SidWriteResult sid_delete(SidOp *op, SidRelId rel, ItemPointer tid);

/* A column of a row in a slot (a fetched row, a trigger's row), by enum. */
extern Datum sid_col(const SidSchema *s, SidRelId rel, TupleTableSlot *slot,
					 int col, bool *isnull);

/* The next value of one of the extension's sequences. */
extern int64 sid_nextval(SidOp *op, Oid seq);

#endif							/* SID_STORE_H */
