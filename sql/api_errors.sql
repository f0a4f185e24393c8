--
-- api_errors: every refusal an application can meet, as it reads.
-- After each error, the SQLSTATE it carries.
--
SET search_path = service_id, public;
\set SHOW_CONTEXT never

INSERT INTO instance VALUES
	('i-ok', 'alice', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.10', 'running', false),
	('i-full', 'alice', 'simple_application_server', 'cn-beijing', 'subscription', 36, NULL, '203.0.113.11', 'running', false),
	('i-bad', 'bob', 'ecs', 'us-west-1', 'pay_as_you_go', 0, NULL, NULL, 'stopped', true),
	('i-old', 'bob', 'ecs', 'cn-shanghai', 'subscription', 1, now() - interval '1 day', '203.0.113.12', 'expired', false),
	('i-slb', 'carol', 'slb', 'cn-hangzhou', 'subscription', 12, NULL, '203.0.113.13', 'running', false);

-- Numbers with known values, loaded as pg_restore would load them, so
-- that the messages below are the same on every run.
INSERT INTO number_store (number, instance_id, applicant, grantee, state, state_changed_at) VALUES
	('75f275a7-d3f3-8065-a264-332d498f3462', 'i-ok', 'alice', NULL, 'unused', NULL),
	('1ccedcac-09a1-82f9-bb5e-7216909219ed', 'i-ok', 'alice', 'dave', 'unused', NULL),
	('58f70f5e-cd27-8aca-942d-a78b19eb4dfa', 'i-ok', 'alice', NULL, 'revoked', now()),
	('d0e8a046-6a11-8832-aad7-cb66f1b5035f', 'i-old', 'bob', NULL, 'unused', NULL);

-- arguments
SELECT apply_service_id(NULL, 'alice');
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_id('i-ok', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_id('i-ok', '');
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_id('i-ok', 'alice smith');
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_id('i-ok', repeat('a', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_id('i-ok', 'alice', E'tab\there');
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_ids('i-ok', 'alice', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_ids('i-ok', 'alice', 21);
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_ids('i-ok', 'alice', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'https://example.com', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'example.com:8080', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'example.com.', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'localhost', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', '例子.中国', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'example.com', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'example.com', 'not-a-number');
\echo :LAST_ERROR_SQLSTATE
SELECT cancel_filing(NULL);
\echo :LAST_ERROR_SQLSTATE

-- unknown things
SELECT apply_service_id('i-elsewhere', 'alice');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM check_instance('i-elsewhere');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'example.com', '6466da6b-03eb-8013-b93e-3d0c0c0ada3e');
\echo :LAST_ERROR_SQLSTATE
SELECT revoke_service_id('6466da6b-03eb-8013-b93e-3d0c0c0ada3e', 'alice');
\echo :LAST_ERROR_SQLSTATE
SELECT cancel_filing(424242);
\echo :LAST_ERROR_SQLSTATE

-- the wrong account: checked before eligibility
SELECT apply_service_id('i-ok', 'mallory');
\echo :LAST_ERROR_SQLSTATE
SELECT apply_service_id('i-bad', 'mallory');
\echo :LAST_ERROR_SQLSTATE
SELECT revoke_service_id('75f275a7-d3f3-8065-a264-332d498f3462', 'mallory');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing_direct('mallory', 'example.com', 'i-ok');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('mallory', 'example.com', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE

-- not eligible: every reason in words, and the product's hint
SELECT * FROM check_instance('i-bad', 'bob');
SELECT apply_service_id('i-bad', 'bob');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM check_instance('i-old');
SELECT apply_service_id('i-old', 'bob');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM check_instance('i-slb', 'carol');
SELECT apply_service_id('i-slb', 'carol');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing_direct('carol', 'example.com', 'i-slb');
\echo :LAST_ERROR_SQLSTATE
-- a number whose instance has expired since it was issued
SELECT register_filing('bob', 'example.com', 'd0e8a046-6a11-8832-aad7-cb66f1b5035f');
\echo :LAST_ERROR_SQLSTATE
-- revoked numbers
SELECT register_filing('alice', 'example.com', '58f70f5e-cd27-8aca-942d-a78b19eb4dfa');
\echo :LAST_ERROR_SQLSTATE
SELECT revoke_service_id('58f70f5e-cd27-8aca-942d-a78b19eb4dfa', 'alice');
\echo :LAST_ERROR_SQLSTATE

-- the allowance: 5 per instance, a batch is all or nothing
SELECT count(*) FROM apply_service_ids('i-full', 'alice', 4);
SELECT count(*) FROM apply_service_ids('i-full', 'alice', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT consumed, remaining FROM check_instance('i-full');
SELECT register_filing_direct('alice', 'full.example.com', 'i-full');
SELECT * FROM check_instance('i-full', 'alice');
SELECT apply_service_id('i-full', 'alice');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing_direct('alice', 'full2.example.com', 'i-full');
\echo :LAST_ERROR_SQLSTATE

-- a grantee files; the number is used for ever
SELECT register_filing('dave', 'Shop.Example.COM', '1ccedcac-09a1-82f9-bb5e-7216909219ed') AS filing \gset
SELECT website, method, status FROM filings WHERE filing_id = :filing;
SELECT register_filing('dave', 'other.example.com', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE
SELECT revoke_service_id('1ccedcac-09a1-82f9-bb5e-7216909219ed', 'alice');
\echo :LAST_ERROR_SQLSTATE
-- one active filing per website
SELECT register_filing('alice', 'shop.example.com', '75f275a7-d3f3-8065-a264-332d498f3462');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing_trustpass('erin', 'shop.example.com', 'shop-1');
\echo :LAST_ERROR_SQLSTATE
-- ending a filing frees the website, not the number
SELECT cancel_filing(:filing);
SELECT cancel_filing(:filing);
\echo :LAST_ERROR_SQLSTATE
SELECT remove_access(:filing);
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing('dave', 'shop.example.com', '1ccedcac-09a1-82f9-bb5e-7216909219ed');
\echo :LAST_ERROR_SQLSTATE
SELECT register_filing_trustpass('erin', 'shop.example.com', 'shop-1') > 0 AS filed;
SELECT website, method, shop_id, status FROM filings ORDER BY filing_id;
SELECT number, state, website, filing_status FROM numbers
 WHERE number IN ('1ccedcac-09a1-82f9-bb5e-7216909219ed', '75f275a7-d3f3-8065-a264-332d498f3462',
                  '58f70f5e-cd27-8aca-942d-a78b19eb4dfa', 'd0e8a046-6a11-8832-aad7-cb66f1b5035f')
 ORDER BY number;

-- expiry: unused numbers of expired or released instances become invalid
SELECT expire_service_ids();
SELECT number, state FROM numbers WHERE instance_id = 'i-old';
SELECT register_filing('bob', 'late.example.com', 'd0e8a046-6a11-8832-aad7-cb66f1b5035f');
\echo :LAST_ERROR_SQLSTATE
SELECT expire_service_ids();
