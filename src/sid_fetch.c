/*
 * sid_fetch.c
 *		Read one row of an extension table by its text primary key, with a
 *		direct index scan instead of SPI.
 *
 * check_instance() and the apply path read four rows by key (the instance,
 * its product, its region and its counter).  Through SPI that is a four-way
 * join whose executor start-up costs more than the reads themselves;
 * through the index access method it is four B-tree descents.  The caller
 * chooses the snapshot, so the reads mean what the SPI statements meant.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "service_id.h"

/*
 * Find the row of service_id.<table> whose (text) primary key equals key,
 * as seen by snap.  On success, copy the named columns into values/nulls
 * (in the current memory context) and return true.
 */
bool
sid_fetch(const char *table, const char *key, Snapshot snap,
		  const char *const *cols, int ncols, Datum *values, bool *nulls)
{
	Oid			relid;
	Relation	rel;
	Relation	idx;
	ScanKeyData skey;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	bool		found;
	int			i;

	relid = get_relname_relid(table, get_namespace_oid("service_id", false));
	if (!OidIsValid(relid))
		elog(ERROR, "table service_id.%s is missing", table);
	rel = table_open(relid, AccessShareLock);
	idx = index_open(RelationGetPrimaryKeyIndex(rel), AccessShareLock);

	ScanKeyEntryInitialize(&skey, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   idx->rd_indcollation[0], F_TEXTEQ,
						   CStringGetTextDatum(key));
	scan = index_beginscan(rel, idx, snap, 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	slot = table_slot_create(rel, NULL);

	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
	{
		TupleDesc	desc = RelationGetDescr(rel);

		for (i = 0; i < ncols; i++)
		{
			AttrNumber	attno = attnameAttNum(rel, cols[i], false);
			Form_pg_attribute att;

			if (attno <= 0)
				elog(ERROR, "column \"%s\" of service_id.%s is missing", cols[i], table);
			att = TupleDescAttr(desc, attno - 1);
			values[i] = slot_getattr(slot, attno, &nulls[i]);
			if (!nulls[i])
				values[i] = datumCopy(values[i], att->attbyval, att->attlen);
		}
	}

	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return found;
}
