-- bench/type_costs.sql — the type against uuid, measured inside the server.
-- psql variables: n (values), rounds.  Prints tab-separated lines:
--   parse <round> <scan|uuid|service_id> <ms>
--   index <create|insert> <uuid|service_id> <bytes>
-- Parsing: count(t::T) over :n canonical texts (the same texts for both
-- types: service_id text is uuid text), alternating the order each round;
-- "scan" is count(t), the cost of reading the texts, to subtract.  One
-- backend, no parallel workers, no JIT, the table cached and vacuumed.
-- Index size: a btree over :n random values of each type, built by CREATE
-- INDEX and grown by :n single-row INSERTs in random order.
\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET client_min_messages = warning;

CREATE TABLE bench_parse_src AS
	SELECT service_id.gen_service_id()::text AS t FROM generate_series(1, :n);
VACUUM ANALYZE bench_parse_src;
SELECT count(*) FROM bench_parse_src \g /dev/null

CREATE FUNCTION pg_temp.parse_rounds(rounds int)
RETURNS TABLE (round int, kind text, ms float8) LANGUAGE plpgsql AS $$
DECLARE
	q CONSTANT text[] := ARRAY[
		'SELECT count(t) FROM bench_parse_src',
		'SELECT count(t::uuid) FROM bench_parse_src',
		'SELECT count(t::service_id.service_id) FROM bench_parse_src'];
	k CONSTANT text[] := ARRAY['scan', 'uuid', 'service_id'];
	ord int[];
	i int;
BEGIN
	PERFORM bench_ms(q[2]);			-- warm both paths once
	PERFORM bench_ms(q[3]);
	FOR r IN 1 .. rounds LOOP
		ord := CASE WHEN r % 2 = 1 THEN ARRAY[1, 2, 3] ELSE ARRAY[3, 2, 1] END;
		FOREACH i IN ARRAY ord LOOP
			round := r; kind := k[i]; ms := bench_ms(q[i]);
			RETURN NEXT;
		END LOOP;
	END LOOP;
END $$;

\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SELECT 'parse', round, kind, round(ms::numeric, 3) FROM pg_temp.parse_rounds(:rounds);
DROP TABLE bench_parse_src;

CREATE TABLE bench_ix_uuid AS SELECT gen_random_uuid() AS v FROM generate_series(1, :n);
CREATE TABLE bench_ix_sid AS SELECT service_id.gen_service_id() AS v FROM generate_series(1, :n);
CREATE INDEX bench_ix_uuid_v ON bench_ix_uuid (v);
CREATE INDEX bench_ix_sid_v ON bench_ix_sid (v);
CREATE TABLE bench_ixi_uuid (v uuid);
CREATE TABLE bench_ixi_sid (v service_id.service_id);
CREATE INDEX bench_ixi_uuid_v ON bench_ixi_uuid (v);
CREATE INDEX bench_ixi_sid_v ON bench_ixi_sid (v);
INSERT INTO bench_ixi_uuid SELECT v FROM bench_ix_uuid;
INSERT INTO bench_ixi_sid SELECT v FROM bench_ix_sid;
SELECT 'index', 'create', 'uuid', pg_relation_size('bench_ix_uuid_v')
UNION ALL SELECT 'index', 'create', 'service_id', pg_relation_size('bench_ix_sid_v')
UNION ALL SELECT 'index', 'insert', 'uuid', pg_relation_size('bench_ixi_uuid_v')
UNION ALL SELECT 'index', 'insert', 'service_id', pg_relation_size('bench_ixi_sid_v')
UNION ALL SELECT 'index', 'heap', 'uuid', pg_relation_size('bench_ix_uuid')
UNION ALL SELECT 'index', 'heap', 'service_id', pg_relation_size('bench_ix_sid');
DROP TABLE bench_ix_uuid, bench_ix_sid, bench_ixi_uuid, bench_ixi_sid;
