-- test/guard_fuzz/setup.sql — the fixed start of every guard-fuzz episode.
--
-- Run as a superuser in a fresh database (the fuzzer does; so does a human
-- replaying a reproduction: createdb x && psql -d x -f setup.sql).  Roles
-- are cluster-wide and made only if missing:
--   sidfuzz_app      the application: given service_id.grant_usage()
--   sidfuzz_reader   a reporting role: given service_id.grant_read()
-- Then one instance of every kind the eligibility rules tell apart, for four
-- accounts.  No numbers or filings: each episode makes its own.
SET client_min_messages = warning;
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'sidfuzz_app') THEN
		CREATE ROLE sidfuzz_app NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'sidfuzz_reader') THEN
		CREATE ROLE sidfuzz_reader NOLOGIN;
	END IF;
END
$$;
CREATE EXTENSION service_id;
CREATE EXTENSION IF NOT EXISTS amcheck;
SELECT service_id.grant_usage('sidfuzz_app');
SELECT service_id.grant_read('sidfuzz_reader');

INSERT INTO service_id.instance
	(instance_id, account_id, product, region, billing, subscribed_months,
	 expires_at, public_ip, status, trial)
VALUES
	-- eligible
	('i-a1', 'acct-a', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.1', 'running', false),
	('i-a2', 'acct-a', 'ecs', 'cn-beijing', 'subscription', 3, now() + interval '2 months', '203.0.113.2', 'running', false),
	('i-a3', 'acct-a', 'simple_application_server', 'cn-shenzhen', 'subscription', 36, NULL, '203.0.113.3', 'running', false),
	('i-b1', 'acct-b', 'ecs', 'cn-shanghai', 'subscription', 12, now() + interval '1 year', '203.0.113.4', 'running', false),
	('i-b2', 'acct-b', 'simple_application_server', 'cn-chengdu', 'subscription', 6, now() + interval '3 months', '203.0.113.5', 'running', false),
	('i-c1', 'acct-c', 'ecs', 'cn-qingdao', 'subscription', 24, now() + interval '1 year', '203.0.113.6', 'running', false),
	('I-A1', 'acct-c', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.7', 'running', false),
	('i-soon', 'acct-a', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '2 days', '203.0.113.8', 'running', false),
	('i-' || repeat('x', 253), 'acct-b', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.9', 'running', false),
	-- not eligible, one reason each
	('i-trial', 'acct-a', 'ecs', 'cn-hangzhou', 'subscription', 3, now() + interval '1 year', '203.0.113.10', 'running', true),
	('i-payg', 'acct-a', 'ecs', 'cn-hangzhou', 'pay_as_you_go', 0, NULL, '203.0.113.11', 'running', false),
	('i-short', 'acct-b', 'ecs', 'cn-beijing', 'subscription', 2, now() + interval '1 year', '203.0.113.12', 'running', false),
	('i-expired', 'acct-a', 'ecs', 'cn-hangzhou', 'subscription', 12, now() - interval '1 day', '203.0.113.13', 'expired', false),
	('i-lapsed', 'acct-b', 'ecs', 'cn-hangzhou', 'subscription', 12, now() - interval '1 hour', '203.0.113.14', 'running', false),
	('i-released', 'acct-a', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.15', 'released', false),
	('i-stopped', 'acct-a', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.16', 'stopped', false),
	('i-pending', 'acct-b', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.17', 'pending', false),
	('i-noip', 'acct-a', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', NULL, 'running', false),
	('i-hk', 'acct-b', 'ecs', 'cn-hongkong', 'subscription', 12, now() + interval '1 year', '203.0.113.19', 'running', false),
	('i-mars', 'acct-c', 'ecs', 'mars-north-1', 'subscription', 12, now() + interval '1 year', '203.0.113.20', 'running', false),
	('i-slb', 'acct-a', 'slb', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.21', 'running', false),
	('i-oss', 'acct-b', 'oss', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', NULL, 'running', false),
	('i-ack', 'acct-c', 'ack', 'cn-hangzhou', 'pay_as_you_go', 0, NULL, NULL, 'running', false),
	-- another account's eligible instance, for strangers to try
	('i-d1', 'acct-d', 'ecs', 'cn-guangzhou', 'subscription', 12, now() + interval '1 year', '203.0.113.24', 'running', false);
