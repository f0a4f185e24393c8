-- 30_api_errors.sql — SPEC sections 4 and 6 through the API: every SQLSTATE
-- for every function that can raise it, all-or-nothing on refusal, and the
-- filing rules (lower-cased websites, one active filing per website, a
-- number used once for ever, TrustPass without a number, expiry).
\ir setup.psql

SELECT plan(401);

-----------------------------------------------------------------------------
-- Helpers
-----------------------------------------------------------------------------

-- {sqlstate, message, detail, hint} of the error the statement raises,
-- {00000, NULL, NULL, NULL} if it raises none.
CREATE FUNCTION pg_temp.err(sql text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	s text; m text; d text; h text;
BEGIN
	EXECUTE sql;
	RETURN ARRAY['00000', NULL, NULL, NULL];
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT,
							d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
	RETURN ARRAY[s, m, nullif(d, ''), nullif(h, '')];
END $$;


CALL pg_temp.inst('i-ok');
CALL pg_temp.inst('i-other', account => 'acc-2');
CALL pg_temp.inst('i-slb', product => 'slb');
CALL pg_temp.inst('i-bad', status => 'stopped', ip => NULL, region => 'cn-hongkong');

-----------------------------------------------------------------------------
-- 22023: NULL for every required argument
-----------------------------------------------------------------------------
SELECT throws_ok($$SELECT service_id.apply_service_id(NULL, 'acc-1')$$, '22023', 'instance_id must not be null', 'apply_service_id: NULL instance_id');
SELECT throws_ok($$SELECT service_id.apply_service_id('i-ok', NULL)$$, '22023', 'account_id must not be null', 'apply_service_id: NULL account_id');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids(NULL, 'acc-1', 1)$$, '22023', 'instance_id must not be null', 'apply_service_ids: NULL instance_id');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-ok', NULL, 1)$$, '22023', 'account_id must not be null', 'apply_service_ids: NULL account_id');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-ok', 'acc-1', NULL)$$, '22023', 'n must not be null', 'apply_service_ids: NULL n');
SELECT throws_ok($$SELECT * FROM service_id.check_instance(NULL)$$, '22023', 'instance_id must not be null', 'check_instance: NULL instance_id');
SELECT throws_ok($$SELECT * FROM service_id.check_instance(NULL, 'acc-1')$$, '22023', 'instance_id must not be null', 'check_instance: NULL instance_id with an account');
SELECT throws_ok($$SELECT service_id.revoke_service_id(NULL, 'acc-1')$$, '22023', 'number must not be null', 'revoke_service_id: NULL number');
SELECT throws_ok($$SELECT service_id.revoke_service_id(service_id.gen_service_id(), NULL)$$, '22023', 'account_id must not be null', 'revoke_service_id: NULL account_id');
SELECT throws_ok($$SELECT service_id.register_filing(NULL, 'a.example.com', service_id.gen_service_id())$$, '22023', 'account_id must not be null', 'register_filing: NULL account_id');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', NULL, service_id.gen_service_id())$$, '22023', 'website must not be null', 'register_filing: NULL website');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'a.example.com', NULL)$$, '22023', 'number must not be null', 'register_filing: NULL number');
SELECT throws_ok($$SELECT service_id.register_filing_direct(NULL, 'a.example.com', 'i-ok')$$, '22023', 'account_id must not be null', 'register_filing_direct: NULL account_id');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', NULL, 'i-ok')$$, '22023', 'website must not be null', 'register_filing_direct: NULL website');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'a.example.com', NULL)$$, '22023', 'instance_id must not be null', 'register_filing_direct: NULL instance_id');
SELECT throws_ok($$SELECT service_id.register_filing_trustpass(NULL, 'a.example.com', 'shop-1')$$, '22023', 'account_id must not be null', 'register_filing_trustpass: NULL account_id');
SELECT throws_ok($$SELECT service_id.register_filing_trustpass('acc-1', NULL, 'shop-1')$$, '22023', 'website must not be null', 'register_filing_trustpass: NULL website');
SELECT throws_ok($$SELECT service_id.register_filing_trustpass('acc-1', 'a.example.com', NULL)$$, '22023', 'shop_id must not be null', 'register_filing_trustpass: NULL shop_id');
SELECT throws_ok($$SELECT service_id.cancel_filing(NULL)$$, '22023', 'filing_id must not be null', 'cancel_filing: NULL filing_id');
SELECT throws_ok($$SELECT service_id.remove_access(NULL)$$, '22023', 'filing_id must not be null', 'remove_access: NULL filing_id');
SELECT throws_ok($$SELECT * FROM service_id.account_numbers(NULL)$$, '22023', 'account_id must not be null', 'account_numbers: NULL account_id');
SELECT throws_ok($$SELECT * FROM service_id.account_instances(NULL)$$, '22023', 'account_id must not be null', 'account_instances: NULL account_id');
SELECT throws_ok($$SELECT service_id.grant_usage(NULL)$$, '22023', NULL, 'grant_usage: NULL role');
SELECT throws_ok($$SELECT service_id.grant_read(NULL)$$, '22023', NULL, 'grant_read: NULL role');
SELECT throws_ok($$SELECT service_id.grant_usage(0::oid::regrole)$$, '22023', NULL, 'grant_usage: role 0');
SELECT is((SELECT count(*)::int FROM numbers) + (SELECT count(*)::int FROM filings) + (SELECT count(*)::int FROM audit), 0,
		  'no refused call wrote anything');

-----------------------------------------------------------------------------
-- 22023: n outside 1..20
-----------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-ok', 'acc-1', 0)$$, '22023', 'n must be between 1 and 20, not 0', 'n = 0');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-ok', 'acc-1', -1)$$, '22023', 'n must be between 1 and 20, not -1', 'n = -1');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-ok', 'acc-1', 21)$$, '22023', 'n must be between 1 and 20, not 21', 'n = 21');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-ok', 'acc-1', 2147483647)$$, '22023', NULL, 'n = 2^31-1');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-nowhere', 'acc-1', 21)$$, '22023', NULL, 'n is checked before the instance');
INSERT INTO product (product, allowance, requires_subscription, min_total_months, min_remaining_days, requires_public_ip)
VALUES ('big', 25, true, 3, 0, true);
CALL pg_temp.inst('i-big', product => 'big');
SELECT is((SELECT count(DISTINCT n)::int FROM apply_service_ids('i-big', 'acc-1', 20) n), 20, 'n = 20 issues 20 distinct numbers');
SELECT is((SELECT count(*)::int FROM apply_service_ids('i-big', 'acc-1', 1) n), 1, 'n = 1 issues one number');
SELECT is(pg_temp.consumed('i-big'), 21, 'and they are counted');

-----------------------------------------------------------------------------
-- 22023: malformed ids, in every position that takes one
-----------------------------------------------------------------------------
SELECT throws_ok(format(t.tmpl, quote_literal(b.v)), '22023', NULL,
				 format('%s refuses %s', t.what, b.label))
  FROM (VALUES (1, 'an empty id', ''),
			   (2, 'an id of 256 characters', repeat('a', 256)),
			   (3, 'an id of 256 multibyte characters', repeat('账', 256)),
			   (4, 'a space', 'acc 1'),
			   (5, 'a leading space', ' acc-1'),
			   (6, 'a trailing space', 'acc-1 '),
			   (7, 'a tab', E'acc\t1'),
			   (8, 'a newline', E'acc\n1'),
			   (9, 'a control character', 'acc' || chr(1) || '1'),
			   (10, 'DEL', 'acc' || chr(127)),
			   (11, 'a no-break space', 'acc' || chr(160) || '1'),
			   (12, 'an ideographic space', 'acc' || chr(12288) || '1')) b(i, label, v),
	   (VALUES (1, 'apply_service_id instance_id', $$SELECT service_id.apply_service_id(%s, 'acc-1')$$),
			   (2, 'apply_service_id account_id', $$SELECT service_id.apply_service_id('i-ok', %s)$$),
			   (3, 'apply_service_id grantee', $$SELECT service_id.apply_service_id('i-ok', 'acc-1', %s)$$),
			   (4, 'apply_service_ids instance_id', $$SELECT * FROM service_id.apply_service_ids(%s, 'acc-1', 1)$$),
			   (5, 'apply_service_ids account_id', $$SELECT * FROM service_id.apply_service_ids('i-ok', %s, 1)$$),
			   (6, 'apply_service_ids grantee', $$SELECT * FROM service_id.apply_service_ids('i-ok', 'acc-1', 1, %s)$$),
			   (7, 'check_instance instance_id', $$SELECT * FROM service_id.check_instance(%s)$$),
			   (8, 'check_instance account_id', $$SELECT * FROM service_id.check_instance('i-ok', %s)$$),
			   (9, 'revoke_service_id account_id', $$SELECT service_id.revoke_service_id(service_id.gen_service_id(), %s)$$),
			   (10, 'register_filing account_id', $$SELECT service_id.register_filing(%s, 'ok.example.com', service_id.gen_service_id())$$),
			   (11, 'register_filing_direct account_id', $$SELECT service_id.register_filing_direct(%s, 'ok.example.com', 'i-ok')$$),
			   (12, 'register_filing_direct instance_id', $$SELECT service_id.register_filing_direct('acc-1', 'ok.example.com', %s)$$),
			   (13, 'register_filing_trustpass account_id', $$SELECT service_id.register_filing_trustpass(%s, 'ok.example.com', 'shop-1')$$),
			   (14, 'register_filing_trustpass shop_id', $$SELECT service_id.register_filing_trustpass('acc-1', 'ok.example.com', %s)$$),
			   (15, 'account_numbers account_id', $$SELECT * FROM service_id.account_numbers(%s)$$),
			   (16, 'account_instances account_id', $$SELECT * FROM service_id.account_instances(%s)$$)) t(j, what, tmpl)
 ORDER BY t.j, b.i;

-- the limits themselves are fine
SELECT throws_ok($$SELECT service_id.apply_service_id(repeat('i', 255), 'acc-1')$$, 'P0002', NULL,
				 'an instance id of 255 characters passes the syntax check (and is unknown)');
SELECT lives_ok($$SELECT service_id.register_filing_trustpass(repeat('a', 255), 'long-ids.example.com', repeat('账', 255))$$,
				'ids of 255 characters, multibyte ones included, are accepted');
SELECT lives_ok($$SELECT service_id.register_filing_trustpass('账户-1', 'unicode-id.example.com', 'shop_1:x/y')$$,
				'ids may hold any character but white space and control characters');
SELECT is((SELECT count(*)::int FROM numbers) - 21, 0, 'no refused call issued a number');

-----------------------------------------------------------------------------
-- 22023: malformed websites, in every filing function
-----------------------------------------------------------------------------
SELECT throws_ok(format(t.tmpl, quote_literal(w.v)), '22023', NULL,
				 format('%s refuses %s (%s)', t.what, w.label, w.v))
  FROM (VALUES (1, 'a scheme', 'http://example.com'),
			   (2, 'a scheme', 'https://example.com'),
			   (3, 'a port', 'example.com:8080'),
			   (4, 'a path', 'example.com/index.html'),
			   (5, 'a bare slash', 'example.com/'),
			   (6, 'a query', 'example.com?a=1'),
			   (7, 'user info', 'user@example.com'),
			   (8, 'a trailing dot', 'example.com.'),
			   (9, 'a leading dot', '.example.com'),
			   (10, 'an empty label', 'example..com'),
			   (11, 'one label', 'localhost'),
			   (12, 'a label of 64', repeat('a', 64) || '.com'),
			   (13, 'an underscore', 'my_site.example.com'),
			   (14, 'a space', 'my site.example.com'),
			   (15, 'a leading space', ' example.com'),
			   (16, 'a trailing space', 'example.com '),
			   (17, 'non-ASCII letters', 'bücher.de'),
			   (18, 'a non-ASCII name', '例子.中国'),
			   (19, 'an empty string', ''),
			   (20, 'a wildcard', '*.example.com')) w(i, label, v),
	   (VALUES (1, 'register_filing', $$SELECT service_id.register_filing('acc-1', %s, service_id.gen_service_id())$$),
			   (2, 'register_filing_direct', $$SELECT service_id.register_filing_direct('acc-1', %s, 'i-ok')$$),
			   (3, 'register_filing_trustpass', $$SELECT service_id.register_filing_trustpass('acc-1', %s, 'shop-1')$$)) t(j, what, tmpl)
 ORDER BY t.j, w.i;

SELECT lives_ok($$SELECT service_id.register_filing_trustpass('acc-1', 'xn--fsqu00a.xn--fiqs8s', 'shop-idn')$$,
				'an internationalised name in its xn-- form is accepted');
SELECT lives_ok(format($$SELECT service_id.register_filing_trustpass('acc-1', %L, 'shop-63')$$, repeat('a', 63) || '.example.com'),
				'a label of 63 is accepted');
SELECT lives_ok($$SELECT service_id.register_filing_trustpass('acc-1', 'a-1.b2.example.co', 'shop-digits')$$,
				'digits and inner hyphens are accepted');
INSERT INTO fil VALUES ('mixed', register_filing_trustpass('acc-1', 'Mixed-Case.Example.COM', 'shop-case'));
SELECT is((SELECT website FROM filings WHERE filing_id = pg_temp.f('mixed')), 'mixed-case.example.com',
		  'websites are stored lower-cased');
SELECT is(pg_temp.consumed('i-ok'), 0, 'no refused direct filing took a slot');

-----------------------------------------------------------------------------
-- 22P02: malformed or mistyped numbers
-----------------------------------------------------------------------------
INSERT INTO num VALUES ('typo-base', apply_service_id('i-ok', 'acc-1'));
SELECT throws_ok($$SELECT service_id.revoke_service_id('not-a-number', 'acc-1')$$, '22P02', NULL, 'revoke_service_id: malformed number text');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'typo.example.com', '00000000-0000-0000-0000-000000000000')$$, '22P02', NULL,
				 'register_filing: a UUID that is not a service id');
SELECT throws_ok(format($$SELECT service_id.register_filing('acc-1', 'typo.example.com', %L)$$,
						overlay(t placing CASE WHEN substr(t, 1, 1) = '0' THEN '1' ELSE '0' END from 1 for 1)),
				 '22P02', NULL, 'register_filing: an issued number with one digit mistyped')
  FROM (SELECT pg_temp.n('typo-base')::text AS t) x;
SELECT throws_ok(format($$SELECT service_id.revoke_service_id(%L, 'acc-1')$$,
						substr(t, 1, 35) || CASE WHEN substr(t, 36, 1) = '0' THEN '1' ELSE '0' END),
				 '22P02', NULL, 'revoke_service_id: an issued number with its last digit mistyped')
  FROM (SELECT pg_temp.n('typo-base')::text AS t) x;
SELECT is(pg_temp.state('typo-base'), 'unused', 'the real number is untouched');

-----------------------------------------------------------------------------
-- P0002: unknown instance, number, filing
-----------------------------------------------------------------------------
SELECT is((pg_temp.err($$SELECT service_id.apply_service_id('i-nowhere', 'acc-1')$$))[1:2],
		  ARRAY['P0002', 'instance "i-nowhere" does not exist'], 'apply_service_id: unknown instance');
SELECT ok((pg_temp.err($$SELECT service_id.apply_service_id('i-nowhere', 'acc-1')$$))[4] ILIKE '%another provider%filing platform%',
		  'the HINT sends instances of other providers to their filing platform');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-nowhere', 'acc-1', 2)$$, 'P0002', 'instance "i-nowhere" does not exist', 'apply_service_ids: unknown instance');
SELECT throws_ok($$SELECT * FROM service_id.check_instance('i-nowhere')$$, 'P0002', 'instance "i-nowhere" does not exist', 'check_instance: unknown instance');
SELECT throws_ok($$SELECT * FROM service_id.check_instance('i-nowhere', 'acc-1')$$, 'P0002', NULL, 'check_instance: unknown instance, account given');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'x.example.com', 'i-nowhere')$$, 'P0002', 'instance "i-nowhere" does not exist', 'register_filing_direct: unknown instance');
SELECT throws_ok($$SELECT service_id.revoke_service_id(service_id.gen_service_id(), 'acc-1')$$, 'P0002', NULL, 'revoke_service_id: unknown number');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'x.example.com', service_id.gen_service_id())$$, 'P0002', NULL, 'register_filing: unknown number');
SELECT throws_ok($$SELECT service_id.cancel_filing(-1)$$, 'P0002', 'filing -1 does not exist', 'cancel_filing: unknown filing');
SELECT throws_ok($$SELECT service_id.remove_access(9999999999)$$, 'P0002', 'filing 9999999999 does not exist', 'remove_access: unknown filing');

-----------------------------------------------------------------------------
-- 42501: not the purchaser, not the grantee — before eligibility
-----------------------------------------------------------------------------
INSERT INTO num VALUES ('ok1', apply_service_id('i-ok', 'acc-1'));
SELECT throws_ok($$SELECT service_id.apply_service_id('i-ok', 'acc-2')$$, '42501', 'account "acc-2" did not purchase instance "i-ok"', 'apply_service_id: a stranger');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-ok', 'acc-2', 2)$$, '42501', 'account "acc-2" did not purchase instance "i-ok"', 'apply_service_ids: a stranger');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-2', 'stranger.example.com', 'i-ok')$$, '42501', 'account "acc-2" did not purchase instance "i-ok"', 'register_filing_direct: a stranger');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('ok1'), 'acc-2')$$, '42501', NULL, 'revoke_service_id: a stranger');
SELECT throws_ok($$SELECT service_id.apply_service_id('i-other', 'acc-1')$$, '42501', 'account "acc-1" did not purchase instance "i-other"', 'apply_service_id: purchaser of another instance');
SELECT throws_ok($$SELECT service_id.apply_service_id('i-slb', 'acc-2')$$, '42501', NULL, 'a stranger on an ineligible instance gets 42501, not 55000');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-2', 'stranger.example.com', 'i-bad')$$, '42501', NULL, 'a stranger selecting an ineligible instance gets 42501, not 55000');
SELECT is(pg_temp.state('ok1'), 'unused', 'the stranger''s revoke changed nothing');

INSERT INTO num VALUES ('granted', apply_service_id('i-ok', 'acc-1', 'acc-3'));
SELECT is((SELECT grantee FROM numbers WHERE number = pg_temp.n('granted')), 'acc-3', 'the grantee is recorded');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('granted'), 'acc-3')$$, '42501', NULL, 'revoke_service_id: the grantee is not the purchaser');
SELECT throws_ok($$SELECT service_id.register_filing('acc-2', 'grant.example.com', pg_temp.n('granted'))$$, '42501', NULL, 'register_filing: not the grantee');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'grant.example.com', pg_temp.n('granted'))$$, '42501', NULL, 'register_filing: the purchaser is not the grantee either');
UPDATE instance SET status = 'stopped' WHERE instance_id = 'i-ok';
SELECT throws_ok($$SELECT service_id.register_filing('acc-2', 'grant.example.com', pg_temp.n('granted'))$$, '42501', NULL, 'not the grantee is reported before ineligibility');
UPDATE instance SET status = 'running' WHERE instance_id = 'i-ok';
SELECT is(pg_temp.state('granted'), 'unused', 'the refused filings left the number unused');
INSERT INTO fil VALUES ('granted', register_filing('acc-3', 'grant.example.com', pg_temp.n('granted')));
SELECT is(pg_temp.state('granted'), 'used', 'the grantee files with it');
SELECT is((SELECT account_id FROM filings WHERE filing_id = pg_temp.f('granted')), 'acc-3', 'the filing belongs to the grantee');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('granted'), 'acc-2')$$, '42501', NULL, 'a stranger revoking a used number gets 42501, not 23505');

-----------------------------------------------------------------------------
-- 55000: not eligible, number revoked or invalid, filing already ended
-----------------------------------------------------------------------------
SELECT is((pg_temp.err($$SELECT service_id.apply_service_id('i-slb', 'acc-1')$$))[1:2],
		  ARRAY['55000', 'instance "i-slb" is not eligible for a service identification number'],
		  'apply_service_id: an unsupported product');
SELECT is((pg_temp.err($$SELECT service_id.apply_service_id('i-slb', 'acc-1')$$))[4],
		  (SELECT hint FROM product WHERE product = 'slb'), 'the HINT is the product''s hint');
SELECT ok((pg_temp.err($$SELECT service_id.apply_service_id('i-slb', 'acc-1')$$))[3] IS NOT NULL, 'a DETAIL gives the reason in words');
UPDATE product SET hint = 'Apply with the ECS instance behind it.' WHERE product = 'slb';
SELECT is((pg_temp.err($$SELECT service_id.apply_service_id('i-slb', 'acc-1')$$))[4],
		  'Apply with the ECS instance behind it.', 'a DBA edit of the hint shows up');
SELECT is((pg_temp.err($$SELECT service_id.apply_service_id('i-bad', 'acc-1')$$))[1], '55000', 'apply_service_id: three reasons');
SELECT imatches(d, 'running.*public IP.*mainland',
				'the DETAIL lists every reason in words, in order (not running, no public IP, not mainland)')
  FROM (SELECT (pg_temp.err($$SELECT service_id.apply_service_id('i-bad', 'acc-1')$$))[3] AS d) x;
SELECT is((pg_temp.err($$SELECT service_id.apply_service_id('i-bad', 'acc-1')$$))[4], NULL, 'no HINT when the product has none');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-bad', 'acc-1', 2)$$, '55000', 'instance "i-bad" is not eligible for a service identification number', 'apply_service_ids: not eligible');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'bad.example.com', 'i-slb')$$, '55000', 'instance "i-slb" is not eligible for a service identification number', 'register_filing_direct: not eligible');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'bad.example.com', 'i-bad')$$, '55000', NULL, 'register_filing_direct: not eligible (stopped)');

-- used up and something else: 55000, both in the DETAIL
CALL pg_temp.inst('i-full-stopped');
SELECT apply_service_ids('i-full-stopped', 'acc-1', 5) \g /dev/null
UPDATE instance SET status = 'stopped' WHERE instance_id = 'i-full-stopped';
SELECT is(e[1], '55000', 'allowance used up and not running: 55000, not 53400')
  FROM (SELECT pg_temp.err($$SELECT service_id.apply_service_id('i-full-stopped', 'acc-1')$$) AS e) x;
SELECT imatches(e[3], 'running.*allowance', 'the DETAIL names both reasons')
  FROM (SELECT pg_temp.err($$SELECT service_id.apply_service_id('i-full-stopped', 'acc-1')$$) AS e) x;

-- revoked and invalid numbers
INSERT INTO num VALUES ('rev', apply_service_id('i-ok', 'acc-1'));
SELECT lives_ok($$SELECT service_id.revoke_service_id(pg_temp.n('rev'), 'acc-1')$$, 'the purchaser revokes an unused number');
SELECT is(pg_temp.state('rev'), 'revoked', 'it is revoked');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'rev.example.com', pg_temp.n('rev'))$$, '55000', NULL, 'register_filing: a revoked number');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('rev'), 'acc-1')$$, '55000', NULL, 'revoke_service_id: already revoked');

CALL pg_temp.inst('i-inv');
INSERT INTO num VALUES ('inv', apply_service_id('i-inv', 'acc-1'));
UPDATE instance SET status = 'released' WHERE instance_id = 'i-inv';
SELECT is(expire_service_ids(), 1, 'expire_service_ids() invalidates the number of the released instance');
SELECT is(pg_temp.state('inv'), 'invalid', 'it is invalid');
UPDATE instance SET status = 'running' WHERE instance_id = 'i-inv';
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'inv.example.com', pg_temp.n('inv'))$$, '55000', NULL, 'register_filing: an invalid number (even on an eligible instance)');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('inv'), 'acc-1')$$, '55000', NULL, 'revoke_service_id: an invalid number');
SELECT is(pg_temp.state('inv'), 'invalid', 'it stays invalid');

-- the number's instance must still be eligible when the number is used
CALL pg_temp.inst('i-later');
INSERT INTO num VALUES ('later', apply_service_id('i-later', 'acc-1'));
UPDATE instance SET status = 'stopped' WHERE instance_id = 'i-later';
SELECT is(e[1], '55000', 'register_filing: the instance is no longer eligible (stopped)')
  FROM (SELECT pg_temp.err($$SELECT service_id.register_filing('acc-1', 'later.example.com', pg_temp.n('later'))$$) AS e) x;
SELECT matches(e[2] || ' / ' || e[3], '^instance "i-later" .*no longer eligible / .*running', 'the message says the instance is no longer eligible, the DETAIL why')
  FROM (SELECT pg_temp.err($$SELECT service_id.register_filing('acc-1', 'later.example.com', pg_temp.n('later'))$$) AS e) x;
UPDATE instance SET status = 'running', expires_at = now() - interval '1 hour' WHERE instance_id = 'i-later';
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'later.example.com', pg_temp.n('later'))$$, '55000', NULL,
				 'register_filing: the instance is no longer eligible (its end date passed)');
UPDATE instance SET expires_at = now() + interval '1 year' WHERE instance_id = 'i-later';
SELECT is(pg_temp.state('later'), 'unused', 'the refused filings left the number unused');
SELECT lives_ok($$SELECT service_id.register_filing('acc-1', 'later.example.com', pg_temp.n('later'))$$, 'once renewed, the number can be used');

-- allowance and ownership aside
CALL pg_temp.inst('i-full');
INSERT INTO num SELECT 'full' || row_number() OVER (), n FROM apply_service_ids('i-full', 'acc-1', 5) n;
SELECT is((SELECT reasons FROM check_instance('i-full')), '{allowance_used_up}'::text[], 'i-full has used up its allowance');
SELECT lives_ok($$SELECT service_id.register_filing('acc-8', 'full.example.com', pg_temp.n('full1'))$$,
				'another account files with a number of a used-up instance');
SELECT is(pg_temp.state('full1'), 'used', 'the number is used');

-- filings already ended
INSERT INTO fil VALUES ('end1', register_filing_trustpass('acc-1', 'end1.example.com', 'shop-e1')),
					   ('end2', register_filing_trustpass('acc-1', 'end2.example.com', 'shop-e2'));
SELECT lives_ok(format('SELECT service_id.cancel_filing(%s)', pg_temp.f('end1')), 'cancel_filing on an active filing');
SELECT lives_ok(format('SELECT service_id.remove_access(%s)', pg_temp.f('end2')), 'remove_access on an active filing');
SELECT throws_ok(format('SELECT service_id.cancel_filing(%s)', pg_temp.f('end1')), '55000',
				 format('filing %s has already ended', pg_temp.f('end1')), 'cancel_filing twice');
SELECT throws_ok(format('SELECT service_id.remove_access(%s)', pg_temp.f('end1')), '55000', NULL, 'remove_access after cancel');
SELECT throws_ok(format('SELECT service_id.cancel_filing(%s)', pg_temp.f('end2')), '55000', NULL, 'cancel_filing after remove_access');
SELECT throws_ok(format('SELECT service_id.remove_access(%s)', pg_temp.f('end2')), '55000', NULL, 'remove_access twice');
SELECT is((SELECT array_agg(status ORDER BY filing_id) FROM filings WHERE filing_id IN (pg_temp.f('end1'), pg_temp.f('end2'))),
		  '{cancelled,access_removed}'::text[], 'the first end stands');

-----------------------------------------------------------------------------
-- 53400: allowance used up, batch larger than what remains — all or nothing
-----------------------------------------------------------------------------
SELECT throws_ok($$SELECT service_id.apply_service_id('i-full', 'acc-1')$$, '53400',
				 'instance "i-full" has used up its allowance of service identification numbers', 'apply_service_id: allowance used up');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-full', 'acc-1', 1)$$, '53400', NULL, 'apply_service_ids: allowance used up');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'full-direct.example.com', 'i-full')$$, '53400', NULL,
				 'register_filing_direct: allowance used up');
SELECT throws_ok($$SELECT service_id.apply_service_id('i-full', 'acc-2')$$, '42501', NULL, 'a stranger on a used-up instance gets 42501, not 53400');

CALL pg_temp.inst('i-batch');
SELECT apply_service_ids('i-batch', 'acc-1', 3) \g /dev/null
CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM service_id.numbers) AS numbers, (SELECT count(*) FROM service_id.audit) AS audit,
	   (SELECT count(*) FROM service_id.filings) AS filings;
SELECT is(e[1], '53400', 'a batch of 3 when 2 remain')
  FROM (SELECT pg_temp.err($$SELECT * FROM service_id.apply_service_ids('i-batch', 'acc-1', 3)$$) AS e) x;
SELECT matches(e[2], '"i-batch".*\m2\M.*\m3\M', 'the message names the instance, what remains and what was asked')
  FROM (SELECT pg_temp.err($$SELECT * FROM service_id.apply_service_ids('i-batch', 'acc-1', 3)$$) AS e) x;
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-batch', 'acc-1', 20)$$, '53400', NULL, 'a batch of 20 when 2 remain');
CALL pg_temp.inst('i-fresh');
SELECT throws_ok($$SELECT * FROM service_id.apply_service_ids('i-fresh', 'acc-1', 6)$$, '53400', NULL, 'a batch of 6 on a fresh instance');
SELECT results_eq($$SELECT (SELECT count(*) FROM service_id.numbers), (SELECT count(*) FROM service_id.audit), (SELECT count(*) FROM service_id.filings)$$,
				  $$SELECT numbers, audit, filings FROM before$$, 'refused batches wrote no number, no audit row, no filing');
SELECT is(pg_temp.consumed('i-batch'), 3, 'and took no slot');
SELECT is((SELECT count(DISTINCT n)::int FROM apply_service_ids('i-batch', 'acc-1', 2) n), 2, 'a batch of exactly what remains is issued');
SELECT is((SELECT reasons FROM check_instance('i-batch')), '{allowance_used_up}'::text[], 'and uses the allowance up');
SELECT is((SELECT count(DISTINCT n)::int FROM apply_service_ids('i-fresh', 'acc-1', 5) n), 5, 'a batch of the whole allowance is issued');

-----------------------------------------------------------------------------
-- 23505: a used number, a website with an active filing
-----------------------------------------------------------------------------
CALL pg_temp.inst('i-u');
INSERT INTO num VALUES ('u', apply_service_id('i-u', 'acc-1')), ('r', apply_service_id('i-u', 'acc-1')),
					   ('spare', apply_service_id('i-u', 'acc-1'));
INSERT INTO fil VALUES ('u', register_filing('acc-1', 'used.example.com', pg_temp.n('u'))),
					   ('r', register_filing('acc-4', 'removed.example.com', pg_temp.n('r')));
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'another.example.com', pg_temp.n('u'))$$, '23505', NULL, 'register_filing: a used number');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('u'), 'acc-1')$$, '23505', NULL, 'revoke_service_id: a used number');
SELECT lives_ok(format('SELECT service_id.cancel_filing(%s)', pg_temp.f('u')), 'the filing is cancelled');
SELECT is(pg_temp.state('u'), 'used', 'its number stays used after cancel_filing');
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'used.example.com', pg_temp.n('u'))$$, '23505', NULL,
				 'the number of a cancelled filing can never be used again, not even for the same website');
SELECT throws_ok($$SELECT service_id.revoke_service_id(pg_temp.n('u'), 'acc-1')$$, '23505', NULL, 'nor revoked');
SELECT lives_ok(format('SELECT service_id.remove_access(%s)', pg_temp.f('r')), 'access is removed from the other filing');
SELECT is(pg_temp.state('r'), 'used', 'its number stays used after remove_access');
SELECT throws_ok($$SELECT service_id.register_filing('acc-4', 'removed.example.com', pg_temp.n('r'))$$, '23505', NULL,
				 'the number of an access-removed filing can never be used again');
SELECT is((SELECT count(*)::int FROM filings WHERE number = pg_temp.n('u')), 1, 'the used number is bound to one filing');

INSERT INTO fil VALUES ('dup', register_filing_trustpass('acc-5', 'dup.example.com', 'shop-dup'));
SELECT throws_ok($$SELECT service_id.register_filing('acc-1', 'dup.example.com', pg_temp.n('spare'))$$, '23505',
				 'website "dup.example.com" already has an active filing', 'register_filing: website with an active filing');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'DUP.Example.com', 'i-u')$$, '23505',
				 'website "dup.example.com" already has an active filing', 'register_filing_direct: the same website in other case');
SELECT throws_ok($$SELECT service_id.register_filing_trustpass('acc-6', 'dup.EXAMPLE.com', 'shop-other')$$, '23505', NULL,
				 'register_filing_trustpass: website with an active filing');
SELECT is(pg_temp.state('spare'), 'unused', 'the refused filing left its number unused');
SELECT is(pg_temp.consumed('i-u'), 3,
		  'the refused direct filing took no slot');
SELECT lives_ok(format('SELECT service_id.cancel_filing(%s)', pg_temp.f('dup')), 'the website''s filing is cancelled');
SELECT lives_ok($$SELECT service_id.register_filing('acc-1', 'Dup.Example.Com', pg_temp.n('spare'))$$, 'a cancelled filing frees the website');
SELECT is((SELECT array_agg(status || ':' || method ORDER BY filing_id) FROM filings WHERE website = 'dup.example.com'),
		  '{cancelled:trustpass,active:service_id}'::text[], 'the website has its old filing and one active filing');
SELECT throws_ok($$SELECT service_id.register_filing_direct('acc-1', 'dup.example.com', 'i-u')$$, '23505', NULL,
				 'and again only one active filing');

-----------------------------------------------------------------------------
-- TrustPass needs no number
-----------------------------------------------------------------------------
INSERT INTO fil VALUES ('tp', register_filing_trustpass('acc-7', 'Shop.Example.com', 'shop-77'));
SELECT results_eq(format($$SELECT account_id, website, method, number::text, instance_id, shop_id, status, ended_at
							 FROM service_id.filings WHERE filing_id = %s$$, pg_temp.f('tp')),
				  $$VALUES ('acc-7', 'shop.example.com', 'trustpass', NULL::text, NULL::text, 'shop-77', 'active', NULL::timestamptz)$$,
				  'a TrustPass filing has a shop, no number and no instance');
SELECT lives_ok($$SELECT service_id.register_filing_trustpass('acc-7', 'shop2.example.com', 'shop-77')$$, 'one shop may file several websites');

-----------------------------------------------------------------------------
-- expire_service_ids(): the count, and only unused numbers of expired or
-- released instances
-----------------------------------------------------------------------------
CALL pg_temp.inst('x-run');
CALL pg_temp.inst('x-exp');
CALL pg_temp.inst('x-rel');
CALL pg_temp.inst('x-date');
CALL pg_temp.inst('x-stop');
SELECT apply_service_ids(i, 'acc-1', 2) FROM unnest('{x-run,x-exp}'::text[]) i \g /dev/null
SELECT apply_service_id(i, 'acc-1') FROM unnest('{x-rel,x-date,x-stop}'::text[]) i \g /dev/null
INSERT INTO num VALUES ('x-run-used', apply_service_id('x-run', 'acc-1')), ('x-run-rev', apply_service_id('x-run', 'acc-1')),
					   ('x-exp-used', apply_service_id('x-exp', 'acc-1')), ('x-exp-rev', apply_service_id('x-exp', 'acc-1'));
SELECT register_filing('acc-1', i || '.example.com', pg_temp.n(i || '-used')) FROM unnest('{x-run,x-exp}'::text[]) i \g /dev/null
SELECT revoke_service_id(pg_temp.n(i || '-rev'), 'acc-1') FROM unnest('{x-run,x-exp}'::text[]) i \g /dev/null
UPDATE instance SET status = 'expired' WHERE instance_id = 'x-exp';
UPDATE instance SET status = 'released' WHERE instance_id = 'x-rel';
UPDATE instance SET expires_at = now() - interval '1 minute' WHERE instance_id = 'x-date';
UPDATE instance SET status = 'stopped' WHERE instance_id = 'x-stop';
CREATE TEMP TABLE states_before AS
SELECT number, state FROM service_id.numbers WHERE instance_id NOT LIKE 'x-%';
SELECT is(expire_service_ids(), 4, 'expire_service_ids() returns how many it invalidated: 2 expired + 1 released + 1 past its end date');
SELECT results_eq(
	$$SELECT instance_id, state, count(*)::int FROM service_id.numbers WHERE instance_id LIKE 'x-%'
	   GROUP BY 1, 2 ORDER BY 1, 2$$,
	$$VALUES ('x-date', 'invalid', 1), ('x-exp', 'invalid', 2), ('x-exp', 'revoked', 1), ('x-exp', 'used', 1),
			 ('x-rel', 'invalid', 1), ('x-run', 'revoked', 1), ('x-run', 'unused', 2), ('x-run', 'used', 1),
			 ('x-stop', 'unused', 1)$$,
	'only unused numbers of expired or released instances became invalid; used and revoked ones kept their state');
SELECT set_eq($$SELECT number::text, state FROM service_id.numbers WHERE instance_id NOT LIKE 'x-%'$$,
			  $$SELECT number::text, state FROM states_before$$, 'no other number was touched');
SELECT is(expire_service_ids(), 0, 'a second run finds nothing (safe to schedule)');

SELECT * FROM finish();
ROLLBACK;
