-- 47_hostile_dml.sql — what an attacker or a careless DBA tried on 1.1
-- (issue #8), each as it was reported and as the class it stands for.
-- Every statement here got through 1.1, or crashed it.  The owner runs
-- them (a superuser), so privileges stop nothing: the guards must.
\ir setup.psql

SELECT plan(89);

CALL pg_temp.inst('h-1');
CALL pg_temp.inst('h-2');
CALL pg_temp.inst('h-zero');
CALL pg_temp.inst('h-off', status => 'stopped', ip => NULL);
INSERT INTO num VALUES ('a', apply_service_id('h-1', 'acc-1'));
INSERT INTO num VALUES ('b', apply_service_id('h-1', 'acc-1'));
INSERT INTO num VALUES ('granted', apply_service_id('h-2', 'acc-1', 'secret-partner-acct'));
INSERT INTO num VALUES ('used', apply_service_id('h-2', 'acc-1'));
INSERT INTO fil VALUES ('used', register_filing('acc-9', 'used.example.com', pg_temp.n('used')));

-----------------------------------------------------------------------------
-- 1. NULL and other values where the guards read a state: an error, never
--    a crash (BEFORE triggers see rows before NOT NULL and CHECK run)
-----------------------------------------------------------------------------
SELECT pg_temp.refused(pg_temp.upd_num('a', 'state = NULL'), '{55000}', 'unused -> NULL is refused');
SELECT pg_temp.refused(pg_temp.upd_num('a', 'state = grantee'), '{55000}', 'state = grantee (NULL) is refused');
SELECT pg_temp.refused(pg_temp.upd_num('used', 'state = NULL'), '{23505}', 'used -> NULL is refused: used for ever');
SELECT pg_temp.refused(pg_temp.upd_num('a', 'state = ''gone'''), '{55000}', 'unused -> a word that is no state is refused');
SELECT pg_temp.refused(pg_temp.upd_num('a', 'number = NULL'), '{55000}', 'a NULL number is refused');
SELECT pg_temp.refused(pg_temp.upd_num('a', 'instance_id = NULL, applicant = NULL'), '{55000}', 'NULL instance and applicant are refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'status = NULL'), '{55000}', 'a NULL filing status is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'website = NULL'), '{55000}', 'a NULL website is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method) VALUES (NULL, NULL, NULL)$$,
	'{22023}', 'a filing of NULLs is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.number_store (number, instance_id, applicant) VALUES (service_id.gen_service_id(), NULL, NULL)$$,
	'{22023,23502}', 'a number of NULLs is refused');
SELECT is(pg_temp.state('a'), 'unused', 'and the number is as it was');

-----------------------------------------------------------------------------
-- 5. The counters by hand: delete a zero row, re-key a full one, insert a
--    zero row for the first — then ten numbers on one instance
-----------------------------------------------------------------------------
SELECT pg_temp.refused($$DELETE FROM service_id.instance_usage WHERE instance_id = 'h-zero'$$,
	'{42501}', 'deleting a zero counter is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance_usage SET instance_id = 'h-zero' WHERE instance_id = 'h-1'$$,
	'{42501}', 're-keying a counter is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.instance_usage VALUES ('h-new', 0)$$,
	'{42501}', 'inserting a zero counter is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.instance_usage VALUES ('h-1', 0) ON CONFLICT (instance_id) DO UPDATE SET consumed = 0$$,
	'{42501}', 'INSERT ... ON CONFLICT DO UPDATE of a counter is refused');
SELECT pg_temp.refused($$WITH x AS (UPDATE service_id.instance_usage SET consumed = 0 RETURNING 1) SELECT count(*) FROM x$$,
	'{42501}', 'a writable CTE on the counters is refused');
SELECT pg_temp.refused($$MERGE INTO service_id.instance_usage u USING (VALUES ('h-1')) v(id) ON u.instance_id = v.id
	WHEN MATCHED THEN UPDATE SET consumed = 0$$,
	'{42501}', 'MERGE on the counters is refused');
SELECT is(pg_temp.consumed('h-1'), 2, 'the counter of h-1 still counts its two numbers');
SELECT is(pg_temp.consumed('h-zero'), 0, 'the counter of h-zero is still there, at zero');

-----------------------------------------------------------------------------
-- 6. Websites by hand: every spelling of an active website
-----------------------------------------------------------------------------
SELECT lives_ok($$SELECT service_id.register_filing_trustpass('acc-5', 'example.com', 'shop-1')$$,
	'example.com is filed through the API');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id) VALUES ('acc-5', 'EXAMPLE.COM', 'trustpass', 's2')$$,
	'{23505}', 'EXAMPLE.COM by hand collides with example.com');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id) VALUES ('acc-5', 'Example.Com', 'trustpass', 's2')$$,
	'{23505}', 'Example.Com by hand collides with example.com');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id) VALUES ('acc-5', 'example.com.', 'trustpass', 's2')$$,
	'{22023}', 'a trailing dot is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id) VALUES ('acc-5', ' example.com', 'trustpass', 's2')$$,
	'{22023}', 'a leading space is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id) VALUES ('acc-5', 'Example.Com ', 'trustpass', 's2')$$,
	'{22023}', 'a trailing space is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id) VALUES ('acc 5', 'other.example.com', 'trustpass', 's2')$$,
	'{22023}', 'an account id with a space is refused');
SELECT pg_temp.refused($$COPY service_id.filing_store (account_id, website, method, shop_id) FROM PROGRAM 'printf "acc-5\tWWW.Example.COM.\ttrustpass\ts3\n"'$$,
	'{22023}', 'COPY is held to the same rules');
SELECT lives_ok($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id) VALUES ('acc-5', 'Mixed.Example.COM', 'trustpass', 's4')$$,
	'a well-formed website in capitals is accepted by hand');
SELECT is((SELECT website FROM service_id.filing_store WHERE shop_id = 's4'), 'mixed.example.com',
	'and stored lower-cased');
SELECT is((SELECT count(*)::int FROM service_id.filing_store WHERE status = 'active' AND lower(website) = 'example.com'), 1,
	'example.com has one active filing');

-----------------------------------------------------------------------------
-- 7. Binding by hand: a filing that uses an unused number is held to
--    register_filing's rules, and audited
-----------------------------------------------------------------------------
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
	SELECT 'acc-1', 'off.example.com', 'service_id', n, 'h-2' FROM pg_temp.num WHERE name = 'b'$$,
	'{55000}', 'a filing naming another instance than its number''s is refused');
UPDATE service_id.instance SET status = 'stopped', public_ip = NULL WHERE instance_id = 'h-1';
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
	SELECT 'acc-1', 'off.example.com', 'service_id', n, 'h-1' FROM pg_temp.num WHERE name = 'b'$$,
	'{55000}', 'a filing of a number whose instance is stopped and has no public IP is refused');
UPDATE service_id.instance SET status = 'running', public_ip = '203.0.113.10' WHERE instance_id = 'h-1';
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id, status, ended_at)
	SELECT 'acc-1', 'off.example.com', 'service_id', n, 'h-1', 'cancelled', now() FROM pg_temp.num WHERE name = 'b'$$,
	'{55000}', 'a filing that would use an unused number must be active');
SELECT lives_ok($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
	SELECT 'acc-1', 'bound.example.com', 'service_id', n, 'h-1' FROM pg_temp.num WHERE name = 'b'$$,
	'a filing by hand of an eligible unused number is accepted');
SELECT is(pg_temp.state('b'), 'used', 'and its number is used');
SELECT is((SELECT count(*)::int FROM service_id.audit_store
			WHERE action = 'registered' AND number OPERATOR(service_id.=) pg_temp.n('b')), 1,
	'and the registration is audited');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
	SELECT 'acc-1', 'again.example.com', 'service_id', n, 'h-1' FROM pg_temp.num WHERE name = 'b'$$,
	'{23505}', 'and it cannot be used again by hand');
SELECT pg_temp.refused(pg_temp.upd_num('a', 'state = ''used'', state_changed_at = now()'),
	'{55000}', 'UPDATE to used without a filing is refused');
SELECT lives_ok(pg_temp.upd_num('a', 'state = ''revoked'''), 'a revoke by hand is accepted');
SELECT is((SELECT count(*)::int FROM service_id.audit_store
			WHERE action = 'revoked' AND number OPERATOR(service_id.=) pg_temp.n('a')), 1,
	'and audited, like the API''s');
SELECT isnt((SELECT state_changed_at FROM service_id.number_store WHERE number OPERATOR(service_id.=) pg_temp.n('a')), NULL,
	'with state_changed_at filled in');
SELECT is(pg_temp.consumed('h-1'), 1, 'and its slot is given back');

-----------------------------------------------------------------------------
-- 8. Numbers the caller never sees: a batch read in part is issued whole,
--    and account_numbers() lists every number
-----------------------------------------------------------------------------
CALL pg_temp.inst('h-batch', account => 'acc-b');
SELECT is((SELECT count(*)::int FROM (SELECT service_id.apply_service_ids('h-batch', 'acc-b', 5) LIMIT 1) x), 1,
	'a batch of five read with LIMIT 1 returns one number');
SELECT is(pg_temp.consumed('h-batch'), 5, 'but all five are issued');
SELECT is((SELECT count(*)::int FROM service_id.account_numbers('acc-b')), 5,
	'and account_numbers() lists the five');
SELECT is((SELECT count(*)::int FROM service_id.account_numbers('secret-partner-acct')), 1,
	'a grantee sees the number granted to it');
SELECT is((SELECT string_agg(state || ':' || coalesce(website, '-'), ',' ORDER BY state)
			 FROM service_id.account_numbers('acc-1') WHERE instance_id = 'h-1'),
	'revoked:-,used:bound.example.com', 'account_numbers() shows state, filing and website');
SELECT is((SELECT count(*)::int FROM service_id.account_instances('acc-1')), 4,
	'account_instances() lists the account''s instances');

-----------------------------------------------------------------------------
-- 9, 10. Messages: no grantee named to a stranger, no number shown whole
-----------------------------------------------------------------------------
CREATE FUNCTION pg_temp.message(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text; d text; h text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
	RETURN concat_ws(' | ', m, d, h);
END $$;
SELECT unalike(pg_temp.message(format($$SELECT service_id.register_filing('stranger', 'x.example.com', %L)$$, pg_temp.n('granted'))),
	'%secret-partner-acct%', 'a stranger filing with a granted number is not told the grantee');
SELECT unalike(pg_temp.message(format($$SELECT service_id.register_filing('stranger', 'x.example.com', %L)$$, pg_temp.n('used'))),
	'%' || pg_temp.n('used')::text || '%', 'a used number is not shown whole');
SELECT alike(pg_temp.message(format($$SELECT service_id.register_filing('stranger', 'x.example.com', %L)$$, pg_temp.n('used'))),
	'%ending in ' || right(pg_temp.n('used')::text, 4) || '%', 'but named by its last four hex digits');
SELECT unalike(pg_temp.message(format($$SELECT service_id.revoke_service_id(%L, 'mallory')$$, pg_temp.n('b'))),
	'%' || pg_temp.n('b')::text || '%', 'nor in a refused revoke');
SELECT unalike(pg_temp.message(format($$SELECT %L::service_id.service_id$$, overlay(pg_temp.n('b')::text placing '0' from 1 for 1))),
	'%' || substr(pg_temp.n('b')::text, 2, 20) || '%', 'a mistyped number is not echoed into the message');
SELECT unalike(pg_temp.message(pg_temp.upd_num('used', 'state = ''revoked''')),
	'%' || pg_temp.n('used')::text || '%', 'nor by the guards');

-- 23505 carries the constraint, as core's unique violations do: an
-- application tells a used number from a taken website without the text
CREATE FUNCTION pg_temp.constraint_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN unique_violation THEN
	GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME;
	RETURN c;
END $$;
SELECT is(pg_temp.constraint_of(format($$SELECT service_id.register_filing('acc-9', 'y.example.com', %L)$$, pg_temp.n('used'))),
	'filing_store_number_used_once', 'a used number: 23505 names filing_store_number_used_once');
SELECT is(pg_temp.constraint_of($$SELECT service_id.register_filing_trustpass('acc-5', 'example.com', 'shop-9')$$),
	'filing_store_one_active_per_website', 'a taken website: 23505 names filing_store_one_active_per_website');

-----------------------------------------------------------------------------
-- 11. btree deduplication for indexes on the type
-----------------------------------------------------------------------------
CREATE EXTENSION pageinspect;
SELECT ok((SELECT allequalimage FROM bt_metap('service_id.number_store_pkey')),
	'the number index can deduplicate (btequalimage)');
SELECT ok((SELECT allequalimage FROM bt_metap('service_id.filing_store_number_used_once')),
	'and so can the filings'' index of numbers');

-----------------------------------------------------------------------------
-- A trigger function attached where it was not written for is refused
-- (39P01) before it reads a column: on another table, for another event,
-- at another timing or level.  Anyone with EXECUTE could attach one.
-----------------------------------------------------------------------------
CREATE TABLE public.decoy (instance_id text, account_id text, number text, state text,
						   website text, status text, product text, region text);
INSERT INTO public.decoy VALUES ('h-1', 'acc-1', 'x', 'unused', 'a.example.com', 'active', 'ecs', 'cn-hangzhou');
SELECT is((SELECT count(*)::int FROM pg_proc
			WHERE pronamespace = 'service_id'::regnamespace AND prorettype = 'trigger'::regtype), 15,
	'the extension has fifteen trigger functions');
SELECT throws_ok(format($$CREATE TRIGGER misuse BEFORE UPDATE ON public.decoy
							FOR EACH ROW EXECUTE FUNCTION service_id.%I();
						  UPDATE public.decoy SET state = 'used'$$, p.proname),
				 '39P01', format('function "%s" must not be a trigger on table "decoy"', p.proname),
				 format('%s on a table of one''s own is refused', p.proname))
  FROM pg_proc p
 WHERE p.pronamespace = 'service_id'::regnamespace AND p.prorettype = 'trigger'::regtype
 ORDER BY p.proname;
SELECT throws_ok($$CREATE TRIGGER a_misuse BEFORE INSERT ON service_id.number_store
					FOR EACH ROW EXECUTE FUNCTION service_id.number_update_guard();
				  INSERT INTO service_id.number_store (number, instance_id, applicant, state)
				  VALUES (service_id.gen_service_id(), 'h-1', 'acc-1', 'unused')$$,
	'39P01', 'function "number_update_guard" was fired for an event it does not handle',
	'number_update_guard fired by an INSERT on its own table is refused');
SELECT throws_ok($$CREATE TRIGGER a_misuse BEFORE UPDATE ON service_id.number_store
					FOR EACH STATEMENT EXECUTE FUNCTION service_id.number_update_guard();
				  UPDATE service_id.number_store SET state = state WHERE false$$,
	'39P01', 'function "number_update_guard" was fired for an event it does not handle',
	'number_update_guard as a statement trigger is refused');
SELECT throws_ok($$CREATE TRIGGER a_misuse BEFORE INSERT ON service_id.instance
					FOR EACH ROW EXECUTE FUNCTION service_id.instance_inserted();
				  CALL pg_temp.inst('h-misuse')$$,
	'39P01', 'function "instance_inserted" was fired for an event it does not handle',
	'instance_inserted fired BEFORE instead of AFTER is refused');
SELECT throws_ok($$SELECT service_id.number_update_guard()$$,
	'39P01', 'function "number_update_guard" was not called by trigger manager',
	'a trigger function called directly is refused');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname IN ('misuse', 'a_misuse')), 0,
	'and no misplaced trigger stayed');

-----------------------------------------------------------------------------
-- The ids: the tables hold them to the API's rule (U+00A0 is white space)
-----------------------------------------------------------------------------
SELECT pg_temp.refused(format($$CALL pg_temp.inst(%L)$$, 'h' || chr(160) || '9'),
	'{23514}', 'an instance id with a no-break space is refused by the table, as by the API');
SELECT pg_temp.refused(format($$CALL pg_temp.inst('h-9', account => %L)$$, 'acc' || chr(8203)),
	'{23514}', 'an account id with a zero-width space is refused by the table');
SELECT pg_temp.refused(format($$INSERT INTO service_id.region VALUES (%L, true)$$, 'cn' || chr(12288) || 'x'),
	'{23514}', 'a region with an ideographic space is refused');

-----------------------------------------------------------------------------
-- The ways past the guards are a superuser's: altering the tables, or
-- disabling triggers.  The API then refuses with 55000 and a hint, never
-- XX000, and never writes a row the altered table does not expect.
-- (Last in the file: the counters' damage stays until the ROLLBACK.)
-----------------------------------------------------------------------------
SELECT throws_ok($$ALTER TABLE service_id.number_store RENAME COLUMN grantee TO granted_to;
				  SELECT service_id.apply_service_id('h-2', 'acc-1')$$,
	'55000', 'the service_id extension in this database is damaged',
	'a column of the extension renamed: the API refuses to write (55000)');
SELECT throws_ok($$ALTER TABLE service_id.audit_store ADD COLUMN extra int NOT NULL DEFAULT 0;
				  SELECT service_id.apply_service_id('h-2', 'acc-1')$$,
	'55000', 'the service_id extension in this database is damaged',
	'a column added to a table the API writes: refused too');
SELECT lives_ok($$SELECT service_id.apply_service_id('h-2', 'acc-1')$$,
	'with the change rolled back, the API writes again');
INSERT INTO num VALUES ('c', apply_service_id('h-2', 'acc-1'));
SET session_replication_role = replica;
DELETE FROM service_id.instance_usage WHERE instance_id = 'h-zero';
UPDATE service_id.instance_usage SET consumed = 0 WHERE instance_id = 'h-2';
RESET session_replication_role;
SELECT throws_ok($$SELECT service_id.apply_service_id('h-zero', 'acc-1')$$,
	'55000', 'instance "h-zero" has no allowance counter',
	'apply on an instance whose counter was deleted with triggers off: 55000');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'zero.example.com', 'h-zero')$$,
	'55000', 'instance "h-zero" has no allowance counter',
	'and a direct filing on it too');
SELECT throws_ok(format($$SELECT service_id.revoke_service_id(%L, 'acc-1')$$, pg_temp.n('c')),
	'55000', 'the allowance counter of instance "h-2" would become -1',
	'a revoke that would drive a zeroed counter below zero: 55000');
SELECT is(pg_temp.state('c'), 'unused', 'and the number stays unused');

SELECT * FROM finish();
ROLLBACK;
