--
-- hostile_install: whatever default privileges and grants were in force,
-- CREATE EXTENSION and ALTER EXTENSION UPDATE leave exactly the privileges
-- of a clean install; a schema service_id made by another role is refused.
--
\set SHOW_CONTEXT never
CREATE ROLE regress_sid_app;
CREATE ROLE regress_sid_squatter;
CREATE TEMP TABLE acls (install text, what text);
SET check_function_bodies = off;	-- the schema comes later
CREATE FUNCTION pg_temp.acls() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT format('%s %s', relname, coalesce(relacl::text, '(default)')) FROM pg_class
	 WHERE relnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT format('%s %s', oid::regprocedure, coalesce(proacl::text, '(default)')) FROM pg_proc
	 WHERE pronamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT format('type %s %s', typname, coalesce(typacl::text, '(default)')) FROM pg_type
	 WHERE typnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT format('schema %s', coalesce(nspacl::text, '(default)')) FROM pg_namespace
	 WHERE nspname = 'service_id'
$$;
RESET check_function_bodies;

-- a clean install, as the reference
CREATE EXTENSION service_id;
INSERT INTO acls SELECT 'clean', pg_temp.acls();
SELECT count(*) > 60 AS listed FROM acls;
DROP EXTENSION service_id;
DROP SCHEMA service_id;

-- A role with CREATE on the database makes the schema first: refused, and
-- the schema is left to its owner.
GRANT CREATE ON DATABASE contrib_regression TO PUBLIC;
SET ROLE regress_sid_squatter;
CREATE SCHEMA service_id;
RESET ROLE;
CREATE EXTENSION service_id;
SELECT count(*) AS objects_in_squatted_schema FROM pg_class WHERE relnamespace = 'service_id'::regnamespace;
DROP SCHEMA service_id;
REVOKE CREATE ON DATABASE contrib_regression FROM PUBLIC;

-- Default privileges of the installing role, for every kind of object, to
-- another role and to PUBLIC (types and functions are PUBLIC's by default
-- too), and the schema made beforehand with grants of its own.
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO regress_sid_app WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT ALL ON SEQUENCES TO regress_sid_app, PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT ALL ON FUNCTIONS TO regress_sid_app;
ALTER DEFAULT PRIVILEGES GRANT ALL ON TYPES TO regress_sid_app;
ALTER DEFAULT PRIVILEGES GRANT ALL ON SCHEMAS TO regress_sid_app;
CREATE SCHEMA service_id;
GRANT ALL ON SCHEMA service_id TO PUBLIC, regress_sid_app;
CREATE EXTENSION service_id;
INSERT INTO acls SELECT 'hostile', pg_temp.acls();
-- what the hostile install grants beyond the clean one (nothing), and the reverse
(SELECT 'hostile only' AS "where", what FROM acls WHERE install = 'hostile'
 EXCEPT ALL SELECT 'hostile only', what FROM acls WHERE install = 'clean')
UNION ALL
(SELECT 'clean only', what FROM acls WHERE install = 'clean'
 EXCEPT ALL SELECT 'clean only', what FROM acls WHERE install = 'hostile')
ORDER BY 1, 2;
-- the role the defaults favoured can read no number and create no trigger
SET ROLE regress_sid_app;
SELECT count(*) FROM service_id.number_store;
CREATE TRIGGER x BEFORE INSERT ON service_id.number_store
	FOR EACH ROW EXECUTE FUNCTION service_id.append_only();
RESET ROLE;
DROP EXTENSION service_id;
DROP SCHEMA service_id;

-- The same defaults in force for ALTER EXTENSION UPDATE from 1.1, and a
-- 1.1 installed under them, where they gave a role everything: the update
-- cannot tell those rights from grant_usage()'s and grant_read()'s, so the
-- role keeps what those two give (it holds the rights each gives), and
-- nothing more: no number_store, no TRIGGER, no sequence, no CREATE.
CREATE EXTENSION service_id VERSION '1.1';
SELECT count(*) > 0 AS leaked_before_update FROM pg_class
 WHERE relnamespace = 'service_id'::regnamespace AND relacl::text LIKE '%regress_sid_app%';
ALTER EXTENSION service_id UPDATE;
INSERT INTO acls SELECT 'updated', pg_temp.acls();
DROP EXTENSION service_id;
DROP SCHEMA service_id;
CREATE EXTENSION service_id;
SELECT service_id.grant_usage('regress_sid_app');
SELECT service_id.grant_read('regress_sid_app');
INSERT INTO acls SELECT 'clean usage', pg_temp.acls();
DROP EXTENSION service_id;
DROP SCHEMA service_id;
(SELECT 'updated only' AS "where", what FROM acls WHERE install = 'updated'
 EXCEPT ALL SELECT 'updated only', what FROM acls WHERE install = 'clean usage')
UNION ALL
(SELECT 'clean only', what FROM acls WHERE install = 'clean usage'
 EXCEPT ALL SELECT 'clean only', what FROM acls WHERE install = 'updated')
ORDER BY 1, 2;

-- Without such defaults: roles given grant_usage() and grant_read() under
-- 1.1 keep them through the update, and get what 1.2 adds; nothing else.
CREATE ROLE regress_sid_report;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM regress_sid_app, PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON SEQUENCES FROM regress_sid_app, PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON FUNCTIONS FROM regress_sid_app;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON TYPES FROM regress_sid_app;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON SCHEMAS FROM regress_sid_app;
CREATE EXTENSION service_id VERSION '1.1';
-- what 1.1's grant_usage() and grant_read() granted (this library runs no
-- 1.1 function)
GRANT USAGE ON SCHEMA service_id TO regress_sid_app, regress_sid_report;
GRANT USAGE ON TYPE service_id.service_id TO regress_sid_app, regress_sid_report;
GRANT EXECUTE ON FUNCTION service_id.service_id_in(cstring), service_id.service_id_out(service_id.service_id),
	service_id.service_id_recv(internal), service_id.service_id_send(service_id.service_id),
	service_id.service_id_eq(service_id.service_id, service_id.service_id),
	service_id.service_id_ne(service_id.service_id, service_id.service_id),
	service_id.service_id_lt(service_id.service_id, service_id.service_id),
	service_id.service_id_le(service_id.service_id, service_id.service_id),
	service_id.service_id_gt(service_id.service_id, service_id.service_id),
	service_id.service_id_ge(service_id.service_id, service_id.service_id),
	service_id.service_id_cmp(service_id.service_id, service_id.service_id),
	service_id.service_id_hash(service_id.service_id),
	service_id.service_id_hash_extended(service_id.service_id, int8),
	service_id.service_id(text), service_id.service_id(uuid), service_id.text(service_id.service_id),
	service_id.is_valid(text) TO regress_sid_app, regress_sid_report;
GRANT EXECUTE ON FUNCTION service_id.gen_service_id(), service_id.apply_service_id(text, text, text),
	service_id.apply_service_ids(text, text, int, text), service_id.check_instance(text, text),
	service_id.revoke_service_id(service_id.service_id, text),
	service_id.register_filing(text, text, service_id.service_id),
	service_id.register_filing_direct(text, text, text), service_id.register_filing_trustpass(text, text, text),
	service_id.cancel_filing(bigint), service_id.remove_access(bigint), service_id.expire_service_ids()
	TO regress_sid_app;
GRANT SELECT, INSERT, UPDATE ON service_id.instance TO regress_sid_app;
GRANT SELECT ON service_id.product, service_id.region TO regress_sid_app;
GRANT EXECUTE ON FUNCTION service_id.eligibility_reasons(int, bool, int, int, bool, bool, text, int, timestamptz, text, bool, bool, int)
	TO regress_sid_report;
GRANT SELECT ON service_id.numbers, service_id.instances, service_id.filings, service_id.audit
	TO regress_sid_report;
ALTER EXTENSION service_id UPDATE;
INSERT INTO acls SELECT 'usage after update', pg_temp.acls();
DROP EXTENSION service_id;
DROP SCHEMA service_id;
CREATE EXTENSION service_id;
SELECT service_id.grant_usage('regress_sid_app');
SELECT service_id.grant_read('regress_sid_report');
INSERT INTO acls SELECT 'usage fresh', pg_temp.acls();
(SELECT 'after update only' AS "where", what FROM acls WHERE install = 'usage after update'
 EXCEPT ALL SELECT 'after update only', what FROM acls WHERE install = 'usage fresh')
UNION ALL
(SELECT 'fresh only', what FROM acls WHERE install = 'usage fresh'
 EXCEPT ALL SELECT 'fresh only', what FROM acls WHERE install = 'usage after update')
ORDER BY 1, 2;
DROP EXTENSION service_id;
DROP SCHEMA service_id;
DROP ROLE regress_sid_app;
DROP ROLE regress_sid_report;
DROP ROLE regress_sid_squatter;
