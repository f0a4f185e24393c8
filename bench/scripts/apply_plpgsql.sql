-- The PL/pgSQL baseline of apply_service_id (bench/plpgsql_apply.sql), on
-- the same pool of instances in the same order as apply.sql; plbase has
-- counters of its own, so run.sh keeps its own base for it.
-- Variables: k=0, base, nc (clients), lo, n (pool segment).
\set k :k + 1
\set s :base + :client_id + :nc * :k
\set i :lo + permute(:s % :n, :n, :lo)
SELECT plbase.apply_service_id('p-' || :i, 'acct-p-' || :i);
