-- Baseline of register_filing: the same queue read (own sequence, wrapping
-- over the :qn positions; the number is fetched from the heap as the
-- subject's is), the same website text, then the floor's INSERT.
INSERT INTO bench_floor (id, instance_id, account_id)
SELECT gen_random_uuid(), 'w' || q.id || '.example.com', 'f-' || q.id
  FROM bench_queue q
 WHERE q.id = (SELECT 1 + nextval('bench_pos_b') % :qn) AND q.number IS NOT NULL;
