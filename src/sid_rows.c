/*
 * sid_rows.c
 *		Rows as C structs (see sid_rows.h).
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "sid_rows.h"

/* ----------------------------------------------------------------------
 * Columns
 * ----------------------------------------------------------------------
 */

static char *
text_col(const SidSchema *s, SidRelId rel, TupleTableSlot *slot, int col)
{
	bool		isnull;
	Datum		d = sid_col(s, rel, slot, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static int32
int4_col(const SidSchema *s, SidRelId rel, TupleTableSlot *slot, int col, bool *isnull)
{
	Datum		d = sid_col(s, rel, slot, col, isnull);

	return *isnull ? 0 : DatumGetInt32(d);
}

static bool
bool_col(const SidSchema *s, SidRelId rel, TupleTableSlot *slot, int col, bool *isnull)
{
	Datum		d = sid_col(s, rel, slot, col, isnull);

	return *isnull ? false : DatumGetBool(d);
}

static TimestampTz
ts_col(const SidSchema *s, SidRelId rel, TupleTableSlot *slot, int col, bool *present)
{
	bool		isnull;
	Datum		d = sid_col(s, rel, slot, col, &isnull);

	*present = !isnull;
	return isnull ? 0 : DatumGetTimestampTz(d);
}

static bool
number_col(const SidSchema *s, SidRelId rel, TupleTableSlot *slot, int col, SidValue *out)
{
	bool		isnull;
	Datum		d = sid_col(s, rel, slot, col, &isnull);

	if (isnull)
		return false;
	memcpy(out->data, DatumGetPointer(d), SID_LEN);
	return true;
}

/* A stored word (state, status, method) as the text it is, or NULL. */
static SidNumberState
state_col(const SidSchema *s, TupleTableSlot *slot)
{
	char	   *t = text_col(s, SID_NUMBER, slot, NUM_STATE);

	return sid_number_state_from_text(t, t ? strlen(t) : 0);
}

Datum
sid_text_datum(const char *s)
{
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

Datum
sid_number_datum(const SidValue *v)
{
	return PointerGetDatum(v->data);
}

/* ----------------------------------------------------------------------
 * Decoding
 * ----------------------------------------------------------------------
 */

void
sid_decode_product(const SidSchema *s, TupleTableSlot *slot, SidProductRow *row)
{
	bool		n;

	row->product = text_col(s, SID_PRODUCT, slot, PROD_PRODUCT);
	row->allowance = int4_col(s, SID_PRODUCT, slot, PROD_ALLOWANCE, &n);
	row->requires_subscription = bool_col(s, SID_PRODUCT, slot, PROD_REQUIRES_SUBSCRIPTION, &n);
	row->min_total_months = int4_col(s, SID_PRODUCT, slot, PROD_MIN_TOTAL_MONTHS, &n);
	row->min_remaining_days = int4_col(s, SID_PRODUCT, slot, PROD_MIN_REMAINING_DAYS, &n);
	row->requires_public_ip = bool_col(s, SID_PRODUCT, slot, PROD_REQUIRES_PUBLIC_IP, &n);
	row->hint = text_col(s, SID_PRODUCT, slot, PROD_HINT);
}

void
sid_decode_instance(const SidSchema *s, TupleTableSlot *slot, SidInstanceRow *row)
{
	bool		n;

	row->instance_id = text_col(s, SID_INSTANCE, slot, INST_INSTANCE_ID);
	row->account_id = text_col(s, SID_INSTANCE, slot, INST_ACCOUNT_ID);
	row->product = text_col(s, SID_INSTANCE, slot, INST_PRODUCT);
	row->region = text_col(s, SID_INSTANCE, slot, INST_REGION);
	row->billing = text_col(s, SID_INSTANCE, slot, INST_BILLING);
	row->subscribed_months = int4_col(s, SID_INSTANCE, slot, INST_SUBSCRIBED_MONTHS, &n);
	row->expires_at = ts_col(s, SID_INSTANCE, slot, INST_EXPIRES_AT, &row->has_expiry);
	(void) sid_col(s, SID_INSTANCE, slot, INST_PUBLIC_IP, &n);
	row->has_public_ip = !n;
	row->status = text_col(s, SID_INSTANCE, slot, INST_STATUS);
	row->trial = bool_col(s, SID_INSTANCE, slot, INST_TRIAL, &n);
}

void
sid_decode_usage(const SidSchema *s, TupleTableSlot *slot, SidUsageRow *row)
{
	bool		n;

	row->instance_id = text_col(s, SID_USAGE, slot, USE_INSTANCE_ID);
	row->consumed = int4_col(s, SID_USAGE, slot, USE_CONSUMED, &n);
	row->tid = slot->tts_tid;
}

void
sid_decode_number(const SidSchema *s, TupleTableSlot *slot, SidNumberRow *row)
{
	row->has_number = number_col(s, SID_NUMBER, slot, NUM_NUMBER, &row->number);
	row->instance_id = text_col(s, SID_NUMBER, slot, NUM_INSTANCE_ID);
	row->applicant = text_col(s, SID_NUMBER, slot, NUM_APPLICANT);
	row->grantee = text_col(s, SID_NUMBER, slot, NUM_GRANTEE);
	row->state = state_col(s, slot);
	row->applied_at = ts_col(s, SID_NUMBER, slot, NUM_APPLIED_AT, &row->has_applied_at);
	row->state_changed_at = ts_col(s, SID_NUMBER, slot, NUM_STATE_CHANGED_AT,
								   &row->has_state_changed_at);
	row->tid = slot->tts_tid;
}

void
sid_decode_filing(const SidSchema *s, TupleTableSlot *slot, SidFilingRow *row)
{
	bool		isnull;
	Datum		d;
	char	   *t;

	d = sid_col(s, SID_FILING, slot, FIL_FILING_ID, &isnull);
	row->has_filing_id = !isnull;
	row->filing_id = isnull ? 0 : DatumGetInt64(d);
	row->account_id = text_col(s, SID_FILING, slot, FIL_ACCOUNT_ID);
	row->website = text_col(s, SID_FILING, slot, FIL_WEBSITE);
	t = text_col(s, SID_FILING, slot, FIL_METHOD);
	row->method = sid_filing_method_from_text(t, t ? strlen(t) : 0);
	row->has_number = number_col(s, SID_FILING, slot, FIL_NUMBER, &row->number);
	row->instance_id = text_col(s, SID_FILING, slot, FIL_INSTANCE_ID);
	row->shop_id = text_col(s, SID_FILING, slot, FIL_SHOP_ID);
	t = text_col(s, SID_FILING, slot, FIL_STATUS);
	row->status = sid_filing_status_from_text(t, t ? strlen(t) : 0);
	row->created_at = ts_col(s, SID_FILING, slot, FIL_CREATED_AT, &row->has_created_at);
	row->ended_at = ts_col(s, SID_FILING, slot, FIL_ENDED_AT, &row->has_ended_at);
	row->tid = slot->tts_tid;
}

/* ----------------------------------------------------------------------
 * Fetching
 * ----------------------------------------------------------------------
 */

/* ----------------------------------------------------------------------
 * The catalogs, kept whole in this backend
 *
 * product and region are a few dozen rows that every apply and check reads.
 * This backend keeps a copy of each, read as of the latest commit rather
 * than with the caller's snapshot (a copy read with an old snapshot would
 * outlive the invalidation that should have replaced it), and reads them
 * again when sid_schema's generation moves: every statement that changes
 * either table sends a relcache invalidation (the trigger catalog_changed),
 * which every backend sees before its next call, and this one at its next
 * command.
 * ----------------------------------------------------------------------
 */

typedef struct RegionEntry
{
	char	   *region;
	bool		mainland;
} RegionEntry;

typedef struct CatalogCopy
{
	uint64		generation;
	MemoryContext cxt;
	int			nproducts;
	SidProductRow *products;	/* sorted by product */
	int			nregions;
	RegionEntry *regions;		/* sorted by region */
} CatalogCopy;

static CatalogCopy catalogs;

static int
product_cmp(const void *a, const void *b)
{
	return strcmp(((const SidProductRow *) a)->product, ((const SidProductRow *) b)->product);
}

static int
region_cmp(const void *a, const void *b)
{
	return strcmp(((const RegionEntry *) a)->region, ((const RegionEntry *) b)->region);
}

static void
load_catalogs(SidOp *op)
{
	const SidSchema *s = sid_op_schema(op);
	MemoryContext cxt;
	MemoryContext old;
	SidScan    *scan;
	TupleTableSlot *slot;
	CatalogCopy copy = {0};
	int			cap;

	if (catalogs.cxt && catalogs.generation == s->generation)
		return;

	/* Built under the caller's context, so an error frees it; kept on success. */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "service_id catalogs",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);

	cap = 16;
	copy.products = palloc(sizeof(SidProductRow) * cap);
	scan = sid_seqscan_latest(op, SID_PRODUCT);
	while ((slot = sid_scan_next(scan)) != NULL)
	{
		if (copy.nproducts == cap)
			copy.products = repalloc(copy.products, sizeof(SidProductRow) * (cap *= 2));
		sid_decode_product(s, slot, &copy.products[copy.nproducts]);
		if (copy.products[copy.nproducts].product)
			copy.nproducts++;
	}
	sid_scan_end(scan);

	cap = 32;
	copy.regions = palloc(sizeof(RegionEntry) * cap);
	scan = sid_seqscan_latest(op, SID_REGION);
	while ((slot = sid_scan_next(scan)) != NULL)
	{
		bool		isnull;
		Datum		d = sid_col(s, SID_REGION, slot, REG_REGION, &isnull);

		if (isnull)
			continue;
		if (copy.nregions == cap)
			copy.regions = repalloc(copy.regions, sizeof(RegionEntry) * (cap *= 2));
		copy.regions[copy.nregions].region = TextDatumGetCString(d);
		copy.regions[copy.nregions].mainland =
			bool_col(s, SID_REGION, slot, REG_MAINLAND, &isnull);
		copy.nregions++;
	}
	sid_scan_end(scan);
	MemoryContextSwitchTo(old);

	qsort(copy.products, copy.nproducts, sizeof(SidProductRow), product_cmp);
	qsort(copy.regions, copy.nregions, sizeof(RegionEntry), region_cmp);
	copy.generation = s->generation;
	copy.cxt = cxt;
	MemoryContextSetParent(cxt, CacheMemoryContext);
	if (catalogs.cxt)
		MemoryContextDelete(catalogs.cxt);
	catalogs = copy;
}

bool
sid_get_product(SidOp *op, const char *product, SidProductRow *row)
{
	SidProductRow key = {.product = (char *) product};
	SidProductRow *found;

	load_catalogs(op);
	found = bsearch(&key, catalogs.products, catalogs.nproducts,
					sizeof(SidProductRow), product_cmp);
	if (found == NULL)
		return false;
	*row = *found;
	row->product = pstrdup(found->product);
	row->hint = found->hint ? pstrdup(found->hint) : NULL;
	return true;
}

bool
sid_get_region_mainland(SidOp *op, const char *region)
{
	RegionEntry key = {.region = (char *) region};
	RegionEntry *found;

	load_catalogs(op);
	found = bsearch(&key, catalogs.regions, catalogs.nregions,
					sizeof(RegionEntry), region_cmp);
	return found != NULL && found->mainland;
}

bool
sid_get_instance(SidOp *op, const char *instance_id, SidInstanceRow *row)
{
	TupleTableSlot *slot = sid_fetch(op, SID_INSTANCE_PKEY, CStringGetTextDatum(instance_id));

	if (slot)
		sid_decode_instance(sid_op_schema(op), slot, row);
	return slot != NULL;
}

bool
sid_get_usage(SidOp *op, const char *instance_id, SidUsageRow *row)
{
	TupleTableSlot *slot = sid_fetch(op, SID_USAGE_PKEY, CStringGetTextDatum(instance_id));

	if (slot)
		sid_decode_usage(sid_op_schema(op), slot, row);
	return slot != NULL;
}

bool
sid_get_number(SidOp *op, const SidValue *number, SidNumberRow *row)
{
	TupleTableSlot *slot = sid_fetch(op, SID_NUMBER_PKEY, sid_number_datum(number));

	if (slot)
		sid_decode_number(sid_op_schema(op), slot, row);
	return slot != NULL;
}

bool
sid_get_filing(SidOp *op, int64 filing_id, SidFilingRow *row)
{
	TupleTableSlot *slot = sid_fetch(op, SID_FILING_PKEY, Int64GetDatum(filing_id));

	if (slot)
		sid_decode_filing(sid_op_schema(op), slot, row);
	return slot != NULL;
}

/* ----------------------------------------------------------------------
 * Writing
 * ----------------------------------------------------------------------
 */

static void
usage_values(const SidUsageRow *row, Datum *v, bool *n)
{
	v[USE_INSTANCE_ID] = CStringGetTextDatum(row->instance_id);
	n[USE_INSTANCE_ID] = false;
	v[USE_CONSUMED] = Int32GetDatum(row->consumed);
	n[USE_CONSUMED] = false;
}

void
sid_put_usage(SidOp *op, const SidUsageRow *row)
{
	Datum		v[USE_NCOLS];
	bool		n[USE_NCOLS];

	usage_values(row, v, n);
	sid_insert(op, SID_USAGE, v, n);
}

SidWriteResult
sid_set_usage(SidOp *op, const SidUsageRow *row)
{
	Datum		v[USE_NCOLS];
	bool		n[USE_NCOLS];
	ItemPointerData tid = row->tid;

	usage_values(row, v, n);
	return sid_update(op, SID_USAGE, &tid, v, n);
}

static void
number_values(const SidNumberRow *row, Datum *v, bool *n)
{
	v[NUM_NUMBER] = sid_number_datum(&row->number);
	n[NUM_NUMBER] = !row->has_number;
	v[NUM_INSTANCE_ID] = sid_text_datum(row->instance_id);
	n[NUM_INSTANCE_ID] = row->instance_id == NULL;
	v[NUM_APPLICANT] = sid_text_datum(row->applicant);
	n[NUM_APPLICANT] = row->applicant == NULL;
	v[NUM_GRANTEE] = sid_text_datum(row->grantee);
	n[NUM_GRANTEE] = row->grantee == NULL;
	v[NUM_STATE] = CStringGetTextDatum(sid_number_state_name(row->state));
	n[NUM_STATE] = false;
	v[NUM_APPLIED_AT] = TimestampTzGetDatum(row->applied_at);
	n[NUM_APPLIED_AT] = !row->has_applied_at;
	v[NUM_STATE_CHANGED_AT] = TimestampTzGetDatum(row->state_changed_at);
	n[NUM_STATE_CHANGED_AT] = !row->has_state_changed_at;
}

void
sid_put_number(SidOp *op, const SidNumberRow *row)
{
	Datum		v[NUM_NCOLS];
	bool		n[NUM_NCOLS];

	number_values(row, v, n);
	sid_insert(op, SID_NUMBER, v, n);
}

SidWriteResult
sid_set_number(SidOp *op, const SidNumberRow *row)
{
	Datum		v[NUM_NCOLS];
	bool		n[NUM_NCOLS];
	ItemPointerData tid = row->tid;

	number_values(row, v, n);
	return sid_update(op, SID_NUMBER, &tid, v, n);
}

static void
filing_values(const SidFilingRow *row, Datum *v, bool *n)
{
	v[FIL_FILING_ID] = Int64GetDatum(row->filing_id);
	n[FIL_FILING_ID] = !row->has_filing_id;
	v[FIL_ACCOUNT_ID] = sid_text_datum(row->account_id);
	n[FIL_ACCOUNT_ID] = row->account_id == NULL;
	v[FIL_WEBSITE] = sid_text_datum(row->website);
	n[FIL_WEBSITE] = row->website == NULL;
	v[FIL_METHOD] = CStringGetTextDatum(sid_filing_method_name(row->method));
	n[FIL_METHOD] = false;
	v[FIL_NUMBER] = sid_number_datum(&row->number);
	n[FIL_NUMBER] = !row->has_number;
	v[FIL_INSTANCE_ID] = sid_text_datum(row->instance_id);
	n[FIL_INSTANCE_ID] = row->instance_id == NULL;
	v[FIL_SHOP_ID] = sid_text_datum(row->shop_id);
	n[FIL_SHOP_ID] = row->shop_id == NULL;
	v[FIL_STATUS] = CStringGetTextDatum(sid_filing_status_name(row->status));
	n[FIL_STATUS] = false;
	v[FIL_CREATED_AT] = TimestampTzGetDatum(row->created_at);
	n[FIL_CREATED_AT] = !row->has_created_at;
	v[FIL_ENDED_AT] = TimestampTzGetDatum(row->ended_at);
	n[FIL_ENDED_AT] = !row->has_ended_at;
}

void
sid_put_filing(SidOp *op, const SidFilingRow *row)
{
	Datum		v[FIL_NCOLS];
	bool		n[FIL_NCOLS];

	filing_values(row, v, n);
	sid_insert(op, SID_FILING, v, n);
}

SidWriteResult
sid_set_filing(SidOp *op, const SidFilingRow *row)
{
	Datum		v[FIL_NCOLS];
	bool		n[FIL_NCOLS];
	ItemPointerData tid = row->tid;

	filing_values(row, v, n);
	return sid_update(op, SID_FILING, &tid, v, n);
}
