--
-- upgrade: 1.0 with data, ALTER EXTENSION UPDATE, and the result is the
-- same extension as a fresh install of the default version.
--
CREATE EXTENSION service_id VERSION '1.0';
SET search_path = service_id, public;
\set SHOW_CONTEXT never
INSERT INTO instance VALUES
	('u-1', 'alice', 'ecs', 'cn-hangzhou', 'subscription', 12, NULL, '192.0.2.1', 'running', false);
CREATE TEMP TABLE before_update AS
	SELECT n FROM apply_service_ids('u-1', 'alice', 2, 'bob') AS n;
SELECT register_filing('bob', 'upgrade.example.cn', (SELECT n FROM before_update ORDER BY n LIMIT 1)) > 0 AS filed;

ALTER EXTENSION service_id UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'service_id';

-- the data came through and the rules still hold
SELECT state, count(*) FROM numbers GROUP BY state ORDER BY state;
\set VERBOSITY sqlstate
SELECT register_filing('bob', 'again.example.cn', (SELECT n FROM before_update ORDER BY n LIMIT 1));
SELECT count(*) FROM apply_service_ids('u-1', 'alice', 3);
SELECT apply_service_id('u-1', 'alice');
UPDATE number_store SET state = 'unused' WHERE state = 'used';
\set VERBOSITY default
SELECT action, count(*) FROM audit GROUP BY action ORDER BY action;

-- The shape of the upgraded extension: members, indexes, triggers,
-- constraints, functions, privileges.  A fresh install of the default
-- version must come out the same (PostgreSQL installs it by running the
-- base script and the update path, on empty tables).
CREATE TEMP TABLE shape (what text);
CREATE FUNCTION pg_temp.shape() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT pg_describe_object(classid, objid, 0)
	  FROM pg_depend
	 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'service_id')
	UNION ALL
	SELECT pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
	 WHERE c.relnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	 WHERE c.relnamespace = 'service_id'::regnamespace AND NOT t.tgisinternal
	UNION ALL
	SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
	 WHERE connamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT pg_get_functiondef(p.oid) FROM pg_proc p
	 WHERE pronamespace = 'service_id'::regnamespace AND prokind = 'f'
	UNION ALL
	SELECT relname || ' ' || coalesce(relacl::text, '') FROM pg_class
	 WHERE relnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT proname || ' ' || coalesce(proacl::text, '') FROM pg_proc
	 WHERE pronamespace = 'service_id'::regnamespace
$$;
INSERT INTO shape SELECT pg_temp.shape();
SELECT count(*) > 100 AS described FROM shape;

DROP EXTENSION service_id CASCADE;
CREATE EXTENSION service_id;
SELECT extversion FROM pg_extension WHERE extname = 'service_id';
-- nothing in one that is not in the other
(SELECT pg_temp.shape() EXCEPT ALL SELECT what FROM shape)
UNION ALL
(SELECT what FROM shape EXCEPT ALL SELECT pg_temp.shape());

DROP EXTENSION service_id CASCADE;
DROP SCHEMA service_id;
