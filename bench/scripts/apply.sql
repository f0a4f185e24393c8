-- apply_service_id on a random instance of the eligible pool p-LO..p-(LO+N-1).
-- Slot s (client c's k-th transaction: base + c + nc*k) maps to instance
-- LO + permute(s mod N, N, LO): a pseudo-random order that visits every
-- instance once per N slots, so as long as run.sh keeps every slot below
-- 5*N no instance is asked for a sixth number (the allowance is 5).  The
-- seed is fixed (LO): pgbench's default seed differs from run to run, and
-- the order must stay the same across the runs that share a segment.
-- Variables: k=0, base, nc (clients), lo, n (pool segment).
\set k :k + 1
\set s :base + :client_id + :nc * :k
\set i :lo + permute(:s % :n, :n, :lo)
SELECT service_id.apply_service_id('p-' || :i, 'acct-p-' || :i);
