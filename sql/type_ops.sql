--
-- type_ops: comparison, sorting like uuid, btree and hash indexes.
--
SET search_path = service_id, public;

CREATE TABLE sid_ops (n service_id);
INSERT INTO sid_ops VALUES
	('75f275a7-d3f3-8065-a264-332d498f3462'), ('1ccedcac-09a1-82f9-bb5e-7216909219ed'),
	('58f70f5e-cd27-8aca-942d-a78b19eb4dfa'), ('d0e8a046-6a11-8832-aad7-cb66f1b5035f'),
	('35fd7ac6-3f3e-8345-99c2-f124b645749b'), ('6466da6b-03eb-8013-b93e-3d0c0c0ada3e'),
	('6ae336f5-f7fd-8a04-8527-1706131c6556'), ('2ae994e9-3ed9-833b-91c5-ab608433d7c5'),
	('5af92538-642e-8930-9556-f5a00464a4d5'), ('8dd79f89-f307-84c9-bc2c-da50465c5186');

SELECT n FROM sid_ops ORDER BY n;
-- the same order as uuid's
SELECT array_agg(n ORDER BY n)::text = array_agg(n ORDER BY n::uuid)::text AS same_order FROM sid_ops;

SELECT a.n < b.n AS lt, a.n <= b.n AS le, a.n = b.n AS eq, a.n <> b.n AS ne,
       a.n >= b.n AS ge, a.n > b.n AS gt
  FROM (VALUES ('35fd7ac6-3f3e-8345-99c2-f124b645749b'::service_id)) a(n),
       (VALUES ('35fd7ac6-3f3e-8345-99c2-f124b645749b'::service_id),
               ('6466da6b-03eb-8013-b93e-3d0c0c0ada3e'::service_id),
               ('2ae994e9-3ed9-833b-91c5-ab608433d7c5'::service_id)) b(n);

SELECT count(DISTINCT n), count(DISTINCT service_id_hash(n)) FROM sid_ops;
-- as for every core type, the extended hash with seed 0 agrees with the
-- plain hash in its low 32 bits; other seeds give other hashes
SELECT bool_and((service_id_hash(n)::int8 & 4294967295) =
                (service_id_hash_extended(n, 0) & 4294967295)) AS seed_0_agrees,
       bool_and(service_id_hash_extended(n, 0) <> service_id_hash_extended(n, 1)) AS seed_1_differs
  FROM sid_ops;

-- indexes
CREATE INDEX sid_ops_btree ON sid_ops USING btree (n);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM sid_ops WHERE n = '58f70f5e-cd27-8aca-942d-a78b19eb4dfa';
SELECT * FROM sid_ops WHERE n = '58f70f5e-cd27-8aca-942d-a78b19eb4dfa';
EXPLAIN (COSTS OFF) SELECT * FROM sid_ops WHERE n > '8dd79f89-f307-84c9-bc2c-da50465c5186';
SELECT * FROM sid_ops WHERE n > '8dd79f89-f307-84c9-bc2c-da50465c5186';
DROP INDEX sid_ops_btree;
CREATE INDEX sid_ops_hash ON sid_ops USING hash (n);
EXPLAIN (COSTS OFF) SELECT * FROM sid_ops WHERE n = '58f70f5e-cd27-8aca-942d-a78b19eb4dfa';
SELECT * FROM sid_ops WHERE n = '58f70f5e-cd27-8aca-942d-a78b19eb4dfa';
RESET enable_seqscan;
RESET enable_bitmapscan;

-- hash join and merge join both work
SET enable_mergejoin = off;
SELECT count(*) FROM sid_ops a JOIN sid_ops b USING (n);
RESET enable_mergejoin;
SET enable_hashjoin = off;
SELECT count(*) FROM sid_ops a JOIN sid_ops b USING (n);
RESET enable_hashjoin;

-- a primary key and a unique violation
CREATE TABLE sid_pk (n service_id PRIMARY KEY);
INSERT INTO sid_pk SELECT n FROM sid_ops;
INSERT INTO sid_pk VALUES ('75f275a7-d3f3-8065-a264-332d498f3462');
DROP TABLE sid_ops, sid_pk;
