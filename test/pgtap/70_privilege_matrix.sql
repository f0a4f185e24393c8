-- 70_privilege_matrix.sql — for a role with no grant, a grant_read role, a
-- grant_usage role and the owner: every function and every relation of the
-- schema, the expected allow/deny, asserted; then real calls under SET ROLE.
--
-- The expected matrix is written out below, by hand, from SPEC sections 5
-- and 7: the read role gets SELECT on the five views only (plus what the
-- type and the instances view need to run); the usage role gets the API,
-- SELECT/INSERT/UPDATE on instance and SELECT on product and region (plus
-- the type); the stores (number_store, filing_store, audit_store,
-- instance_usage), the sequences, the trigger functions and grant_usage /
-- grant_read themselves belong to the owner alone.  A function or relation
-- the matrix does not list fails the completeness tests.
--
-- Run by pg_prove in a database where neither pgtap nor service_id exists.

\unset ECHO
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_ROLLBACK 1
\set ON_ERROR_STOP 1

BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION service_id;

SELECT plan(562);

CREATE ROLE r_none;
CREATE ROLE r_read;
CREATE ROLE r_usage;
SELECT service_id.grant_read('r_read');
SELECT service_id.grant_usage('r_usage');

-- the owner is the role that created the extension (this session)
CREATE TEMP TABLE roles (role name, col text);
INSERT INTO roles VALUES
	('r_none', 'none'), ('r_read', 'read'), ('r_usage', 'usage'), (current_user, 'owner');

-------------------------------------------------------------------------------
-- The expected matrix: functions (Y = EXECUTE allowed)
-------------------------------------------------------------------------------

CREATE TEMP TABLE fn_expect (fn text PRIMARY KEY, none bool, read bool, usage bool, owner bool);
INSERT INTO fn_expect VALUES
	-- the type: I/O, operators, support, casts, is_valid — what any role
	-- that handles numbers needs
	('service_id.service_id_in(cstring)',                                        false, true,  true,  true),
	('service_id.service_id_out(service_id.service_id)',                         false, true,  true,  true),
	('service_id.service_id_recv(internal)',                                     false, true,  true,  true),
	('service_id.service_id_send(service_id.service_id)',                        false, true,  true,  true),
	('service_id.service_id_eq(service_id.service_id,service_id.service_id)',    false, true,  true,  true),
	('service_id.service_id_ne(service_id.service_id,service_id.service_id)',    false, true,  true,  true),
	('service_id.service_id_lt(service_id.service_id,service_id.service_id)',    false, true,  true,  true),
	('service_id.service_id_le(service_id.service_id,service_id.service_id)',    false, true,  true,  true),
	('service_id.service_id_gt(service_id.service_id,service_id.service_id)',    false, true,  true,  true),
	('service_id.service_id_ge(service_id.service_id,service_id.service_id)',    false, true,  true,  true),
	('service_id.service_id_cmp(service_id.service_id,service_id.service_id)',   false, true,  true,  true),
	-- sortsupport is called by the executor without a privilege check
	('service_id.service_id_sortsupport(internal)',                              false, false, false, true),
	('service_id.service_id_hash(service_id.service_id)',                        false, true,  true,  true),
	('service_id.service_id_hash_extended(service_id.service_id,bigint)',        false, true,  true,  true),
	('service_id.service_id(text)',                                              false, true,  true,  true),
	('service_id.service_id(uuid)',                                              false, true,  true,  true),
	('service_id.text(service_id.service_id)',                                   false, true,  true,  true),
	('service_id.is_valid(text)',                                                false, true,  true,  true),
	-- the CHECK of instance ids: whoever writes instances evaluates it
	('service_id.valid_identifier(text)',                                        false, false, true,  true),
	-- making numbers is for applications
	('service_id.gen_service_id()',                                              false, false, true,  true),
	-- trigger functions: fired without a privilege check, called by nobody
	('service_id.catalog_upsert()',                                              false, false, false, true),
	('service_id.catalog_changed()',                                             false, false, false, true),
	('service_id.instance_inserted()',                                           false, false, false, true),
	('service_id.instance_delete_guard()',                                       false, false, false, true),
	('service_id.instance_deleted()',                                            false, false, false, true),
	('service_id.instance_keys_guard()',                                         false, false, false, true),
	('service_id.number_inserted()',                                             false, false, false, true),
	('service_id.number_update_guard()',                                         false, false, false, true),
	('service_id.number_released()',                                            false, false, false, true),
	('service_id.filing_insert_guard()',                                         false, false, false, true),
	('service_id.filing_inserted()',                                             false, false, false, true),
	('service_id.filing_update_guard()',                                         false, false, false, true),
	('service_id.filing_ended()',                                                false, false, false, true),
	('service_id.append_only()',                                                 false, false, false, true),
	('service_id.usage_guard()',                                                 false, false, false, true),
	-- the API
	('service_id.apply_service_id(text,text,text)',                              false, false, true,  true),
	('service_id.apply_service_ids(text,text,integer,text)',                     false, false, true,  true),
	('service_id.check_instance(text,text)',                                     false, false, true,  true),
	('service_id.revoke_service_id(service_id.service_id,text)',                 false, false, true,  true),
	('service_id.register_filing(text,text,service_id.service_id)',              false, false, true,  true),
	('service_id.register_filing_direct(text,text,text)',                        false, false, true,  true),
	('service_id.register_filing_trustpass(text,text,text)',                     false, false, true,  true),
	('service_id.cancel_filing(bigint)',                                         false, false, true,  true),
	('service_id.remove_access(bigint)',                                         false, false, true,  true),
	('service_id.expire_service_ids()',                                          false, false, true,  true),
	('service_id.account_numbers(text)',                                         false, false, true,  true),
	('service_id.account_instances(text)',                                       false, false, true,  true),
	-- scheduling is the owner's
	('service_id.schedule_expiry(text)',                                         false, false, false, true),
	('service_id.unschedule_expiry()',                                           false, false, false, true),
	-- granting is the owner's
	('service_id.grant_usage(regrole)',                                          false, false, false, true),
	('service_id.grant_read(regrole)',                                           false, false, false, true),
	-- the rules of the instances view: its reader calls it
	('service_id.eligibility_reasons(integer,boolean,integer,integer,boolean,boolean,text,integer,timestamp with time zone,text,boolean,boolean,integer)',
																				 false, true,  false, true);

-------------------------------------------------------------------------------
-- The expected matrix: relations.  Privileges as has_table_privilege letters
-- for tables and views (S I U D; T = TRUNCATE, REFERENCES and TRIGGER
-- together), has_sequence_privilege for sequences (USAGE, SELECT, UPDATE).
-------------------------------------------------------------------------------

CREATE TEMP TABLE rel_expect (rel text, priv text, none bool, read bool, usage bool, owner bool,
							  PRIMARY KEY (rel, priv));
INSERT INTO rel_expect
SELECT r.rel, p.priv, false,
	   r.read_privs LIKE '%' || p.priv || '%',
	   r.usage_privs LIKE '%' || p.priv || '%',
	   true
  FROM (VALUES
	-- relation                    read   usage
	('service_id.numbers',         'S',   ''),
	('service_id.instances',       'S',   ''),
	('service_id.filings',         'S',   ''),
	('service_id.audit',           'S',   ''),
	('service_id.summary',         'S',   ''),
	('service_id.instance',        '',    'SIU'),
	('service_id.product',         '',    'S'),
	('service_id.region',          '',    'S'),
	('service_id.number_store',    '',    ''),
	('service_id.filing_store',    '',    ''),
	('service_id.audit_store',     '',    ''),
	('service_id.instance_usage',  '',    '')
  ) AS r(rel, read_privs, usage_privs),
  (VALUES ('S'), ('I'), ('U'), ('D'), ('T')) AS p(priv);

INSERT INTO rel_expect
SELECT s.rel, p.priv, false, false, false, true
  FROM (VALUES ('service_id.filing_id_seq'), ('service_id.audit_event_id_seq')) AS s(rel),
	   (VALUES ('USAGE'), ('SELECT'), ('UPDATE')) AS p(priv);

CREATE FUNCTION pg_temp.has_priv(role name, rel text, priv text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT CASE priv
		WHEN 'S' THEN has_table_privilege(role, rel, 'SELECT')
		WHEN 'I' THEN has_table_privilege(role, rel, 'INSERT')
		WHEN 'U' THEN has_table_privilege(role, rel, 'UPDATE')
		WHEN 'D' THEN has_table_privilege(role, rel, 'DELETE')
		WHEN 'T' THEN has_table_privilege(role, rel, 'TRUNCATE')
				   OR has_table_privilege(role, rel, 'REFERENCES')
				   OR has_table_privilege(role, rel, 'TRIGGER')
		ELSE has_sequence_privilege(role, rel, priv) END
$$;

-------------------------------------------------------------------------------
-- Completeness: the matrix lists exactly the schema's functions and relations
-------------------------------------------------------------------------------

SELECT set_eq(
	$$SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'service_id'::regnamespace$$,
	$$SELECT fn FROM fn_expect$$,
	'the function matrix lists exactly the functions of schema service_id (52)');

SELECT set_eq(
	$$SELECT c.oid::regclass::text FROM pg_class c
	   WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')$$,
	$$SELECT DISTINCT rel FROM rel_expect$$,
	'the relation matrix lists exactly the tables, views and sequences of schema service_id (14)');

-------------------------------------------------------------------------------
-- Schema and type
-------------------------------------------------------------------------------

SELECT is(has_schema_privilege(r.role, 'service_id', 'USAGE'), r.col <> 'none',
		  format('schema service_id USAGE for %s: %s', r.col, CASE WHEN r.col <> 'none' THEN 'allow' ELSE 'deny' END))
  FROM roles r ORDER BY r.col;

SELECT is(has_schema_privilege(r.role, 'service_id', 'CREATE'), r.col = 'owner',
		  format('schema service_id CREATE for %s: %s', r.col, CASE WHEN r.col = 'owner' THEN 'allow' ELSE 'deny' END))
  FROM roles r ORDER BY r.col;

SELECT is(has_type_privilege(r.role, 'service_id.service_id', 'USAGE'), r.col <> 'none',
		  format('type service_id USAGE for %s: %s', r.col, CASE WHEN r.col <> 'none' THEN 'allow' ELSE 'deny' END))
  FROM roles r ORDER BY r.col;

-------------------------------------------------------------------------------
-- Every function x every role
-------------------------------------------------------------------------------

SELECT is(has_function_privilege(r.role, e.fn, 'EXECUTE'), x.allow,
		  format('EXECUTE %s for %s: %s', e.fn, r.col, CASE WHEN x.allow THEN 'allow' ELSE 'deny' END))
  FROM fn_expect e
 CROSS JOIN roles r
 CROSS JOIN LATERAL (SELECT CASE r.col WHEN 'none' THEN e.none WHEN 'read' THEN e.read
								   WHEN 'usage' THEN e.usage ELSE e.owner END AS allow) x
 ORDER BY e.fn, r.col;

-------------------------------------------------------------------------------
-- Every relation x every privilege x every role
-------------------------------------------------------------------------------

SELECT is(pg_temp.has_priv(r.role, e.rel, e.priv), x.allow,
		  format('%s on %s for %s: %s',
				 CASE e.priv WHEN 'S' THEN 'SELECT' WHEN 'I' THEN 'INSERT' WHEN 'U' THEN 'UPDATE'
							 WHEN 'D' THEN 'DELETE' WHEN 'T' THEN 'TRUNCATE/REFERENCES/TRIGGER'
							 ELSE e.priv END,
				 e.rel, r.col, CASE WHEN x.allow THEN 'allow' ELSE 'deny' END))
  FROM rel_expect e
 CROSS JOIN roles r
 CROSS JOIN LATERAL (SELECT CASE r.col WHEN 'none' THEN e.none WHEN 'read' THEN e.read
								   WHEN 'usage' THEN e.usage ELSE e.owner END AS allow) x
 ORDER BY e.rel, e.priv, r.col;

-- No column-level grant widens the matrix (a column grant is invisible to
-- has_table_privilege but lets a role read that column).
SELECT is(
	(SELECT string_agg(format('%s.%s', c.oid::regclass, a.attname), ', ')
	   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	  WHERE c.relnamespace = 'service_id'::regnamespace AND a.attacl IS NOT NULL),
	NULL,
	'no column-level privileges anywhere in the schema');

SELECT is(
	(SELECT string_agg(c.oid::regclass::text || ' for ' || r.role, ', ')
	   FROM pg_class c CROSS JOIN roles r
	  WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind IN ('r', 'v')
		AND r.col <> 'owner'
		AND has_any_column_privilege(r.role, c.oid, 'SELECT')
		AND NOT has_table_privilege(r.role, c.oid, 'SELECT')),
	NULL,
	'no role can read any column of a relation it cannot SELECT');

-------------------------------------------------------------------------------
-- Real calls.  A test instance, filed by the owner, so there is something
-- to read.
-------------------------------------------------------------------------------

INSERT INTO service_id.instance VALUES
	('i-mx', 'acct-mx', 'ecs', 'cn-beijing', 'subscription', 12, now() + interval '1 year',
	 '192.0.2.10', 'running', false);
CREATE TEMP TABLE owner_numbers AS
SELECT service_id.apply_service_id('i-mx', 'acct-mx') AS n FROM generate_series(1, 2);
CREATE TEMP TABLE owner_filing AS
SELECT service_id.register_filing('acct-mx', 'owner.example.com', n) AS filing_id
  FROM owner_numbers ORDER BY n::uuid LIMIT 1;
-- statistics would show numbers in histogram_bounds / most_common_vals
ANALYZE service_id.number_store;
ANALYZE service_id.filing_store;
ANALYZE service_id.audit_store;
CREATE TEMP TABLE got (what text PRIMARY KEY, result text);
GRANT ALL ON got TO PUBLIC;
GRANT SELECT ON owner_numbers TO PUBLIC;

SELECT cmp_ok((SELECT count(*) FROM pg_stats WHERE schemaname = 'service_id'
				  AND tablename IN ('number_store', 'filing_store', 'audit_store')), '>', 0::bigint,
	'control: the owner does see statistics of the stores after ANALYZE');

-- r_none: every relation refused, every API function refused
SET ROLE r_none;

SELECT throws_ok(format('SELECT * FROM %s', c.oid::regclass), '42501', NULL,
				 format('r_none: SELECT from %s is refused with 42501', c.oid::regclass))
  FROM pg_class c
 WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind IN ('r', 'v', 'S')
 ORDER BY c.oid::regclass::text;

SELECT throws_ok($$SELECT service_id.apply_service_id('i-mx', 'acct-mx')$$, '42501',
	'permission denied for schema service_id',
	'r_none: apply_service_id is refused with 42501');
SELECT throws_ok($$SELECT * FROM service_id.check_instance('i-mx')$$, '42501', NULL,
	'r_none: check_instance is refused with 42501');
SELECT throws_ok($$SELECT service_id.register_filing_trustpass('acct-x', 'none.example.com', 'shop-x')$$,
	'42501', NULL, 'r_none: register_filing_trustpass is refused with 42501');
SELECT throws_ok($$SELECT service_id.expire_service_ids()$$, '42501', NULL,
	'r_none: expire_service_ids is refused with 42501');
SELECT throws_ok($$SELECT service_id.grant_read('r_none')$$, '42501', NULL,
	'r_none: cannot grant itself read access (42501)');
SELECT throws_ok($$SELECT service_id.gen_service_id()$$, '42501', NULL,
	'r_none: gen_service_id is refused with 42501');
SELECT is((SELECT count(*) FROM pg_stats WHERE schemaname = 'service_id'), 0::bigint,
	'r_none: pg_stats shows no statistics of any service_id table');

RESET ROLE;

-- Even with USAGE on the schema and the type (granted by hand), a role
-- without grant_read / grant_usage reads no number: the table and view
-- privileges refuse it, not only the schema's.
GRANT USAGE ON SCHEMA service_id TO r_none;
GRANT USAGE ON TYPE service_id.service_id TO r_none;
SET ROLE r_none;

SELECT throws_like(format('SELECT * FROM %s', c.oid::regclass),
				   format('permission denied for %s %s',
						  CASE c.relkind WHEN 'v' THEN 'view' WHEN 'S' THEN 'sequence' ELSE 'table' END,
						  c.relname),
				   format('r_none with schema USAGE: SELECT from %s is refused by its own privileges', c.oid::regclass))
  FROM pg_class c
 WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind IN ('r', 'v', 'S')
 ORDER BY c.oid::regclass::text;

SELECT throws_like($$SELECT service_id.apply_service_id('i-mx', 'acct-mx')$$,
	'permission denied for function apply_service_id',
	'r_none with schema USAGE: apply_service_id is refused by its own privilege');
SELECT throws_like($$SELECT service_id.grant_usage('r_none')$$,
	'permission denied for function grant_usage',
	'r_none with schema USAGE: cannot grant itself usage');

RESET ROLE;
REVOKE USAGE ON SCHEMA service_id FROM r_none;
REVOKE USAGE ON TYPE service_id.service_id FROM r_none;

-- r_usage: insert an instance, apply, file; cannot read numbers
SET ROLE r_usage;

SELECT lives_ok($$INSERT INTO service_id.instance VALUES
	('i-usage', 'acct-u', 'ecs', 'cn-shenzhen', 'subscription', 6, now() + interval '200 days',
	 '192.0.2.20', 'running', false)$$,
	'r_usage: INSERT INTO instance works');
SELECT lives_ok($$UPDATE service_id.instance SET subscribed_months = 18 WHERE instance_id = 'i-usage'$$,
	'r_usage: UPDATE of instance works');
SELECT is((SELECT count(*) FROM service_id.instance WHERE instance_id IN ('i-usage', 'i-mx')), 2::bigint,
	'r_usage: SELECT from instance works');
SELECT is((SELECT allowance FROM service_id.product WHERE product = 'ecs'), 5,
	'r_usage: SELECT from product works');
SELECT is((SELECT mainland FROM service_id.region WHERE region = 'cn-shenzhen'), true,
	'r_usage: SELECT from region works');
SELECT is((SELECT c.eligible FROM service_id.check_instance('i-usage', 'acct-u') c), true,
	'r_usage: check_instance works');

INSERT INTO got SELECT 'usage n', service_id.apply_service_id('i-usage', 'acct-u')::text;
SELECT ok(service_id.is_valid((SELECT result FROM got WHERE what = 'usage n')),
	'r_usage: apply_service_id returns a valid number');
SELECT is((SELECT count(*) FROM service_id.apply_service_ids('i-usage', 'acct-u', 2)), 2::bigint,
	'r_usage: apply_service_ids works');
SELECT matches(
	(SELECT service_id.register_filing('acct-u', 'usage.example.com',
									   (SELECT result FROM got WHERE what = 'usage n')::service_id.service_id)::text),
	'^[0-9]+$',
	'r_usage: register_filing with the number works');
SELECT lives_ok($$SELECT service_id.register_filing_direct('acct-u', 'direct-u.example.com', 'i-usage')$$,
	'r_usage: register_filing_direct works');
SELECT lives_ok($$SELECT service_id.cancel_filing(service_id.register_filing_trustpass('acct-u', 'shop-u.example.com', 'shop-u'))$$,
	'r_usage: register_filing_trustpass and cancel_filing work');
SELECT is(service_id.expire_service_ids(), 0, 'r_usage: expire_service_ids works (nothing to expire)');

SELECT throws_ok($$SELECT * FROM service_id.numbers$$, '42501',
	'permission denied for view numbers',
	'r_usage: SELECT from the numbers view is refused with 42501');
SELECT throws_ok($$SELECT number FROM service_id.number_store$$, '42501',
	'permission denied for table number_store',
	'r_usage: SELECT from number_store is refused with 42501');
SELECT throws_ok($$SELECT number FROM service_id.filings$$, '42501',
	'permission denied for view filings',
	'r_usage: SELECT from the filings view is refused with 42501');
SELECT throws_ok($$SELECT number FROM service_id.audit_store$$, '42501',
	'permission denied for table audit_store',
	'r_usage: SELECT from audit_store is refused with 42501');
SELECT is((SELECT count(*) FROM pg_stats WHERE schemaname = 'service_id'
			  AND tablename IN ('number_store', 'filing_store', 'audit_store')), 0::bigint,
	'r_usage: pg_stats shows no statistics (no histogram of numbers) of the stores');
SELECT throws_ok($$SELECT * FROM service_id.instance_usage$$, '42501',
	'permission denied for table instance_usage',
	'r_usage: SELECT from instance_usage is refused with 42501');
SELECT throws_ok($$DELETE FROM service_id.instance WHERE instance_id = 'i-usage'$$, '42501',
	'permission denied for table instance',
	'r_usage: DELETE FROM instance is refused with 42501');
SELECT throws_ok($$INSERT INTO service_id.number_store (number, instance_id, applicant)
	VALUES (service_id.gen_service_id(), 'i-usage', 'acct-u')$$, '42501',
	'permission denied for table number_store',
	'r_usage: INSERT INTO number_store is refused with 42501');
SELECT throws_ok($$UPDATE service_id.product SET allowance = 100$$, '42501',
	'permission denied for table product',
	'r_usage: UPDATE of product is refused with 42501');
SELECT throws_ok($$SELECT service_id.grant_read('r_usage')$$, '42501',
	'permission denied for function grant_read',
	'r_usage: cannot grant itself read access (42501)');

RESET ROLE;

-- r_read: reads the views, cannot apply or touch the stores
SET ROLE r_read;

SELECT is((SELECT count(*) FROM service_id.numbers WHERE instance_id IN ('i-mx', 'i-usage')), 5::bigint,
	'r_read: the numbers view shows the 5 numbers issued');
SELECT is((SELECT count(*) FROM service_id.numbers n JOIN owner_numbers o ON o.n OPERATOR(service_id.=) n.number), 2::bigint,
	'r_read: the numbers view shows the owner''s numbers themselves');
SELECT is((SELECT string_agg(instance_id || ':' || eligible || ':' || consumed, ' ' ORDER BY instance_id)
			 FROM service_id.instances),
	'i-mx:true:2 i-usage:true:4',
	'r_read: the instances view works (it calls eligibility_reasons)');
SELECT is((SELECT count(*) FROM service_id.filings), 4::bigint,
	'r_read: the filings view shows the 4 filings');
SELECT is((SELECT string_agg(action, ' ' ORDER BY event_id) FROM service_id.audit),
	'issued issued registered issued issued issued registered registered registered cancelled',
	'r_read: the audit view shows the 10 events so far');

SELECT throws_ok($$SELECT service_id.apply_service_id('i-mx', 'acct-mx')$$, '42501',
	'permission denied for function apply_service_id',
	'r_read: apply_service_id is refused with 42501');
SELECT throws_ok($$SELECT * FROM service_id.check_instance('i-mx')$$, '42501',
	'permission denied for function check_instance',
	'r_read: check_instance is refused with 42501');
SELECT throws_ok($$SELECT service_id.register_filing('acct-mx', 'read.example.com', (SELECT n FROM owner_numbers ORDER BY n::uuid DESC LIMIT 1))$$,
	'42501', 'permission denied for function register_filing', 'r_read: register_filing is refused with 42501');
SELECT throws_ok($$SELECT service_id.gen_service_id()$$, '42501',
	'permission denied for function gen_service_id',
	'r_read: gen_service_id is refused with 42501');
SELECT is((SELECT count(*) FROM pg_stats WHERE schemaname = 'service_id'
			  AND tablename IN ('number_store', 'filing_store', 'audit_store')), 0::bigint,
	'r_read: pg_stats shows no statistics of the stores');
SELECT throws_ok($$SELECT * FROM service_id.number_store$$, '42501',
	'permission denied for table number_store',
	'r_read: SELECT from number_store is refused with 42501');
SELECT throws_ok($$SELECT * FROM service_id.instance$$, '42501',
	'permission denied for table instance',
	'r_read: SELECT from instance is refused with 42501');
SELECT throws_ok($$INSERT INTO service_id.instance (instance_id, account_id, product, region, billing)
	VALUES ('i-read', 'acct-r', 'ecs', 'cn-beijing', 'subscription')$$, '42501',
	'permission denied for table instance',
	'r_read: INSERT INTO instance is refused with 42501');
SELECT throws_ok($$SELECT service_id.grant_usage('r_read')$$, '42501',
	'permission denied for function grant_usage',
	'r_read: cannot grant itself usage (42501)');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
