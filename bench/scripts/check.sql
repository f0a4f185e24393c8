-- check_instance on a random instance p-1..p-PN, asked by its purchaser.
\set i random(1, :pn)
SELECT * FROM service_id.check_instance('p-' || :i, 'acct-p-' || :i);
