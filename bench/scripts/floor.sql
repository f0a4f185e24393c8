-- The floor: one INSERT of a uuid-keyed row per transaction.
\set i random(1, :pn)
INSERT INTO bench_floor (id, instance_id, account_id)
VALUES (gen_random_uuid(), 'p-' || :i, 'acct-p-' || :i);
