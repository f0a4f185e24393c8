-- 60_security.sql — SPEC section 7: nothing for PUBLIC, pinned search_path,
-- and a hostile search_path that cannot hijack the API, the guard triggers
-- or the views (the idea of core's seg test, carried much further).
--
-- The hostile schema `evil` holds operators = on (text, text), on
-- (service_id, service_id), on (bigint, bigint) and ~ on (text, text),
-- functions named like builtins (now, lower, upper, length, coalesce,
-- greatest, cardinality, nextval, quote_ident) and tables named like the
-- extension's, with poisoned rows.  pg_temp holds tables of the same names
-- too (a SECURITY DEFINER function with search_path = pg_catalog, pg_temp
-- would find them for an unqualified name).  Every hostile function and
-- every write to a hostile table inserts into public.hostile_log, and the
-- operators give wrong answers.  With SET search_path = evil, pg_catalog an
-- application role and a superuser run the whole life of a number; the
-- results are checked afterwards, under a sane search_path, and the log
-- must be empty.  A final control shows the traps do fire for
-- unqualified names.
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

SELECT plan(61);

-------------------------------------------------------------------------------
-- 1. Nothing is granted to PUBLIC (grantee 0 in aclexplode; a NULL ACL is
--    read as the built-in default, which does grant PUBLIC for functions,
--    types and languages).
-------------------------------------------------------------------------------

CREATE TEMP VIEW ext_objects AS
SELECT d.classid::regclass AS catalog, d.objid
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
 WHERE e.extname = 'service_id' AND d.deptype = 'e'
   AND d.refclassid = 'pg_extension'::regclass;

SELECT is(
	(SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid::regclass::text)
	   FROM pg_class c
	  WHERE c.relnamespace = 'service_id'::regnamespace
		AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')
		AND EXISTS (SELECT FROM aclexplode(coalesce(c.relacl,
						acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
					 WHERE a.grantee = 0)),
	NULL,
	format('no privilege on any of the %s tables, views and sequences of the schema is granted to PUBLIC',
		   (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'service_id'::regnamespace
			   AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p'))));

SELECT is(
	(SELECT string_agg(format('%s.%s', c.oid::regclass, a.attname), ', ')
	   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	  WHERE c.relnamespace = 'service_id'::regnamespace AND a.attacl IS NOT NULL
		AND EXISTS (SELECT FROM aclexplode(a.attacl) x WHERE x.grantee = 0)),
	NULL,
	'no column privilege is granted to PUBLIC');

SELECT is(
	(SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
	   FROM pg_proc p
	  WHERE p.pronamespace = 'service_id'::regnamespace
		AND EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
					 WHERE a.grantee = 0)),
	NULL,
	format('no function of the schema (%s of them) is executable by PUBLIC',
		   (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'service_id'::regnamespace)));

SELECT is(
	(SELECT array_agg(a.privilege_type)
	   FROM pg_type t, aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) a
	  WHERE t.oid = 'service_id.service_id'::regtype AND a.grantee = 0),
	NULL,
	'the type service_id.service_id grants nothing to PUBLIC');

SELECT is(
	(SELECT array_agg(a.privilege_type)
	   FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
	  WHERE n.nspname = 'service_id' AND a.grantee = 0),
	NULL,
	'the schema service_id grants nothing to PUBLIC');

-- The same, asked the other way: the privilege functions, for role public.
SELECT is(
	(SELECT string_agg(c.relname || ':' || p, ', ')
	   FROM pg_class c,
			unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
	  WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind IN ('r', 'v')
		AND has_table_privilege('public', c.oid, p)),
	NULL,
	'has_table_privilege(''public'', ...) is false for every table and view and every privilege');

SELECT is(
	(SELECT string_agg(c.relname || ':' || p, ', ')
	   FROM pg_class c, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p
	  WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'S'
		AND has_sequence_privilege('public', c.oid, p)),
	NULL,
	'has_sequence_privilege(''public'', ...) is false for both sequences');

SELECT is(
	(SELECT string_agg(p.oid::regprocedure::text, ', ')
	   FROM pg_proc p
	  WHERE p.pronamespace = 'service_id'::regnamespace
		AND has_function_privilege('public', p.oid, 'EXECUTE')),
	NULL,
	'has_function_privilege(''public'', ..., ''EXECUTE'') is false for every function');

SELECT ok(NOT has_schema_privilege('public', 'service_id', 'USAGE')
		  AND NOT has_schema_privilege('public', 'service_id', 'CREATE')
		  AND NOT has_type_privilege('public', 'service_id.service_id', 'USAGE'),
	'PUBLIC has neither USAGE nor CREATE on the schema, nor USAGE on the type');

SELECT is(
	(SELECT count(*) FROM ext_objects
	  WHERE catalog IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)
		AND objid NOT IN (SELECT oid FROM pg_class WHERE relnamespace = 'service_id'::regnamespace
						  UNION ALL SELECT oid FROM pg_proc WHERE pronamespace = 'service_id'::regnamespace
						  UNION ALL SELECT oid FROM pg_type WHERE typnamespace = 'service_id'::regnamespace)),
	0::bigint,
	'every relation, function and type of the extension lives in schema service_id (so the checks above cover them all)');

-------------------------------------------------------------------------------
-- 2. SECURITY DEFINER functions: exactly the API, each with a pinned path
-------------------------------------------------------------------------------

SELECT is(
	(SELECT array_agg(p.proname::text ORDER BY p.proname)
	   FROM pg_proc p WHERE p.pronamespace = 'service_id'::regnamespace AND p.prosecdef),
	ARRAY['account_instances', 'account_numbers', 'apply_service_id', 'apply_service_ids',
		  'cancel_filing', 'check_instance', 'expire_service_ids', 'grant_read', 'grant_usage',
		  'register_filing', 'register_filing_direct', 'register_filing_trustpass',
		  'remove_access', 'revoke_service_id', 'schedule_expiry', 'unschedule_expiry'],
	'the SECURITY DEFINER functions are exactly the sixteen API functions of SPEC section 5 (1.2)');

SELECT is(
	(SELECT string_agg(p.oid::regprocedure::text || ' ' || coalesce(p.proconfig::text, '<none>'), ', ')
	   FROM pg_proc p
	  WHERE p.pronamespace = 'service_id'::regnamespace AND p.prosecdef
		AND p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp']),
	NULL,
	'every SECURITY DEFINER function has proconfig {search_path=pg_catalog, pg_temp} and nothing else');

SELECT is(
	(SELECT string_agg(p.oid::regprocedure::text, ', ')
	   FROM pg_proc p
	  WHERE p.pronamespace = 'service_id'::regnamespace AND p.prosecdef
		AND p.proowner <> (SELECT extowner FROM pg_extension WHERE extname = 'service_id')),
	NULL,
	'every SECURITY DEFINER function is owned by the extension''s owner');

-------------------------------------------------------------------------------
-- 3. The hostile search_path: the traps
-------------------------------------------------------------------------------

CREATE TABLE public.hostile_log (
	id bigserial PRIMARY KEY,
	what text NOT NULL,
	by_user name NOT NULL DEFAULT current_user
);
GRANT INSERT, SELECT ON public.hostile_log TO PUBLIC;
GRANT USAGE ON SEQUENCE public.hostile_log_id_seq TO PUBLIC;

CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;

CREATE FUNCTION evil.trap(what text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	INSERT INTO public.hostile_log (what) VALUES (what);
END
$$;

-- operators that answer wrongly
CREATE FUNCTION evil.text_eq(a text, b text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	PERFORM evil.trap('operator =(text, text)');
	RETURN NOT (a OPERATOR(pg_catalog.=) b);
END
$$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_eq);

CREATE FUNCTION evil.sid_eq(a service_id.service_id, b service_id.service_id) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	PERFORM evil.trap('operator =(service_id, service_id)');
	RETURN NOT (a OPERATOR(service_id.=) b);
END
$$;
CREATE OPERATOR evil.= (LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
						FUNCTION = evil.sid_eq);

CREATE FUNCTION evil.int8_eq(a bigint, b bigint) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	PERFORM evil.trap('operator =(bigint, bigint)');
	RETURN NOT (a OPERATOR(pg_catalog.=) b);
END
$$;
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.int8_eq);

CREATE FUNCTION evil.text_re(a text, b text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	PERFORM evil.trap('operator ~(text, text)');
	RETURN true;
END
$$;
CREATE OPERATOR evil.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_re);

-- functions named like builtins
CREATE FUNCTION evil.now() RETURNS timestamptz
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('now()'); RETURN '2000-01-01 12:00:00+00'; END $$;
CREATE FUNCTION evil.lower(t text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('lower(text)'); RETURN 'evil.example.com'; END $$;
CREATE FUNCTION evil.upper(t text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('upper(text)'); RETURN 'EVIL'; END $$;
CREATE FUNCTION evil.length(t text) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('length(text)'); RETURN 1; END $$;
CREATE FUNCTION evil."coalesce"(a anyelement, b anyelement) RETURNS anyelement
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('coalesce()'); RETURN b; END $$;
CREATE FUNCTION evil."greatest"(a int, b int) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('greatest()'); RETURN 99; END $$;
CREATE FUNCTION evil.cardinality(a anyarray) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('cardinality()'); RETURN 0; END $$;
CREATE FUNCTION evil.nextval(s regclass) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('nextval()'); RETURN 1; END $$;
CREATE FUNCTION evil.quote_ident(t text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.trap('quote_ident()'); RETURN 'evil.instance'; END $$;

-- tables named like the extension's, with poisoned rows: if the extension
-- read one, an instance would look released, unsupported, used up
CREATE FUNCTION evil.log_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	PERFORM evil.trap(TG_OP || ' on ' || TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
	RETURN NULL;
END
$$;

CREATE FUNCTION pg_temp.make_traps(nsp text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['product', 'region', 'instance', 'instance_usage',
							 'number_store', 'filing_store', 'audit_store'] LOOP
		EXECUTE format('CREATE TABLE %I.%I (LIKE service_id.%I INCLUDING DEFAULTS)', nsp, t, t);
		EXECUTE format('GRANT ALL ON %I.%I TO PUBLIC', nsp, t);
		EXECUTE format('CREATE TRIGGER log_write BEFORE INSERT OR UPDATE OR DELETE ON %I.%I
						FOR EACH ROW EXECUTE FUNCTION evil.log_write()', nsp, t);
		EXECUTE format('CREATE TRIGGER log_truncate BEFORE TRUNCATE ON %I.%I
						FOR EACH STATEMENT EXECUTE FUNCTION evil.log_write()', nsp, t);
		EXECUTE format('ALTER TABLE %I.%I DISABLE TRIGGER log_write', nsp, t);
	END LOOP;
	EXECUTE format($q$INSERT INTO %I.product VALUES ('ecs', 0, false, 99, 99, false, 'evil hint')$q$, nsp);
	EXECUTE format($q$INSERT INTO %I.region VALUES ('cn-hangzhou', false)$q$, nsp);
	EXECUTE format($q$INSERT INTO %I.instance VALUES
		('i-sec', 'mallory', 'slb', 'us-west-1', 'pay_as_you_go', 0, '2001-01-01', NULL, 'released', true),
		('i-gone', 'mallory', 'slb', 'us-west-1', 'pay_as_you_go', 0, '2001-01-01', NULL, 'running', true),
		('i-evil', 'acct-sec', 'ecs', 'cn-hangzhou', 'subscription', 12, '2099-01-01', '198.51.100.1',
		 'running', false)$q$, nsp);
	EXECUTE format($q$INSERT INTO %I.instance_usage VALUES ('i-sec', 5), ('i-gone', 5), ('i-evil', 0)$q$, nsp);
	FOREACH t IN ARRAY ARRAY['product', 'region', 'instance', 'instance_usage',
							 'number_store', 'filing_store', 'audit_store'] LOOP
		EXECUTE format('ALTER TABLE %I.%I ENABLE TRIGGER log_write', nsp, t);
	END LOOP;
END
$$;
SELECT pg_temp.make_traps('evil');
SELECT pg_temp.make_traps('pg_temp');

-- Roles: an application role and a reporting role, both with the hostile path.
CREATE ROLE sid60_app;
CREATE ROLE sid60_report;
SELECT service_id.grant_usage('sid60_app');
SELECT service_id.grant_read('sid60_report');

-- Where results are kept: (step, what, result), filled under the hostile path.
CREATE TEMP TABLE got (step serial, what text, result text);
GRANT ALL ON got TO PUBLIC;
GRANT ALL ON SEQUENCE got_step_seq TO PUBLIC;

-- Run a statement, record the first column of its first row, or the error as
-- 'ERROR SQLSTATE: message'.  No operator, no unqualified function: this
-- helper runs under the hostile path itself.
CREATE FUNCTION pg_temp.run(p_what text, p_sql text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_result text;
BEGIN
	BEGIN
		EXECUTE p_sql INTO v_result;
	EXCEPTION WHEN OTHERS THEN
		v_result := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
	END;
	INSERT INTO pg_temp.got (what, result) VALUES (p_what, v_result);
END
$$;

-- The same for a statement that returns no rows (records 'done').
CREATE FUNCTION pg_temp.run_cmd(p_what text, p_sql text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_result text := 'done';
BEGIN
	BEGIN
		EXECUTE p_sql;
	EXCEPTION WHEN OTHERS THEN
		v_result := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
	END;
	INSERT INTO pg_temp.got (what, result) VALUES (p_what, v_result);
END
$$;

-- a recorded result, for the statements that use earlier ones
CREATE FUNCTION pg_temp.val(p_what text) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT g.result FROM pg_temp.got g WHERE g.what OPERATOR(pg_catalog.=) p_what
$$;

SELECT is((SELECT count(*) FROM public.hostile_log), 0::bigint, 'the hostile log starts empty');

-------------------------------------------------------------------------------
-- 4. The whole life of a number under SET search_path = evil, pg_catalog
--    (the first API calls of this session: the extension's plans are
--    prepared under the hostile path)
-------------------------------------------------------------------------------

SET ROLE sid60_app;
SET search_path = evil, pg_catalog;

SELECT pg_temp.run('insert instances', $$
	INSERT INTO service_id.instance VALUES
	('i-sec', 'acct-sec', 'ecs', 'cn-hangzhou', 'subscription', 12,
	 '2099-01-01 00:00:00+00', '203.0.113.7', 'running', false),
	('i-gone', 'acct-sec', 'simple_application_server', 'cn-shanghai', 'subscription', 6,
	 '2099-01-01 00:00:00+00', '203.0.113.8', 'running', false)
	RETURNING 'inserted'$$);
SELECT pg_temp.run('check before', $$
	SELECT c::text FROM service_id.check_instance('i-sec', 'acct-sec') c$$);
SELECT pg_temp.run('check stranger', $$
	SELECT c::text FROM service_id.check_instance('i-sec', 'mallory') c$$);
SELECT pg_temp.run('n1', $$SELECT service_id.apply_service_id('i-sec', 'acct-sec')$$);
SELECT pg_temp.run('n2', $$SELECT service_id.apply_service_id('i-sec', 'acct-sec', 'acct-other')$$);
SELECT pg_temp.run('n4', $$SELECT service_id.apply_service_id('i-gone', 'acct-sec')$$);
SELECT pg_temp.run('batch', $$
	SELECT pg_catalog.count(*) FROM service_id.apply_service_ids('i-gone', 'acct-sec', 2)$$);
SELECT pg_temp.run('apply stranger', $$SELECT service_id.apply_service_id('i-sec', 'mallory')$$);
SELECT pg_temp.run('apply unknown', $$SELECT service_id.apply_service_id('i-evil', 'acct-sec')$$);
SELECT pg_temp.run('file n1', $$
	SELECT service_id.register_filing('acct-sec', 'WWW.Example.COM',
									  pg_temp.val('n1')::service_id.service_id)$$);
SELECT pg_temp.run('file n1 again', $$
	SELECT service_id.register_filing('acct-sec', 'two.example.com',
									  pg_temp.val('n1')::service_id.service_id)$$);
SELECT pg_temp.run('file n2 wrong grantee', $$
	SELECT service_id.register_filing('acct-sec', 'three.example.com',
									  pg_temp.val('n2')::service_id.service_id)$$);
SELECT pg_temp.run('file same website', $$
	SELECT service_id.register_filing_trustpass('acct-shop', 'www.example.com', 'shop-1')$$);
SELECT pg_temp.run('revoke n2', $$
	SELECT 'revoked' FROM service_id.revoke_service_id(pg_temp.val('n2')::service_id.service_id, 'acct-sec')$$);
SELECT pg_temp.run('revoke n2 again', $$
	SELECT 'revoked' FROM service_id.revoke_service_id(pg_temp.val('n2')::service_id.service_id, 'acct-sec')$$);
SELECT pg_temp.run('revoke n1 (used)', $$
	SELECT 'revoked' FROM service_id.revoke_service_id(pg_temp.val('n1')::service_id.service_id, 'acct-sec')$$);
SELECT pg_temp.run('direct', $$
	SELECT service_id.register_filing_direct('acct-sec', 'direct.example.com', 'i-sec')$$);
SELECT pg_temp.run('trustpass', $$
	SELECT service_id.register_filing_trustpass('acct-shop', 'shop.example.com', 'shop-1')$$);
SELECT pg_temp.run('cancel', $$
	SELECT 'cancelled' FROM service_id.cancel_filing(pg_temp.val('file n1')::bigint)$$);
SELECT pg_temp.run('cancel again', $$
	SELECT 'cancelled' FROM service_id.cancel_filing(pg_temp.val('file n1')::bigint)$$);
SELECT pg_temp.run('remove access', $$
	SELECT 'removed' FROM service_id.remove_access(pg_temp.val('direct')::bigint)$$);
SELECT pg_temp.run('file n1 after cancel', $$
	SELECT service_id.register_filing('acct-sec', 'www.example.com',
									  pg_temp.val('n1')::service_id.service_id)$$);
SELECT pg_temp.run('check after', $$
	SELECT c::text FROM service_id.check_instance('i-sec', 'acct-sec') c$$);
SELECT pg_temp.run('renew', $$
	UPDATE service_id.instance SET subscribed_months = 24
	 WHERE instance_id OPERATOR(pg_catalog.=) 'i-sec' RETURNING 'renewed'$$);
SELECT pg_temp.run('release i-gone', $$
	UPDATE service_id.instance SET status = 'released'
	 WHERE instance_id OPERATOR(pg_catalog.=) 'i-gone' RETURNING 'released'$$);
SELECT pg_temp.run('delete instance', $$
	DELETE FROM service_id.instance WHERE instance_id OPERATOR(pg_catalog.=) 'i-sec' RETURNING 'deleted'$$);
SELECT pg_temp.run('expire', $$SELECT service_id.expire_service_ids()$$);
SELECT pg_temp.run('expire again', $$SELECT service_id.expire_service_ids()$$);
SELECT pg_temp.run('file n4 (invalid)', $$
	SELECT service_id.register_filing('acct-sec', 'four.example.com',
									  pg_temp.val('n4')::service_id.service_id)$$);
SELECT pg_temp.run('app reads numbers', $$SELECT pg_catalog.count(*) FROM service_id.numbers$$);

-- the reporting role reads the views under the same path
SET ROLE sid60_report;
SELECT pg_temp.run('view numbers', $$
	SELECT pg_catalog.string_agg(n.state || '/' || COALESCE(n.filing_status, '-')
								 || '/' || COALESCE(n.website, '-'), ' ' ORDER BY n.state)
	  FROM service_id.numbers n
	 WHERE n.instance_id OPERATOR(pg_catalog.=) 'i-sec'$$);
SELECT pg_temp.run('view numbers n1', $$
	SELECT n.state || ' ' || n.website || ' ' || n.filing_status FROM service_id.numbers n
	 WHERE n.number OPERATOR(service_id.=) pg_temp.val('n1')::service_id.service_id$$);
SELECT pg_temp.run('view instances', $$
	SELECT pg_catalog.string_agg(i.instance_id || ' ' || i.eligible || ' ' || i.reasons::text
								 || ' ' || i.consumed || ' ' || i.remaining, '; ' ORDER BY i.instance_id)
	  FROM service_id.instances i$$);
SELECT pg_temp.run('view filings', $$
	SELECT pg_catalog.string_agg(f.method || ' ' || f.website || ' ' || f.status, '; '
								 ORDER BY f.filing_id)
	  FROM service_id.filings f$$);
SELECT pg_temp.run('view audit', $$
	SELECT pg_catalog.string_agg(a.action, ' ' ORDER BY a.event_id) FROM service_id.audit a$$);
SELECT pg_temp.run('view audit users', $$
	SELECT pg_catalog.string_agg(DISTINCT a.db_user, ' ') FROM service_id.audit a$$);

-- a superuser with the hostile path: plain DML that breaks a guard is still
-- refused (the guard triggers run their statements under the caller's path)
RESET ROLE;
SELECT pg_temp.run('dml unuse n1', $$
	UPDATE service_id.number_store SET state = 'unused', state_changed_at = NULL
	 WHERE number OPERATOR(service_id.=) pg_temp.val('n1')::service_id.service_id RETURNING 'changed'$$);
SELECT pg_temp.run('dml delete number', $$
	DELETE FROM service_id.number_store
	 WHERE number OPERATOR(service_id.=) pg_temp.val('n2')::service_id.service_id RETURNING 'deleted'$$);
SELECT pg_temp.run('dml second filing of n1', $$
	INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
	VALUES ('acct-sec', 'five.example.com', 'service_id', pg_temp.val('n1')::service_id.service_id, 'i-sec')
	RETURNING 'inserted'$$);
SELECT pg_temp.run('dml delete audit', $$
	DELETE FROM service_id.audit_store RETURNING 'deleted'$$);
SELECT pg_temp.run_cmd('dml truncate filings', $$TRUNCATE service_id.filing_store$$);

RESET search_path;
RESET ROLE;

-------------------------------------------------------------------------------
-- 5. What happened (sane search_path again)
-------------------------------------------------------------------------------

SELECT is(pg_temp.val('insert instances'), 'inserted',
	'the application role inserts instances under the hostile path (instance guard trigger ran)');
SELECT is(pg_temp.val('check before'), '(t,ecs,5,0,5,{})',
	'check_instance: eligible ecs, allowance 5, consumed 0, remaining 5 (not the poisoned copies)');
SELECT is(pg_temp.val('check stranger'), '(f,ecs,5,0,5,{not_owner})',
	'check_instance for another account: not_owner only');
SELECT ok(service_id.is_valid(pg_temp.val('n1')) AND service_id.is_valid(pg_temp.val('n2'))
		  AND service_id.is_valid(pg_temp.val('n4')),
	'apply_service_id issued valid numbers under the hostile path');
SELECT is(pg_temp.val('batch'), '2', 'apply_service_ids issued a batch of 2');
SELECT matches(pg_temp.val('apply stranger'), '^ERROR 42501: ',
	'apply by a stranger: 42501');
SELECT matches(pg_temp.val('apply unknown'), '^ERROR P0002: ',
	'apply for i-evil, which only the hostile evil.instance and pg_temp.instance hold: P0002');
SELECT matches(pg_temp.val('file n1'), '^[0-9]+$', 'register_filing returned a filing id');
SELECT matches(pg_temp.val('file n1 again'), '^ERROR 23505: ',
	'a used number is refused for a second filing: 23505');
SELECT matches(pg_temp.val('file n2 wrong grantee'), '^ERROR 42501: ',
	'a number granted to another account is refused: 42501');
SELECT matches(pg_temp.val('file same website'), '^ERROR 23505: ',
	'a website with an active filing (WWW.Example.COM was stored lower-cased) is refused: 23505');
SELECT is(pg_temp.val('revoke n2'), 'revoked', 'revoke_service_id revoked an unused number');
SELECT matches(pg_temp.val('revoke n2 again'), '^ERROR 55000: ', 'revoking it again: 55000');
SELECT matches(pg_temp.val('revoke n1 (used)'), '^ERROR 23505: ', 'revoking a used number: 23505');
SELECT matches(pg_temp.val('direct'), '^[0-9]+$', 'register_filing_direct returned a filing id');
SELECT matches(pg_temp.val('trustpass'), '^[0-9]+$', 'register_filing_trustpass returned a filing id');
SELECT is(pg_temp.val('cancel'), 'cancelled', 'cancel_filing ended the filing');
SELECT matches(pg_temp.val('cancel again'), '^ERROR 55000: ', 'cancelling it again: 55000');
SELECT is(pg_temp.val('remove access'), 'removed', 'remove_access ended the direct filing');
SELECT matches(pg_temp.val('file n1 after cancel'), '^ERROR 23505: ',
	'the number of a cancelled filing stays used: 23505');
SELECT is(pg_temp.val('check after'), '(t,ecs,5,2,3,{})',
	'check_instance afterwards: consumed 2 (used n1 + direct filing; revoked n2 freed), remaining 3');
SELECT is(pg_temp.val('renew'), 'renewed', 'the application role renews an instance (UPDATE) under the hostile path');
SELECT is(pg_temp.val('release i-gone'), 'released', 'the application role releases an instance');
SELECT matches(pg_temp.val('delete instance'), '^ERROR 42501: ',
	'the application role may not DELETE an instance: 42501');
SELECT is(pg_temp.val('expire'), '3', 'expire_service_ids invalidated the 3 unused numbers of the released instance');
SELECT is(pg_temp.val('expire again'), '0', 'a second expire_service_ids finds nothing');
SELECT matches(pg_temp.val('file n4 (invalid)'), '^ERROR 55000: ', 'filing with an invalidated number: 55000');
SELECT matches(pg_temp.val('app reads numbers'), '^ERROR 42501: ',
	'the application role cannot read the numbers view: 42501');
SELECT is(pg_temp.val('view numbers'), 'revoked/-/- used/cancelled/www.example.com',
	'numbers view under the hostile path: n1 used by the cancelled filing, n2 revoked');
SELECT is(pg_temp.val('view numbers n1'), 'used www.example.com cancelled',
	'numbers view finds n1 by number');
SELECT is(pg_temp.val('view instances'),
	'i-gone false {released} 0 5; i-sec true {} 2 3',
	'instances view under the hostile path: i-gone released (slots back), i-sec eligible, consumed 2, remaining 3');
SELECT is(pg_temp.val('view filings'),
	'service_id www.example.com cancelled; direct direct.example.com access_removed; trustpass shop.example.com active',
	'filings view under the hostile path');
SELECT is(pg_temp.val('view audit'),
	'issued issued issued issued issued registered revoked registered registered cancelled access_removed invalidated invalidated invalidated',
	'audit view: one row per state change, in order');
SELECT is(pg_temp.val('view audit users'), session_user::text,
	'audit db_user is the session user');
-- (the guard answers 23505 "has already been used" here, like the API does
-- for a used number; SPEC section 6 lists 55000 or 42501 for guard DML)
SELECT matches(pg_temp.val('dml unuse n1'), '^ERROR (55000|42501|23505): .*ending in ' || right(pg_temp.val('n1'), 4),
	'superuser UPDATE used -> unused under the hostile path is refused by the guard');
SELECT unalike(pg_temp.val('dml unuse n1'), '%' || pg_temp.val('n1') || '%',
	'and its message does not show the whole number');
SELECT matches(pg_temp.val('dml delete number'), '^ERROR (55000|42501): ',
	'superuser DELETE of a number under the hostile path is refused');
SELECT matches(pg_temp.val('dml second filing of n1'), '^ERROR (55000|42501|23505): ',
	'superuser INSERT of a second filing for a used number is refused');
SELECT matches(pg_temp.val('dml delete audit'), '^ERROR (55000|42501): ',
	'superuser DELETE from the audit log under the hostile path is refused');
SELECT matches(pg_temp.val('dml truncate filings'), '^ERROR (55000|42501): ',
	'superuser TRUNCATE of the filings under the hostile path is refused');

SELECT is((SELECT string_agg(what || ' by ' || by_user, '; ' ORDER BY id) FROM public.hostile_log),
	NULL,
	'no hostile operator, function or table was ever touched');

SELECT is(
	(SELECT string_agg(format('%s.%s=%s', n, t, c), ' ' ORDER BY n, t)
	   FROM (SELECT 'evil' AS n, 'instance' AS t, (SELECT count(*) FROM evil.instance) AS c
			 UNION ALL SELECT 'evil', 'number_store', (SELECT count(*) FROM evil.number_store)
			 UNION ALL SELECT 'evil', 'filing_store', (SELECT count(*) FROM evil.filing_store)
			 UNION ALL SELECT 'evil', 'audit_store', (SELECT count(*) FROM evil.audit_store)
			 UNION ALL SELECT 'evil', 'instance_usage', (SELECT count(*) FROM evil.instance_usage)
			 UNION ALL SELECT 'temp', 'instance', (SELECT count(*) FROM pg_temp.instance)
			 UNION ALL SELECT 'temp', 'number_store', (SELECT count(*) FROM pg_temp.number_store)
			 UNION ALL SELECT 'temp', 'filing_store', (SELECT count(*) FROM pg_temp.filing_store)
			 UNION ALL SELECT 'temp', 'audit_store', (SELECT count(*) FROM pg_temp.audit_store)) x),
	'evil.audit_store=0 evil.filing_store=0 evil.instance=3 evil.instance_usage=3 evil.number_store=0 '
	'temp.audit_store=0 temp.filing_store=0 temp.instance=3 temp.number_store=0',
	'the hostile tables hold exactly their poisoned rows');

SELECT is(
	(SELECT string_agg(s.state, ' ' ORDER BY s.state) FROM service_id.number_store s
	  WHERE s.instance_id = 'i-sec'),
	'revoked used',
	'the real number_store holds i-sec''s numbers: one used, one revoked');

SELECT is(
	(SELECT u.consumed FROM service_id.instance_usage u WHERE u.instance_id = 'i-sec'),
	2, 'the real consumed counter of i-sec is 2');

SELECT ok(
	(SELECT bool_and(a.at = now() AND a.at > '2000-01-02'::timestamptz) FROM service_id.audit a),
	'audit times are the transaction''s now(), not the hostile now()');

-------------------------------------------------------------------------------
-- 6. Control: the traps do fire for unqualified names
-------------------------------------------------------------------------------

SET search_path = evil, pg_catalog;
SELECT pg_temp.run('control =', $$SELECT ('a'::text = 'a'::text)::text$$);
SELECT pg_temp.run('control sid =', $$
	SELECT (pg_temp.val('n1')::service_id.service_id = pg_temp.val('n1')::service_id.service_id)::text$$);
SELECT pg_temp.run('control now', $$SELECT now()::date::text$$);
SELECT pg_temp.run('control table', $$SELECT account_id FROM instance LIMIT 1$$);
SELECT pg_temp.run('control write', $$INSERT INTO number_store (instance_id) VALUES ('x') RETURNING 'x'$$);
RESET search_path;

SELECT matches(
	(SELECT string_agg(what, '; ' ORDER BY id) FROM public.hostile_log),
	'^operator =\(text, text\); operator =\(service_id, service_id\); now\(\); INSERT on pg_temp_[0-9]+\.number_store$',
	'control: unqualified =, now() and table names do reach the traps');
SELECT is(
	pg_temp.val('control =') || ' ' || pg_temp.val('control sid =') || ' ' || pg_temp.val('control now')
	|| ' ' || pg_temp.val('control table'),
	'false false 2000-01-01 mallory',
	'control: the traps answer wrongly');

SELECT * FROM finish();
ROLLBACK;
