-- 10_type_properties.sql — the number type service_id.service_id (SPEC section 2)
--
-- Property tests over generated values: text and uuid round trips,
-- uniqueness, the canonical form, rejection of every single hex-digit typo
-- and every swap of two adjacent different hex digits, the input forms uuid
-- accepts, ordering, btree and hash indexes, binary COPY (and validation on
-- binary receive), the casts, is_valid on junk, the 22P02 errors and their
-- details, the operators and the hash support functions.
--
-- Run by pg_prove in a database where neither pgtap nor service_id exists.

\unset ECHO
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_ROLLBACK 1
\set ON_ERROR_STOP 1

BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION service_id;
SET LOCAL search_path = public, service_id;

SELECT plan(93);

-------------------------------------------------------------------------------
-- Helpers (temporary, gone at ROLLBACK)
-------------------------------------------------------------------------------

-- 32 hex digits -> canonical 8-4-4-4-12
CREATE FUNCTION pg_temp.hyphenate(h text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4)
		|| '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12)
$$;

-- Does uuid's input function accept this text?  (PG 15 has no pg_input_is_valid.)
CREATE FUNCTION pg_temp.uuid_accepts(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM t::uuid;
	RETURN true;
EXCEPTION WHEN invalid_text_representation THEN
	RETURN false;
END
$$;

-- Does service_id's input function accept this text?
CREATE FUNCTION pg_temp.sid_accepts(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM t::service_id.service_id;
	RETURN true;
EXCEPTION WHEN invalid_text_representation THEN
	RETURN false;
END
$$;

-- The error an input raises: 'SQLSTATE | message | detail', or 'no error'.
CREATE FUNCTION pg_temp.input_error(expr text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
BEGIN
	EXECUTE 'SELECT ' || expr;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ' | ' || msg || ' | ' || coalesce(det, '<no detail>');
END
$$;

-- The lines of EXPLAIN (costs off) for a query.
CREATE FUNCTION pg_temp.plan_lines(q text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (costs off) ' || q LOOP
		RETURN NEXT l;
	END LOOP;
END
$$;

-- A fresh file name under /tmp for binary COPY (the server runs as postgres).
CREATE TEMP TABLE copy_file AS
SELECT format('/tmp/sid_pgtap_10_%s_%s', pg_backend_pid(),
			  substr(md5(random()::text || clock_timestamp()::text), 1, 12)) AS stem;

-------------------------------------------------------------------------------
-- 1. Type layout: stored like uuid
-------------------------------------------------------------------------------

SELECT is(
	(SELECT row(t.typlen, t.typbyval, t.typalign, t.typstorage)::text FROM pg_type t
	  WHERE t.oid = 'service_id.service_id'::regtype),
	(SELECT row(t.typlen, t.typbyval, t.typalign, t.typstorage)::text FROM pg_type t
	  WHERE t.oid = 'uuid'::regtype),
	'service_id has the length, by-value flag, alignment and storage of uuid (16 bytes)');

-------------------------------------------------------------------------------
-- 2. 10 000 generated values
-------------------------------------------------------------------------------

CREATE TEMP TABLE g AS
SELECT i, service_id.gen_service_id() AS v FROM generate_series(1, 10000) AS i;

SELECT is((SELECT count(*) FROM g WHERE v IS NOT NULL), 10000::bigint,
	'gen_service_id() returned 10 000 non-null values');

SELECT is((SELECT count(DISTINCT v) FROM g), 10000::bigint,
	'the 10 000 generated values are all distinct (service_id equality)');

SELECT is((SELECT count(DISTINCT v::uuid) FROM g), 10000::bigint,
	'the 10 000 generated values are all distinct as uuids');

SELECT is((SELECT count(*) FROM g
		   WHERE v::text !~ '^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
	0::bigint,
	'every generated value prints as a lower-case version 8, RFC variant UUID');

SELECT is((SELECT count(*) FROM g WHERE (v::text)::service_id.service_id = v), 10000::bigint,
	'every value round-trips through text');

SELECT is((SELECT count(*) FROM g
		   WHERE service_id.service_id_in(service_id.service_id_out(v)) = v),
	10000::bigint,
	'every value round-trips through the type''s own output and input functions');

SELECT is((SELECT count(*) FROM g
		   WHERE (v::uuid)::service_id.service_id = v AND v::uuid::text = v::text),
	10000::bigint,
	'every value round-trips through uuid, and prints the same as that uuid');

SELECT is((SELECT count(*) FROM g WHERE service_id.is_valid(v::text)), 10000::bigint,
	'is_valid() accepts every generated value');

SELECT is((SELECT count(*) FROM g WHERE service_id.is_valid(upper(v::text))), 10000::bigint,
	'is_valid() accepts every generated value in upper case');

-- The version and variant are fixed, so the rest must look random: every
-- one of the 28 free hex positions outside the version nibble and the
-- variant digit takes all 16 values across 10 000 numbers.
SELECT is((SELECT count(*) FROM (
			SELECT p FROM g, generate_series(1, 32) AS p
			 WHERE p NOT IN (13, 17)
			 GROUP BY p HAVING count(DISTINCT substr(replace(v::text, '-', ''), p, 1)) = 16) x),
	30::bigint,
	'all 30 hex positions other than the version and variant digits take all 16 values');

SELECT is((SELECT count(DISTINCT substr(v::text, 20, 1)) FROM g), 4::bigint,
	'the variant digit takes all four values 8, 9, a, b');

-------------------------------------------------------------------------------
-- 3. Typos: every single hex-digit substitution and every swap of two
--    adjacent different hex digits of 100 sampled values is rejected.
-------------------------------------------------------------------------------

CREATE TEMP TABLE sample AS
SELECT i, v, replace(v::text, '-', '') AS h FROM g WHERE i <= 100;

CREATE TEMP TABLE typo_sub AS
SELECT s.i, p, d, pg_temp.hyphenate(overlay(s.h PLACING d FROM p FOR 1)) AS t
  FROM sample s,
	   generate_series(1, 32) AS p,
	   regexp_split_to_table('0123456789abcdef', '') AS d
 WHERE substr(s.h, p, 1) <> d;

-- Adjacent in the sequence of 32 digits: this includes the pairs that a
-- hyphen separates in the canonical text (8|9, 12|13, 16|17, 20|21).
CREATE TEMP TABLE typo_swap AS
SELECT s.i, p,
	   pg_temp.hyphenate(substr(s.h, 1, p - 1) || substr(s.h, p + 1, 1) || substr(s.h, p, 1)
						 || substr(s.h, p + 2)) AS t
  FROM sample s, generate_series(1, 31) AS p
 WHERE substr(s.h, p, 1) <> substr(s.h, p + 1, 1);

SELECT is((SELECT count(*) FROM typo_sub), (100 * 32 * 15)::bigint,
	'100 * 32 * 15 = 48000 single-digit substitutions were built');

SELECT cmp_ok((SELECT count(*) FROM typo_swap), '>', (100 * 31 * 3 / 4)::bigint,
	'most of the 100 * 31 adjacent pairs hold different digits and give a swap variant');

SELECT is((SELECT count(*) FROM typo_sub WHERE service_id.is_valid(t)), 0::bigint,
	format('is_valid() rejects all %s single hex-digit substitutions (100 values x 32 positions x 15 digits)',
		   (SELECT count(*) FROM typo_sub)));

SELECT is((SELECT count(*) FROM typo_swap WHERE service_id.is_valid(t)), 0::bigint,
	format('is_valid() rejects all %s swaps of two adjacent different hex digits of 100 values',
		   (SELECT count(*) FROM typo_swap)));

SELECT is((SELECT count(*) FROM typo_sub WHERE service_id.is_valid(upper(t))), 0::bigint,
	'is_valid() rejects the same substitutions typed in upper case');

SELECT is((SELECT count(*) FROM (SELECT t FROM typo_sub UNION ALL SELECT t FROM typo_swap) x
		   WHERE pg_temp.sid_accepts(t)),
	0::bigint,
	format('the text input function rejects all %s variants too (substitutions + swaps)',
		   (SELECT count(*) FROM typo_sub) + (SELECT count(*) FROM typo_swap)));

-- They are rejected by the check, not by the syntax: each variant is still
-- a well-formed uuid.
SELECT is((SELECT count(*) FROM typo_swap WHERE NOT pg_temp.uuid_accepts(t)), 0::bigint,
	'every swap variant is still a well-formed uuid (the check value catches it)');

-------------------------------------------------------------------------------
-- 4. Input forms: what uuid accepts, output canonical
-------------------------------------------------------------------------------

CREATE TEMP TABLE one AS SELECT v, v::text AS t, replace(v::text, '-', '') AS h FROM g WHERE i = 1;

CREATE TEMP TABLE forms AS
SELECT f.name, f.txt
  FROM one, LATERAL (VALUES
	('canonical',              t),
	('upper case',             upper(t)),
	('mixed case',             upper(substr(t, 1, 18)) || substr(t, 19)),
	('no hyphens',             h),
	('no hyphens, upper case', upper(h)),
	('braces',                 '{' || t || '}'),
	('braces, no hyphens',     '{' || h || '}'),
	('braces, upper case',     '{' || upper(t) || '}'),
	('hyphen after every 4',   regexp_replace(h, '(....)(?!$)', '\1-', 'g')),
	('braces, every 4',        '{' || regexp_replace(h, '(....)(?!$)', '\1-', 'g') || '}'),
	('one hyphen after 4',     substr(h, 1, 4) || '-' || substr(h, 5)),
	('one hyphen after 28',    substr(h, 1, 28) || '-' || substr(h, 29))
  ) AS f(name, txt);

SELECT is((SELECT count(*) FROM forms WHERE NOT pg_temp.uuid_accepts(txt)), 0::bigint,
	'sanity: uuid accepts all 12 input forms');

SELECT is(
	(SELECT string_agg(name, ', ' ORDER BY name) FROM forms, one
	  WHERE CASE WHEN service_id.is_valid(txt) THEN (txt::service_id.service_id)::text END
			IS DISTINCT FROM one.t),
	NULL,
	'every form uuid accepts (upper case, no hyphens, braces, hyphen after any group of 4) is accepted and printed canonically');

CREATE TEMP TABLE bad_forms AS
SELECT f.name, f.txt
  FROM one, LATERAL (VALUES
	('leading space',         ' ' || t),
	('trailing space',        t || ' '),
	('open brace only',       '{' || t),
	('close brace only',      t || '}'),
	('hyphen after 2',        substr(h, 1, 2) || '-' || substr(h, 3)),
	('hyphen after 6',        substr(h, 1, 6) || '-' || substr(h, 7)),
	('double hyphen',         substr(h, 1, 8) || '--' || substr(h, 9)),
	('leading hyphen',        '-' || h),
	('trailing hyphen',       h || '-'),
	('31 digits',             substr(h, 1, 31)),
	('33 digits',             h || '0'),
	('urn prefix',            'urn:uuid:' || t),
	('0x prefix',             '0x' || h),
	('g in place of a digit', overlay(t PLACING 'g' FROM 1 FOR 1)),
	('empty',                 ''),
	('braces only',           '{}')
  ) AS f(name, txt);

SELECT is((SELECT count(*) FROM bad_forms WHERE pg_temp.uuid_accepts(txt)), 0::bigint,
	'sanity: uuid rejects all 16 malformed forms');

SELECT is((SELECT string_agg(name, ', ' ORDER BY name) FROM bad_forms
		   WHERE service_id.is_valid(txt) OR pg_temp.sid_accepts(txt)),
	NULL,
	'every malformed form uuid rejects is rejected by is_valid() and by the input function');

-------------------------------------------------------------------------------
-- 5. Ordering equals uuid ordering
-------------------------------------------------------------------------------

SELECT is(
	(SELECT array_agg(v::uuid ORDER BY v) FROM g WHERE i <= 1000),
	(SELECT array_agg(v::uuid ORDER BY v::uuid) FROM g WHERE i <= 1000),
	'ORDER BY service_id gives the uuid order over 1000 values');

SELECT is(
	(SELECT array_agg(v::uuid ORDER BY v DESC) FROM g WHERE i <= 1000),
	(SELECT array_agg(v::uuid ORDER BY v::uuid DESC) FROM g WHERE i <= 1000),
	'ORDER BY service_id DESC gives the uuid order DESC');

SELECT is((SELECT v::text FROM g ORDER BY v LIMIT 1), (SELECT v::uuid::text FROM g ORDER BY v::uuid LIMIT 1),
	'the smallest of 10 000 values is the smallest as uuid');

-------------------------------------------------------------------------------
-- 6. Operators
-------------------------------------------------------------------------------

CREATE TEMP TABLE pairs AS
SELECT a.v AS a, b.v AS b FROM g a JOIN g b ON b.i = a.i + 1 WHERE a.i <= 2000
UNION ALL
SELECT v, v FROM g WHERE i <= 100;		-- equal pairs

SELECT is((SELECT count(*) FROM pairs WHERE (a = b) IS DISTINCT FROM (a::uuid = b::uuid)), 0::bigint,
	'= agrees with uuid = on 2100 pairs (100 of them equal)');
SELECT is((SELECT count(*) FROM pairs WHERE (a <> b) IS DISTINCT FROM (a::uuid <> b::uuid)), 0::bigint,
	'<> agrees with uuid <>');
SELECT is((SELECT count(*) FROM pairs WHERE (a < b) IS DISTINCT FROM (a::uuid < b::uuid)), 0::bigint,
	'< agrees with uuid <');
SELECT is((SELECT count(*) FROM pairs WHERE (a <= b) IS DISTINCT FROM (a::uuid <= b::uuid)), 0::bigint,
	'<= agrees with uuid <=');
SELECT is((SELECT count(*) FROM pairs WHERE (a > b) IS DISTINCT FROM (a::uuid > b::uuid)), 0::bigint,
	'> agrees with uuid >');
SELECT is((SELECT count(*) FROM pairs WHERE (a >= b) IS DISTINCT FROM (a::uuid >= b::uuid)), 0::bigint,
	'>= agrees with uuid >=');
SELECT is((SELECT count(*) FROM pairs
		   WHERE sign(service_id.service_id_cmp(a, b)) IS DISTINCT FROM
				 sign(uuid_cmp(a::uuid, b::uuid))::int),
	0::bigint,
	'the btree comparison function agrees in sign with uuid_cmp');
SELECT is((SELECT count(*) FROM pairs WHERE a = b), 100::bigint,
	'exactly the 100 pairs of a value with itself are equal');
SELECT is((SELECT count(*) FROM pairs
		   WHERE ((a < b)::int + (a = b)::int + (a > b)::int) <> 1
			  OR (a <= b) <> (a < b OR a = b)
			  OR (a >= b) <> (a > b OR a = b)
			  OR (a <> b) = (a = b)),
	0::bigint,
	'trichotomy: exactly one of <, =, > holds, and <=, >=, <> are consistent with them');
SELECT ok((SELECT (v = NULL::service_id.service_id) IS NULL AND (v < NULL::service_id.service_id) IS NULL
			 FROM one),
	'comparisons with NULL yield NULL');

-- Operator catalog properties the planner relies on
SELECT is(
	(SELECT string_agg(format('%s %s %s %s', o.oprname, o.oprcanhash, o.oprcanmerge,
							  coalesce(c.oprname, '-') || '/' || coalesce(n.oprname, '-')),
					   '; ' ORDER BY o.oprname)
	   FROM pg_operator o
	   LEFT JOIN pg_operator c ON c.oid = o.oprcom
	   LEFT JOIN pg_operator n ON n.oid = o.oprnegate
	  WHERE o.oprleft = 'service_id.service_id'::regtype
		AND o.oprright = 'service_id.service_id'::regtype),
	'< f f >/>=; <= f f >=/>; <> f f <>/=; = t t =/<>; > f f </<=; >= f f <=/<',
	'the six operators have the right commutators and negators; = hashes and merges');

-------------------------------------------------------------------------------
-- 7. Hash support
-------------------------------------------------------------------------------

SELECT is(
	(SELECT array_agg(ap.amprocnum ORDER BY ap.amprocnum)
	   FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
	   JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily
	  WHERE oc.opcintype = 'service_id.service_id'::regtype AND oc.opcdefault AND am.amname = 'hash'),
	ARRAY[1, 2]::smallint[],
	'the default hash opclass has support functions 1 (hash) and 2 (hash_extended)');

SELECT is(
	(SELECT array_agg(ap.amprocnum ORDER BY ap.amprocnum)
	   FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
	   JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily
	  WHERE oc.opcintype = 'service_id.service_id'::regtype AND oc.opcdefault AND am.amname = 'btree'),
	ARRAY[1, 2, 4]::smallint[],
	'the default btree opclass has support functions 1 (cmp), 2 (sortsupport) and 4 (equalimage: deduplication)');

SELECT ok((SELECT bool_and(amvalidate(oc.oid)) FROM pg_opclass oc
			WHERE oc.opcintype = 'service_id.service_id'::regtype),
	'amvalidate() accepts both operator classes');

SELECT is((SELECT count(*) FROM g
		   WHERE (service_id.service_id_hash_extended(v, 0) & 4294967295)
				 <> (service_id.service_id_hash(v)::bigint & 4294967295)),
	0::bigint,
	'hash_extended(v, 0) has the low 32 bits of hash(v) for all 10 000 values');

SELECT is((SELECT count(*) FROM g
		   WHERE service_id.service_id_hash(v) <> uuid_hash(v::uuid)
			  OR service_id.service_id_hash_extended(v, 42) <> uuid_hash_extended(v::uuid, 42)),
	0::bigint,
	'hash and hash_extended (seed 42) equal uuid''s for all 10 000 values');

SELECT cmp_ok((SELECT count(*) FROM g
			   WHERE service_id.service_id_hash_extended(v, 1) <> service_id.service_id_hash_extended(v, 0)),
	'>', 9990::bigint,
	'hash_extended depends on its seed');

SELECT is((SELECT count(*) FROM g
		   WHERE service_id.service_id_hash_extended(v, 7)
				 <> service_id.service_id_hash_extended((v::text)::service_id.service_id, 7)),
	0::bigint,
	'equal values (re-parsed) have equal extended hashes');

-------------------------------------------------------------------------------
-- 8. Indexes: btree and hash scans are used and find the right rows
-------------------------------------------------------------------------------

CREATE TEMP TABLE tb (v service_id.service_id);
CREATE TEMP TABLE th (v service_id.service_id);
INSERT INTO tb SELECT v FROM g;
INSERT INTO th SELECT v FROM g;
CREATE INDEX tb_btree ON tb USING btree (v);
CREATE INDEX th_hash ON th USING hash (v);
ANALYZE tb;
ANALYZE th;

-- the 500th smallest value and a value from the middle of g
CREATE TEMP TABLE probe AS
SELECT (SELECT v FROM g ORDER BY v::uuid OFFSET 499 LIMIT 1) AS pivot,
	   (SELECT v FROM g WHERE i = 5000) AS needle;

SET LOCAL enable_seqscan = off;

SELECT ok(EXISTS (SELECT FROM pg_temp.plan_lines(
		format('SELECT * FROM tb WHERE v = %L::service_id.service_id', (SELECT needle FROM probe))) l
		WHERE l ~ 'Index (Only )?Scan (using|on) tb_btree'),
	'equality lookup uses the btree index (EXPLAIN shows an index scan on tb_btree)');

SELECT ok(EXISTS (SELECT FROM pg_temp.plan_lines(
		format('SELECT * FROM tb WHERE v < %L::service_id.service_id', (SELECT pivot FROM probe))) l
		WHERE l ~ 'Index (Only )?Scan (using|on) tb_btree'),
	'range lookup uses the btree index');

SELECT ok(EXISTS (SELECT FROM pg_temp.plan_lines('SELECT v FROM tb ORDER BY v LIMIT 10') l
		WHERE l ~ 'Index (Only )?Scan using tb_btree'),
	'ORDER BY ... LIMIT is served by the btree index');

SELECT ok(EXISTS (SELECT FROM pg_temp.plan_lines(
		format('SELECT * FROM th WHERE v = %L::service_id.service_id', (SELECT needle FROM probe))) l
		WHERE l ~ 'Index (Only )?Scan (using|on) th_hash'),
	'equality lookup uses the hash index (EXPLAIN shows an index scan on th_hash)');

SELECT is((SELECT count(*) FROM tb WHERE v = (SELECT needle FROM probe)), 1::bigint,
	'the btree index finds the one matching row');
SELECT is((SELECT count(*) FROM tb WHERE v < (SELECT pivot FROM probe)), 499::bigint,
	'the btree range scan finds exactly the 499 smaller values');
SELECT is((SELECT array_agg(v::uuid) FROM (SELECT v FROM tb ORDER BY v LIMIT 10) x),
	(SELECT array_agg(u ORDER BY u) FROM (SELECT v::uuid AS u FROM g ORDER BY v::uuid LIMIT 10) x),
	'the btree index returns the 10 smallest values in uuid order');
SELECT is((SELECT count(*) FROM th WHERE v = (SELECT needle FROM probe)), 1::bigint,
	'the hash index finds the one matching row');
SELECT is((SELECT count(*) FROM th WHERE v = service_id.gen_service_id()), 0::bigint,
	'the hash index finds nothing for a fresh value that is not in the table');

-- every value is found through each index (a nested loop over the index)
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_mergejoin = off;
SELECT is((SELECT count(*) FROM sample s JOIN th ON th.v = s.v), 100::bigint,
	'100 sampled values are each found through the hash index');
SELECT is((SELECT count(*) FROM sample s JOIN tb ON tb.v = s.v), 100::bigint,
	'100 sampled values are each found through the btree index');
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_seqscan;

-- A hash join and a merge join over the type agree with the uuid join.
SET LOCAL enable_nestloop = off;
SET LOCAL enable_mergejoin = off;
SELECT is((SELECT count(*) FROM g a JOIN tb b ON a.v = b.v), 10000::bigint,
	'a hash join on service_id matches all 10 000 rows');
RESET enable_mergejoin;
SET LOCAL enable_hashjoin = off;
SELECT is((SELECT count(*) FROM g a JOIN th b ON a.v = b.v), 10000::bigint,
	'a merge join on service_id matches all 10 000 rows');
RESET enable_hashjoin;
RESET enable_nestloop;

-------------------------------------------------------------------------------
-- 9. Binary COPY round trip, and binary receive validates
-------------------------------------------------------------------------------

CREATE TEMP TABLE tcopy (v service_id.service_id);
CREATE TEMP TABLE uuids_bad_version (u uuid);
CREATE TEMP TABLE uuids_bad_check (u uuid);
CREATE TEMP TABLE uuids_good (u uuid);
CREATE TEMP TABLE sid_from_uuid_file (v service_id.service_id);

INSERT INTO uuids_bad_version VALUES ('9b2c4f0e-1d3a-4b5c-8d6e-7f8091a2b3c4');	-- version 4
-- a valid number with its last digit changed: version 8, variant ok, check wrong
INSERT INTO uuids_bad_check
SELECT overlay(t PLACING CASE WHEN right(t, 1) = '0' THEN '1' ELSE '0' END FROM 36 FOR 1)::uuid FROM one;
INSERT INTO uuids_good SELECT v::uuid FROM g WHERE i <= 10;

DO $$
DECLARE
	stem text := (SELECT stem FROM copy_file);
BEGIN
	EXECUTE format('COPY tb TO %L (FORMAT binary)', stem || '_sid.bin');
	EXECUTE format('COPY tcopy FROM %L (FORMAT binary)', stem || '_sid.bin');
	EXECUTE format('COPY uuids_bad_version TO %L (FORMAT binary)', stem || '_v.bin');
	EXECUTE format('COPY uuids_bad_check TO %L (FORMAT binary)', stem || '_c.bin');
	EXECUTE format('COPY uuids_good TO %L (FORMAT binary)', stem || '_g.bin');
END
$$;

SELECT is((SELECT count(*) FROM tcopy), 10000::bigint,
	'binary COPY out and back in keeps all 10 000 rows');
SELECT is((SELECT count(*) FROM (SELECT v FROM tcopy EXCEPT ALL SELECT v FROM tb) x)
		+ (SELECT count(*) FROM (SELECT v FROM tb EXCEPT ALL SELECT v FROM tcopy) x),
	0::bigint,
	'binary COPY round trip: the reloaded table equals the original');

SELECT lives_ok(
	format('COPY sid_from_uuid_file FROM %L (FORMAT binary)', (SELECT stem FROM copy_file) || '_g.bin'),
	'a binary COPY file of a uuid column holding valid numbers loads into a service_id column');
SELECT is((SELECT array_agg(v::uuid ORDER BY v) FROM sid_from_uuid_file),
	(SELECT array_agg(u ORDER BY u) FROM uuids_good),
	'the loaded values equal the uuids written (same 16-byte binary format)');

SELECT throws_like(
	format('COPY tcopy FROM %L (FORMAT binary)', (SELECT stem FROM copy_file) || '_v.bin'),
	'%invalid external "service_id" value%',
	'binary receive refuses a version 4 uuid (invalid external value)');
SELECT throws_ok(
	format('COPY tcopy FROM %L (FORMAT binary)', (SELECT stem FROM copy_file) || '_v.bin'),
	'22P03', NULL,
	'binary receive of a version 4 uuid fails with 22P03');
SELECT throws_ok(
	format('COPY tcopy FROM %L (FORMAT binary)', (SELECT stem FROM copy_file) || '_c.bin'),
	'22P03', NULL,
	'binary receive of a mistyped number (check value wrong) fails with 22P03');
SELECT is((SELECT count(*) FROM tcopy), 10000::bigint,
	'the failed binary loads added no row');

SELECT is(
	(SELECT count(*) FROM g WHERE service_id.service_id_send(v) = uuid_send(v::uuid)),
	10000::bigint,
	'binary send output equals uuid''s send output for all 10 000 values');

-- Remove the files (the server, running as postgres, wrote them).
DO $$
BEGIN
	EXECUTE format('COPY (SELECT 1 WHERE false) TO PROGRAM %L',
				   'rm -f ' || (SELECT stem FROM copy_file) || '_*.bin');
END
$$;

-------------------------------------------------------------------------------
-- 10. Casts
-------------------------------------------------------------------------------

SELECT is(
	(SELECT string_agg(format('%s->%s %s %s', s.typname, t.typname, c.castcontext, c.castmethod), '; '
					   ORDER BY s.typname, t.typname)
	   FROM pg_cast c
	   JOIN pg_type s ON s.oid = c.castsource
	   JOIN pg_type t ON t.oid = c.casttarget
	  WHERE 'service_id.service_id'::regtype IN (c.castsource, c.casttarget)),
	'service_id->text a f; service_id->uuid a b; text->service_id e f; uuid->service_id e f',
	'casts: to uuid binary-coercible (method b), to text by function, from text and uuid explicit only and by function');

SELECT is((SELECT (v::text)::service_id.service_id::text FROM one), (SELECT t FROM one),
	'text -> service_id explicit cast accepts a valid number');
SELECT is((SELECT (v::uuid)::service_id.service_id::text FROM one), (SELECT t FROM one),
	'uuid -> service_id explicit cast accepts a valid number');
SELECT is((SELECT v::uuid FROM one), (SELECT t::uuid FROM one),
	'service_id -> uuid cast gives the same uuid');
SELECT is((SELECT text(v) FROM one), (SELECT t FROM one),
	'service_id -> text cast gives the canonical text');

SELECT throws_ok(
	$$SELECT '9b2c4f0e-1d3a-4b5c-8d6e-7f8091a2b3c4'::text::service_id.service_id$$,
	'22P02', NULL, 'text -> service_id refuses a version 4 uuid text with 22P02');
SELECT throws_ok(
	$$SELECT '9b2c4f0e-1d3a-4b5c-8d6e-7f8091a2b3c4'::uuid::service_id.service_id$$,
	'22P02', NULL, 'uuid -> service_id refuses a version 4 uuid with 22P02');
SELECT throws_ok(
	format('SELECT %L::uuid::service_id.service_id', (SELECT u FROM uuids_bad_check)),
	'22P02', NULL, 'uuid -> service_id refuses a version 8 uuid whose check value is wrong with 22P02');
SELECT throws_ok(
	$$SELECT 'not a number'::text::service_id.service_id$$,
	'22P02', NULL, 'text -> service_id refuses junk with 22P02');
SELECT throws_ok(
	$$SELECT gen_random_uuid()::service_id.service_id$$,
	'22P02', NULL, 'gen_random_uuid() (version 4) never passes for a service_id');
SELECT throws_ok(
	$$SELECT '00000000-0000-0000-0000-000000000000'::uuid::service_id.service_id$$,
	'22P02', NULL, 'the nil uuid is not a service_id');

-------------------------------------------------------------------------------
-- 11. 22P02 with an errdetail naming the failed check
-------------------------------------------------------------------------------

SELECT matches(pg_temp.input_error($$'not-a-number'::service_id.service_id$$),
	'^22P02 \| invalid input syntax for type service_id: "not-a-number" \| .*hexadecimal digits',
	'malformed text: 22P02, core''s wording, detail about digits/length');

SELECT matches(pg_temp.input_error(format('%L::service_id.service_id', (SELECT h || 'ab' FROM one))),
	'^22P02 \| invalid input syntax for type service_id: "\.\.\.[0-9a-f]{4}" \| .*hexadecimal digits',
	'34 digits: 22P02, only the last four shown, detail about the length/characters check');

SELECT matches(pg_temp.input_error($$'9b2c4f0e-1d3a-4b5c-8d6e-7f8091a2b3c4'::service_id.service_id$$),
	'^22P02 \| invalid input syntax for type service_id: "\.\.\.b3c4" \| .*version 8.*variant',
	'version 4 uuid: 22P02, only the last four shown, detail about the version/variant check');

SELECT matches(pg_temp.input_error(format('%L::service_id.service_id',
		(SELECT overlay(t PLACING '0' FROM 20 FOR 1) FROM one))),
	'^22P02 \| invalid input syntax for type service_id: "[^"]+" \| .*version 8.*variant',
	'version 8 but NCS variant (digit 0): 22P02, detail about the version/variant check');

SELECT matches(pg_temp.input_error(format('%L::service_id.service_id', (SELECT t FROM typo_sub
		WHERE i = 1 AND p = 32 LIMIT 1))),
	'^22P02 \| invalid input syntax for type service_id: "[^"]+" \| .*[Cc]heck value',
	'mistyped digit: 22P02, detail about the check value');

SELECT matches(pg_temp.input_error(format('%L::uuid::service_id.service_id', (SELECT u FROM uuids_bad_check))),
	'^22P02 \| invalid input syntax for type service_id: "\.\.\.[0-9a-f]{4}" \| .*[Cc]heck value',
	'uuid cast of a wrong check value: 22P02, only the last four shown, detail about the check value');

SELECT is(
	(SELECT count(DISTINCT split_part(e, ' | ', 3)) FROM (VALUES
		(pg_temp.input_error($$'xyz'::service_id.service_id$$)),
		(pg_temp.input_error($$'9b2c4f0e-1d3a-4b5c-8d6e-7f8091a2b3c4'::service_id.service_id$$)),
		(pg_temp.input_error(format('%L::service_id.service_id', (SELECT t FROM typo_swap WHERE i = 1 LIMIT 1))))
	) x(e)),
	3::bigint,
	'the three failure kinds have three different details');

-------------------------------------------------------------------------------
-- 12. is_valid() never raises
-------------------------------------------------------------------------------

SELECT is(service_id.is_valid(''), false, 'is_valid('''') is false');
SELECT is(service_id.is_valid(repeat('a', 5000)), false, 'is_valid() of 5000 characters is false');
SELECT is((SELECT service_id.is_valid(t || repeat('0', 4964)) FROM one), false,
	'is_valid() of a valid number followed by 4964 more characters (5000 in all) is false');
SELECT is((SELECT service_id.is_valid(t || E'\n') FROM one), false,
	'is_valid() of a valid number followed by a newline is false');
SELECT is(service_id.is_valid(NULL), NULL, 'is_valid(NULL) is NULL');

-- 2000 strings of 0..80 random characters: any code point but 0 (and
-- the surrogates, which chr() refuses) in a UTF8 database, else bytes 1..255
CREATE TEMP TABLE junk AS
SELECT k, coalesce((
		SELECT string_agg(chr(CASE
				WHEN r < 0.5 THEN 1 + floor(random() * 127)::int
				WHEN getdatabaseencoding() <> 'UTF8' THEN 128 + floor(random() * 128)::int
				WHEN r < 0.8 THEN 128 + floor(random() * (55296 - 128))::int
				ELSE 57344 + floor(random() * (1114112 - 57344))::int END), '')
		  FROM (SELECT random() AS r FROM generate_series(1, k % 81)) c), '') AS s
  FROM generate_series(1, 2000) AS k;

SELECT cmp_ok((SELECT count(*) FROM junk WHERE s ~ '[^\x01-\x7f]'), '>', 1500::bigint,
	'sanity: most random strings hold characters beyond ASCII');
SELECT lives_ok('SELECT count(*) FROM junk WHERE service_id.is_valid(s)',
	'is_valid() raises no error on 2000 strings of random code points');
SELECT is((SELECT count(*) FROM junk WHERE service_id.is_valid(s)), 0::bigint,
	'is_valid() rejects all 2000 random strings');

-- 10 000 random texts of the right shape (version 8, RFC variant), so only
-- the check value can reject them (the chance one is valid is 2^-32 each).
SELECT is((SELECT count(*) FROM (
			SELECT pg_temp.hyphenate(substr(md5(k::text || random()::text), 1, 12) || '8'
				   || substr(md5(random()::text), 1, 3)
				   || substr('89ab', 1 + floor(random() * 4)::int, 1)
				   || substr(md5(random()::text), 1, 15)) AS t
			  FROM generate_series(1, 10000) AS k) x
		   WHERE service_id.is_valid(t)),
	0::bigint,
	'is_valid() rejects 10 000 random well-shaped version 8 texts (wrong check values)');

SELECT * FROM finish();
ROLLBACK;
