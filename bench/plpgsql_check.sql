-- bench/plpgsql_check.sql — is the PL/pgSQL baseline (bench/plpgsql_apply.sql)
-- the same apply as service_id.apply_service_id?  Run by bench/run.sh (also
-- with --smoke) in a database of its own, before anything is measured.
--
-- The same calls go to both functions, in the same order, on the same
-- instances: good and bad arguments, unknown instances, a stranger, every
-- eligibility reason alone and together, the allowance running out (alone,
-- and beside another reason), grantees.  For each call the two outcomes
-- must agree: the same SQLSTATE, and for 55000 the same DETAIL (the
-- reasons, in SPEC order).  Other differences of wording are reported but
-- do not fail.  Afterwards the rows each side wrote must agree: numbers,
-- audit rows, counters.  Prints one line per call and a summary; an
-- exception (psql ON_ERROR_STOP) if anything that matters differs.

\set QUIET on
SET client_min_messages = notice;

-- A product with a minimum of days left and a small allowance, for the
-- reasons and the limit the seeded products cannot show.
INSERT INTO service_id.product VALUES
	('chk_product', 2, true, 3, 30, false, 'Check hint: try another product.');

INSERT INTO service_id.instance
	(instance_id, account_id, product, region, billing, subscribed_months,
	 expires_at, public_ip, status, trial)
VALUES
	-- eligible
	('chk-ok', 'acct-chk', 'ecs', 'cn-hangzhou', 'subscription', 12,
	 now() + interval '1 year', '198.18.0.1', 'running', false),
	('chk-sas', 'acct-chk', 'simple_application_server', 'cn-beijing', 'subscription', 3,
	 NULL, '198.18.0.2', 'running', false),
	-- reasons
	('chk-bad1', 'acct-chk', 'ecs', 'us-west-1', 'subscription', 1,
	 now() + interval '2 days', NULL, 'stopped', true),
	('chk-bad2', 'acct-chk', 'ecs', 'xx-nowhere', 'pay_as_you_go', 0,
	 now() - interval '1 day', '198.18.0.3', 'released', false),
	('chk-bad3', 'acct-chk', 'ecs', 'cn-shenzhen', 'subscription', 3,
	 NULL, '198.18.0.4', 'expired', false),
	('chk-pending', 'acct-chk', 'ecs', 'cn-shenzhen', 'subscription', 36,
	 now() + interval '3 years', '198.18.0.5', 'pending', false),
	('chk-slb', 'acct-chk', 'slb', 'cn-shanghai', 'pay_as_you_go', 0,
	 NULL, '198.18.0.6', 'running', false),
	('chk-slb2', 'acct-chk', 'slb', 'eu-central-1', 'subscription', 1,
	 now() - interval '1 hour', NULL, 'stopped', true),
	('chk-short', 'acct-chk', 'chk_product', 'cn-chengdu', 'subscription', 2,
	 now() + interval '10 days', NULL, 'running', false),
	('chk-short2', 'acct-chk', 'chk_product', 'cn-chengdu', 'subscription', 6,
	 now() + interval '30 days' - interval '1 second', NULL, 'running', false),
	('chk-short3', 'acct-chk', 'chk_product', 'cn-chengdu', 'subscription', 6,
	 now() + interval '31 days', NULL, 'running', false),
	('chk-short-exp', 'acct-chk', 'chk_product', 'cn-chengdu', 'subscription', 6,
	 now() - interval '1 second', NULL, 'running', false),
	-- the allowance
	('chk-full', 'acct-chk', 'chk_product', 'cn-wuhan-lr', 'subscription', 12,
	 now() + interval '1 year', NULL, 'running', false),
	('chk-full2', 'acct-chk', 'chk_product', 'cn-wuhan-lr', 'subscription', 12,
	 now() + interval '1 year', NULL, 'running', false),
	-- a 255-character id
	(repeat('x', 255), 'acct-chk', 'ecs', 'cn-hangzhou', 'subscription', 12,
	 NULL, '198.18.0.7', 'running', false);

-- plbase's counter rows (the extension's instance trigger made service_id's)
INSERT INTO plbase.instance_usage (instance_id)
SELECT instance_id FROM service_id.instance
 WHERE instance_id LIKE 'chk-%' OR instance_id = repeat('x', 255);

CREATE TEMP TABLE chk_call (
	seq int PRIMARY KEY,
	instance_id text,
	account_id text,
	grantee text,
	before_sql text			-- run before the call (both sides see it)
);
INSERT INTO chk_call VALUES
	-- arguments
	(1, NULL, 'acct-chk', NULL, NULL),
	(2, 'chk-ok', NULL, NULL, NULL),
	(3, NULL, NULL, NULL, NULL),
	(4, '', 'acct-chk', NULL, NULL),
	(5, 'chk-ok', '', NULL, NULL),
	(6, 'chk ok', 'acct-chk', NULL, NULL),
	(7, E'chk-ok\t', 'acct-chk', NULL, NULL),
	(8, 'chk-ok', E'acct\nchk', NULL, NULL),
	(9, repeat('y', 256), 'acct-chk', NULL, NULL),
	(10, 'chk-ok', repeat('a', 256), NULL, NULL),
	(11, 'chk-ok', 'acct-chk', '', NULL),
	(12, 'chk-ok', 'acct-chk', 'a friend', NULL),
	(13, 'chk-ok', 'acct-chk', repeat('g', 256), NULL),
	(14, E'chk\u00a0ok', 'acct-chk', NULL, NULL),		-- no-break space
	(15, E'chk\u3000ok', 'acct-chk', NULL, NULL),		-- ideographic space
	(16, E'chk\u0085ok', 'acct-chk', NULL, NULL),		-- C1 control (NEL)
	(17, E'chk\u200bok', 'acct-chk', NULL, NULL),		-- zero-width space
	(18, 'bad id', 'bad account', 'bad grantee', NULL),	-- the first one is reported
	(19, E'chk-ok', 'acct-chk', E'g\u2028', NULL),		-- line separator
	-- unknown instances
	(20, 'chk-nope', 'acct-chk', NULL, NULL),
	(21, repeat('z', 255), 'acct-chk', NULL, NULL),
	(22, 'chk-nope', 'someone-else', 'bad grantee', NULL),
	-- strangers, before eligibility
	(30, 'chk-ok', 'someone-else', NULL, NULL),
	(31, 'chk-bad2', 'someone-else', NULL, NULL),
	(32, 'chk-ok', 'ACCT-CHK', NULL, NULL),
	-- reasons
	(40, 'chk-bad1', 'acct-chk', NULL, NULL),
	(41, 'chk-bad2', 'acct-chk', NULL, NULL),
	(42, 'chk-bad3', 'acct-chk', NULL, NULL),
	(43, 'chk-pending', 'acct-chk', NULL, NULL),
	(44, 'chk-slb', 'acct-chk', NULL, NULL),
	(45, 'chk-slb2', 'acct-chk', 'acct-friend', NULL),
	(46, 'chk-short', 'acct-chk', NULL, NULL),
	(47, 'chk-short2', 'acct-chk', NULL, NULL),
	(48, 'chk-short3', 'acct-chk', NULL, NULL),
	(49, 'chk-short-exp', 'acct-chk', NULL, NULL),
	-- issuing, then the allowance
	(50, 'chk-ok', 'acct-chk', NULL, NULL),
	(51, 'chk-ok', 'acct-chk', 'acct-friend', NULL),
	(52, 'chk-ok', 'acct-chk', 'acct-chk', NULL),
	(53, 'chk-ok', 'acct-chk', NULL, NULL),
	(54, 'chk-ok', 'acct-chk', E'\u00e9l\u00e8ve-\u5e10\u6237', NULL),
	(55, 'chk-ok', 'acct-chk', NULL, NULL),
	(56, 'chk-ok', 'acct-chk', 'acct-friend', NULL),
	(57, 'chk-sas', 'acct-chk', 'acct-friend', NULL),
	(58, repeat('x', 255), 'acct-chk', NULL, NULL),
	(60, 'chk-full', 'acct-chk', NULL, NULL),
	(61, 'chk-full', 'acct-chk', NULL, NULL),
	(62, 'chk-full', 'acct-chk', NULL, NULL),
	(63, 'chk-full2', 'acct-chk', NULL, NULL),
	(64, 'chk-full2', 'acct-chk', NULL, NULL),
	(65, 'chk-full2', 'acct-chk', NULL,
	 $$UPDATE service_id.instance SET status = 'stopped' WHERE instance_id = 'chk-full2'$$),
	(66, 'chk-full2', 'someone-else', NULL, NULL),
	(67, 'chk-full2', 'acct-chk', NULL,
	 $$UPDATE service_id.product SET hint = NULL WHERE product = 'chk_product'$$),
	(68, 'chk-ok', 'acct-chk', NULL,
	 $$UPDATE service_id.instance SET expires_at = now() WHERE instance_id = 'chk-ok'$$);

-- One call; its outcome as {sqlstate, message, detail, hint}, or
-- {'00000', the number} when it succeeds.  A failed call is rolled back
-- (subtransaction), as a failed statement would be.
CREATE FUNCTION pg_temp.chk_outcome(fn text, c chk_call) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	n text;
	st text; msg text; det text; hnt text;
BEGIN
	EXECUTE format('SELECT %s($1, $2, $3)::text', fn) INTO n USING c.instance_id, c.account_id, c.grantee;
	RETURN ARRAY['00000', n];
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN ARRAY[st, msg, det, hnt];
END $$;

DO $$
DECLARE
	c chk_call;
	d record;
	a text[];
	b text[];
	bad int := 0;
	wording int := 0;
	calls int := 0;
	issued int := 0;
BEGIN
	FOR c IN SELECT * FROM chk_call ORDER BY seq LOOP
		IF c.before_sql IS NOT NULL THEN
			EXECUTE c.before_sql;
		END IF;
		a := pg_temp.chk_outcome('service_id.apply_service_id', c);
		b := pg_temp.chk_outcome('plbase.apply_service_id', c);
		calls := calls + 1;
		IF a[1] = '00000' THEN
			issued := issued + 1;
		END IF;
		IF a[1] IS DISTINCT FROM b[1]
		   OR (a[1] = '55000' AND a[3] IS DISTINCT FROM b[3]) THEN
			bad := bad + 1;
			RAISE WARNING 'plpgsql check, call %: C gave %, PL/pgSQL gave %', c.seq, a, b;
		ELSIF a[1] <> '00000' AND a IS DISTINCT FROM b THEN
			wording := wording + 1;
			RAISE NOTICE 'plpgsql check, call %: same SQLSTATE %, other wording: C % / PL/pgSQL %',
				c.seq, a[1], a[2:4], b[2:4];
		ELSE
			RAISE NOTICE 'plpgsql check, call % (%, %, %): % %', c.seq,
				coalesce(left(c.instance_id, 16), 'NULL'), coalesce(left(c.account_id, 16), 'NULL'),
				coalesce(left(c.grantee, 16), 'NULL'), a[1],
				CASE WHEN a[1] = '00000' THEN 'issued'
					 ELSE coalesce(a[3], a[2]) END;
		END IF;
	END LOOP;

	-- the rows: numbers, audit rows (matched through their numbers), counters
	CREATE TEMP TABLE chk_rows AS
	WITH cn AS (SELECT * FROM service_id.number_store), pn AS (SELECT * FROM plbase.number_store),
	ca AS (SELECT * FROM service_id.audit_store), pa AS (SELECT * FROM plbase.audit_store),
	c_side AS (
		SELECT 'number' AS what, row(n.instance_id, n.applicant, n.grantee, n.state,
				   n.applied_at = now(), n.state_changed_at)::text AS r FROM cn n
		UNION ALL
		SELECT 'audit', row(a.db_user, a.account_id, a.action, a.instance_id, a.filing_id,
				   a.detail, a.at = now(), n.number IS NOT NULL)::text
		  FROM ca a LEFT JOIN cn n ON n.number OPERATOR(service_id.=) a.number
		UNION ALL
		SELECT 'counter', row(u.instance_id, u.consumed)::text
		  FROM service_id.instance_usage u
		 WHERE u.instance_id IN (SELECT instance_id FROM plbase.instance_usage)),
	p_side AS (
		SELECT 'number' AS what, row(n.instance_id, n.applicant, n.grantee, n.state,
				   n.applied_at = now(), n.state_changed_at)::text AS r FROM pn n
		UNION ALL
		SELECT 'audit', row(a.db_user, a.account_id, a.action, a.instance_id, a.filing_id,
				   a.detail, a.at = now(), n.number IS NOT NULL)::text
		  FROM pa a LEFT JOIN pn n ON n.number OPERATOR(service_id.=) a.number
		UNION ALL
		SELECT 'counter', row(u.instance_id, u.consumed)::text FROM plbase.instance_usage u)
	SELECT 'only C' AS side, * FROM (SELECT * FROM c_side EXCEPT ALL SELECT * FROM p_side) x
	UNION ALL
	SELECT 'only PL/pgSQL', * FROM (SELECT * FROM p_side EXCEPT ALL SELECT * FROM c_side) y;
	FOR d IN SELECT * FROM chk_rows LOOP
		RAISE WARNING 'plpgsql check: % row %, %', d.what, d.side, d.r;
		bad := bad + 1;
	END LOOP;
	IF (SELECT count(*) FROM plbase.number_store) <> issued
	   OR (SELECT count(*) FROM plbase.audit_store) <> issued THEN
		RAISE WARNING 'plpgsql check: % numbers issued, but plbase holds % numbers and % audit rows',
			issued, (SELECT count(*) FROM plbase.number_store), (SELECT count(*) FROM plbase.audit_store);
		bad := bad + 1;
	END IF;

	IF bad > 0 THEN
		RAISE EXCEPTION 'plpgsql check: % of % calls or rows differ between service_id.apply_service_id and plbase.apply_service_id',
			bad, calls;
	END IF;
	RAISE NOTICE 'plpgsql check: % calls alike (% issued numbers, the same rows on both sides; % with other wording)',
		calls, issued, wording;
END $$;
