-- Baseline of check_instance: the instance row by primary key.
\set i random(1, :pn)
SELECT * FROM service_id.instance WHERE instance_id = 'p-' || :i;
