--
-- upgrade: 1.0 and 1.1 brought to 1.2 by ALTER EXTENSION UPDATE come out
-- the same as a fresh install of 1.2 from its own script
-- (sql/service_id--1.2.sql), object for object: members, columns, keys,
-- indexes, triggers, functions, views, operator classes, storage options,
-- comments, privileges and initial privileges, the tables pg_dump keeps.
-- (With data, and an older build of the library, in test/t/005_upgrade.pl.)
--
\set SHOW_CONTEXT never
CREATE TEMP TABLE shape (version text, what text);
SET check_function_bodies = off;	-- the schema comes later
CREATE FUNCTION pg_temp.shape() RETURNS SETOF text LANGUAGE sql AS $$
	WITH ext AS (SELECT oid, extconfig FROM pg_extension WHERE extname = 'service_id'),
	members AS (SELECT classid, objid FROM pg_depend, ext
				 WHERE refclassid = 'pg_extension'::regclass AND refobjid = ext.oid AND deptype = 'e'),
	rels AS (SELECT c.* FROM pg_class c WHERE c.relnamespace = 'service_id'::regnamespace)
	SELECT 'member ' || pg_describe_object(classid, objid, 0) FROM members
	UNION ALL
	SELECT 'requires ' || e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid, ext
	 WHERE d.classid = 'pg_extension'::regclass AND d.objid = ext.oid AND d.refclassid = 'pg_extension'::regclass
	UNION ALL
	SELECT 'dumped ' || c::regclass::text FROM ext, unnest(extconfig) c
	UNION ALL
	SELECT format('column %s.%s %s%s%s', r.relname, a.attname, format_type(a.atttypid, a.atttypmod),
				  CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
				  coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''))
	  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
	UNION ALL
	SELECT format('relation %s %s %s', relname, relkind, coalesce(reloptions::text, '')) FROM rels
	UNION ALL
	SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rels r ON r.oid = i.indrelid
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid
	 WHERE NOT t.tgisinternal
	UNION ALL
	SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
	  FROM pg_constraint WHERE connamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p
	 WHERE pronamespace = 'service_id'::regnamespace AND prokind = 'f'
	UNION ALL
	SELECT format('view %s %s', relname, pg_get_viewdef(oid)) FROM rels WHERE relkind = 'v'
	UNION ALL
	SELECT format('amproc %s %s %s %s', opf.opfname, amprocnum, amproclefttype::regtype, amproc::regprocedure)
	  FROM pg_amproc ap JOIN pg_opfamily opf ON opf.oid = ap.amprocfamily
	 WHERE opf.opfnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT format('amop %s %s %s', opf.opfname, amopstrategy, amopopr::regoperator)
	  FROM pg_amop ao JOIN pg_opfamily opf ON opf.oid = ao.amopfamily
	 WHERE opf.opfnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT format('comment %s: %s', pg_describe_object(classid, objid, 0), obj_description(objid, classid::regclass::name))
	  FROM members WHERE obj_description(objid, classid::regclass::name) IS NOT NULL
	UNION ALL
	SELECT format('comment %s.%s: %s', r.relname, a.attname, col_description(r.oid, a.attnum))
	  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0
	 WHERE col_description(r.oid, a.attnum) IS NOT NULL
	UNION ALL
	SELECT format('acl %s %s', relname, coalesce(relacl::text, '(default)')) FROM rels
	UNION ALL
	SELECT format('acl %s %s', p.oid::regprocedure, coalesce(proacl::text, '(default)')) FROM pg_proc p
	 WHERE pronamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT format('acl type %s %s', typname, coalesce(typacl::text, '(default)')) FROM pg_type
	 WHERE typnamespace = 'service_id'::regnamespace AND typrelid = 0
	UNION ALL
	SELECT format('acl schema %s', coalesce(nspacl::text, '(default)')) FROM pg_namespace
	 WHERE nspname = 'service_id'
	UNION ALL
	SELECT format('initprivs %s %s', pg_describe_object(i.classoid, i.objoid, i.objsubid), i.initprivs)
	  FROM pg_init_privs i JOIN members m ON m.classid = i.classoid AND m.objid = i.objoid
$$;
RESET check_function_bodies;

-- 1.0, then ALTER EXTENSION UPDATE through 1.1 to 1.2
CREATE EXTENSION service_id VERSION '1.0';
ALTER EXTENSION service_id UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'service_id';
INSERT INTO shape SELECT '1.0', pg_temp.shape();
DROP EXTENSION service_id CASCADE;

-- 1.1, then ALTER EXTENSION UPDATE to 1.2
CREATE EXTENSION service_id VERSION '1.1';
ALTER EXTENSION service_id UPDATE;
INSERT INTO shape SELECT '1.1', pg_temp.shape();
DROP EXTENSION service_id CASCADE;

-- a fresh 1.2, from sql/service_id--1.2.sql alone
CREATE EXTENSION service_id;
SELECT extversion FROM pg_extension WHERE extname = 'service_id';
INSERT INTO shape SELECT '1.2', pg_temp.shape();
SELECT count(*) > 300 AS described FROM shape WHERE version = '1.2';

-- nothing in one that is not in the other
(SELECT '1.0 only' AS "where", what FROM shape WHERE version = '1.0'
 EXCEPT ALL SELECT '1.0 only', what FROM shape WHERE version = '1.2')
UNION ALL
(SELECT '1.2 only, not 1.0', what FROM shape WHERE version = '1.2'
 EXCEPT ALL SELECT '1.2 only, not 1.0', what FROM shape WHERE version = '1.0')
UNION ALL
(SELECT '1.1 only', what FROM shape WHERE version = '1.1'
 EXCEPT ALL SELECT '1.1 only', what FROM shape WHERE version = '1.2')
UNION ALL
(SELECT '1.2 only, not 1.1', what FROM shape WHERE version = '1.2'
 EXCEPT ALL SELECT '1.2 only, not 1.1', what FROM shape WHERE version = '1.1')
ORDER BY 1, 2;

-- The library serves 1.2 only: an older version is told to update.
DROP EXTENSION service_id CASCADE;
CREATE EXTENSION service_id VERSION '1.1';
\set VERBOSITY default
INSERT INTO service_id.instance VALUES
	('u-1', 'alice', 'ecs', 'cn-hangzhou', 'subscription', 12, NULL, '192.0.2.1', 'running', false);
SELECT service_id.check_instance('u-1');
ALTER EXTENSION service_id UPDATE;
SELECT eligible, consumed FROM service_id.check_instance('u-1');
DROP EXTENSION service_id CASCADE;
DROP SCHEMA service_id;
