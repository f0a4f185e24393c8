/*
 * sid_counter.c
 *		The allowance counter (see sid_counter.h).
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "sid_counter.h"
#include "sid_rows.h"

bool
sid_counter_add(SidOp *op, const char *instance_id, int32 delta, int32 *before)
{
	for (;;)
	{
		SidUsageRow row;
		int64		after;

		if (!sid_get_usage(op, instance_id, &row))
			return false;
		after = (int64) row.consumed + delta;
		if (after < 0 || after > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the allowance counter of instance \"%s\" would become %lld",
							instance_id, (long long) after),
					 errdetail("It no longer counts the instance's numbers and filings: rows were changed while triggers were disabled."),
					 errhint("Dump and restore the extension's data to rebuild the counters.")));
		*before = row.consumed;
		row.consumed = (int32) after;
		if (sid_set_usage(op, &row) == SID_DONE)
			return true;
		sid_op_refresh(op);		/* READ COMMITTED: read what the winner left */
	}
}

bool
sid_counter_read(SidOp *op, const char *instance_id, int32 *consumed)
{
	SidUsageRow row;

	if (!sid_get_usage(op, instance_id, &row))
		return false;
	*consumed = row.consumed;
	return true;
}

void
sid_counter_create(SidOp *op, const char *instance_id)
{
	SidUsageRow row = {.instance_id = (char *) instance_id, .consumed = 0};

	sid_put_usage(op, &row);
}

void
sid_counter_drop(SidOp *op, const char *instance_id)
{
	for (;;)
	{
		SidUsageRow row;

		if (!sid_get_usage(op, instance_id, &row))
			return;
		if (sid_delete(op, SID_USAGE, &row.tid) == SID_DONE)
			return;
		sid_op_refresh(op);
	}
}

void
sid_counter_rekey(SidOp *op, const char *from, const char *to)
{
	for (;;)
	{
		SidUsageRow row;

		if (!sid_get_usage(op, from, &row))
		{
			/* none (created while triggers were off): make the new one */
			sid_counter_create(op, to);
			return;
		}
		row.instance_id = (char *) to;
		if (sid_set_usage(op, &row) == SID_DONE)
			return;
		sid_op_refresh(op);
	}
}
