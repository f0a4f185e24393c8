--
-- views: the four views a DBA reads, after a small history.
--
SET search_path = service_id, public;
\set SHOW_CONTEXT never

SELECT table_name, string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
  FROM information_schema.columns
 WHERE table_schema = 'service_id' AND table_name IN ('numbers', 'instances', 'filings', 'audit')
 GROUP BY table_name ORDER BY table_name;

INSERT INTO instance VALUES
	('v-ecs', 'alice', 'ecs', 'cn-shenzhen', 'subscription', 6, NULL, '198.51.100.1', 'running', false),
	('v-sas', 'alice', 'simple_application_server', 'cn-chengdu', 'subscription', 3, now() + interval '10 days', '198.51.100.2', 'running', false),
	('v-hk', 'bob', 'ecs', 'cn-hongkong', 'subscription', 12, NULL, '198.51.100.3', 'running', false),
	('v-new', 'bob', 'ecs', 'cn-nowhere-1', 'subscription', 2, NULL, NULL, 'pending', false),
	('v-cdn', 'bob', 'cdn', 'cn-hangzhou', 'pay_as_you_go', 0, NULL, NULL, 'running', false);

-- a history: apply, grant, file, cancel, revoke, direct, trustpass, release, expire
CREATE TEMP TABLE issued AS
	SELECT row_number() OVER () AS k, n
	  FROM apply_service_ids('v-ecs', 'alice', 3, 'dave') AS n;
SELECT register_filing('dave', 'one.example.cn', (SELECT n FROM issued WHERE k = 1)) AS f1 \gset
SELECT register_filing('dave', 'two.example.cn', (SELECT n FROM issued WHERE k = 2)) AS f2 \gset
SELECT cancel_filing(:f1);
SELECT remove_access(:f2);
SELECT revoke_service_id((SELECT n FROM issued WHERE k = 3), 'alice');
SELECT apply_service_id('v-sas', 'alice') IS NOT NULL AS applied;
SELECT register_filing_direct('alice', 'direct.example.cn', 'v-sas') > 0 AS filed;
SELECT register_filing_trustpass('erin', 'shop.example.cn', 'shop-1688') > 0 AS filed;
UPDATE instance SET status = 'released' WHERE instance_id = 'v-sas';
SELECT expire_service_ids();

SELECT instance_id, account_id, product, region, eligible, reasons, allowance, consumed, remaining
  FROM instances ORDER BY instance_id;

SELECT instance_id, product, region, applicant, grantee, state, website, filing_status,
       (filing_id IS NOT NULL) AS has_filing, (used_at IS NOT NULL) AS has_used_at
  FROM numbers ORDER BY instance_id, website NULLS LAST, state;

SELECT account_id, website, method, number IS NOT NULL AS has_number, instance_id, shop_id,
       status, ended_at IS NOT NULL AS ended
  FROM filings ORDER BY website;

SELECT action, account_id, instance_id, number IS NOT NULL AS has_number,
       filing_id IS NOT NULL AS has_filing, db_user = session_user AS by_session_user, detail
  FROM audit ORDER BY event_id;

-- every view and view column is documented
SELECT c.relname, a.attname
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'v'
   AND col_description(c.oid, a.attnum) IS NULL;
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'v'
   AND obj_description(c.oid, 'pg_class') IS NULL;
