-- 50_audit_views.sql — SPEC sections 4 (audit) and 5 (views): one audit row
-- per state change with the right facts and db_user = session_user; the
-- four views with exactly the SPEC columns in order and the right content;
-- a COMMENT on every view, view column and API function.
\ir setup.psql

SELECT plan(60);

-----------------------------------------------------------------------------
-- Helpers
-----------------------------------------------------------------------------
-- The audit rows after a mark, as comparable text:
-- action|account_id|number|instance_id|filing_id|db_user
CREATE TEMP TABLE mark (event_id bigint);
CREATE PROCEDURE pg_temp.mark() LANGUAGE sql AS $$
	DELETE FROM pg_temp.mark;
	INSERT INTO pg_temp.mark SELECT coalesce(max(event_id), 0) FROM service_id.audit
$$;
CREATE FUNCTION pg_temp.since_mark() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT concat_ws('|', action, coalesce(account_id, '-'), coalesce(number::text, '-'),
					 coalesce(instance_id, '-'), coalesce(filing_id::text, '-'),
					 CASE WHEN db_user = session_user THEN 'session_user' ELSE db_user END)
	  FROM service_id.audit WHERE event_id > (SELECT event_id FROM pg_temp.mark)
	 ORDER BY event_id
$$;
CREATE FUNCTION pg_temp.row(action text, account text, number text, instance text, filing bigint)
RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws('|', action, coalesce(account, '-'), coalesce(number, '-'),
					 coalesce(instance, '-'), coalesce(filing::text, '-'), 'session_user')
$$;

CALL pg_temp.inst('a-1');
CALL pg_temp.inst('a-2', account => 'acc-2', region => 'cn-beijing', product => 'simple_application_server');

-----------------------------------------------------------------------------
-- Audit: one row per state change, with its facts
-----------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM audit), 0, 'a new installation has an empty audit log');

CALL pg_temp.mark();
INSERT INTO num VALUES ('one', apply_service_id('a-1', 'acc-1'));
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('issued', 'acc-1', pg_temp.n('one')::text, 'a-1', NULL)),
				  'apply_service_id: one issued row (account, number, instance, no filing, session user)');
SELECT ok((SELECT at >= now() AND at <= clock_timestamp() FROM audit WHERE number = pg_temp.n('one')),
		  'the row is stamped with the time of the transaction that made it');
SELECT is((SELECT jsonb_typeof(detail) FROM audit WHERE number = pg_temp.n('one')), 'object', 'detail is a JSON object');

CALL pg_temp.mark();
INSERT INTO num VALUES ('granted', apply_service_id('a-1', 'acc-1', 'acc-3'));
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('issued', 'acc-1', pg_temp.n('granted')::text, 'a-1', NULL)),
				  'apply_service_id with a grantee: one issued row for the applicant');

CALL pg_temp.mark();
INSERT INTO num SELECT 'batch' || row_number() OVER (), n FROM apply_service_ids('a-2', 'acc-2', 3) n;
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  $$SELECT pg_temp.row('issued', 'acc-2', n::text, 'a-2', NULL) FROM pg_temp.num WHERE name LIKE 'batch%' ORDER BY name$$,
				  'apply_service_ids(3): three issued rows, one per number, in the order returned');

CALL pg_temp.mark();
SELECT revoke_service_id(pg_temp.n('batch3'), 'acc-2') \g /dev/null
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('revoked', 'acc-2', pg_temp.n('batch3')::text, 'a-2', NULL)),
				  'revoke_service_id: one revoked row');

CALL pg_temp.mark();
INSERT INTO fil VALUES ('num', register_filing('acc-9', 'Audit.Example.com', pg_temp.n('one')));
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('registered', 'acc-9', pg_temp.n('one')::text, 'a-1', pg_temp.f('num'))),
				  'register_filing: one registered row, carrying the filer, the number, its instance and the filing');

CALL pg_temp.mark();
INSERT INTO fil VALUES ('direct', register_filing_direct('acc-2', 'direct.example.com', 'a-2'));
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('registered', 'acc-2', NULL, 'a-2', pg_temp.f('direct'))),
				  'register_filing_direct: one registered row with the instance and no number');

CALL pg_temp.mark();
INSERT INTO fil VALUES ('tp', register_filing_trustpass('acc-5', 'shop.example.com', 'shop-5'));
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('registered', 'acc-5', NULL, NULL, pg_temp.f('tp'))),
				  'register_filing_trustpass: one registered row with neither number nor instance');

CALL pg_temp.mark();
SELECT cancel_filing(pg_temp.f('num')) \g /dev/null
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('cancelled', 'acc-9', pg_temp.n('one')::text, 'a-1', pg_temp.f('num'))),
				  'cancel_filing: one cancelled row (no row for the number, which stays used)');

CALL pg_temp.mark();
SELECT remove_access(pg_temp.f('direct')) \g /dev/null
SELECT results_eq($$SELECT * FROM pg_temp.since_mark()$$,
				  format($$VALUES (%L)$$, pg_temp.row('access_removed', 'acc-2', NULL, 'a-2', pg_temp.f('direct'))),
				  'remove_access: one access_removed row');

CALL pg_temp.mark();
UPDATE instance SET status = 'expired' WHERE instance_id = 'a-2';
SELECT is(expire_service_ids(), 2, 'expire_service_ids(): the 2 unused numbers of a-2');
SELECT set_eq($$SELECT * FROM pg_temp.since_mark()$$,
			  $$SELECT pg_temp.row('invalidated', 'acc-2', n::text, 'a-2', NULL) FROM pg_temp.num WHERE name IN ('batch1', 'batch2')$$,
			  'expire_service_ids: one invalidated row per number (a status change of the instance itself is not audited)');

-- refusals write nothing
CALL pg_temp.mark();
SELECT throws_ok($$SELECT service_id.apply_service_id('a-2', 'acc-2')$$, '55000', NULL, 'a refused apply...');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'x.example.com', pg_temp.n('granted'))$$, '42501', NULL, 'a refused filing...');
SELECT throws_ok(format('SELECT service_id.cancel_filing(%s)', pg_temp.f('num')), '55000', NULL, 'a refused cancel...');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('one'), 'acc-1')$$, '23505', NULL, 'a refused revoke...');
SELECT is((SELECT count(*)::int FROM pg_temp.since_mark()), 0, '...write no audit row');

-- db_user is the session user, not the role the API runs as
CREATE ROLE sid_test_audit_app NOLOGIN;
SELECT grant_usage('sid_test_audit_app') \g /dev/null
CALL pg_temp.mark();
SET SESSION AUTHORIZATION sid_test_audit_app;
SELECT service_id.apply_service_id('a-1', 'acc-1') AS app_number \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT db_user, account_id, action FROM service_id.audit WHERE event_id > (SELECT event_id FROM pg_temp.mark)$$,
				  $$VALUES ('sid_test_audit_app', 'acc-1', 'issued')$$,
				  'an application role''s call is logged with db_user = its session user');
SELECT is((SELECT number::text FROM audit WHERE event_id > (SELECT event_id FROM pg_temp.mark)), :'app_number',
		  'and the number it was given');

-- the whole log: exactly one row per state change
SELECT results_eq(
	$$SELECT action, count(*)::int FROM service_id.audit GROUP BY action ORDER BY action$$,
	$$SELECT * FROM (VALUES
		('access_removed', (SELECT count(*)::int FROM service_id.filings WHERE status = 'access_removed')),
		('cancelled', (SELECT count(*)::int FROM service_id.filings WHERE status = 'cancelled')),
		('invalidated', (SELECT count(*)::int FROM service_id.numbers WHERE state = 'invalid')),
		('issued', (SELECT count(*)::int FROM service_id.numbers)),
		('registered', (SELECT count(*)::int FROM service_id.filings)),
		('revoked', (SELECT count(*)::int FROM service_id.numbers WHERE state = 'revoked'))) v(a, c)
	  ORDER BY a$$,
	'the log holds one issued row per number, one registered row per filing and one row per later change');
SELECT is((SELECT count(DISTINCT event_id)::int FROM audit), (SELECT count(*)::int FROM audit), 'event ids are unique');
SELECT ok((SELECT bool_and(db_user IS NOT NULL AND at IS NOT NULL AND action IS NOT NULL) FROM audit), 'every row has its time, user and action');

-----------------------------------------------------------------------------
-- Views: exactly the SPEC columns, in order
-----------------------------------------------------------------------------
CREATE FUNCTION pg_temp.cols(v text) RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(column_name::text ORDER BY ordinal_position)
	  FROM information_schema.columns WHERE table_schema = 'service_id' AND table_name = v
$$;
SELECT is(pg_temp.cols('numbers'),
		  '{number,instance_id,product,region,applicant,grantee,state,applied_at,filing_id,website,filing_status,used_at}'::text[],
		  'service_id.numbers has the SPEC columns in order');
SELECT is(pg_temp.cols('instances'),
		  '{instance_id,account_id,product,region,eligible,reasons,allowance,consumed,remaining}'::text[],
		  'service_id.instances has the SPEC columns in order');
SELECT is(pg_temp.cols('filings'),
		  '{filing_id,account_id,website,method,number,instance_id,shop_id,status,created_at,ended_at}'::text[],
		  'service_id.filings has the SPEC columns in order');
SELECT is(pg_temp.cols('audit'),
		  '{event_id,at,db_user,account_id,action,number,instance_id,filing_id,detail}'::text[],
		  'service_id.audit has the SPEC columns in order');
SELECT col_type_is('service_id', 'numbers', 'number', 'service_id', 'service_id', 'numbers.number is a service_id');
SELECT col_type_is('service_id', 'numbers', 'applied_at', 'timestamp with time zone', 'numbers.applied_at is a timestamptz');
SELECT col_type_is('service_id', 'numbers', 'filing_id', 'bigint', 'numbers.filing_id is a bigint');
SELECT col_type_is('service_id', 'instances', 'eligible', 'boolean', 'instances.eligible is a boolean');
SELECT col_type_is('service_id', 'instances', 'reasons', 'text[]', 'instances.reasons is a text[]');
SELECT col_type_is('service_id', 'instances', 'remaining', 'integer', 'instances.remaining is an integer');
SELECT col_type_is('service_id', 'filings', 'filing_id', 'bigint', 'filings.filing_id is a bigint');
SELECT col_type_is('service_id', 'filings', 'number', 'service_id', 'service_id', 'filings.number is a service_id');
SELECT col_type_is('service_id', 'audit', 'detail', 'jsonb', 'audit.detail is a jsonb');
SELECT col_type_is('service_id', 'audit', 'at', 'timestamp with time zone', 'audit.at is a timestamptz');

-----------------------------------------------------------------------------
-- Views: content
-----------------------------------------------------------------------------
CALL pg_temp.inst('v-1', account => 'acc-7', region => 'cn-shenzhen', product => 'simple_application_server');
INSERT INTO num VALUES ('v-unused', apply_service_id('v-1', 'acc-7', 'acc-8')),
					   ('v-used', apply_service_id('v-1', 'acc-7')),
					   ('v-rev', apply_service_id('v-1', 'acc-7'));
SELECT revoke_service_id(pg_temp.n('v-rev'), 'acc-7') \g /dev/null
INSERT INTO fil VALUES ('v-used', register_filing('acc-8', 'VIEW.example.com', pg_temp.n('v-used')));

SELECT results_eq(
	format($$SELECT instance_id, product, region, applicant, grantee, state, filing_id, website, filing_status, used_at
			   FROM service_id.numbers WHERE number = %L::service_id.service_id$$, pg_temp.n('v-unused')),
	$$VALUES ('v-1', 'simple_application_server', 'cn-shenzhen', 'acc-7', 'acc-8', 'unused',
			  NULL::bigint, NULL::text, NULL::text, NULL::timestamptz)$$,
	'numbers: an unused number with its instance, product, region, applicant and grantee, and no filing');
SELECT results_eq(
	format($$SELECT state, filing_id, website, filing_status FROM service_id.numbers WHERE number = %L::service_id.service_id$$, pg_temp.n('v-used')),
	format($$VALUES ('used', %s::bigint, 'view.example.com', 'active')$$, pg_temp.f('v-used')),
	'numbers: a used number with the filing that used it');
SELECT is((SELECT n.used_at FROM numbers n JOIN filings f USING (filing_id) WHERE n.number = pg_temp.n('v-used')),
		  (SELECT created_at FROM filings WHERE filing_id = pg_temp.f('v-used')), 'numbers.used_at is when the filing was registered');
SELECT ok((SELECT applied_at <= used_at FROM numbers WHERE number = pg_temp.n('v-used')), 'a number is applied for before it is used');
SELECT results_eq(
	format($$SELECT state, filing_id FROM service_id.numbers WHERE number = %L::service_id.service_id$$, pg_temp.n('v-rev')),
	$$VALUES ('revoked', NULL::bigint)$$, 'numbers: a revoked number, no filing');
SELECT cancel_filing(pg_temp.f('v-used')) \g /dev/null
SELECT results_eq(
	format($$SELECT state, filing_id, filing_status FROM service_id.numbers WHERE number = %L::service_id.service_id$$, pg_temp.n('v-used')),
	format($$VALUES ('used', %s::bigint, 'cancelled')$$, pg_temp.f('v-used')),
	'numbers: after cancel_filing the number is still used, and shows the filing as cancelled');
SELECT is((SELECT count(*)::int FROM numbers), (SELECT count(*)::int FROM number_store), 'numbers: one row per number');
SELECT is((SELECT count(DISTINCT number)::int FROM numbers), (SELECT count(*)::int FROM numbers), 'numbers: no number twice');

SELECT results_eq(
	format($$SELECT account_id, website, method, number::text, instance_id, shop_id, status, ended_at IS NOT NULL
			   FROM service_id.filings WHERE filing_id = %s$$, pg_temp.f('v-used')),
	format($$VALUES ('acc-8', 'view.example.com', 'service_id', %L, 'v-1', NULL::text, 'cancelled', true)$$, pg_temp.n('v-used')),
	'filings: a number filing, lower-cased, cancelled, with an end time');
SELECT ok((SELECT ended_at >= created_at FROM filings WHERE filing_id = pg_temp.f('v-used')), 'filings: it ended after it began');
SELECT results_eq(
	format($$SELECT account_id, website, method, number::text, instance_id, shop_id, status, ended_at IS NOT NULL
			   FROM service_id.filings WHERE filing_id = %s$$, pg_temp.f('direct')),
	$$VALUES ('acc-2', 'direct.example.com', 'direct', NULL::text, 'a-2', NULL::text, 'access_removed', true)$$,
	'filings: a direct filing, access removed');
SELECT results_eq(
	format($$SELECT account_id, website, method, number::text, instance_id, shop_id, status, ended_at
			   FROM service_id.filings WHERE filing_id = %s$$, pg_temp.f('tp')),
	$$VALUES ('acc-5', 'shop.example.com', 'trustpass', NULL::text, NULL::text, 'shop-5', 'active', NULL::timestamptz)$$,
	'filings: a TrustPass filing, active, no end time');
SELECT is((SELECT count(*)::int FROM filings), (SELECT count(*)::int FROM filing_store), 'filings: one row per filing');

SELECT results_eq(
	$$SELECT instance_id, account_id, product, region, eligible, reasons, allowance, consumed, remaining
		FROM service_id.instances WHERE instance_id IN ('v-1', 'a-2') ORDER BY 1$$,
	$$VALUES ('a-2', 'acc-2', 'simple_application_server', 'cn-beijing', false, '{expired}'::text[], 5, 1, 4),
			 ('v-1', 'acc-7', 'simple_application_server', 'cn-shenzhen', true, '{}'::text[], 5, 2, 3)$$,
	'instances: purchaser, product, region, eligibility and the allowance figures');
SELECT is((SELECT count(*)::int FROM audit), (SELECT count(*)::int FROM audit_store), 'audit: the view shows every row');

-----------------------------------------------------------------------------
-- COMMENTs on every view, view column and API function
-----------------------------------------------------------------------------
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
			WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'v'),
		  '{audit,filings,instances,numbers,summary}'::text[], 'the schema has the five SPEC views (summary since 1.2)');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
			WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'v'
			  AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''),
		  NULL::text[], 'every view has a COMMENT');
SELECT is((SELECT array_agg(c.relname || '.' || a.attname ORDER BY c.relname, a.attnum) FROM pg_class c
			 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'v'
			  AND coalesce(col_description(c.oid, a.attnum), '') = ''),
		  NULL::text[], 'every view column has a COMMENT');
SELECT is((SELECT count(*)::int FROM pg_class c
			 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'v'), 54,
		  'and there are 54 view columns to comment (12 + 9 + 10 + 9 + 14)');
SELECT is((SELECT array_agg(f ORDER BY f) FROM unnest(ARRAY[
			'service_id.apply_service_id(text,text,text)',
			'service_id.apply_service_ids(text,text,integer,text)',
			'service_id.check_instance(text,text)',
			'service_id.revoke_service_id(service_id.service_id,text)',
			'service_id.register_filing(text,text,service_id.service_id)',
			'service_id.register_filing_direct(text,text,text)',
			'service_id.register_filing_trustpass(text,text,text)',
			'service_id.cancel_filing(bigint)',
			'service_id.remove_access(bigint)',
			'service_id.expire_service_ids()',
			'service_id.grant_usage(regrole)',
			'service_id.grant_read(regrole)',
			'service_id.is_valid(text)',
			'service_id.gen_service_id()']) f
			WHERE coalesce(obj_description(f::regprocedure, 'pg_proc'), '') = ''),
		  NULL::text[], 'every API function has a COMMENT');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.proname) FROM pg_proc p
			WHERE p.pronamespace = 'service_id'::regnamespace AND p.prosecdef
			  AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''),
		  NULL::text[], 'every SECURITY DEFINER function of the schema has a COMMENT');
SELECT is(obj_description('service_id.service_id'::regtype, 'pg_type') IS NOT NULL, true, 'the number type has a COMMENT');

SELECT * FROM finish();
ROLLBACK;
