-- register_filing with a fresh pre-issued number: queue position v =
-- nextval('bench_pos'), website wV.example.com, filing account f-V.
SELECT service_id.register_filing('f-' || q.id, 'w' || q.id || '.example.com', q.number)
  FROM bench_queue q
 WHERE q.id = (SELECT nextval('bench_pos'));
