\pset footer off
\set SHOW_CONTEXT never
\set VERBOSITY default
\echo
\echo '=== service_id: ICP-filing service identification numbers, inside PostgreSQL ==='
\echo
CREATE EXTENSION service_id;
\echo '--- Everything lives in schema service_id, the type''s operators too. Without'
\echo '--- the schema on the search path, comparing numbers needs OPERATOR(service_id.=):'
SELECT 'a' AS x WHERE service_id.gen_service_id() = service_id.gen_service_id();
SELECT count(*) AS equal FROM (SELECT service_id.gen_service_id() AS n) x
 WHERE n OPERATOR(service_id.=) n;
\echo '--- so put it on the search path of the database (here, of this session):'
\echo 'ALTER DATABASE ... SET search_path = "$user", public, service_id;'
SET search_path = "$user", public, service_id;

\echo '--- The application loads its cloud instances into service_id.instance:'
INSERT INTO instance VALUES
	('i-web01', 'acct-alice', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '11 months', '203.0.113.7', 'running', false),
	('i-payg',  'acct-alice', 'ecs', 'cn-beijing', 'pay_as_you_go', 0, NULL, '203.0.113.8', 'running', false),
	('i-trial', 'acct-alice', 'ecs', 'cn-hongkong', 'subscription', 1, now() + interval '20 days', NULL, 'stopped', true),
	('lb-1',    'acct-alice', 'slb', 'cn-hangzhou', 'subscription', 12, NULL, '203.0.113.9', 'running', false);
SELECT instance_id, account_id, product, region, billing, subscribed_months AS months, status FROM instance ORDER BY 1;

\echo '--- The application runs as a role given grant_usage(): the API, not the tables of numbers.'
CREATE ROLE demo_app;
SELECT grant_usage('demo_app');
SET ROLE demo_app;
SELECT count(*) FROM service_id.number_store;

\echo '--- Alice''s "ICP No. Application" page: her instances, with Apply or why not:'
SELECT instance_id, product, eligible, reasons, remaining FROM account_instances('acct-alice');

\echo '--- She applies for one number for herself, and one that only account acct-bob may use:'
SELECT apply_service_id('i-web01', 'acct-alice') AS alice_number \gset
SELECT apply_service_id('i-web01', 'acct-alice', grantee => 'acct-bob') AS bob_number \gset
\echo 'alice_number =' :alice_number
\echo 'bob_number   =' :bob_number
SELECT consumed, remaining FROM check_instance('i-web01');

\echo '--- Numbers are version-8 UUIDs with a CRC-32C check: a typo is caught on input,'
\echo '--- and the message does not repeat the rest of the secret:'
SELECT is_valid(:'bob_number') AS as_issued,
       is_valid(overlay(:'bob_number' placing (CASE substr(:'bob_number', 36, 1) WHEN '0' THEN '1' ELSE '0' END) from 36 for 1)) AS one_digit_mistyped;
SELECT overlay(:'bob_number' placing (CASE substr(:'bob_number', 36, 1) WHEN '0' THEN '1' ELSE '0' END) from 36 for 1)::service_id;

\echo '--- Bob files his website with the number Alice handed him:'
SELECT register_filing('acct-bob', 'Shop.Example.CN', :'bob_number') AS bob_filing \gset
\echo '--- Mallory got hold of the number too. It was granted to one account, which she is not'
\echo '--- told; numbers are named by their last four digits in every message:'
SELECT register_filing('acct-mallory', 'mallory.example.cn', :'bob_number');
\echo '--- Bob cancels his filing. The number stays used, for ever:'
SELECT cancel_filing(:bob_filing);
SELECT register_filing('acct-bob', 'shop2.example.cn', :'bob_number');
SELECT revoke_service_id(:'bob_number', 'acct-alice');

\echo '--- Alice selects her instance directly for a second site; that takes a slot of the same allowance:'
SELECT register_filing_direct('acct-alice', 'alice.example.cn', 'i-web01') > 0 AS filed;
SELECT count(*) AS issued FROM apply_service_ids('i-web01', 'acct-alice', 2);
SELECT * FROM check_instance('i-web01', 'acct-alice');
SELECT apply_service_id('i-web01', 'acct-alice');
\echo '--- Revoking an unused number gives its slot back:'
SELECT revoke_service_id(:'alice_number', 'acct-alice');
SELECT consumed, remaining FROM check_instance('i-web01');

\echo '--- Alice''s "ICP No. Management" page: every number she applied for (Bob''s shows the filing):'
SELECT right(number::text, 4) AS "number (last 4)", instance_id, state, grantee, website, filing_status
  FROM account_numbers('acct-alice') ORDER BY applied_at, number;

\echo '--- Instances that do not qualify say why, every reason at once:'
SELECT * FROM check_instance('i-trial', 'acct-alice');
SELECT apply_service_id('i-trial', 'acct-alice');
\echo '--- Load balancers are not eligible; the refusal says what to do instead:'
SELECT apply_service_id('lb-1', 'acct-alice');
\echo '--- Only the purchaser may apply:'
SELECT apply_service_id('i-web01', 'acct-mallory');
\echo '--- A TrustPass (1688) shop files without any number:'
SELECT register_filing_trustpass('acct-carol', 'carol-shop.cn', '1688-shop-42') > 0 AS filed;
\echo '--- An instance hosted by another provider is unknown here:'
SELECT apply_service_id('ins-elsewhere-123', 'acct-dave');
\echo '--- The application may re-own an instance that has no numbers; not one that has:'
UPDATE service_id.instance SET account_id = 'acct-mallory' WHERE instance_id = 'i-web01';
RESET ROLE;

\echo
\echo '=== What a careless or hostile DBA tries: the guards hold for the owner too ==='
\echo '--- Setting a used number back, or to NULL; deleting numbers; emptying a counter:'
UPDATE number_store SET state = 'unused' WHERE number OPERATOR(service_id.=) :'bob_number';
UPDATE number_store SET state = NULL WHERE number OPERATOR(service_id.=) :'alice_number';
DELETE FROM number_store;
UPDATE instance_usage SET consumed = 0;
\echo '--- A filing by hand is held to the API''s rules: the website is checked and lower-cased'
\echo '--- (here it collides with the active filing of alice.example.cn), the number bound and audited:'
INSERT INTO filing_store (account_id, website, method, instance_id) VALUES ('acct-alice', 'Alice.Example.CN', 'direct', 'i-web01');
INSERT INTO filing_store (account_id, website, method, shop_id) VALUES ('acct-carol', 'carol-shop.cn.', 'trustpass', 's-2');
\echo '--- Only disabling triggers (a superuser''s act) gets past them.'

\echo '--- When an instance is released, its unused numbers become invalid (schedule it: schedule_expiry()):'
UPDATE instance SET status = 'released' WHERE instance_id = 'i-web01';
SELECT expire_service_ids() AS invalidated;

\echo
\echo '=== The DBA views (grant_read() gives them to a reporting role) ==='
\echo '--- service_id.instances ("ICP No. Application"):'
SELECT * FROM instances ORDER BY instance_id;
\echo '--- service_id.numbers ("ICP No. Management"; numbers shortened here):'
SELECT '…' || right(number::text, 4) AS number, instance_id, applicant, grantee, state, website, filing_status
  FROM numbers ORDER BY applied_at, number;
\echo '--- service_id.audit (append-only, one row per state change):'
SELECT event_id, db_user, account_id, action, '…' || right(number::text, 4) AS number, instance_id, filing_id, detail
  FROM audit ORDER BY event_id;
\echo '--- service_id.summary (per product):'
SELECT product, instances, eligible_instances AS eligible, numbers_unused AS unused, numbers_used AS used,
	   numbers_revoked AS revoked, numbers_invalid AS invalid, filings_active AS active_filings,
	   allowance_remaining AS slots_left
  FROM summary ORDER BY product NULLS LAST;
\echo
\echo '(make test runs every suite; README.md says what each proves)'
