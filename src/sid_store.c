/*
 * sid_store.c
 *		Row access without SQL (see sid_store.h).
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "catalog/pg_collation.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "sid_store.h"

typedef struct SidTable
{
	Relation	rel;			/* NULL until first used */
	bool		for_write;		/* RowExclusiveLock taken, indexes open */
	TupleTableSlot *slot;		/* rows fetched */
	ResultRelInfo *rri;			/* writes: the indexes to maintain */
	TupleTableSlot *wslot;		/* writes: the new row */
} SidTable;

struct SidOp
{
	SidOpMode	mode;
	MemoryContext mcxt;			/* everything of the operation's own */
	const SidSchema *schema;
	bool		pushed_snapshot;
	CommandId	cid;			/* writes */
	EState	   *estate;			/* writes */
	SidTable	tables[SID_NRELS];
	Relation	indexes[SID_NINDEXES];	/* opened for scans */
};

SidOp *
sid_op_begin(SidOpMode mode)
{
	MemoryContext mcxt = AllocSetContextCreate(CurrentMemoryContext,
											   "service_id operation",
											   ALLOCSET_SMALL_SIZES);
	SidOp	   *op = MemoryContextAllocZero(mcxt, sizeof(SidOp));

	op->mode = mode;
	op->mcxt = mcxt;
	/* a DBA's committed change of the catalogs counts from the next call on */
	AcceptInvalidationMessages();
	op->schema = sid_schema();
	if (mode == SID_OP_WRITE)
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);

		/* As a new SQL statement would: see our earlier commands' writes. */
		CommandCounterIncrement();
		PushActiveSnapshot(GetTransactionSnapshot());
		UpdateActiveSnapshotCommandId();
		op->pushed_snapshot = true;
		op->cid = GetCurrentCommandId(true);
		op->estate = CreateExecutorState();
		op->estate->es_output_cid = op->cid;
		MemoryContextSwitchTo(old);
	}
	return op;
}

void
sid_op_refresh(SidOp *op)
{
	Assert(op->mode == SID_OP_WRITE);
	PopActiveSnapshot();
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	op->cid = GetCurrentCommandId(true);
	op->estate->es_output_cid = op->cid;
}

void
sid_op_next_command(SidOp *op)
{
	Assert(op->mode == SID_OP_WRITE);
	CommandCounterIncrement();
	UpdateActiveSnapshotCommandId();
	op->cid = GetCurrentCommandId(true);
	op->estate->es_output_cid = op->cid;
}

void
sid_op_end(SidOp *op)
{
	int			i;

	for (i = 0; i < SID_NINDEXES; i++)
		if (op->indexes[i])
			index_close(op->indexes[i], NoLock);
	for (i = 0; i < SID_NRELS; i++)
	{
		SidTable   *t = &op->tables[i];

		if (t->rel == NULL)
			continue;
		if (t->slot)
			ExecDropSingleTupleTableSlot(t->slot);
		if (t->rri)
			ExecCloseIndices(t->rri);
		table_close(t->rel, NoLock);
	}
	if (op->estate)
	{
		ExecResetTupleTable(op->estate->es_tupleTable, false);
		FreeExecutorState(op->estate);
	}
	if (op->pushed_snapshot)
		PopActiveSnapshot();
	MemoryContextDelete(op->mcxt);
}

const SidSchema *
sid_op_schema(SidOp *op)
{
	return op->schema;
}

/* ----------------------------------------------------------------------
 * Relations
 * ----------------------------------------------------------------------
 */

/*
 * The table, opened for this operation.  A writing operation opens the
 * tables the extension writes (the counters, numbers, filings, audit) with
 * RowExclusiveLock from the first read on, so that a write after a read
 * takes no second lock; the instance and the catalogs are only read.
 */
static SidTable *
table_for(SidOp *op, SidRelId r, bool write)
{
	SidTable   *t = &op->tables[r];
	MemoryContext old;

	if (t->rel && (!write || t->for_write))
		return t;
	old = MemoryContextSwitchTo(op->mcxt);
	if (t->rel == NULL)
	{
		bool		writable = op->mode == SID_OP_WRITE &&
			(r == SID_USAGE || r == SID_NUMBER || r == SID_FILING || r == SID_AUDIT);

		t->rel = table_open(op->schema->rel[r], writable ? RowExclusiveLock : AccessShareLock);
		t->slot = table_slot_create(t->rel, NULL);
		t->for_write = writable;
	}
	else if (write)
		LockRelationOid(op->schema->rel[r], RowExclusiveLock);
	if (write)
	{
		Assert(op->mode == SID_OP_WRITE);
		t->for_write = true;
	}
	MemoryContextSwitchTo(old);
	return t;
}

/*
 * The table's result relation and write slot, with its indexes open when
 * with_indexes (always for an insert; for an update only when it cannot be
 * HOT, which for the counters is almost never).
 */
static void
target_for(SidOp *op, SidTable *t, bool with_indexes)
{
	MemoryContext old = MemoryContextSwitchTo(op->mcxt);

	if (t->rri == NULL)
	{
		t->rri = makeNode(ResultRelInfo);
		InitResultRelInfo(t->rri, t->rel, 0, NULL, 0);
		t->wslot = ExecInitExtraTupleSlot(op->estate, RelationGetDescr(t->rel),
										  &TTSOpsVirtual);
	}
	if (with_indexes && t->rri->ri_IndexRelationDescs == NULL)
		ExecOpenIndices(t->rri, false);
	MemoryContextSwitchTo(old);
}

/* The table an index belongs to. */
static SidRelId
index_table(SidIndexId index)
{
	return sid_index_defs[index].rel;
}

/* The index, or NULL if it is an optional one a DBA dropped. */
static Relation
index_for(SidOp *op, SidIndexId index)
{
	if (op->indexes[index] == NULL && OidIsValid(op->schema->index[index]))
		op->indexes[index] = index_open(op->schema->index[index], AccessShareLock);
	return op->indexes[index];
}

/* The equality function of an index's key type. */
static RegProcedure
key_eqproc(SidOp *op, SidIndexId index)
{
	switch (index)
	{
		case SID_NUMBER_PKEY:
		case SID_FILING_NUMBER:
			return op->schema->type_eq;
		case SID_FILING_PKEY:
			return F_INT8EQ;
		default:
			return F_TEXTEQ;
	}
}

/* Without its index: does the row's key column equal key? */
static bool
key_matches(SidOp *op, SidIndexId index, TupleTableSlot *slot, Datum key)
{
	const SidIndexDef *def = &sid_index_defs[index];
	bool		isnull;
	Datum		v = sid_col(op->schema, def->rel, slot, def->keycol, &isnull);

	if (isnull)
		return false;
	return DatumGetBool(OidFunctionCall2Coll(key_eqproc(op, index),
											 DEFAULT_COLLATION_OID, v, key));
}

/*
 * One scan for rows with a key: through the index, or, if an optional index
 * is missing, through the table with the key tested on each row.  index -1:
 * every row of rel.
 */
typedef struct KeyScan
{
	SidOp	   *op;
	int			index;
	Datum		key;
	IndexScanDesc iscan;
	TableScanDesc tscan;
	TupleTableSlot *slot;
	ScanKeyData skey;
} KeyScan;

static void
keyscan_open(KeyScan *ks, SidOp *op, SidRelId rel, int index, Datum key,
			 Snapshot snap, TupleTableSlot *slot)
{
	SidTable   *t = table_for(op, rel, false);
	Relation	idx = index >= 0 ? index_for(op, index) : NULL;

	memset(ks, 0, sizeof(*ks));
	ks->op = op;
	ks->index = index;
	ks->key = key;
	ks->slot = slot;
	if (idx)
	{
		ScanKeyEntryInitialize(&ks->skey, 0, 1, BTEqualStrategyNumber, InvalidOid,
							   idx->rd_indcollation[0], key_eqproc(op, index), key);
		ks->iscan = index_beginscan(t->rel, idx, snap, 1, 0);
		index_rescan(ks->iscan, &ks->skey, 1, NULL, 0);
	}
	else
		ks->tscan = table_beginscan(t->rel, snap, 0, NULL);
}

static bool
keyscan_next(KeyScan *ks)
{
	if (ks->iscan)
		return index_getnext_slot(ks->iscan, ForwardScanDirection, ks->slot);
	while (table_scan_getnextslot(ks->tscan, ForwardScanDirection, ks->slot))
		if (ks->index < 0 || key_matches(ks->op, ks->index, ks->slot, ks->key))
			return true;
	return false;
}

static void
keyscan_close(KeyScan *ks)
{
	if (ks->iscan)
		index_endscan(ks->iscan);
	if (ks->tscan)
		table_endscan(ks->tscan);
}

/* ----------------------------------------------------------------------
 * Reading
 * ----------------------------------------------------------------------
 */

TupleTableSlot *
sid_fetch(SidOp *op, SidIndexId index, Datum key)
{
	SidRelId	rel = index_table(index);
	SidTable   *t = table_for(op, rel, false);
	KeyScan		ks;
	bool		found;

	keyscan_open(&ks, op, rel, index, key, GetActiveSnapshot(), t->slot);
	found = keyscan_next(&ks);
	keyscan_close(&ks);
	return found ? t->slot : NULL;
}

TupleTableSlot *
sid_fetch_latest(SidOp *op, SidIndexId index, Datum key, SidRowFilter filter,
				 void *arg)
{
	SidRelId	rel = index_table(index);
	SidTable   *t = table_for(op, rel, false);
	SnapshotData dirty;
	KeyScan		ks;

	InitDirtySnapshot(dirty);
retry:
	keyscan_open(&ks, op, rel, index, key, &dirty, t->slot);
	while (keyscan_next(&ks))
	{
		TransactionId xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;

		if (TransactionIdIsValid(xwait))
		{
			ItemPointerData tid = t->slot->tts_tid;

			keyscan_close(&ks);
			XactLockTableWait(xwait, t->rel, &tid, XLTW_InsertIndex);
			goto retry;
		}
		if (filter == NULL || filter(op->schema, t->slot, arg))
		{
			keyscan_close(&ks);
			return t->slot;
		}
	}
	keyscan_close(&ks);
	return NULL;
}

bool
sid_visible(SidOp *op, TupleTableSlot *slot)
{
	Relation	rel = NULL;
	int			i;

	for (i = 0; i < SID_NRELS; i++)
		if (op->tables[i].rel && RelationGetRelid(op->tables[i].rel) == slot->tts_tableOid)
			rel = op->tables[i].rel;
	Assert(rel != NULL);
	return table_tuple_satisfies_snapshot(rel, slot, GetActiveSnapshot());
}

struct SidScan
{
	KeyScan		ks;
	Snapshot	registered;		/* a snapshot of the scan's own, or NULL */
};

static SidScan *
scan_begin(SidOp *op, SidRelId rel, int index, Datum key, bool latest)
{
	SidTable   *t = table_for(op, rel, false);
	MemoryContext old = MemoryContextSwitchTo(op->mcxt);
	SidScan    *scan = palloc0(sizeof(SidScan));

	if (latest)
		scan->registered = RegisterSnapshot(GetLatestSnapshot());
	keyscan_open(&scan->ks, op, rel, index, key,
				 latest ? scan->registered : GetActiveSnapshot(),
				 table_slot_create(t->rel, NULL));
	MemoryContextSwitchTo(old);
	return scan;
}

SidScan *
sid_scan_begin(SidOp *op, SidIndexId index, Datum key)
{
	return scan_begin(op, index_table(index), index, key, false);
}

SidScan *
sid_seqscan_begin(SidOp *op, SidRelId rel)
{
	return scan_begin(op, rel, -1, (Datum) 0, false);
}

SidScan *
sid_seqscan_latest(SidOp *op, SidRelId rel)
{
	return scan_begin(op, rel, -1, (Datum) 0, true);
}

TupleTableSlot *
sid_scan_next(SidScan *scan)
{
	return keyscan_next(&scan->ks) ? scan->ks.slot : NULL;
}

void
sid_scan_end(SidScan *scan)
{
	keyscan_close(&scan->ks);
	ExecDropSingleTupleTableSlot(scan->ks.slot);
	if (scan->registered)
		UnregisterSnapshot(scan->registered);
	pfree(scan);
}

Datum
sid_col(const SidSchema *s, SidRelId rel, TupleTableSlot *slot, int col, bool *isnull)
{
	AttrNumber	attno = s->attno[rel][col];

	Assert(attno > 0);
	return slot_getattr(slot, attno, isnull);
}

/* ----------------------------------------------------------------------
 * Writing
 * ----------------------------------------------------------------------
 */

/* Put a row given by column enum into the table's write slot. */
static TupleTableSlot *
fill_slot(SidOp *op, SidRelId rel, SidTable *t, const Datum *values, const bool *nulls)
{
	TupleTableSlot *slot = t->wslot;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			c;

	ExecClearTuple(slot);
	for (c = 0; c < natts; c++)
	{
		slot->tts_values[c] = (Datum) 0;
		slot->tts_isnull[c] = true;	/* dropped columns */
	}
	for (c = 0; c < SID_MAXCOLS; c++)
	{
		AttrNumber	attno = op->schema->attno[rel][c];

		if (attno == InvalidAttrNumber)
			break;
		slot->tts_values[attno - 1] = values[c];
		slot->tts_isnull[attno - 1] = nulls[c];
	}
	return ExecStoreVirtualTuple(slot);
}

void
sid_insert(SidOp *op, SidRelId rel, const Datum *values, const bool *nulls)
{
	SidTable   *t = table_for(op, rel, true);
	TupleTableSlot *slot;

	target_for(op, t, true);
	slot = fill_slot(op, rel, t, values, nulls);

	table_tuple_insert(t->rel, slot, op->cid, 0, NULL);
	if (t->rri->ri_NumIndices > 0)
		list_free(ExecInsertIndexTuples(t->rri, slot, op->estate,
										false, false, NULL, NIL));
	ResetPerTupleExprContext(op->estate);
}

/* What to do when an update or delete meets a row changed by others. */
static SidWriteResult
concurrent_change(SidOp *op, TM_Result result, TM_FailureData *tmfd)
{
	switch (result)
	{
		case TM_Ok:
			return SID_DONE;
		case TM_SelfModified:
			/* Only a trigger of ours can have done it within this command. */
			ereport(ERROR,
					(errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
					 errmsg("tuple to be updated was already modified by an operation triggered by the current command")));
			break;
		case TM_Updated:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			return SID_CHANGED_CONCURRENTLY;
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent delete")));
			return SID_CHANGED_CONCURRENTLY;
		default:
			break;
	}
	elog(ERROR, "unexpected table access method result %d", (int) result);
	return SID_DONE;			/* keep compiler quiet */
}

SidWriteResult
sid_update(SidOp *op, SidRelId rel, ItemPointer tid, const Datum *values, const bool *nulls)
{
	SidTable   *t = table_for(op, rel, true);
	TupleTableSlot *slot;
	ItemPointerData otid = *tid;
	TM_FailureData tmfd;
	LockTupleMode lockmode;
	bool		update_indexes;
	TM_Result	result;

	target_for(op, t, false);
	slot = fill_slot(op, rel, t, values, nulls);
	result = table_tuple_update(t->rel, &otid, slot, op->cid, GetActiveSnapshot(),
								InvalidSnapshot, true, &tmfd, &lockmode,
								&update_indexes);
	if (result == TM_Ok && update_indexes)
	{
		target_for(op, t, true);
		if (t->rri->ri_NumIndices > 0)
			list_free(ExecInsertIndexTuples(t->rri, slot, op->estate,
											true, false, NULL, NIL));
	}
	ResetPerTupleExprContext(op->estate);
	return concurrent_change(op, result, &tmfd);
}

SidWriteResult
sid_delete(SidOp *op, SidRelId rel, ItemPointer tid)
{
	SidTable   *t = table_for(op, rel, true);
	ItemPointerData otid = *tid;
	TM_FailureData tmfd;
	TM_Result	result;

	result = table_tuple_delete(t->rel, &otid, op->cid, GetActiveSnapshot(),
								InvalidSnapshot, true, &tmfd, false);
	return concurrent_change(op, result, &tmfd);
}

int64
sid_nextval(SidOp *op, Oid seq)
{
	return nextval_internal(seq, false);
}
