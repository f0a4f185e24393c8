-- bench/setup.sql — what the benchmark needs beside the extension, in each
-- database it uses.  Run by bench/run.sh; not part of the extension.

CREATE EXTENSION IF NOT EXISTS service_id;

-- The floor: the cheapest durable write a number could cost — one row keyed
-- by a random 16-byte value, shaped like service_id.number_store (key, the
-- instance, the account, a timestamp), with its primary-key index.
CREATE TABLE bench_floor (
	id uuid PRIMARY KEY,
	instance_id text NOT NULL,
	account_id text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- Pre-issued numbers for register_filing, one per transaction.  Position v
-- is taken with nextval('bench_pos') (the same v names the website, so
-- websites are unique); the subject never reuses a position.  Its baseline
-- reads the same table through its own sequence, wrapping, and writes the
-- floor's row instead of a filing.
CREATE TABLE bench_queue (
	id bigint PRIMARY KEY,
	number service_id.service_id NOT NULL
);
CREATE SEQUENCE bench_pos;
CREATE SEQUENCE bench_pos_b;

-- Milliseconds one statement takes inside the server.
CREATE FUNCTION bench_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE q;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
