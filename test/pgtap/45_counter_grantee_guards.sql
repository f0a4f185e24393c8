-- 45_counter_grantee_guards.sql — the allowance counter and the grantee
-- hold against plain DML too (the table owner, a superuser, runs it).
\ir setup.psql

SELECT plan(14);


INSERT INTO instance VALUES
	('c-1', 'acc-1', 'ecs', 'cn-hangzhou', 'subscription', 12, NULL, '203.0.113.1', 'running', false),
	('c-2', 'acc-1', 'ecs', 'cn-hangzhou', 'subscription', 12, NULL, '203.0.113.2', 'running', false);
CREATE TEMP TABLE n AS SELECT service_id.apply_service_id('c-1', 'acc-1', 'acc-2') AS number;

-- the counter cannot be set by hand, in any direction
SELECT pg_temp.refused($$UPDATE service_id.instance_usage SET consumed = 0 WHERE instance_id = 'c-1'$$,
	'{42501}', 'lowering a consumed count by hand is refused');
SELECT pg_temp.refused($$UPDATE service_id.instance_usage SET consumed = 5 WHERE instance_id = 'c-2'$$,
	'{42501}', 'raising a consumed count by hand is refused');
SELECT pg_temp.refused($$DELETE FROM service_id.instance_usage WHERE instance_id = 'c-1'$$,
	'{42501}', 'deleting a counter that counts something is refused');
SELECT pg_temp.refused($$TRUNCATE service_id.instance_usage$$,
	'{42501}', 'truncating the counters is refused');
SELECT pg_temp.refused($$INSERT INTO service_id.instance_usage VALUES ('c-3', 3)$$,
	'{42501}', 'inserting a counter with a count is refused');
SELECT is((SELECT consumed FROM service_id.instance_usage WHERE instance_id = 'c-1'), 1,
	'the counter still counts the one number');

-- so the allowance cannot be cheated through it
SELECT is((SELECT count(*)::int FROM service_id.apply_service_ids('c-1', 'acc-1', 4)), 4,
	'four more fit');
SELECT pg_temp.refused($$SELECT service_id.apply_service_id('c-1', 'acc-1')$$,
	'{53400}', 'the sixth number is refused');

-- what the counter does by itself still works: an instance without
-- numbers can be re-keyed or deleted (its zero counter follows)
UPDATE service_id.instance SET instance_id = 'c-2b' WHERE instance_id = 'c-2';
SELECT is((SELECT consumed FROM service_id.instance_usage WHERE instance_id = 'c-2b'), 0,
	'a re-keyed instance keeps its (zero) counter');
DELETE FROM service_id.instance WHERE instance_id = 'c-2b';
SELECT is((SELECT count(*)::int FROM service_id.instance_usage WHERE instance_id = 'c-2b'), 0,
	'a deleted instance without numbers takes its counter along');

-- a number granted to acc-2 cannot be filed by another account, even by hand
SELECT pg_temp.refused($$INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
	VALUES ('acc-3', 'x.example.cn', 'service_id', (SELECT number FROM n), 'c-1')$$,
	'{42501}', 'a hand-written filing by someone other than the grantee is refused');
SELECT is((SELECT state FROM service_id.number_store WHERE number = (SELECT number FROM n)), 'unused',
	'and the number stays unused');
INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
	VALUES ('acc-2', 'x.example.cn', 'service_id', (SELECT number FROM n), 'c-1');
SELECT is((SELECT state FROM service_id.number_store WHERE number = (SELECT number FROM n)), 'used',
	'the grantee''s hand-written filing binds it');
SELECT is((SELECT consumed FROM service_id.instance_usage WHERE instance_id = 'c-1'), 5,
	'using a number leaves the count as it was');

SELECT * FROM finish();
ROLLBACK;
