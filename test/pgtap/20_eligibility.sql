-- 20_eligibility.sql — SPEC section 4, eligibility and allowance, through
-- service_id.check_instance() and the service_id.instances view.
--
-- One instance per reason code, then the combinations that fix the
-- documented order, the exceptions to "all that apply", the allowance
-- figures (revoked and invalid numbers give their slot back, direct filings
-- keep theirs whatever their status), DBA edits of the catalogs, and the
-- view agreeing with the function.
\ir setup.psql

SELECT plan(81);


-- check_instance() as one line: eligible|product|allowance|consumed|remaining|reasons
CREATE FUNCTION pg_temp.chk(id text, account text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT format('%s|%s|%s|%s|%s|%s', eligible, product, allowance, consumed, remaining, reasons)
	  FROM service_id.check_instance(id, account)
$$;

-- The view and the function agree on every instance (account not given).
CREATE FUNCTION pg_temp.view_agrees(descr text) RETURNS text
LANGUAGE sql AS $$
	SELECT results_eq(
		$q$SELECT instance_id, account_id, product, region, eligible, reasons,
				  allowance, consumed, remaining
			 FROM service_id.instances ORDER BY instance_id$q$,
		$q$SELECT i.instance_id, i.account_id, c.product, i.region, c.eligible, c.reasons,
				  c.allowance, c.consumed, c.remaining
			 FROM service_id.instance i
			 CROSS JOIN LATERAL service_id.check_instance(i.instance_id) c
			 ORDER BY i.instance_id$q$,
		descr)
$$;

-- The row SPEC section 5 names, in its order; from 1.2 a named type (the
-- executor reads its shape from the type cache), called the same way.
SELECT is((SELECT string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod),
							 ', ' ORDER BY a.attnum)
			 FROM pg_catalog.pg_attribute a
			WHERE a.attrelid = 'service_id.eligibility'::regclass AND a.attnum > 0
			  AND NOT a.attisdropped),
		  'eligible boolean, product text, allowance integer, consumed integer, remaining integer, reasons text[]',
		  'check_instance answers eligible, product, allowance, consumed, remaining, reasons');
SELECT is((SELECT p.prorettype::regtype FROM pg_catalog.pg_proc p
			WHERE p.oid = 'service_id.check_instance(text, text)'::regprocedure),
		  'service_id.eligibility'::regtype, 'check_instance returns one service_id.eligibility row');

-----------------------------------------------------------------------------
-- One instance per reason
-----------------------------------------------------------------------------
CALL pg_temp.inst('i-ok');
CALL pg_temp.inst('i-sas', product => 'simple_application_server');
CALL pg_temp.inst('i-slb', product => 'slb');
CALL pg_temp.inst('i-ack', product => 'ack');
CALL pg_temp.inst('i-acs', product => 'acs');
CALL pg_temp.inst('i-oss', product => 'oss');
CALL pg_temp.inst('i-cdn', product => 'cdn');
CALL pg_temp.inst('i-trial', trial => true);
CALL pg_temp.inst('i-payg', billing => 'pay_as_you_go', months => 0, expires => NULL);
CALL pg_temp.inst('i-short', months => 2);
CALL pg_temp.inst('i-3months', months => 3);
CALL pg_temp.inst('i-exp-status', status => 'expired');
CALL pg_temp.inst('i-exp-time', expires => now() - interval '1 day');
CALL pg_temp.inst('i-released', status => 'released');
CALL pg_temp.inst('i-pending', status => 'pending');
CALL pg_temp.inst('i-stopped', status => 'stopped');
CALL pg_temp.inst('i-noip', ip => NULL);
CALL pg_temp.inst('i-hk', region => 'cn-hongkong');
CALL pg_temp.inst('i-us', region => 'us-west-1');
CALL pg_temp.inst('i-mars', region => 'mars-north-1');
CALL pg_temp.inst('i-full');
CALL pg_temp.inst('i-noend', expires => NULL);

SELECT is(pg_temp.chk('i-ok'), 't|ecs|5|0|5|{}', 'a running 12-month ECS subscription in a mainland region with a public IP is eligible');
SELECT is(pg_temp.chk('i-sas'), 't|simple_application_server|5|0|5|{}', 'a Simple Application Server instance is eligible with an allowance of 5');
SELECT is(pg_temp.chk('i-noend'), 't|ecs|5|0|5|{}', 'an instance with no end date is eligible');
SELECT is(pg_temp.chk('i-slb'), 'f|slb|0|0|0|{product_not_supported}', 'SLB: product_not_supported');
SELECT is(pg_temp.chk('i-ack'), 'f|ack|0|0|0|{product_not_supported}', 'ACK: product_not_supported');
SELECT is(pg_temp.chk('i-acs'), 'f|acs|0|0|0|{product_not_supported}', 'ACS: product_not_supported');
SELECT is(pg_temp.chk('i-oss'), 'f|oss|0|0|0|{product_not_supported}', 'OSS: product_not_supported');
SELECT is(pg_temp.chk('i-cdn'), 'f|cdn|0|0|0|{product_not_supported}', 'CDN: product_not_supported');
SELECT is(pg_temp.chk('i-trial'), 'f|ecs|5|0|5|{trial}', 'a trial: trial');
SELECT is(pg_temp.chk('i-payg'), 'f|ecs|5|0|5|{not_subscription}',
		  'pay-as-you-go with 0 months gives not_subscription alone, no subscription_too_short');
SELECT is(pg_temp.chk('i-short'), 'f|ecs|5|0|5|{subscription_too_short}', '2 months in total: subscription_too_short');
SELECT is(pg_temp.chk('i-3months'), 't|ecs|5|0|5|{}', '3 months in total is enough');
SELECT is(pg_temp.chk('i-exp-status'), 'f|ecs|5|0|5|{expired}', 'status expired (end date in the future): expired');
SELECT is(pg_temp.chk('i-exp-time'), 'f|ecs|5|0|5|{expired}', 'status running but expires_at passed: expired');
SELECT is(pg_temp.chk('i-released'), 'f|ecs|5|0|5|{released}', 'status released: released (and not not_running)');
SELECT is(pg_temp.chk('i-pending'), 'f|ecs|5|0|5|{not_running}', 'status pending: not_running');
SELECT is(pg_temp.chk('i-stopped'), 'f|ecs|5|0|5|{not_running}', 'status stopped: not_running');
SELECT is(pg_temp.chk('i-noip'), 'f|ecs|5|0|5|{no_public_ip}', 'no public IP: no_public_ip');
SELECT is(pg_temp.chk('i-hk'), 'f|ecs|5|0|5|{region_not_mainland}', 'cn-hongkong: region_not_mainland');
SELECT is(pg_temp.chk('i-us'), 'f|ecs|5|0|5|{region_not_mainland}', 'us-west-1: region_not_mainland');
SELECT is(pg_temp.chk('i-mars'), 'f|ecs|5|0|5|{region_not_mainland}', 'an unknown region counts as not mainland');

-- not_owner only when an account is given
SELECT is(pg_temp.chk('i-ok', 'acc-2'), 'f|ecs|5|0|5|{not_owner}', 'another account: not_owner');
SELECT is(pg_temp.chk('i-ok', 'acc-1'), 't|ecs|5|0|5|{}', 'the purchaser: no not_owner');
SELECT is(pg_temp.chk('i-ok'), 't|ecs|5|0|5|{}', 'no account given: no not_owner');
SELECT is(pg_temp.chk('i-ok', NULL), 't|ecs|5|0|5|{}', 'account NULL: no not_owner');
SELECT is((SELECT reasons FROM service_id.instances WHERE instance_id = 'i-ok'), '{}'::text[],
		  'the instances view never reports not_owner');

-- allowance_used_up
SELECT apply_service_id('i-full', 'acc-1') IS NOT NULL FROM generate_series(1, 4) \g /dev/null
SELECT is(pg_temp.chk('i-full'), 't|ecs|5|4|1|{}', '4 of 5 numbers issued: still eligible, 1 remaining');
SELECT apply_service_id('i-full', 'acc-1') \g /dev/null
SELECT is(pg_temp.chk('i-full'), 'f|ecs|5|5|0|{allowance_used_up}', '5 of 5 issued: allowance_used_up, remaining 0');
SELECT is(pg_temp.chk('i-full', 'acc-2'), 'f|ecs|5|5|0|{not_owner,allowance_used_up}',
		  'not_owner comes before allowance_used_up');
SELECT is(pg_temp.chk('i-slb', 'acc-1'), 'f|slb|0|0|0|{product_not_supported}',
		  'allowance_used_up only where the product is supported (allowance 0, remaining 0)');

SELECT pg_temp.view_agrees('the instances view agrees with check_instance on every single-reason instance');

-----------------------------------------------------------------------------
-- Combinations: the documented order
-----------------------------------------------------------------------------
-- Filled while eligible, then everything that can go wrong goes wrong.
CALL pg_temp.inst('i-combo-a');
SELECT apply_service_ids('i-combo-a', 'acc-1', 5) \g /dev/null
UPDATE instance SET trial = true, subscribed_months = 1, expires_at = now() - interval '1 day',
	   status = 'released', public_ip = NULL, region = 'eu-central-1'
 WHERE instance_id = 'i-combo-a';
SELECT is(pg_temp.chk('i-combo-a', 'acc-9'),
		  'f|ecs|5|5|0|{trial,subscription_too_short,expired,released,no_public_ip,region_not_mainland,not_owner,allowance_used_up}',
		  'combination A: every reason that applies, in the documented order');
SELECT is(pg_temp.chk('i-combo-a'),
		  'f|ecs|5|5|0|{trial,subscription_too_short,expired,released,no_public_ip,region_not_mainland,allowance_used_up}',
		  'combination A without an account: the same less not_owner');

-- A DBA-made product that is not supported but demands everything.
INSERT INTO product (product, allowance, requires_subscription, min_total_months,
					 min_remaining_days, requires_public_ip, hint)
VALUES ('dba_product', 0, true, 3, 10, true, 'Not here.');
CALL pg_temp.inst('i-combo-c', product => 'dba_product', trial => true, billing => 'pay_as_you_go',
				  months => 0, expires => now() - interval '2 days', status => 'released',
				  ip => NULL, region => 'nowhere-1');
SELECT is(pg_temp.chk('i-combo-c', 'acc-9'),
		  'f|dba_product|0|0|0|{product_not_supported,trial,not_subscription,expired,released,no_public_ip,region_not_mainland,not_owner}',
		  'combination C: product_not_supported first, not_subscription alone, no allowance_used_up');

-- Two reasons each, to pin pairs the combinations above cannot hold together.
CALL pg_temp.inst('i-trial-payg', trial => true, billing => 'pay_as_you_go', months => 0);
SELECT is(pg_temp.chk('i-trial-payg'), 'f|ecs|5|0|5|{trial,not_subscription}', 'trial before not_subscription');
CALL pg_temp.inst('i-stopped-noip', status => 'stopped', ip => NULL, region => 'cn-hongkong');
SELECT is(pg_temp.chk('i-stopped-noip'), 'f|ecs|5|0|5|{not_running,no_public_ip,region_not_mainland}',
		  'not_running, no_public_ip, region_not_mainland in that order');
CALL pg_temp.inst('i-exp-both', status => 'expired', expires => now() - interval '1 day');
SELECT is(pg_temp.chk('i-exp-both'), 'f|ecs|5|0|5|{expired}', 'expired by status and by date: reported once');
CALL pg_temp.inst('i-short-exp', months => 1, status => 'expired');
SELECT is(pg_temp.chk('i-short-exp'), 'f|ecs|5|0|5|{subscription_too_short,expired}',
		  'subscription_too_short before expired');

-----------------------------------------------------------------------------
-- Allowance figures: consumed = unused + used numbers + direct filings
-----------------------------------------------------------------------------
CALL pg_temp.inst('i-fig');
INSERT INTO num VALUES ('f1', apply_service_id('i-fig', 'acc-1')),
					   ('f2', apply_service_id('i-fig', 'acc-1')),
					   ('f3', apply_service_id('i-fig', 'acc-1'));
SELECT is(pg_temp.chk('i-fig'), 't|ecs|5|3|2|{}', 'three unused numbers consume three slots');

SELECT revoke_service_id((SELECT n FROM num WHERE name = 'f1'), 'acc-1') \g /dev/null
SELECT is(pg_temp.chk('i-fig'), 't|ecs|5|2|3|{}', 'a revoked number gives its slot back');

INSERT INTO fil VALUES ('f2', register_filing('acc-2', 'fig-two.example.com', (SELECT n FROM num WHERE name = 'f2')));
SELECT is(pg_temp.chk('i-fig'), 't|ecs|5|2|3|{}', 'a used number keeps its slot (unused -> used changes nothing)');

SELECT cancel_filing((SELECT id FROM fil WHERE name = 'f2')) \g /dev/null
SELECT is(pg_temp.chk('i-fig'), 't|ecs|5|2|3|{}', 'a used number of a cancelled filing still holds its slot');

INSERT INTO fil VALUES ('d1', register_filing_direct('acc-1', 'fig-direct1.example.com', 'i-fig')),
					   ('d2', register_filing_direct('acc-1', 'fig-direct2.example.com', 'i-fig'));
SELECT is(pg_temp.chk('i-fig'), 't|ecs|5|4|1|{}', 'each direct filing consumes one slot');

SELECT cancel_filing((SELECT id FROM fil WHERE name = 'd1')) \g /dev/null
SELECT remove_access((SELECT id FROM fil WHERE name = 'd2')) \g /dev/null
SELECT is(pg_temp.chk('i-fig'), 't|ecs|5|4|1|{}', 'cancelled and access-removed direct filings keep their slots');

SELECT register_filing_trustpass('acc-1', 'fig-shop.example.com', 'shop-1') \g /dev/null
SELECT is(pg_temp.chk('i-fig'), 't|ecs|5|4|1|{}', 'a TrustPass filing consumes nothing');

INSERT INTO fil VALUES ('d3', register_filing_direct('acc-1', 'fig-direct3.example.com', 'i-fig'));
SELECT is(pg_temp.chk('i-fig'), 'f|ecs|5|5|0|{allowance_used_up}', 'numbers and direct filings share one allowance');

-- Invalid numbers give their slot back.
CALL pg_temp.inst('i-inv');
SELECT apply_service_ids('i-inv', 'acc-1', 3) \g /dev/null
SELECT is(pg_temp.chk('i-inv'), 't|ecs|5|3|2|{}', 'three numbers on i-inv');
UPDATE instance SET status = 'expired' WHERE instance_id = 'i-inv';
SELECT is(pg_temp.chk('i-inv'), 'f|ecs|5|3|2|{expired}', 'expiry alone does not free the slots');
SELECT is(expire_service_ids(), 8,
		  'expire_service_ids() invalidates the 3 unused numbers of i-inv and the 5 of released i-combo-a');
SELECT is(pg_temp.chk('i-inv'), 'f|ecs|5|0|5|{expired}', 'invalid numbers give their slots back');
UPDATE instance SET status = 'running', expires_at = now() + interval '1 year',
	   subscribed_months = subscribed_months + 12
 WHERE instance_id = 'i-inv';
SELECT is(pg_temp.chk('i-inv'), 't|ecs|5|0|5|{}', 'after renewal the instance is eligible with its whole allowance');
SELECT is((SELECT count(*)::int FROM numbers WHERE instance_id = 'i-inv' AND state = 'invalid'), 3,
		  'the invalid numbers are still there (never deleted)');

-----------------------------------------------------------------------------
-- DBA edits of the catalogs take effect
-----------------------------------------------------------------------------
UPDATE product SET allowance = 2 WHERE product = 'ecs';
SELECT is(pg_temp.chk('i-ok'), 't|ecs|2|0|2|{}', 'allowance 2: a fresh instance has 2 remaining');
SELECT is(pg_temp.chk('i-full'), 'f|ecs|2|5|0|{allowance_used_up}', 'allowance below consumed: remaining is 0, not negative');
CALL pg_temp.inst('i-two');
SELECT apply_service_ids('i-two', 'acc-1', 2) \g /dev/null
SELECT is(pg_temp.chk('i-two'), 'f|ecs|2|2|0|{allowance_used_up}', 'allowance 2: two numbers use it up');
SELECT throws_ok($$SELECT service_id.apply_service_id('i-two', 'acc-1')$$, '53400', NULL,
				 'allowance 2: the third apply is refused');
UPDATE product SET allowance = 0 WHERE product = 'ecs';
SELECT is(pg_temp.chk('i-two'), 'f|ecs|0|2|0|{product_not_supported}',
		  'allowance 0 makes the product unsupported, and then allowance_used_up is not reported');
UPDATE product SET allowance = 5 WHERE product = 'ecs';

UPDATE product SET min_remaining_days = 30 WHERE product = 'ecs';
CALL pg_temp.inst('i-29d', expires => now() + interval '696 hours');
CALL pg_temp.inst('i-30d', expires => now() + interval '720 hours');
CALL pg_temp.inst('i-31d', expires => now() + interval '744 hours');
SELECT is(pg_temp.chk('i-29d'), 'f|ecs|5|0|5|{remaining_too_short}', 'min_remaining_days 30: 29 days left is too short');
SELECT is(pg_temp.chk('i-30d'), 't|ecs|5|0|5|{}', 'min_remaining_days 30: exactly 30 days left is enough');
SELECT is(pg_temp.chk('i-31d'), 't|ecs|5|0|5|{}', 'min_remaining_days 30: 31 days left is enough');
SELECT is(pg_temp.chk('i-noend'), 't|ecs|5|0|5|{}', 'min_remaining_days 30: no end date is never too short');
CALL pg_temp.inst('i-short-29d', months => 2, expires => now() + interval '696 hours');
SELECT is(pg_temp.chk('i-short-29d'), 'f|ecs|5|0|5|{subscription_too_short,remaining_too_short}',
		  'subscription_too_short before remaining_too_short');
CALL pg_temp.inst('i-exp-29d', status => 'expired', expires => now() + interval '5 days');
SELECT is(pg_temp.chk('i-exp-29d'), 'f|ecs|5|0|5|{expired}', 'remaining_too_short is not reported beside expired (status)');
SELECT is(pg_temp.chk('i-exp-time'), 'f|ecs|5|0|5|{expired}', 'remaining_too_short is not reported beside expired (date passed)');
CALL pg_temp.inst('i-payg-29d', billing => 'pay_as_you_go', months => 1, expires => now() + interval '5 days');
SELECT is(pg_temp.chk('i-payg-29d'), 'f|ecs|5|0|5|{not_subscription}',
		  'pay-as-you-go gives not_subscription alone: no subscription_too_short, no remaining_too_short');

-- combination B: the other branch of the order
CALL pg_temp.inst('i-combo-b');
SELECT apply_service_ids('i-combo-b', 'acc-1', 5) \g /dev/null
UPDATE instance SET trial = true, subscribed_months = 1, expires_at = now() + interval '5 days',
	   status = 'stopped', public_ip = NULL, region = 'mars-north-1'
 WHERE instance_id = 'i-combo-b';
SELECT is(pg_temp.chk('i-combo-b', 'acc-9'),
		  'f|ecs|5|5|0|{trial,subscription_too_short,remaining_too_short,not_running,no_public_ip,region_not_mainland,not_owner,allowance_used_up}',
		  'combination B: every reason that applies, in the documented order');

UPDATE product SET min_total_months = 12 WHERE product = 'ecs';
CALL pg_temp.inst('i-6m', months => 6, expires => NULL);
SELECT is(pg_temp.chk('i-6m'), 'f|ecs|5|0|5|{subscription_too_short}', 'min_total_months 12: 6 months is too short');
UPDATE instance SET subscribed_months = 12 WHERE instance_id = 'i-6m';
SELECT is(pg_temp.chk('i-6m'), 't|ecs|5|0|5|{}', 'a renewal to 12 months in total makes it eligible');

UPDATE product SET requires_public_ip = false WHERE product = 'simple_application_server';
CALL pg_temp.inst('i-sas-noip', product => 'simple_application_server', ip => NULL);
SELECT is(pg_temp.chk('i-sas-noip'), 't|simple_application_server|5|0|5|{}', 'requires_public_ip false: no public IP is fine');

UPDATE product SET requires_subscription = false WHERE product = 'simple_application_server';
CALL pg_temp.inst('i-sas-payg', product => 'simple_application_server', billing => 'pay_as_you_go', months => 0);
SELECT is(pg_temp.chk('i-sas-payg'), 't|simple_application_server|5|0|5|{}',
		  'requires_subscription false: pay-as-you-go with 0 months is fine');

UPDATE product SET allowance = 3 WHERE product = 'slb';
SELECT is(pg_temp.chk('i-slb'), 't|slb|3|0|3|{}', 'a DBA may make a product supported');

CALL pg_temp.inst('i-newregion', region => 'cn-newcity');
SELECT is(pg_temp.chk('i-newregion'), 'f|ecs|5|0|5|{region_not_mainland}', 'a region not in the catalog is not mainland');
INSERT INTO region VALUES ('cn-newcity', true);
SELECT is(pg_temp.chk('i-newregion'), 't|ecs|5|0|5|{}', 'once a DBA adds it as mainland, it is');
UPDATE region SET mainland = false WHERE region = 'cn-hangzhou';
SELECT is(pg_temp.chk('i-ok'), 'f|ecs|5|0|5|{region_not_mainland}', 'a DBA may take a region out of the mainland list');

SELECT is((SELECT reasons FROM instances WHERE instance_id = 'i-combo-c'),
		  '{product_not_supported,trial,not_subscription,expired,released,no_public_ip,region_not_mainland}'::text[],
		  'the view lists the reasons of combination C, in order');
SELECT pg_temp.view_agrees('the instances view agrees with check_instance after the DBA edits');
SELECT is((SELECT count(*)::int FROM instances), (SELECT count(*)::int FROM instance),
		  'the instances view has one row per instance');

-- eligibility_reasons() (the views' rules): only expires_at may be NULL
SELECT throws_ok($$SELECT service_id.eligibility_reasons(5, true, 3, 0, true, false, 'subscription', 12,
						now() + interval '1 year', NULL, true, true, 0)$$,
	'22023', 'an eligibility fact must not be null', 'eligibility_reasons refuses a NULL fact');
SELECT is(service_id.eligibility_reasons(5, true, 3, 0, true, false, 'subscription', 12,
						NULL, 'running', true, true, 0), '{}'::text[],
	'eligibility_reasons: an instance without an expiry date is not refused for it');

SELECT * FROM finish();
ROLLBACK;
