-- examples/setup.sql: the role and the sample data examples/console.py needs.
-- Run it as a superuser (or the role that may create the extension) in the
-- database the console will use:
--
--   psql -v app_password=secret -f examples/setup.sql
--
-- Variables: app_password (required), app_role (default sid_console).
\set ON_ERROR_STOP on
\if :{?app_role}
\else
	\set app_role sid_console
\endif

CREATE EXTENSION IF NOT EXISTS service_id;

-- The application's role: it logs in, and grant_usage() gives it the API and
-- INSERT/UPDATE on service_id.instance -- and nothing else.  It cannot read
-- the tables that hold numbers, nor the DBA views.
CREATE ROLE :"app_role" LOGIN PASSWORD :'app_password';
SELECT service_id.grant_usage(:'app_role');

-- The application writes the instances it sells (here as that role).
SET ROLE :"app_role";
INSERT INTO service_id.instance
	(instance_id, account_id, product, region, billing, subscribed_months,
	 expires_at, public_ip, status, trial)
VALUES
	-- acct-alice, the account the demo console shows
	('i-web01', 'acct-alice', 'ecs', 'cn-hangzhou', 'subscription', 12,
	 now() + interval '11 months', '203.0.113.10', 'running', false),
	('swas-1', 'acct-alice', 'simple_application_server', 'cn-beijing', 'subscription', 3,
	 now() + interval '2 months', '203.0.113.11', 'running', false),
	('i-full', 'acct-alice', 'ecs', 'cn-shanghai', 'subscription', 24,
	 now() + interval '20 months', '203.0.113.12', 'running', false),
	('i-payg', 'acct-alice', 'ecs', 'cn-shenzhen', 'pay_as_you_go', 0,
	 NULL, '203.0.113.13', 'running', false),
	('i-trial', 'acct-alice', 'ecs', 'cn-hongkong', 'subscription', 1,
	 now() + interval '20 days', NULL, 'stopped', true),
	('i-old', 'acct-alice', 'ecs', 'cn-hangzhou', 'subscription', 6,
	 now() - interval '3 days', '203.0.113.14', 'expired', false),
	('lb-1', 'acct-alice', 'slb', 'cn-hangzhou', 'subscription', 12,
	 NULL, '203.0.113.15', 'running', false),
	-- acct-bob, who hands acct-alice a number
	('i-bob01', 'acct-bob', 'ecs', 'cn-qingdao', 'subscription', 12,
	 now() + interval '1 year', '203.0.113.20', 'running', false);

-- i-full: three numbers and two websites filed by selecting it directly use
-- its allowance of five.
SELECT count(*) AS issued FROM service_id.apply_service_ids('i-full', 'acct-alice', 3);
SELECT service_id.register_filing_direct('acct-alice', 'blog.example.cn', 'i-full') AS filing;
SELECT service_id.register_filing_direct('acct-alice', 'shop.example.cn', 'i-full') AS filing;

-- acct-bob applies for a number that only acct-alice may file with.
SELECT service_id.apply_service_id('i-bob01', 'acct-bob', grantee => 'acct-alice') IS NOT NULL AS granted;
RESET ROLE;
