-- 40_guards.sql — SPEC section 4, the guards against plain DML.
--
-- The test session is a superuser and owns every table: what it cannot do
-- by INSERT, UPDATE, DELETE or TRUNCATE, no role can.  Every forbidden
-- change must fail with 55000 or 42501 (23505 where it would reuse a
-- number), never silently; the allowed ones work and keep the counter and
-- the audit log right.
\ir setup.psql

SELECT plan(107);

-----------------------------------------------------------------------------
-- Helpers
-----------------------------------------------------------------------------

-- Numbers in every state, filings in every status.
CALL pg_temp.inst('g-1');
CALL pg_temp.inst('g-2');
CALL pg_temp.inst('g-inv');
INSERT INTO num VALUES ('unused', apply_service_id('g-1', 'acc-1')),
					   ('unused2', apply_service_id('g-1', 'acc-1', 'acc-5')),
					   ('used', apply_service_id('g-1', 'acc-1')),
					   ('used2', apply_service_id('g-1', 'acc-1')),
					   ('revoked', apply_service_id('g-2', 'acc-1')),
					   ('invalid', apply_service_id('g-inv', 'acc-1')),
					   ('g2', apply_service_id('g-2', 'acc-1'));
INSERT INTO fil VALUES ('used', register_filing('acc-1', 'used.example.com', pg_temp.n('used'))),
					   ('used2', register_filing('acc-1', 'used2.example.com', pg_temp.n('used2'))),
					   ('direct', register_filing_direct('acc-1', 'direct.example.com', 'g-2')),
					   ('trustpass', register_filing_trustpass('acc-1', 'shop.example.com', 'shop-1'));
SELECT cancel_filing(pg_temp.f('used2')) \g /dev/null
SELECT revoke_service_id(pg_temp.n('revoked'), 'acc-1') \g /dev/null
UPDATE instance SET status = 'released' WHERE instance_id = 'g-inv';
SELECT expire_service_ids() \g /dev/null

SELECT is((SELECT array_agg(pg_temp.state(x) ORDER BY x) FROM unnest('{invalid,revoked,unused,used,used2}'::text[]) x),
		  '{invalid,revoked,unused,used,used}'::text[], 'set-up: numbers in every state');

-----------------------------------------------------------------------------
-- number_store: forbidden state moves
-----------------------------------------------------------------------------
SELECT pg_temp.refused(pg_temp.upd_num('used', 'state = ''unused'', state_changed_at = NULL'), '{55000,42501,23505}', 'used -> unused is refused');
SELECT pg_temp.refused(pg_temp.upd_num('used2', 'state = ''unused'', state_changed_at = NULL'), '{55000,42501,23505}', 'used -> unused is refused after the filing was cancelled');
SELECT pg_temp.refused(pg_temp.upd_num('used', 'state = ''revoked'''), '{55000,42501,23505}', 'used -> revoked is refused');
SELECT pg_temp.refused(pg_temp.upd_num('used', 'state = ''invalid'''), '{55000,42501,23505}', 'used -> invalid is refused');
SELECT pg_temp.refused(pg_temp.upd_num('revoked', 'state = ''unused'', state_changed_at = NULL'), '{55000,42501}', 'revoked -> unused is refused');
SELECT pg_temp.refused(pg_temp.upd_num('revoked', 'state = ''used'''), '{55000,42501}', 'revoked -> used is refused');
SELECT pg_temp.refused(pg_temp.upd_num('revoked', 'state = ''invalid'''), '{55000,42501}', 'revoked -> invalid is refused');
SELECT pg_temp.refused(pg_temp.upd_num('invalid', 'state = ''unused'', state_changed_at = NULL'), '{55000,42501}', 'invalid -> unused is refused');
SELECT pg_temp.refused(pg_temp.upd_num('invalid', 'state = ''used'''), '{55000,42501}', 'invalid -> used is refused');
SELECT pg_temp.refused(pg_temp.upd_num('invalid', 'state = ''revoked'''), '{55000,42501}', 'invalid -> revoked is refused');
SELECT pg_temp.refused(pg_temp.upd_num('unused', 'state = ''used'', state_changed_at = now()'), '{55000,42501}', 'unused -> used without a filing is refused');
SELECT pg_temp.refused($$UPDATE service_id.number_store SET state = 'unused', state_changed_at = NULL WHERE state <> 'unused'$$,
					   '{55000,42501,23505}', 'a mass reset of every number to unused is refused');

-- number_store: the other columns never change
SELECT pg_temp.refused(pg_temp.upd_num('unused', 'number = service_id.gen_service_id()'), '{55000,42501}', 'changing a number''s number is refused');
SELECT pg_temp.refused(pg_temp.upd_num('used', 'number = service_id.gen_service_id()'), '{55000,42501}', 'changing a used number''s number is refused');
SELECT pg_temp.refused(pg_temp.upd_num('unused', 'instance_id = ''g-2'''), '{55000,42501}', 'moving a number to another instance is refused');
SELECT pg_temp.refused(pg_temp.upd_num('unused', 'applicant = ''acc-2'''), '{55000,42501}', 'changing the applicant is refused');
SELECT pg_temp.refused(pg_temp.upd_num('unused', 'grantee = ''acc-2'''), '{55000,42501}', 'granting an ungranted number afterwards is refused');
SELECT pg_temp.refused(pg_temp.upd_num('unused2', 'grantee = NULL'), '{55000,42501}', 'ungranting a granted number is refused');
SELECT pg_temp.refused(pg_temp.upd_num('unused', 'applied_at = applied_at - interval ''1 day'''), '{55000,42501}', 'changing applied_at is refused');
SELECT pg_temp.refused(pg_temp.upd_num('revoked', 'state_changed_at = state_changed_at - interval ''1 day'''), '{55000,42501}', 'changing when a state changed is refused');

-- number_store: no DELETE, no TRUNCATE
SELECT pg_temp.refused(format('DELETE FROM service_id.number_store WHERE number OPERATOR(service_id.=) %L::service_id.service_id', pg_temp.n('unused')),
					   '{55000,42501}', 'deleting an unused number is refused');
SELECT pg_temp.refused(format('DELETE FROM service_id.number_store WHERE number OPERATOR(service_id.=) %L::service_id.service_id', pg_temp.n('revoked')),
					   '{55000,42501}', 'deleting a revoked number is refused');
SELECT pg_temp.refused('DELETE FROM service_id.number_store', '{55000,42501}', 'deleting every number is refused');
SELECT pg_temp.refused('TRUNCATE service_id.number_store, service_id.filing_store', '{55000,42501}', 'TRUNCATE of numbers and filings together is refused');
SELECT pg_temp.refused('TRUNCATE service_id.number_store CASCADE', '{55000,42501}', 'TRUNCATE ... CASCADE of numbers is refused');
-- Alone, core refuses it first (0A000): filing_store references it.
SELECT pg_temp.refused('TRUNCATE service_id.number_store', '{55000,42501,0A000}', 'TRUNCATE of numbers alone is refused');
SELECT is((SELECT count(*)::int FROM number_store), 7, 'every number is still there');

-- a no-op UPDATE is not a change
SELECT lives_ok($$UPDATE service_id.number_store SET state = state$$, 'UPDATE ... SET state = state changes nothing and passes');

-----------------------------------------------------------------------------
-- number_store: the allowed moves, by plain UPDATE
-----------------------------------------------------------------------------
CALL pg_temp.inst('g-ok');
INSERT INTO num VALUES ('to-revoke', apply_service_id('g-ok', 'acc-1')), ('to-invalid', apply_service_id('g-ok', 'acc-1')),
					   ('to-use', apply_service_id('g-ok', 'acc-1'));
SELECT is(pg_temp.consumed('g-ok'), 3, 'three numbers take three slots');
SELECT lives_ok(pg_temp.upd_num('to-revoke', 'state = ''revoked'', state_changed_at = now()'), 'unused -> revoked by plain UPDATE');
SELECT is(pg_temp.state('to-revoke'), 'revoked', 'the number is revoked');
SELECT is(pg_temp.consumed('g-ok'), 2, 'revoking by UPDATE frees the slot');
SELECT results_eq(format($$SELECT action, account_id, instance_id FROM service_id.audit WHERE number = %L::service_id.service_id ORDER BY event_id$$, pg_temp.n('to-revoke')),
				  $$VALUES ('issued', 'acc-1', 'g-ok'), ('revoked', 'acc-1', 'g-ok')$$,
				  'revoking by UPDATE writes a revoked audit row');
SELECT lives_ok(pg_temp.upd_num('to-invalid', 'state = ''invalid'', state_changed_at = now()'), 'unused -> invalid by plain UPDATE');
SELECT is(pg_temp.consumed('g-ok'), 1, 'invalidating by UPDATE frees the slot');
SELECT is((SELECT array_agg(action ORDER BY event_id) FROM audit WHERE number = pg_temp.n('to-invalid')),
		  '{issued,invalidated}'::text[], 'invalidating by UPDATE writes an invalidated audit row');
SELECT pg_temp.refused(pg_temp.upd_num('to-revoke', 'state = ''unused'', state_changed_at = NULL'), '{55000,42501}', 'and the revoked number cannot come back');

-----------------------------------------------------------------------------
-- filing_store: hand-written INSERTs
-----------------------------------------------------------------------------
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
								VALUES ('acc-1', 'reuse.example.com', 'service_id', %L, 'g-1')$$, pg_temp.n('used')),
					   '{23505}', 'an INSERT that reuses a used number fails with 23505');
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id, status, ended_at)
								VALUES ('acc-1', 'reuse.example.com', 'service_id', %L, 'g-1', 'cancelled', now())$$, pg_temp.n('used2')),
					   '{23505}', 'an INSERT of an already-ended filing that reuses a used number fails with 23505');
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
								VALUES ('acc-1', 'revoked.example.com', 'service_id', %L, 'g-2')$$, pg_temp.n('revoked')),
					   '{55000}', 'an INSERT that uses a revoked number fails with 55000');
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
								VALUES ('acc-1', 'invalid.example.com', 'service_id', %L, 'g-inv')$$, pg_temp.n('invalid')),
					   '{55000}', 'an INSERT that uses an invalid number fails with 55000');
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
								VALUES ('acc-1', 'wrong.example.com', 'service_id', %L, 'g-2')$$, pg_temp.n('unused')),
					   '{55000,23503}', 'an INSERT naming an instance other than the number''s is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id)
						 VALUES ('acc-2', 'used.example.com', 'trustpass', 'shop-2')$$,
					   '{23505}', 'an INSERT of a second active filing for a website fails with 23505');
SELECT lives_ok($$INSERT INTO service_id.filing_store (account_id, website, method, shop_id, status, ended_at)
				  VALUES ('acc-2', 'used.example.com', 'trustpass', 'shop-2', 'cancelled', now())$$,
				'an ended filing for a website with an active one may be inserted (history)');

SELECT lives_ok(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
						 VALUES ('acc-1', 'hand.example.com', 'service_id', %L, 'g-ok')$$, pg_temp.n('to-use')),
				'an INSERT with an unused number of the right instance passes');
SELECT is(pg_temp.state('to-use'), 'used', 'and the number becomes used');
SELECT is(pg_temp.consumed('g-ok'), 1, 'keeping its slot');
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
								VALUES ('acc-1', 'hand2.example.com', 'service_id', %L, 'g-ok')$$, pg_temp.n('to-use')),
					   '{23505}', 'a second hand-written INSERT with that number fails with 23505');
SELECT lives_ok($$INSERT INTO service_id.filing_store (account_id, website, method, instance_id)
				  VALUES ('acc-1', 'hand-direct.example.com', 'direct', 'g-ok')$$,
				'a hand-written direct filing passes');
SELECT is(pg_temp.consumed('g-ok'), 2, 'and takes a slot');

-----------------------------------------------------------------------------
-- filing_store: the unique index on number, and the trigger, each alone
-----------------------------------------------------------------------------
SELECT ok(EXISTS (SELECT FROM pg_index x
				   WHERE x.indrelid = 'service_id.filing_store'::regclass
					 AND x.indisunique AND x.indpred IS NULL AND x.indnkeyatts = 1
					 AND x.indkey[0] = (SELECT attnum FROM pg_attribute
										 WHERE attrelid = 'service_id.filing_store'::regclass
										   AND attname = 'number')),
		  'filing_store has a unique index on (number) alone, with no predicate');
SELECT has_index('service_id', 'filing_store',
				 (SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
				   WHERE x.indrelid = 'service_id.filing_store'::regclass AND x.indisunique AND x.indpred IS NULL
					 AND x.indnkeyatts = 1 AND pg_get_indexdef(x.indexrelid, 1, true) = 'number'),
				 ARRAY['number']::name[], 'has_index agrees: the index is on filing_store(number)');
SELECT index_is_unique('service_id', 'filing_store',
					   (SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
						 WHERE x.indrelid = 'service_id.filing_store'::regclass AND x.indisunique AND x.indpred IS NULL
						   AND x.indnkeyatts = 1 AND pg_get_indexdef(x.indexrelid, 1, true) = 'number'),
					   'index_is_unique agrees');

-----------------------------------------------------------------------------
-- filing_store: forbidden changes
-----------------------------------------------------------------------------
SELECT pg_temp.refused(pg_temp.upd_fil('used', format('number = %L', pg_temp.n('unused'))), '{55000,42501}', 'changing a filing''s number is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'number = NULL, method = ''direct'''), '{55000,42501}', 'turning a number filing into a direct one is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'instance_id = ''g-2'''), '{55000,42501}', 'changing a filing''s instance is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'account_id = ''acc-2'''), '{55000,42501}', 'changing a filing''s account is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'website = ''other.example.com'''), '{55000,42501}', 'changing a filing''s website is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'created_at = created_at - interval ''1 day'''), '{55000,42501}', 'changing created_at is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('trustpass', 'shop_id = ''shop-2'''), '{55000,42501}', 'changing a TrustPass filing''s shop is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used2', 'status = ''active'', ended_at = NULL'), '{55000,42501}', 'cancelled -> active is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used2', 'status = ''access_removed'''), '{55000,42501}', 'cancelled -> access_removed is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used2', 'ended_at = ended_at + interval ''1 day'''), '{55000,42501}', 'changing when a filing ended is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('used', 'filing_id = filing_id + 1000'), '{55000,42501}', 'changing a filing id is refused');
SELECT pg_temp.refused(format('DELETE FROM service_id.filing_store WHERE filing_id = %s', pg_temp.f('used2')), '{55000,42501}', 'deleting an ended filing is refused');
SELECT pg_temp.refused('DELETE FROM service_id.filing_store', '{55000,42501}', 'deleting every filing is refused');
-- (the foreign keys to instance are deferred: check the rows inserted by
-- hand above now, or TRUNCATE would refuse for their pending events, 55006)
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT pg_temp.refused('TRUNCATE service_id.filing_store', '{55000,42501}', 'TRUNCATE of filings is refused');

-- allowed: ending an active filing by plain UPDATE
SELECT lives_ok(pg_temp.upd_fil('direct', 'status = ''access_removed'', ended_at = now()'), 'active -> access_removed by plain UPDATE');
SELECT pg_temp.refused(pg_temp.upd_fil('direct', 'status = ''cancelled'''), '{55000,42501}', 'access_removed -> cancelled is refused');
SELECT pg_temp.refused(pg_temp.upd_fil('direct', 'status = ''active'', ended_at = NULL'), '{55000,42501}', 'access_removed -> active is refused');
SELECT is((SELECT array_agg(action ORDER BY event_id) FROM audit WHERE filing_id = pg_temp.f('direct')),
		  '{registered,access_removed}'::text[], 'ending a filing by UPDATE writes an audit row');
SELECT is(pg_temp.consumed('g-2'), 2, 'the ended direct filing keeps its slot (g2 unused + the direct filing)');
SELECT lives_ok(pg_temp.upd_fil('used', 'status = ''cancelled'', ended_at = now()'), 'active -> cancelled by plain UPDATE');
SELECT is(pg_temp.state('used'), 'used', 'the number of a filing cancelled by UPDATE stays used');

-----------------------------------------------------------------------------
-- audit_store: append-only
-----------------------------------------------------------------------------
SELECT pg_temp.refused($$UPDATE service_id.audit_store SET account_id = 'someone-else'$$, '{55000,42501}', 'UPDATE of audit rows is refused');
SELECT pg_temp.refused($$UPDATE service_id.audit_store SET detail = '{}' WHERE event_id = (SELECT max(event_id) FROM service_id.audit_store)$$,
					   '{55000,42501}', 'UPDATE of one audit row is refused');
SELECT pg_temp.refused($$DELETE FROM service_id.audit_store WHERE event_id = (SELECT min(event_id) FROM service_id.audit_store)$$,
					   '{55000,42501}', 'DELETE of an audit row is refused');
SELECT pg_temp.refused('DELETE FROM service_id.audit_store', '{55000,42501}', 'DELETE of the audit log is refused');
SELECT pg_temp.refused('TRUNCATE service_id.audit_store', '{55000,42501}', 'TRUNCATE of the audit log is refused');
SELECT lives_ok($$INSERT INTO service_id.audit_store (account_id, action) VALUES ('acc-1', 'issued')$$, 'appending is allowed');

-----------------------------------------------------------------------------
-- instance: never deleted, never re-keyed once it has numbers or filings
-----------------------------------------------------------------------------
CALL pg_temp.inst('g-direct-only');
SELECT register_filing_direct('acc-1', 'direct-only.example.com', 'g-direct-only') \g /dev/null
CALL pg_temp.inst('g-empty');
SELECT pg_temp.refused($$DELETE FROM service_id.instance WHERE instance_id = 'g-1'$$, '{55000,42501}', 'deleting an instance with numbers is refused');
SELECT pg_temp.refused($$DELETE FROM service_id.instance WHERE instance_id = 'g-inv'$$, '{55000,42501}', 'deleting a released instance with invalid numbers is refused');
SELECT pg_temp.refused($$DELETE FROM service_id.instance WHERE instance_id = 'g-direct-only'$$, '{55000,42501}', 'deleting an instance with only a direct filing is refused');
SELECT pg_temp.refused('DELETE FROM service_id.instance', '{55000,42501}', 'deleting every instance is refused');
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT pg_temp.refused('TRUNCATE service_id.instance CASCADE', '{55000,42501}', 'TRUNCATE ... CASCADE of instances is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance SET instance_id = 'g-1-renamed' WHERE instance_id = 'g-1'$$, '{55000,42501}', 'changing the id of an instance with numbers is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance SET account_id = 'acc-2' WHERE instance_id = 'g-1'$$, '{55000,42501}', 'changing the purchaser of an instance with numbers is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance SET product = 'simple_application_server' WHERE instance_id = 'g-1'$$, '{55000,42501}', 'changing the product of an instance with numbers is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance SET account_id = 'acc-2' WHERE instance_id = 'g-direct-only'$$, '{55000,42501}', 'changing the purchaser of an instance with a direct filing is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance SET instance_id = 'g-do-renamed' WHERE instance_id = 'g-direct-only'$$, '{55000,42501}', 'changing the id of an instance with a direct filing is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance SET product = 'slb' WHERE instance_id = 'g-direct-only'$$, '{55000,42501}', 'changing the product of an instance with a direct filing is refused');
SELECT lives_ok($$UPDATE service_id.instance SET status = 'stopped', expires_at = now() + interval '2 years', subscribed_months = 36,
										 region = 'cn-beijing', public_ip = '198.51.100.7' WHERE instance_id = 'g-1'$$,
				'status, end date, renewals, region and IP of an instance with numbers may change');
SELECT lives_ok($$UPDATE service_id.instance SET instance_id = 'g-empty-2', account_id = 'acc-3', product = 'simple_application_server'
				   WHERE instance_id = 'g-empty'$$, 'an instance without numbers or filings may be re-keyed');
SELECT is(pg_temp.consumed('g-empty-2'), 0, 'and its counter follows it');
SELECT lives_ok($$DELETE FROM service_id.instance WHERE instance_id = 'g-empty-2'$$, 'an instance without numbers or filings may be deleted');
SELECT is((SELECT count(*)::int FROM instance_usage WHERE instance_id IN ('g-empty', 'g-empty-2')), 0, 'together with its counter');
SELECT is((SELECT count(*)::int FROM instance WHERE instance_id IN ('g-1', 'g-inv', 'g-direct-only')), 3, 'the guarded instances are all there');

-----------------------------------------------------------------------------
-- catalogs: an INSERT of an existing key replaces the row
-----------------------------------------------------------------------------
INSERT INTO product (product, allowance, requires_subscription, min_total_months, min_remaining_days, requires_public_ip, hint)
VALUES ('ecs', 2, true, 6, 30, true, 'Renew first.');
SELECT results_eq($$SELECT allowance, min_total_months, min_remaining_days, hint FROM service_id.product WHERE product = 'ecs'$$,
				  $$VALUES (2, 6, 30, 'Renew first.')$$, 'INSERT of the existing key ecs replaced the row');
SELECT is((SELECT allowance FROM check_instance('g-ok')), 2, 'and the rules see it');
INSERT INTO product (product, allowance) VALUES ('gpu', 1);
SELECT results_eq($$SELECT allowance, requires_subscription, hint FROM service_id.product WHERE product = 'gpu'$$,
				  $$VALUES (1, true, NULL::text)$$, 'INSERT of a new product key adds a row');
INSERT INTO region VALUES ('cn-hangzhou', false), ('cn-newcity', true);
SELECT results_eq($$SELECT region, mainland FROM service_id.region WHERE region IN ('cn-hangzhou', 'cn-newcity') ORDER BY 1$$,
				  $$VALUES ('cn-hangzhou', false), ('cn-newcity', true)$$, 'INSERT into region replaces an existing key and adds a new one');
SELECT is((SELECT count(*)::int FROM product), 8, 'no duplicate product rows');

-----------------------------------------------------------------------------
-- each of the two defences alone stops the reuse of a number
-----------------------------------------------------------------------------
CALL pg_temp.inst('g-last', region => 'cn-beijing');
INSERT INTO num VALUES ('last', apply_service_id('g-last', 'acc-1'));
INSERT INTO fil VALUES ('last', register_filing('acc-1', 'last.example.com', pg_temp.n('last')));

ALTER TABLE filing_store DISABLE TRIGGER USER;
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
								VALUES ('acc-1', 'last2.example.com', 'service_id', %L, 'g-last')$$, pg_temp.n('last')),
					   '{23505}', 'with the filing triggers disabled, the unique index still refuses the reuse');
ALTER TABLE filing_store ENABLE TRIGGER USER;

DO $$
DECLARE
	idx regclass;
	con name;
BEGIN
	SELECT x.indexrelid INTO STRICT idx FROM pg_index x
	 WHERE x.indrelid = 'service_id.filing_store'::regclass AND x.indisunique AND x.indpred IS NULL
	   AND x.indnkeyatts = 1 AND pg_get_indexdef(x.indexrelid, 1, true) = 'number';
	SELECT conname INTO con FROM pg_constraint WHERE conindid = idx AND conrelid = 'service_id.filing_store'::regclass;
	IF con IS NOT NULL THEN
		EXECUTE format('ALTER TABLE service_id.filing_store DROP CONSTRAINT %I', con);
	ELSE
		EXECUTE format('DROP INDEX %s', idx);
	END IF;
END $$;
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
								VALUES ('acc-1', 'last2.example.com', 'service_id', %L, 'g-last')$$, pg_temp.n('last')),
					   '{23505}', 'without the unique index, the trigger still refuses the reuse with 23505');
SELECT pg_temp.refused(format($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id, status, ended_at)
								VALUES ('acc-1', 'last3.example.com', 'service_id', %L, 'g-last', 'cancelled', now())$$, pg_temp.n('last')),
					   '{23505}', 'without the unique index, the trigger refuses an ended filing reusing it too');
SELECT is((SELECT count(*)::int FROM filing_store WHERE number = pg_temp.n('last')), 1, 'the number is bound to one filing');

SELECT * FROM finish();
ROLLBACK;
