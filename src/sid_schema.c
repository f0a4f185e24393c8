/*
 * sid_schema.c
 *		The per-backend cache of the extension's catalog (see sid_schema.h).
 *
 * Built on first use: a few dozen syscache lookups, once.  A relcache
 * invalidation of any of the extension's tables or indexes (ALTER TABLE,
 * CREATE INDEX, DROP EXTENSION, ALTER EXTENSION UPDATE, a relcache reset)
 * marks it stale, and the next call rebuilds it.  Invalidations can arrive
 * while it is being built (each lock taken accepts them), so a build
 * counts them and starts again if one came in meanwhile.
 *
 * A change of the catalogs product and region also invalidates it: their
 * statement trigger (catalog_changed) sends a relcache invalidation, so the
 * copies sid_rows.c keeps of those small tables follow every edit.
 *
 * The build also checks what the C code assumes: the extension is at the
 * version this library serves, every column it reads exists, and the
 * tables it writes itself (instance_usage, number_store, filing_store,
 * audit_store) have no column it does not know, since it forms their rows
 * whole.
 *
 * Copyright (c) 2026, the service_id authors.  PostgreSQL licence.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "sid_schema.h"

typedef struct TableDef
{
	const char *name;
	bool		written;		/* rows formed whole by the C code */
	const char *cols[SID_MAXCOLS + 1];	/* NULL-terminated, in SidXxxCol order */
} TableDef;

static const TableDef tables[SID_NRELS] = {
	[SID_PRODUCT] = {"product", false,
		{"product", "allowance", "requires_subscription", "min_total_months",
	"min_remaining_days", "requires_public_ip", "hint", NULL}},
	[SID_REGION] = {"region", false, {"region", "mainland", NULL}},
	[SID_INSTANCE] = {"instance", false,
		{"instance_id", "account_id", "product", "region", "billing",
			"subscribed_months", "expires_at", "public_ip", "status", "trial",
	NULL}},
	[SID_USAGE] = {"instance_usage", true, {"instance_id", "consumed", NULL}},
	[SID_NUMBER] = {"number_store", true,
		{"number", "instance_id", "applicant", "grantee", "state", "applied_at",
	"state_changed_at", NULL}},
	[SID_FILING] = {"filing_store", true,
		{"filing_id", "account_id", "website", "method", "number",
	"instance_id", "shop_id", "status", "created_at", "ended_at", NULL}},
	[SID_AUDIT] = {"audit_store", true,
		{"event_id", "at", "db_user", "account_id", "action", "number",
	"instance_id", "filing_id", "detail", NULL}},
};

/*
 * The indexes the C code looks rows up by.  Primary keys are required.  The
 * others are looked for, and without one (a DBA dropped it) the store scans
 * the table instead: slower, never wrong.  That keeps each of the two
 * defences of a rule whole on its own, as SPEC section 4 asks for a number
 * bound to one filing: the unique index filing_store_number_used_once, and
 * the trigger, which looks without it.
 */
const SidIndexDef sid_index_defs[SID_NINDEXES] = {
	[SID_PRODUCT_PKEY] = {"product_pkey", SID_PRODUCT, PROD_PRODUCT, true},
	[SID_REGION_PKEY] = {"region_pkey", SID_REGION, REG_REGION, true},
	[SID_INSTANCE_PKEY] = {"instance_pkey", SID_INSTANCE, INST_INSTANCE_ID, true},
	[SID_INSTANCE_ACCOUNT] = {"instance_account", SID_INSTANCE, INST_ACCOUNT_ID, false},
	[SID_USAGE_PKEY] = {"instance_usage_pkey", SID_USAGE, USE_INSTANCE_ID, true},
	[SID_NUMBER_PKEY] = {"number_store_pkey", SID_NUMBER, NUM_NUMBER, true},
	[SID_NUMBER_INSTANCE] = {"number_store_instance", SID_NUMBER, NUM_INSTANCE_ID, false},
	[SID_NUMBER_GRANTEE] = {"number_store_grantee", SID_NUMBER, NUM_GRANTEE, false},
	[SID_FILING_NUMBER] = {"filing_store_number_used_once", SID_FILING, FIL_NUMBER, false},
	[SID_FILING_WEBSITE] = {"filing_store_one_active_per_website", SID_FILING, FIL_WEBSITE, false},
	[SID_FILING_PKEY] = {"filing_store_pkey", SID_FILING, FIL_FILING_ID, true},
};

static SidSchema schema;
static bool schema_valid = false;
static bool callbacks_registered = false;
static uint64 invalidations = 0;
static uint64 generations = 0;

static bool
is_ours(Oid relid)
{
	int			i;

	for (i = 0; i < SID_NRELS; i++)
		if (schema.rel[i] == relid)
			return true;
	for (i = 0; i < SID_NINDEXES; i++)
		if (schema.index[i] == relid)
			return true;
	return relid == schema.filing_seq || relid == schema.audit_seq;
}

static void
relcache_callback(Datum arg, Oid relid)
{
	/* while a build is under way, any invalidation may concern it */
	if (!schema_valid || !OidIsValid(relid) || is_ours(relid))
	{
		schema_valid = false;
		invalidations++;
	}
}

static void
schema_broken(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the service_id extension in this database is damaged"),
			 errdetail("%s", detail),
			 errhint("Its tables must not be altered.  Restore them, or drop and re-create the extension from a dump.")));
}

/* The installed version of the extension, or NULL if not installed. */
static char *
installed_version(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *version = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("service_id"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		version = isnull ? pstrdup("") : TextDatumGetCString(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return version;
}

static Oid
relation_oid(const char *name)
{
	Oid			relid = get_relname_relid(name, schema.namespace);

	if (!OidIsValid(relid))
		schema_broken(psprintf("Relation service_id.%s is missing.", name));
	return relid;
}

/* Map a table's columns to attribute numbers; check it has no others. */
static void
map_columns(SidRelId r)
{
	const TableDef *def = &tables[r];
	Oid			relid = schema.rel[r];
	HeapTuple	reltup;
	int			natts;
	int			c;
	AttrNumber	a;

	for (c = 0; c < SID_MAXCOLS; c++)
		schema.attno[r][c] = InvalidAttrNumber;
	for (c = 0; def->cols[c]; c++)
	{
		schema.attno[r][c] = get_attnum(relid, def->cols[c]);
		if (schema.attno[r][c] == InvalidAttrNumber)
			schema_broken(psprintf("Column %s of service_id.%s is missing.",
								   def->cols[c], def->name));
	}
	if (!def->written)
		return;
	reltup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(reltup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	natts = ((Form_pg_class) GETSTRUCT(reltup))->relnatts;
	ReleaseSysCache(reltup);
	for (a = 1; a <= natts; a++)
	{
		HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
										  Int16GetDatum(a));
		Form_pg_attribute att;
		bool		known = false;

		if (!HeapTupleIsValid(tup))
			continue;
		att = (Form_pg_attribute) GETSTRUCT(tup);
		for (c = 0; def->cols[c] && !att->attisdropped; c++)
			if (schema.attno[r][c] == a)
				known = true;
		if (!att->attisdropped && !known)
		{
			char	   *name = pstrdup(NameStr(att->attname));

			ReleaseSysCache(tup);
			schema_broken(psprintf("Column %s of service_id.%s was not made by the extension.",
								   name, def->name));
		}
		ReleaseSysCache(tup);
	}
}

static void
build(void)
{
	char	   *version;
	Oid			opclass;
	Oid			eq_op;
	int			i;

	version = installed_version();
	if (version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"service_id\" is not installed in this database")));
	if (strcmp(version, SID_VERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the service_id library is version %s, the extension in this database is version %s",
						SID_VERSION, version),
				 errhint("Run ALTER EXTENSION service_id UPDATE.")));

	memset(&schema, 0, sizeof(schema));
	schema.namespace = get_namespace_oid("service_id", true);
	if (!OidIsValid(schema.namespace))
		schema_broken("Schema service_id is missing.");
	schema.type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								  CStringGetDatum("service_id"),
								  ObjectIdGetDatum(schema.namespace));
	if (!OidIsValid(schema.type))
		schema_broken("Type service_id.service_id is missing.");
	opclass = GetDefaultOpClass(schema.type, BTREE_AM_OID);
	if (!OidIsValid(opclass))
		schema_broken("The btree operator class of service_id.service_id is missing.");
	eq_op = get_opfamily_member(get_opclass_family(opclass), schema.type,
								schema.type, BTEqualStrategyNumber);
	if (!OidIsValid(eq_op))
		schema_broken("The = operator of service_id.service_id is missing.");
	schema.type_eq = get_opcode(eq_op);

	for (i = 0; i < SID_NRELS; i++)
		schema.rel[i] = relation_oid(tables[i].name);
	for (i = 0; i < SID_NINDEXES; i++)
		schema.index[i] = sid_index_defs[i].required ?
			relation_oid(sid_index_defs[i].name) :
			get_relname_relid(sid_index_defs[i].name, schema.namespace);
	schema.filing_seq = relation_oid("filing_id_seq");
	schema.audit_seq = relation_oid("audit_event_id_seq");
	for (i = 0; i < SID_NRELS; i++)
		map_columns(i);
}

const SidSchema *
sid_schema(void)
{
	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
		callbacks_registered = true;
	}
	while (!schema_valid)
	{
		uint64		before = invalidations;

		build();
		schema.generation = ++generations;
		schema_valid = (invalidations == before);
	}
	return &schema;
}

int
sid_schema_rel_of(const SidSchema *s, Oid relid)
{
	int			i;

	for (i = 0; i < SID_NRELS; i++)
		if (s->rel[i] == relid)
			return i;
	return -1;
}

const char *
sid_rel_name(SidRelId rel)
{
	static const char *const qualified[SID_NRELS] = {
		"service_id.product", "service_id.region", "service_id.instance",
		"service_id.instance_usage", "service_id.number_store",
		"service_id.filing_store", "service_id.audit_store"
	};

	return qualified[rel];
}

const char *
sid_col_name(SidRelId rel, int col)
{
	return tables[rel].cols[col];
}
