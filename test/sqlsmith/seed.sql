-- test/sqlsmith/seed.sql — the database sqlsmith runs against.
--
-- Run by run.sh as the cluster's superuser, in a fresh database, with
-- ON_ERROR_STOP.  Everything goes through the API, so the data is what an
-- application would leave behind: instances of every kind, numbers in every
-- state (unused, used, revoked, invalid, granted), filings of all three
-- methods in every status (active, cancelled, access_removed), their audit
-- rows, DBA edits of the catalogs, an application role and a reader role.
--
-- public.smith_values gives sqlsmith's generated queries realistic and
-- hostile values to pass to the API (sqlsmith itself only writes NULL, small
-- integers and booleans as constants; every other value it takes from a
-- column in scope).  It is a view, so that sqlsmith's INSERT, UPDATE, DELETE
-- and MERGE (it picks base tables only) all go to the extension's tables.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;

CREATE EXTENSION service_id;

-- Catalog edits a DBA may make: an added product, an added region.
INSERT INTO service_id.product VALUES
	('ecs_gpu', 2, true, 1, 30, true, 'GPU instances allow two numbers each.');
INSERT INTO service_id.region VALUES ('cn-test-1', true), ('xx-offshore-9', false);

CREATE FUNCTION pg_temp.inst(id text, account text DEFAULT 'acct-a',
							 product text DEFAULT 'ecs', region text DEFAULT 'cn-hangzhou',
							 billing text DEFAULT 'subscription', months int DEFAULT 12,
							 expires timestamptz DEFAULT now() + interval '300 days',
							 ip inet DEFAULT '203.0.113.10', status text DEFAULT 'running',
							 trial bool DEFAULT false) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO service_id.instance (instance_id, account_id, product, region, billing,
									 subscribed_months, expires_at, public_ip, status, trial)
	VALUES (id, account, product, region, billing, months, expires, ip, status, trial)
$$;

-- Instances that qualify.
SELECT pg_temp.inst('i-ecs-1');
SELECT pg_temp.inst('i-ecs-2', ip => '2001:db8::7');
SELECT pg_temp.inst('i-ecs-3', expires => NULL);
SELECT pg_temp.inst('i-sas-1', 'acct-b', 'simple_application_server', 'cn-beijing', months => 3);
SELECT pg_temp.inst('i-gpu-1', 'acct-b', 'ecs_gpu', 'cn-test-1');
SELECT pg_temp.inst('i-rel-1', 'acct-c');
SELECT pg_temp.inst('i-exp-1', 'acct-c', months => 6);
SELECT pg_temp.inst('i-stop-1', 'acct-c');
SELECT pg_temp.inst('I-Mixed.Case_1', 'Acct-Mixed');
-- Instances that do not qualify, one reason (or several) each.
SELECT pg_temp.inst('i-payg', billing => 'pay_as_you_go', months => 0, expires => NULL);
SELECT pg_temp.inst('i-trial', trial => true);
SELECT pg_temp.inst('i-short', months => 2);
SELECT pg_temp.inst('i-gpu-soon', 'acct-b', 'ecs_gpu', 'cn-test-1', expires => now() + interval '10 days');
SELECT pg_temp.inst('i-pending', status => 'pending');
SELECT pg_temp.inst('i-noip', ip => NULL);
SELECT pg_temp.inst('i-hk', region => 'cn-hongkong');
SELECT pg_temp.inst('i-nowhere', region => 'zz-unknown-1');
SELECT pg_temp.inst('i-past', expires => now() - interval '1 day');
SELECT pg_temp.inst('i-expired', status => 'expired', expires => now() - interval '30 days');
SELECT pg_temp.inst('i-released', status => 'released');
SELECT pg_temp.inst('i-everything', 'acct-d', 'ecs', 'us-west-1', 'subscription', 1,
					now() - interval '1 day', NULL, 'stopped', true);
SELECT pg_temp.inst('slb-1', product => 'slb');
SELECT pg_temp.inst('ack-1', product => 'ack');
SELECT pg_temp.inst('acs-1', product => 'acs');
SELECT pg_temp.inst('oss-1', product => 'oss', billing => 'pay_as_you_go', months => 0, ip => NULL);
SELECT pg_temp.inst('cdn-1', product => 'cdn', billing => 'pay_as_you_go', months => 0, ip => NULL);
-- Bulk: enough rows that the planner also picks index scans, hash joins
-- and sorts on the type.
SELECT pg_temp.inst(format('i-bulk-%s', g), format('acct-bulk-%s', g % 17),
					CASE WHEN g % 5 = 0 THEN 'simple_application_server' ELSE 'ecs' END,
					CASE WHEN g % 7 = 0 THEN 'cn-shenzhen' ELSE 'cn-shanghai' END)
  FROM generate_series(1, 120) g;

-- Named numbers and filings, kept for the values table below.
CREATE TEMP TABLE n (name text PRIMARY KEY, v service_id.service_id NOT NULL);
CREATE TEMP TABLE f (name text PRIMARY KEY, id bigint NOT NULL);

-- i-ecs-1 (acct-a): unused, unused granted to acct-b, used (active),
-- used (cancelled), revoked, and a direct filing: allowance used up.
INSERT INTO n VALUES
	('e1-unused', service_id.apply_service_id('i-ecs-1', 'acct-a')),
	('e1-granted-b', service_id.apply_service_id('i-ecs-1', 'acct-a', 'acct-b')),
	('e1-used-active', service_id.apply_service_id('i-ecs-1', 'acct-a')),
	('e1-used-cancelled', service_id.apply_service_id('i-ecs-1', 'acct-a')),
	('e1-revoked', service_id.apply_service_id('i-ecs-1', 'acct-a'));
SELECT service_id.revoke_service_id((SELECT v FROM n WHERE name = 'e1-revoked'), 'acct-a');
INSERT INTO f VALUES
	('e1-active', service_id.register_filing('acct-a', 'www.example.cn',
				   (SELECT v FROM n WHERE name = 'e1-used-active'))),
	('e1-cancelled', service_id.register_filing('acct-x', 'Old.Example.CN',
				   (SELECT v FROM n WHERE name = 'e1-used-cancelled'))),
	('e1-direct', service_id.register_filing_direct('acct-a', 'direct.example.cn', 'i-ecs-1'));
SELECT service_id.cancel_filing((SELECT id FROM f WHERE name = 'e1-cancelled'));
-- The cancelled site filed again, by TrustPass.
INSERT INTO f VALUES ('tp-refile', service_id.register_filing_trustpass('acct-x', 'old.example.cn', '1688-shop-1'));

-- i-ecs-2 (acct-a): used by its grantee then access removed; direct filings
-- cancelled and access-removed; one unused; batch of two.
INSERT INTO n VALUES
	('e2-granted-used', service_id.apply_service_id('i-ecs-2', 'acct-a', 'acct-b')),
	('e2-unused', service_id.apply_service_id('i-ecs-2', 'acct-a'));
INSERT INTO f VALUES
	('e2-removed', service_id.register_filing('acct-b', 'b-shop.example.com',
				   (SELECT v FROM n WHERE name = 'e2-granted-used'))),
	('e2-direct-cancelled', service_id.register_filing_direct('acct-a', 'a1.example.com', 'i-ecs-2')),
	('e2-direct-removed', service_id.register_filing_direct('acct-a', 'a2.example.com', 'i-ecs-2'));
SELECT service_id.remove_access((SELECT id FROM f WHERE name = 'e2-removed'));
SELECT service_id.cancel_filing((SELECT id FROM f WHERE name = 'e2-direct-cancelled'));
SELECT service_id.remove_access((SELECT id FROM f WHERE name = 'e2-direct-removed'));

-- i-ecs-3 (no end date): a batch of three, one used.
INSERT INTO n SELECT 'e3-batch-' || row_number() OVER (), v
  FROM service_id.apply_service_ids('i-ecs-3', 'acct-a', 3) v;
INSERT INTO f VALUES ('e3-active', service_id.register_filing('acct-a', 'xn--fiqs8s.example.cn',
				   (SELECT v FROM n WHERE name = 'e3-batch-1')));

-- i-sas-1 (acct-b): two unused, one granted to acct-c and used by it.
INSERT INTO n VALUES
	('s1-unused-1', service_id.apply_service_id('i-sas-1', 'acct-b')),
	('s1-unused-2', service_id.apply_service_id('i-sas-1', 'acct-b')),
	('s1-granted-c', service_id.apply_service_id('i-sas-1', 'acct-b', 'acct-c'));
INSERT INTO f VALUES ('s1-active', service_id.register_filing('acct-c', 'c.example.org',
				   (SELECT v FROM n WHERE name = 's1-granted-c')));

-- i-gpu-1 (allowance 2): used up by two unused numbers.
INSERT INTO n SELECT 'g1-' || row_number() OVER (), v
  FROM service_id.apply_service_ids('i-gpu-1', 'acct-b', 2) v;

-- i-rel-1: three numbers, one used, then released: two become invalid.
-- i-exp-1: two numbers, then its subscription ends: both invalid.
-- i-stop-1: two numbers, then stopped: they stay unused.
INSERT INTO n SELECT 'r1-' || row_number() OVER (), v
  FROM service_id.apply_service_ids('i-rel-1', 'acct-c', 3) v;
INSERT INTO f VALUES ('r1-active', service_id.register_filing('acct-c', 'released-host.example.cn',
				   (SELECT v FROM n WHERE name = 'r1-1')));
INSERT INTO n SELECT 'x1-' || row_number() OVER (), v
  FROM service_id.apply_service_ids('i-exp-1', 'acct-c', 2) v;
INSERT INTO n SELECT 't1-' || row_number() OVER (), v
  FROM service_id.apply_service_ids('i-stop-1', 'acct-c', 2) v;
INSERT INTO n VALUES ('mixed', service_id.apply_service_id('I-Mixed.Case_1', 'Acct-Mixed'));
UPDATE service_id.instance SET status = 'released' WHERE instance_id = 'i-rel-1';
UPDATE service_id.instance SET expires_at = now() - interval '1 hour' WHERE instance_id = 'i-exp-1';
UPDATE service_id.instance SET status = 'stopped' WHERE instance_id = 'i-stop-1';
SELECT service_id.expire_service_ids();

-- TrustPass filings: active, cancelled, access removed.
INSERT INTO f VALUES
	('tp-active', service_id.register_filing_trustpass('acct-t', 'shop.1688.example.cn', '1688-shop-2')),
	('tp-cancelled', service_id.register_filing_trustpass('acct-t', 'gone.example.cn', '1688-shop-3')),
	('tp-removed', service_id.register_filing_trustpass('acct-t', 'moved.example.cn', '1688-shop-4'));
SELECT service_id.cancel_filing((SELECT id FROM f WHERE name = 'tp-cancelled'));
SELECT service_id.remove_access((SELECT id FROM f WHERE name = 'tp-removed'));

-- Bulk numbers and filings: three numbers per bulk instance, every second
-- one used; every ninth filing cancelled, every eleventh access-removed;
-- a direct filing on every fourth instance.
INSERT INTO n SELECT format('bulk-%s-%s', i.instance_id, v.ord), v.v
  FROM service_id.instance i,
	   LATERAL service_id.apply_service_ids(i.instance_id, i.account_id, 3)
			   WITH ORDINALITY AS v(v, ord)
 WHERE i.instance_id LIKE 'i-bulk-%';
INSERT INTO f SELECT 'f-' || name,
	   service_id.register_filing(i.account_id, format('site-%s.example.net', row_number() OVER (ORDER BY name)), n.v)
  FROM n JOIN service_id.numbers s ON s.number OPERATOR(service_id.=) n.v
		 JOIN service_id.instance i USING (instance_id)
 WHERE n.name LIKE 'bulk-%' AND n.name NOT LIKE '%-2';
INSERT INTO f SELECT 'd-' || instance_id,
	   service_id.register_filing_direct(account_id, format('direct-%s.example.org', instance_id), instance_id)
  FROM service_id.instance WHERE instance_id ~ '^i-bulk-[0-9]*[048]$';
SELECT count(service_id.cancel_filing(id)) FROM f WHERE name LIKE 'f-bulk%' AND id % 9 = 0;
SELECT count(service_id.remove_access(id)) FROM f WHERE name LIKE 'f-bulk%' AND id % 11 = 0 AND id % 9 <> 0;
SELECT count(service_id.revoke_service_id(n.v, i.account_id))
  FROM n JOIN service_id.numbers s ON s.number OPERATOR(service_id.=) n.v
		 JOIN service_id.instance i USING (instance_id)
 WHERE n.name LIKE 'bulk-%-2' AND i.instance_id ~ '[13579]$';

-- Values for sqlsmith to pass around.  Real ids and numbers, and the
-- variants an attacker or a careless caller sends: case, white space,
-- control characters, empty, overlong, typos, other spellings of a number.
CREATE TABLE public.smith_values_build (
	label text,
	instance_id text,
	account_id text,
	website text,
	shop_id text,
	number service_id.service_id,
	number_text text,
	number_uuid uuid,
	filing_id bigint,
	n int,
	ip inet,
	at timestamptz
);
INSERT INTO public.smith_values_build (label, number, number_text, number_uuid, instance_id, account_id)
SELECT n.name, n.v, n.v::text, n.v::uuid, s.instance_id, s.applicant
  FROM n JOIN service_id.numbers s ON s.number OPERATOR(service_id.=) n.v
 WHERE n.name NOT LIKE 'bulk-%' OR n.name LIKE 'bulk-i-bulk-1%';
INSERT INTO public.smith_values_build (label, filing_id, account_id, website, instance_id, shop_id)
SELECT f.name, f.id, s.account_id, s.website, s.instance_id, s.shop_id
  FROM f JOIN service_id.filings s ON s.filing_id = f.id
 WHERE f.name NOT LIKE '%bulk%' OR f.name LIKE '%bulk-1%';
INSERT INTO public.smith_values_build (label, instance_id, account_id, ip, at)
SELECT 'instance', instance_id, account_id, public_ip, expires_at
  FROM service_id.instance WHERE instance_id NOT LIKE 'i-bulk-%' OR instance_id LIKE 'i-bulk-1%';
INSERT INTO public.smith_values_build (label, instance_id, account_id, website, shop_id, number_text, n) VALUES
	('hostile-empty', '', '', '', '', '', 0),
	('hostile-space', ' i-ecs-1', 'acct-a ', ' www.example.cn', ' 1688-shop-2', ' ', -1),
	('hostile-case', 'I-ECS-1', 'ACCT-A', 'WWW.EXAMPLE.CN', '1688-SHOP-2', upper((SELECT v::text FROM n WHERE name = 'e1-unused')), 21),
	('hostile-ctrl', E'i-ecs-1\n', E'acct-a\t', E'www.example.cn\r', E'shop\x01', E'\x7f', 20),
	('hostile-long', repeat('i', 256), repeat('a', 300), repeat('w', 64) || '.cn', repeat('s', 256),
	 repeat('0', 36), 2147483647),
	('hostile-web', 'i-ecs-1', 'acct-a', 'https://www.example.cn:443/path', NULL, NULL, 1),
	('hostile-web-dot', 'i-ecs-1', 'acct-a', 'www.example.cn.', NULL, NULL, 5),
	('hostile-web-label', 'i-ecs-1', 'acct-a', repeat('x', 64) || '.example.cn', NULL, NULL, 6),
	('hostile-web-one', 'i-ecs-1', 'acct-a', 'localhost', NULL, NULL, 19),
	('hostile-web-idn', 'i-ecs-1', 'acct-a', '中国.example.cn', NULL, NULL, 3),
	('hostile-web-dash', 'i-ecs-1', 'acct-a', '-a-.example.cn', NULL, NULL, 4),
	('hostile-unknown', 'i-elsewhere-1', 'acct-z', 'z.example.cn', 'no-such-shop', NULL, 2),
	('hostile-min', 'i-ecs-1', 'acct-a', 'a.b', 'x', NULL, -2147483648),
	('hostile-quote', 'i-''ecs', 'acct"a', 'a\b.example.cn', '%', '%', 7);
-- Other spellings and near misses of a real number.
INSERT INTO public.smith_values_build (label, number_text)
SELECT 'spelling-' || k, t
  FROM (SELECT v::text AS s FROM n WHERE name = 'e1-unused') x,
	   LATERAL (VALUES
		('braces', '{' || s || '}'),
		('nohyphen', replace(s, '-', '')),
		('upper', upper(s)),
		('typo', overlay(s placing CASE substr(s, 36, 1) WHEN '0' THEN '1' ELSE '0' END from 36 for 1)),
		('swap', (SELECT overlay(s placing substr(s, p + 1, 1) || substr(s, p, 1) from p for 2)
				    FROM generate_series(25, 35) p
				   WHERE substr(s, p, 1) <> substr(s, p + 1, 1) ORDER BY p LIMIT 1)),
		('version4', overlay(s placing '4' from 15 for 1)),
		('short', left(s, 35)),
		('long', s || '0'),
		('nil', '00000000-0000-0000-0000-000000000000'),
		('max', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
		('v8-zero', '00000000-0000-8000-8000-000000000000')) v(k, t);
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT ctid, number_text FROM public.smith_values_build
			  WHERE number_uuid IS NULL AND number_text IS NOT NULL LOOP
		BEGIN
			UPDATE public.smith_values_build SET number_uuid = r.number_text::uuid WHERE ctid = r.ctid;
		EXCEPTION WHEN invalid_text_representation THEN NULL;
		END;
	END LOOP;
END $$;

CREATE SCHEMA smith_catalog;
SELECT json_agg(b) AS smith_json FROM public.smith_values_build b \gset
CREATE MATERIALIZED VIEW smith_catalog.smith_values AS
SELECT * FROM json_to_recordset(:'smith_json') AS x(
	label text, instance_id text, account_id text, website text, shop_id text,
	number service_id.service_id, number_text text, number_uuid uuid, filing_id bigint,
	n int, ip inet, at timestamptz);
DROP TABLE public.smith_values_build;
CREATE VIEW public.smith_values AS SELECT * FROM smith_catalog.smith_values;

-- Casts sqlsmith would not write itself (it casts a value only to its own
-- type): the binary-coercible cast to uuid, the casts to and from text.
CREATE VIEW public.smith_casts AS
SELECT number, number::uuid AS as_uuid, number::text AS as_text,
	   number_uuid::service_id.service_id AS from_uuid,
	   number_text::service_id.service_id AS from_text
  FROM public.smith_values
 WHERE number IS NOT NULL;

-- Focus.  sqlsmith picks functions uniformly from pg_proc, where the ~30
-- functions of service_id are 1 % of the total: left alone it calls almost
-- none of them.  It reads pg_proc unqualified, so run.sh puts
-- smith_catalog before pg_catalog on the search path of a focused run and
-- sqlsmith reads this one instead: every function of service_id, 20 times
-- (copies under made-up oids: sqlsmith looks up argument types by oid), and
-- the core functions over plain types, less those with effects outside the
-- transaction (sqlsmith rolls every query back) or on the server (signals,
-- files, replication, sleeping, sequences, session-level locks).  A
-- materialized view, so that it is not in information_schema.tables and
-- sqlsmith does not query it as data.
CREATE MATERIALIZED VIEW smith_catalog.pg_proc AS
WITH plain(t) AS (
	SELECT t::regtype FROM unnest('{text,varchar,bpchar,name,bool,int2,int4,int8,numeric,float8,uuid,
		bytea,jsonb,json,timestamptz,timestamp,date,interval,inet,cidr,text[],regrole,regclass,oid}'::text[]) t
)
SELECT (p.oid::int8 + k * 1000000)::oid AS oid, p.proname, p.pronamespace, p.prorettype,
	   p.proretset, p.prokind, p.proargtypes
  FROM pg_catalog.pg_proc p, generate_series(0, 19) k
 WHERE p.pronamespace = 'service_id'::regnamespace
	OR k = 0
   AND p.pronamespace = 'pg_catalog'::regnamespace
   AND p.prorettype IN (SELECT t FROM plain)
   AND NOT EXISTS (SELECT FROM unnest(p.proargtypes) a WHERE a NOT IN (SELECT t FROM plain))
   AND p.proname !~ '^(pg_(terminate|cancel)_backend|pg_reload_conf|pg_rotate_logfile.*|pg_promote|pg_sleep.*|pg_read.*|pg_ls_.*|pg_stat_file|lo_.*|pg_switch_wal|pg_create_.*|pg_drop_.*|pg_replication_.*|pg_stat_reset.*|pg_log_backend_memory_contexts|pg_(is_)?wal_replay_.*|pg_get_wal_replay_pause_state|pg_backup_.*|pg_(start|stop)_backup|pg_import_system_collations|pg_nextoid|set_config|setval|pg_(try_)?advisory.*|pg_notify|pg_logical_emit_message|pg_copy_.*|pg_current_logfile)$';

-- sqlsmith writes a polymorphic operand as cast(null as anyrange), which
-- fails to parse; with the whole catalog that is half of all its queries.
-- It reads pg_type unqualified too: here the polymorphic range, multirange
-- and enum types are named after a concrete type of their kind, so those
-- operands come out as cast(null as int4range) and parse.
CREATE TYPE public.smith_enum AS ENUM ('unused', 'used', 'revoked', 'invalid');
CREATE MATERIALIZED VIEW smith_catalog.pg_type AS
SELECT t.oid,
	   CASE t.typname
		   WHEN 'anyrange' THEN 'int4range' WHEN 'anycompatiblerange' THEN 'int4range'
		   WHEN 'anymultirange' THEN 'int4multirange' WHEN 'anycompatiblemultirange' THEN 'int4multirange'
		   WHEN 'anyenum' THEN 'smith_enum' ELSE t.typname END::name AS typname,
	   CASE t.typname WHEN 'anyenum' THEN 'public'::regnamespace ELSE t.typnamespace END AS typnamespace,
	   t.typdelim, t.typrelid, t.typelem, t.typarray,
	   CASE t.typname
		   WHEN 'anyrange' THEN 'r' WHEN 'anycompatiblerange' THEN 'r'
		   WHEN 'anymultirange' THEN 'm' WHEN 'anycompatiblemultirange' THEN 'm'
		   WHEN 'anyenum' THEN 'e' ELSE t.typtype END::"char" AS typtype
  FROM pg_catalog.pg_type t;

-- The roles: an application role (grant_usage) and a reader (grant_read).
-- Both may log in over TCP with the password run.sh passes in.
SELECT set_config('smith.password', :'smith_password', false) \g /dev/null
DO $$
BEGIN
	EXECUTE format('CREATE ROLE sid_app LOGIN PASSWORD %L', current_setting('smith.password'));
	EXECUTE format('CREATE ROLE sid_reader LOGIN PASSWORD %L', current_setting('smith.password'));
END $$;
SELECT service_id.grant_usage('sid_app');
SELECT service_id.grant_read('sid_reader');
GRANT SELECT ON public.smith_values, public.smith_casts TO sid_app, sid_reader;
GRANT USAGE ON SCHEMA smith_catalog TO sid_app, sid_reader;
GRANT SELECT ON smith_catalog.pg_proc, smith_catalog.pg_type, smith_catalog.smith_values TO sid_app, sid_reader;

-- Generated queries name functions and tables schema-qualified, but
-- operators bare: the schema goes on the search path.
SELECT format('ALTER DATABASE %I SET search_path = "$user", public, service_id', current_database()) \gexec

ANALYZE;

-- What was loaded, for the log.
SELECT 'numbers ' || string_agg(state || '=' || c, ' ' ORDER BY state)
  FROM (SELECT state, count(*) c FROM service_id.numbers GROUP BY state) x;
SELECT 'filings ' || string_agg(method || '/' || status || '=' || c, ' ' ORDER BY method, status)
  FROM (SELECT method, status, count(*) c FROM service_id.filings GROUP BY 1, 2) x;
SELECT 'audit ' || string_agg(action || '=' || c, ' ' ORDER BY action)
  FROM (SELECT action, count(*) c FROM service_id.audit GROUP BY action) x;
SELECT 'granted numbers ' || count(*) FROM service_id.numbers WHERE grantee IS NOT NULL;
SELECT 'instances ' || count(*) || ', eligible ' || count(*) FILTER (WHERE eligible)
  FROM service_id.instances;
