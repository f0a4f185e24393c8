/* service_id--1.2.sql — ICP-filing service identification numbers, version 1.2 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION service_id" to load this file. \quit

-- The schema must be the installing role's own.  CREATE EXTENSION adopts a
-- schema service_id that already exists; had another role made it, that
-- role could later drop it, and every number, filing and audit row with it.
DO $guard$
DECLARE
	owner pg_catalog.oid := (SELECT nspowner FROM pg_catalog.pg_namespace
							  WHERE nspname OPERATOR(pg_catalog.=) 'service_id');
BEGIN
	IF owner OPERATOR(pg_catalog.<>) (SELECT oid FROM pg_catalog.pg_roles
									   WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		RAISE EXCEPTION 'schema service_id is owned by role %, not by %, the role installing the extension',
			pg_catalog.pg_get_userbyid(owner), current_user
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Its owner could drop the schema, and every number, filing and audit row in it.',
				  HINT = 'Drop that schema, or have its owner hand it over (ALTER SCHEMA service_id OWNER TO ...), then install again.';
	END IF;
END
$guard$;

-----------------------------------------------------------------------------
-- 1. The number type (SPEC section 2)
-----------------------------------------------------------------------------

CREATE TYPE service_id.service_id;

CREATE FUNCTION service_id.service_id_in(cstring) RETURNS service_id.service_id
	AS 'MODULE_PATHNAME', 'service_id_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_out(service_id.service_id) RETURNS cstring
	AS 'MODULE_PATHNAME', 'service_id_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_recv(internal) RETURNS service_id.service_id
	AS 'MODULE_PATHNAME', 'service_id_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_send(service_id.service_id) RETURNS bytea
	AS 'MODULE_PATHNAME', 'service_id_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE service_id.service_id (
	INTERNALLENGTH = 16,
	INPUT = service_id.service_id_in,
	OUTPUT = service_id.service_id_out,
	RECEIVE = service_id.service_id_recv,
	SEND = service_id.service_id_send,
	ALIGNMENT = char,
	STORAGE = plain
);
COMMENT ON TYPE service_id.service_id IS
	'ICP-filing service identification number: a version-8 UUID carrying 90 random bits and a CRC-32C check';

CREATE FUNCTION service_id.service_id_eq(service_id.service_id, service_id.service_id) RETURNS bool
	AS 'MODULE_PATHNAME', 'service_id_eq' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_ne(service_id.service_id, service_id.service_id) RETURNS bool
	AS 'MODULE_PATHNAME', 'service_id_ne' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_lt(service_id.service_id, service_id.service_id) RETURNS bool
	AS 'MODULE_PATHNAME', 'service_id_lt' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_le(service_id.service_id, service_id.service_id) RETURNS bool
	AS 'MODULE_PATHNAME', 'service_id_le' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_gt(service_id.service_id, service_id.service_id) RETURNS bool
	AS 'MODULE_PATHNAME', 'service_id_gt' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_ge(service_id.service_id, service_id.service_id) RETURNS bool
	AS 'MODULE_PATHNAME', 'service_id_ge' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_cmp(service_id.service_id, service_id.service_id) RETURNS int4
	AS 'MODULE_PATHNAME', 'service_id_cmp' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_sortsupport(internal) RETURNS void
	AS 'MODULE_PATHNAME', 'service_id_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_hash(service_id.service_id) RETURNS int4
	AS 'MODULE_PATHNAME', 'service_id_hash' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION service_id.service_id_hash_extended(service_id.service_id, int8) RETURNS int8
	AS 'MODULE_PATHNAME', 'service_id_hash_extended' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE OPERATOR service_id.= (
	LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
	PROCEDURE = service_id.service_id_eq,
	COMMUTATOR = OPERATOR(service_id.=), NEGATOR = OPERATOR(service_id.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR service_id.<> (
	LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
	PROCEDURE = service_id.service_id_ne,
	COMMUTATOR = OPERATOR(service_id.<>), NEGATOR = OPERATOR(service_id.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR service_id.< (
	LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
	PROCEDURE = service_id.service_id_lt,
	COMMUTATOR = OPERATOR(service_id.>), NEGATOR = OPERATOR(service_id.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR service_id.<= (
	LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
	PROCEDURE = service_id.service_id_le,
	COMMUTATOR = OPERATOR(service_id.>=), NEGATOR = OPERATOR(service_id.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR service_id.> (
	LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
	PROCEDURE = service_id.service_id_gt,
	COMMUTATOR = OPERATOR(service_id.<), NEGATOR = OPERATOR(service_id.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR service_id.>= (
	LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
	PROCEDURE = service_id.service_id_ge,
	COMMUTATOR = OPERATOR(service_id.<=), NEGATOR = OPERATOR(service_id.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS service_id.service_id_ops
	DEFAULT FOR TYPE service_id.service_id USING btree AS
		OPERATOR 1 service_id.<,
		OPERATOR 2 service_id.<=,
		OPERATOR 3 service_id.=,
		OPERATOR 4 service_id.>=,
		OPERATOR 5 service_id.>,
		FUNCTION 1 service_id.service_id_cmp(service_id.service_id, service_id.service_id),
		FUNCTION 2 service_id.service_id_sortsupport(internal),
		FUNCTION 4 pg_catalog.btequalimage(oid);

CREATE OPERATOR CLASS service_id.service_id_hash_ops
	DEFAULT FOR TYPE service_id.service_id USING hash AS
		OPERATOR 1 service_id.=,
		FUNCTION 1 service_id.service_id_hash(service_id.service_id),
		FUNCTION 2 service_id.service_id_hash_extended(service_id.service_id, int8);

-- Casts: to uuid without a function (same 16 bytes), to text; from text and
-- uuid only explicitly, and validating.
CREATE FUNCTION service_id.service_id(text) RETURNS service_id.service_id
	AS 'MODULE_PATHNAME', 'service_id_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION service_id.service_id(uuid) RETURNS service_id.service_id
	AS 'MODULE_PATHNAME', 'service_id_from_uuid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION service_id.text(service_id.service_id) RETURNS text
	AS 'MODULE_PATHNAME', 'service_id_to_text' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE CAST (service_id.service_id AS uuid) WITHOUT FUNCTION AS ASSIGNMENT;
CREATE CAST (service_id.service_id AS text)
	WITH FUNCTION service_id.text(service_id.service_id) AS ASSIGNMENT;
CREATE CAST (text AS service_id.service_id)
	WITH FUNCTION service_id.service_id(text);
CREATE CAST (uuid AS service_id.service_id)
	WITH FUNCTION service_id.service_id(uuid);

CREATE FUNCTION service_id.is_valid(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'service_id_is_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION service_id.is_valid(text) IS
	'true when the text is a well-formed service identification number (format, version, check value); never raises';

CREATE FUNCTION service_id.valid_identifier(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'sid_valid_identifier' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION service_id.valid_identifier(text) IS
	'true for an account, instance, shop or region id: 1 to 255 characters, none of them white space or a control character (the rule of the API and of the tables'' CHECKs)';

CREATE FUNCTION service_id.gen_service_id() RETURNS service_id.service_id
	AS 'MODULE_PATHNAME', 'service_id_generate' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION service_id.gen_service_id() IS
	'a fresh random valid number, recorded nowhere (the apply functions use the same generator)';

COMMENT ON FUNCTION service_id.service_id_in(cstring) IS 'text input: the forms uuid accepts, validated (version 8, RFC variant, check value)';
COMMENT ON FUNCTION service_id.service_id_out(service_id.service_id) IS 'text output: canonical lower-case 8-4-4-4-12';
COMMENT ON FUNCTION service_id.service_id_recv(internal) IS 'binary input: 16 bytes, validated like text input';
COMMENT ON FUNCTION service_id.service_id_send(service_id.service_id) IS 'binary output: the 16 bytes';
COMMENT ON FUNCTION service_id.service_id_eq(service_id.service_id, service_id.service_id) IS 'implementation of = (uuid order)';
COMMENT ON FUNCTION service_id.service_id_ne(service_id.service_id, service_id.service_id) IS 'implementation of <> (uuid order)';
COMMENT ON FUNCTION service_id.service_id_lt(service_id.service_id, service_id.service_id) IS 'implementation of < (uuid order)';
COMMENT ON FUNCTION service_id.service_id_le(service_id.service_id, service_id.service_id) IS 'implementation of <= (uuid order)';
COMMENT ON FUNCTION service_id.service_id_gt(service_id.service_id, service_id.service_id) IS 'implementation of > (uuid order)';
COMMENT ON FUNCTION service_id.service_id_ge(service_id.service_id, service_id.service_id) IS 'implementation of >= (uuid order)';
COMMENT ON FUNCTION service_id.service_id_cmp(service_id.service_id, service_id.service_id) IS 'btree comparison support (uuid order)';
COMMENT ON FUNCTION service_id.service_id_sortsupport(internal) IS 'btree sort support: a comparator without the fmgr round trip';
COMMENT ON FUNCTION service_id.service_id_hash(service_id.service_id) IS 'hash support (the hash uuid uses)';
COMMENT ON FUNCTION service_id.service_id_hash_extended(service_id.service_id, int8) IS 'seeded hash support';
COMMENT ON FUNCTION service_id.service_id(text) IS 'explicit cast from text, validating';
COMMENT ON FUNCTION service_id.service_id(uuid) IS 'explicit cast from uuid, validating';
COMMENT ON FUNCTION service_id.text(service_id.service_id) IS 'cast to text, canonical form';

-----------------------------------------------------------------------------
-- 2. Catalogs (configuration; DBAs may edit them)
-----------------------------------------------------------------------------

CREATE TABLE service_id.product (
	product text PRIMARY KEY CHECK (product ~ '^[a-z][a-z0-9_]*$'),
	allowance int NOT NULL CHECK (allowance >= 0),
	requires_subscription bool NOT NULL DEFAULT true,
	min_total_months int NOT NULL DEFAULT 0 CHECK (min_total_months >= 0),
	min_remaining_days int NOT NULL DEFAULT 0 CHECK (min_remaining_days >= 0),
	requires_public_ip bool NOT NULL DEFAULT true,
	hint text
);
COMMENT ON TABLE service_id.product IS
	'one row per cloud product: how many numbers an instance of it allows and what it must satisfy';
COMMENT ON COLUMN service_id.product.allowance IS 'numbers per instance; 0 = product not supported';
COMMENT ON COLUMN service_id.product.requires_subscription IS 'instance must be billed by subscription, not trial';
COMMENT ON COLUMN service_id.product.min_total_months IS 'minimum subscription length in months, renewals included';
COMMENT ON COLUMN service_id.product.min_remaining_days IS 'minimum days left before expiry';
COMMENT ON COLUMN service_id.product.requires_public_ip IS 'instance must have a public IP address';
COMMENT ON COLUMN service_id.product.hint IS 'what to do instead, shown when an instance of this product is refused';

INSERT INTO service_id.product VALUES
	('ecs', 5, true, 3, 0, true, NULL),
	('simple_application_server', 5, true, 3, 0, true, NULL),
	('slb', 0, false, 0, 0, false,
	 'SLB instances are not eligible. Apply with the ECS instance behind the load balancer.'),
	('ack', 0, false, 0, 0, false,
	 'ACK clusters are not eligible. Apply through an eligible ECS instance of the same account.'),
	('acs', 0, false, 0, 0, false,
	 'ACS is not eligible. Apply through an eligible ECS instance of the same account.'),
	('oss', 0, false, 0, 0, false,
	 'OSS needs no service identification number. The domain only needs an ICP filing number.'),
	('cdn', 0, false, 0, 0, false,
	 'CDN needs no service identification number. The domain only needs an ICP filing number.');

CREATE TABLE service_id.region (
	region text PRIMARY KEY CHECK (service_id.valid_identifier(region)),
	mainland bool NOT NULL DEFAULT false
);
COMMENT ON TABLE service_id.region IS 'regions; only mainland-China regions qualify, unknown regions count as not mainland';
COMMENT ON COLUMN service_id.region.mainland IS 'true for a mainland-China region';

INSERT INTO service_id.region VALUES
	('cn-qingdao', true), ('cn-beijing', true), ('cn-zhangjiakou', true),
	('cn-huhehaote', true), ('cn-wulanchabu', true), ('cn-hangzhou', true),
	('cn-shanghai', true), ('cn-nanjing', true), ('cn-fuzhou', true),
	('cn-wuhan-lr', true), ('cn-shenzhen', true), ('cn-heyuan', true),
	('cn-guangzhou', true), ('cn-chengdu', true),
	('cn-hongkong', false), ('ap-southeast-1', false), ('us-west-1', false),
	('eu-central-1', false);

-----------------------------------------------------------------------------
-- 3. Instances (written by the application)
-----------------------------------------------------------------------------

CREATE TABLE service_id.instance (
	instance_id text PRIMARY KEY CHECK (service_id.valid_identifier(instance_id)),
	account_id text NOT NULL CHECK (service_id.valid_identifier(account_id)),
	product text NOT NULL REFERENCES service_id.product,
	region text NOT NULL,
	billing text NOT NULL CHECK (billing IN ('subscription', 'pay_as_you_go')),
	subscribed_months int NOT NULL DEFAULT 0 CHECK (subscribed_months >= 0),
	expires_at timestamptz,
	public_ip inet,
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'running', 'stopped', 'expired', 'released')),
	trial bool NOT NULL DEFAULT false
);
CREATE INDEX instance_account ON service_id.instance (account_id);
COMMENT ON TABLE service_id.instance IS
	'cloud instances, written by the application; released, never deleted once they have numbers or filings';
COMMENT ON COLUMN service_id.instance.account_id IS 'the account that purchased the instance';
COMMENT ON COLUMN service_id.instance.billing IS 'subscription or pay_as_you_go';
COMMENT ON COLUMN service_id.instance.subscribed_months IS 'total subscription length, renewals included';
COMMENT ON COLUMN service_id.instance.expires_at IS 'end of the subscription; null = no end';
COMMENT ON COLUMN service_id.instance.public_ip IS 'public IP address; null = no public bandwidth';
COMMENT ON COLUMN service_id.instance.status IS 'pending, running, stopped, expired or released';
COMMENT ON COLUMN service_id.instance.trial IS 'true for a free trial';

-- The allowance counter: one row per instance, made, re-keyed and deleted
-- with its instance, and counting its unused and used numbers and direct
-- filings.  Every writer of something it counts, and every change of the
-- instance's id, purchaser or product, updates the row first: it is the
-- instance's lock (src/sid_counter.h).  Written by the C code alone, so it
-- has no foreign key (whose cascades would be statements) and a trigger
-- refuses every statement on it.  Derived data: not dumped; the triggers
-- rebuild it as a restore loads the tables.  Room on each page keeps its
-- updates HOT, and few rows a page keep the pruning of its dead versions,
-- which every claim leaves, short.
CREATE TABLE service_id.instance_usage (
	instance_id text PRIMARY KEY,
	consumed int NOT NULL DEFAULT 0 CHECK (consumed >= 0)
) WITH (fillfactor = 20);
COMMENT ON TABLE service_id.instance_usage IS
	'allowance slots consumed per instance: unused and used numbers plus direct filings; kept by service_id, never by hand';
COMMENT ON COLUMN service_id.instance_usage.consumed IS 'unused and used numbers plus direct filings of the instance';

-----------------------------------------------------------------------------
-- 4. Numbers, filings, audit (reached through the API and the views)
-----------------------------------------------------------------------------

-- The foreign keys to instance are deferred so that the guards, which run
-- at once, answer first (with SPEC's SQLSTATEs); they stay because pg_dump
-- orders the data of an extension's tables by their foreign keys.
CREATE TABLE service_id.number_store (
	number service_id.service_id PRIMARY KEY,
	instance_id text NOT NULL REFERENCES service_id.instance DEFERRABLE INITIALLY DEFERRED,
	applicant text NOT NULL,
	grantee text,
	state text NOT NULL DEFAULT 'unused'
		CHECK (state IN ('unused', 'used', 'revoked', 'invalid')),
	applied_at timestamptz NOT NULL DEFAULT now(),
	state_changed_at timestamptz,
	CHECK ((state = 'unused') = (state_changed_at IS NULL))
);
CREATE INDEX number_store_instance ON service_id.number_store (instance_id);
CREATE INDEX number_store_grantee ON service_id.number_store (grantee)
	WHERE grantee IS NOT NULL;
COMMENT ON TABLE service_id.number_store IS
	'every number ever issued; rows are never deleted and move only unused -> used, revoked or invalid; read it through service_id.numbers';
COMMENT ON COLUMN service_id.number_store.applicant IS 'the purchasing account that applied';
COMMENT ON COLUMN service_id.number_store.grantee IS 'the only account that may file with it, if named';
COMMENT ON COLUMN service_id.number_store.state IS 'unused, used, revoked or invalid';
COMMENT ON COLUMN service_id.number_store.state_changed_at IS 'when it left unused';

CREATE SEQUENCE service_id.filing_id_seq;
CREATE TABLE service_id.filing_store (
	filing_id bigint PRIMARY KEY DEFAULT nextval('service_id.filing_id_seq'),
	account_id text NOT NULL,
	website text NOT NULL,
	method text NOT NULL CHECK (method IN ('service_id', 'direct', 'trustpass')),
	number service_id.service_id
		CONSTRAINT filing_store_number_used_once UNIQUE
		REFERENCES service_id.number_store,
	instance_id text REFERENCES service_id.instance DEFERRABLE INITIALLY DEFERRED,
	shop_id text,
	status text NOT NULL DEFAULT 'active'
		CHECK (status IN ('active', 'cancelled', 'access_removed')),
	created_at timestamptz NOT NULL DEFAULT now(),
	ended_at timestamptz,
	CHECK (CASE method
		   WHEN 'service_id' THEN number IS NOT NULL AND instance_id IS NOT NULL AND shop_id IS NULL
		   WHEN 'direct' THEN number IS NULL AND instance_id IS NOT NULL AND shop_id IS NULL
		   ELSE number IS NULL AND instance_id IS NULL AND shop_id IS NOT NULL END),
	CHECK ((status = 'active') = (ended_at IS NULL))
);
ALTER SEQUENCE service_id.filing_id_seq OWNED BY service_id.filing_store.filing_id;
CREATE UNIQUE INDEX filing_store_one_active_per_website
	ON service_id.filing_store (website) WHERE status = 'active';
COMMENT ON TABLE service_id.filing_store IS
	'every ICP filing; rows are never deleted, status moves only active -> cancelled or access_removed; read it through service_id.filings';
COMMENT ON COLUMN service_id.filing_store.website IS 'the website, a lower-cased domain name';
COMMENT ON COLUMN service_id.filing_store.method IS 'service_id, direct or trustpass';
COMMENT ON COLUMN service_id.filing_store.status IS 'active, cancelled or access_removed';

CREATE SEQUENCE service_id.audit_event_id_seq;
CREATE TABLE service_id.audit_store (
	event_id bigint PRIMARY KEY DEFAULT nextval('service_id.audit_event_id_seq'),
	at timestamptz NOT NULL DEFAULT now(),
	db_user text NOT NULL DEFAULT session_user,
	account_id text,
	action text NOT NULL CHECK (action IN ('issued', 'revoked', 'invalidated',
										   'registered', 'cancelled', 'access_removed')),
	number service_id.service_id,
	instance_id text,
	filing_id bigint,
	detail jsonb NOT NULL DEFAULT '{}'
);
ALTER SEQUENCE service_id.audit_event_id_seq OWNED BY service_id.audit_store.event_id;
-- Indexed by event only: no query of the extension looks events up
-- otherwise, and each index costs every state change an entry.  A DBA who
-- searches the log by number or filing adds the index (the API keeps every
-- index of the table up to date).
COMMENT ON TABLE service_id.audit_store IS 'append-only log, one row per state change; read it through service_id.audit';

-- Everything that holds data goes into pg_dump; instance_usage is derived.
SELECT pg_catalog.pg_extension_config_dump('service_id.product', '');
SELECT pg_catalog.pg_extension_config_dump('service_id.region', '');
SELECT pg_catalog.pg_extension_config_dump('service_id.instance', '');
SELECT pg_catalog.pg_extension_config_dump('service_id.number_store', '');
SELECT pg_catalog.pg_extension_config_dump('service_id.filing_store', '');
SELECT pg_catalog.pg_extension_config_dump('service_id.filing_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('service_id.audit_store', '');
SELECT pg_catalog.pg_extension_config_dump('service_id.audit_event_id_seq', '');

-----------------------------------------------------------------------------
-- 5. Guards: C triggers for hand-written SQL (src/sid_guards.c)
-----------------------------------------------------------------------------

-- The API writes its rows without SQL and fires none of these; they hold
-- every other statement, the owner's included, to the same rules.

CREATE FUNCTION service_id.catalog_upsert() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_catalog_upsert' LANGUAGE C;
COMMENT ON FUNCTION service_id.catalog_upsert() IS 'trigger: an INSERT of an existing catalog key replaces the row (how pg_restore brings back DBA edits of seed rows)';
CREATE FUNCTION service_id.catalog_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_catalog_changed' LANGUAGE C;
COMMENT ON FUNCTION service_id.catalog_changed() IS 'trigger: every backend reads product and region again after a change (they are cached)';
CREATE FUNCTION service_id.instance_inserted() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_instance_inserted' LANGUAGE C;
COMMENT ON FUNCTION service_id.instance_inserted() IS 'trigger: a new instance gets its allowance counter';
CREATE FUNCTION service_id.instance_delete_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_instance_delete_guard' LANGUAGE C;
COMMENT ON FUNCTION service_id.instance_delete_guard() IS 'trigger: an instance with numbers or filings is never deleted';
CREATE FUNCTION service_id.instance_deleted() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_instance_deleted' LANGUAGE C;
COMMENT ON FUNCTION service_id.instance_deleted() IS 'trigger: a deleted instance''s counter goes with it';
CREATE FUNCTION service_id.instance_keys_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_instance_keys_guard' LANGUAGE C;
COMMENT ON FUNCTION service_id.instance_keys_guard() IS 'trigger: an instance with numbers or filings keeps its id, purchaser and product';
CREATE FUNCTION service_id.usage_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_usage_guard' LANGUAGE C;
COMMENT ON FUNCTION service_id.usage_guard() IS 'trigger: the allowance counters are never written by hand';
CREATE FUNCTION service_id.number_inserted() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_number_inserted' LANGUAGE C;
COMMENT ON FUNCTION service_id.number_inserted() IS 'trigger: a number inserted by hand (a restore) belongs to its purchaser''s instance and is counted';
CREATE FUNCTION service_id.number_update_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_number_update_guard' LANGUAGE C;
COMMENT ON FUNCTION service_id.number_update_guard() IS 'trigger: numbers move only unused -> used (through a filing), revoked or invalid';
CREATE FUNCTION service_id.number_released() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_number_released' LANGUAGE C;
COMMENT ON FUNCTION service_id.number_released() IS 'trigger: a revoked or invalidated number frees its slot and is audited';
CREATE FUNCTION service_id.filing_insert_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_filing_insert_guard' LANGUAGE C;
COMMENT ON FUNCTION service_id.filing_insert_guard() IS 'trigger: a filing''s ids and website are well-formed; the website is stored lower-cased';
CREATE FUNCTION service_id.filing_inserted() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_filing_inserted' LANGUAGE C;
COMMENT ON FUNCTION service_id.filing_inserted() IS 'trigger: a filing by hand is held to register_filing''s rules, binds its number for ever and is audited';
CREATE FUNCTION service_id.filing_update_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_filing_update_guard' LANGUAGE C;
COMMENT ON FUNCTION service_id.filing_update_guard() IS 'trigger: filings move only active -> cancelled or access_removed';
CREATE FUNCTION service_id.filing_ended() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_filing_ended' LANGUAGE C;
COMMENT ON FUNCTION service_id.filing_ended() IS 'trigger: the end of a filing is audited';
CREATE FUNCTION service_id.append_only() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_append_only' LANGUAGE C;
COMMENT ON FUNCTION service_id.append_only() IS 'trigger: refuses UPDATE, DELETE and TRUNCATE where rows are kept for ever';

-- An INSERT of a catalog key that exists replaces the row: this is how
-- pg_restore brings DBA edits of seed rows back over a fresh seed.
CREATE TRIGGER catalog_upsert BEFORE INSERT ON service_id.product
	FOR EACH ROW EXECUTE FUNCTION service_id.catalog_upsert('product');
CREATE TRIGGER catalog_upsert BEFORE INSERT ON service_id.region
	FOR EACH ROW EXECUTE FUNCTION service_id.catalog_upsert('region');
-- Each backend keeps a copy of the two catalogs (src/sid_rows.c); a change
-- tells every backend to read them again.
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_id.product
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_id.region
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.catalog_changed();

-- The application updates instances often (status, renewals): only AFTER
-- triggers with WHEN, which cost nothing for a row that changes no key.
CREATE TRIGGER instance_inserted AFTER INSERT ON service_id.instance
	FOR EACH ROW EXECUTE FUNCTION service_id.instance_inserted();
CREATE TRIGGER instance_delete_guard BEFORE DELETE ON service_id.instance
	FOR EACH ROW EXECUTE FUNCTION service_id.instance_delete_guard();
CREATE TRIGGER instance_deleted AFTER DELETE ON service_id.instance
	FOR EACH ROW EXECUTE FUNCTION service_id.instance_deleted();
CREATE TRIGGER instance_keys_guard AFTER UPDATE ON service_id.instance
	FOR EACH ROW
	WHEN (OLD.instance_id IS DISTINCT FROM NEW.instance_id
		  OR OLD.account_id IS DISTINCT FROM NEW.account_id
		  OR OLD.product IS DISTINCT FROM NEW.product)
	EXECUTE FUNCTION service_id.instance_keys_guard();

CREATE TRIGGER usage_guard BEFORE INSERT OR UPDATE OR DELETE ON service_id.instance_usage
	FOR EACH ROW EXECUTE FUNCTION service_id.usage_guard();
CREATE TRIGGER usage_guard_truncate BEFORE TRUNCATE ON service_id.instance_usage
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.usage_guard();

CREATE TRIGGER number_inserted AFTER INSERT ON service_id.number_store
	FOR EACH ROW EXECUTE FUNCTION service_id.number_inserted();
CREATE TRIGGER number_update_guard BEFORE UPDATE ON service_id.number_store
	FOR EACH ROW EXECUTE FUNCTION service_id.number_update_guard();
CREATE TRIGGER number_released AFTER UPDATE ON service_id.number_store
	FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
	EXECUTE FUNCTION service_id.number_released();
CREATE TRIGGER number_append_only BEFORE DELETE ON service_id.number_store
	FOR EACH ROW EXECUTE FUNCTION service_id.append_only();
CREATE TRIGGER number_append_only_truncate BEFORE TRUNCATE ON service_id.number_store
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.append_only();

CREATE TRIGGER filing_insert_guard BEFORE INSERT ON service_id.filing_store
	FOR EACH ROW EXECUTE FUNCTION service_id.filing_insert_guard();
CREATE TRIGGER filing_inserted AFTER INSERT ON service_id.filing_store
	FOR EACH ROW EXECUTE FUNCTION service_id.filing_inserted();
CREATE TRIGGER filing_update_guard BEFORE UPDATE ON service_id.filing_store
	FOR EACH ROW EXECUTE FUNCTION service_id.filing_update_guard();
CREATE TRIGGER filing_ended AFTER UPDATE ON service_id.filing_store
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION service_id.filing_ended();
CREATE TRIGGER filing_append_only BEFORE DELETE ON service_id.filing_store
	FOR EACH ROW EXECUTE FUNCTION service_id.append_only();
CREATE TRIGGER filing_append_only_truncate BEFORE TRUNCATE ON service_id.filing_store
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.append_only();

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON service_id.audit_store
	FOR EACH ROW EXECUTE FUNCTION service_id.append_only();
CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON service_id.audit_store
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.append_only();

-----------------------------------------------------------------------------
-- 6. The API (SPEC section 5), in C, SECURITY DEFINER
-----------------------------------------------------------------------------

CREATE FUNCTION service_id.apply_service_id(instance_id text, account_id text,
											 grantee text DEFAULT NULL)
	RETURNS service_id.service_id
	AS 'MODULE_PATHNAME', 'sid_apply_service_id' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.apply_service_id(text, text, text) IS
	'issue one number for an eligible instance to its purchaser, optionally for one named grantee account only';

CREATE FUNCTION service_id.apply_service_ids(instance_id text, account_id text, n int,
											  grantee text DEFAULT NULL)
	RETURNS SETOF service_id.service_id
	AS 'MODULE_PATHNAME', 'sid_apply_service_ids' LANGUAGE C VOLATILE ROWS 20
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.apply_service_ids(text, text, int, text) IS
	'issue n numbers (1 to 20) at once, all or nothing, whatever the caller reads of the set';

-- check_instance's row.  A named type rather than OUT parameters: the
-- executor then takes the row's shape from the type cache, instead of
-- rebuilding it from pg_proc's argument arrays at every execution of
-- SELECT * FROM check_instance(...).
CREATE TYPE service_id.eligibility AS (
	eligible bool,
	product text,
	allowance int,
	consumed int,
	remaining int,
	reasons text[]
);
COMMENT ON TYPE service_id.eligibility IS
	'the row check_instance() answers: eligible or not, the allowance figures, every reason';

CREATE FUNCTION service_id.check_instance(instance_id text, account_id text DEFAULT NULL)
	RETURNS service_id.eligibility
	AS 'MODULE_PATHNAME', 'sid_check_instance' LANGUAGE C STABLE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.check_instance(text, text) IS
	'may this instance have a number now, and if not, every reason why (the Apply button, explained)';

CREATE FUNCTION service_id.revoke_service_id(number service_id.service_id, account_id text)
	RETURNS void
	AS 'MODULE_PATHNAME', 'sid_revoke_service_id' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.revoke_service_id(service_id.service_id, text) IS
	'the purchaser revokes an unused number; its allowance slot is freed';

CREATE FUNCTION service_id.register_filing(account_id text, website text,
											number service_id.service_id)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'sid_register_filing' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.register_filing(text, text, service_id.service_id) IS
	'file a website with a number; the number is used for ever';

CREATE FUNCTION service_id.register_filing_direct(account_id text, website text,
												   instance_id text)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'sid_register_filing_direct' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.register_filing_direct(text, text, text) IS
	'the purchaser files a website by selecting its own instance; uses one allowance slot';

CREATE FUNCTION service_id.register_filing_trustpass(account_id text, website text,
													  shop_id text)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'sid_register_filing_trustpass' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.register_filing_trustpass(text, text, text) IS
	'file a website for a TrustPass (1688) shop; no number is needed';

CREATE FUNCTION service_id.cancel_filing(filing_id bigint) RETURNS void
	AS 'MODULE_PATHNAME', 'sid_cancel_filing' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.cancel_filing(bigint) IS
	'cancel an active filing; its number stays used';

CREATE FUNCTION service_id.remove_access(filing_id bigint) RETURNS void
	AS 'MODULE_PATHNAME', 'sid_remove_access' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.remove_access(bigint) IS
	'remove the service provider from an active filing; its number stays used';

CREATE FUNCTION service_id.expire_service_ids() RETURNS int
	AS 'MODULE_PATHNAME', 'sid_expire_service_ids' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.expire_service_ids() IS
	'mark the unused numbers of expired or released instances invalid; returns how many (safe to schedule)';

CREATE FUNCTION service_id.account_numbers(account_id text,
										    OUT number service_id.service_id,
										    OUT instance_id text, OUT state text,
										    OUT applicant text, OUT grantee text,
										    OUT applied_at timestamptz, OUT filing_id bigint,
										    OUT website text, OUT filing_status text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'sid_account_numbers' LANGUAGE C STABLE ROWS 20
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.account_numbers(text) IS
	'ICP No. Management for one account: the numbers it applied for or was granted, and the filings that used them';

CREATE FUNCTION service_id.account_instances(account_id text,
											  OUT instance_id text, OUT product text,
											  OUT region text, OUT eligible bool,
											  OUT reasons text[], OUT allowance int,
											  OUT consumed int, OUT remaining int)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'sid_account_instances' LANGUAGE C STABLE ROWS 10
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.account_instances(text) IS
	'ICP No. Application for one account: its instances, whether each may have a number now and why not';

CREATE FUNCTION service_id.grant_usage(role regrole) RETURNS void
	AS 'MODULE_PATHNAME', 'sid_grant_usage' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.grant_usage(regrole) IS
	'give an application role the API, and SELECT, INSERT and UPDATE on service_id.instance';

CREATE FUNCTION service_id.grant_read(role regrole) RETURNS void
	AS 'MODULE_PATHNAME', 'sid_grant_read' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.grant_read(regrole) IS
	'give a reporting role the five views';

CREATE FUNCTION service_id.schedule_expiry(schedule text DEFAULT '*/5 * * * *') RETURNS bigint
	AS 'MODULE_PATHNAME', 'sid_schedule_expiry' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.schedule_expiry(text) IS
	'run expire_service_ids() from pg_cron on a cron schedule; returns the job id';

CREATE FUNCTION service_id.unschedule_expiry() RETURNS void
	AS 'MODULE_PATHNAME', 'sid_unschedule_expiry' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.unschedule_expiry() IS
	'remove the pg_cron job of schedule_expiry()';

-- The eligibility rules for the views: the same C code as check_instance,
-- over the columns they join.
CREATE FUNCTION service_id.eligibility_reasons(
		allowance int, requires_subscription bool, min_total_months int,
		min_remaining_days int, requires_public_ip bool,
		trial bool, billing text, subscribed_months int, expires_at timestamptz,
		status text, has_public_ip bool, mainland bool, consumed int)
	RETURNS text[]
	AS 'MODULE_PATHNAME', 'sid_eligibility_reasons' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION service_id.eligibility_reasons(int, bool, int, int, bool, bool, text, int,
												   timestamptz, text, bool, bool, int) IS
	'reason codes that make an instance ineligible now, in the documented order (empty = eligible)';

-----------------------------------------------------------------------------
-- 7. Views for DBAs
-----------------------------------------------------------------------------

CREATE VIEW service_id.numbers AS
SELECT n.number, n.instance_id, i.product, i.region, n.applicant, n.grantee,
	   n.state, n.applied_at, f.filing_id, f.website, f.status AS filing_status,
	   f.created_at AS used_at
  FROM service_id.number_store n
  JOIN service_id.instance i ON i.instance_id = n.instance_id
  LEFT JOIN service_id.filing_store f ON f.number = n.number;
COMMENT ON VIEW service_id.numbers IS 'ICP No. Management: every number and the filing that used it';
COMMENT ON COLUMN service_id.numbers.number IS 'the service identification number (a secret)';
COMMENT ON COLUMN service_id.numbers.instance_id IS 'the instance it was issued for';
COMMENT ON COLUMN service_id.numbers.product IS 'the instance''s product';
COMMENT ON COLUMN service_id.numbers.region IS 'the instance''s region';
COMMENT ON COLUMN service_id.numbers.applicant IS 'the purchasing account that applied';
COMMENT ON COLUMN service_id.numbers.grantee IS 'the only account that may file with it, if named';
COMMENT ON COLUMN service_id.numbers.state IS 'unused, used, revoked or invalid';
COMMENT ON COLUMN service_id.numbers.applied_at IS 'when it was issued';
COMMENT ON COLUMN service_id.numbers.filing_id IS 'the filing that used it';
COMMENT ON COLUMN service_id.numbers.website IS 'the website of that filing';
COMMENT ON COLUMN service_id.numbers.filing_status IS 'active, cancelled or access_removed';
COMMENT ON COLUMN service_id.numbers.used_at IS 'when it was used';

CREATE VIEW service_id.instances AS
SELECT i.instance_id, i.account_id, i.product, i.region,
	   cardinality(e.reasons) = 0 AS eligible, e.reasons,
	   p.allowance, coalesce(u.consumed, 0) AS consumed,
	   greatest(p.allowance - coalesce(u.consumed, 0), 0) AS remaining
  FROM service_id.instance i
  JOIN service_id.product p ON p.product = i.product
  LEFT JOIN service_id.region r ON r.region = i.region
  LEFT JOIN service_id.instance_usage u ON u.instance_id = i.instance_id
  CROSS JOIN LATERAL (SELECT service_id.eligibility_reasons(
		p.allowance, p.requires_subscription, p.min_total_months,
		p.min_remaining_days, p.requires_public_ip, i.trial, i.billing,
		i.subscribed_months, i.expires_at, i.status, i.public_ip IS NOT NULL,
		coalesce(r.mainland, false), coalesce(u.consumed, 0)) AS reasons) e;
COMMENT ON VIEW service_id.instances IS 'ICP No. Application: every instance, whether it may have a number now, and why not';
COMMENT ON COLUMN service_id.instances.instance_id IS 'the instance';
COMMENT ON COLUMN service_id.instances.account_id IS 'the purchasing account';
COMMENT ON COLUMN service_id.instances.product IS 'its product';
COMMENT ON COLUMN service_id.instances.region IS 'its region';
COMMENT ON COLUMN service_id.instances.eligible IS 'true when a number may be applied for now';
COMMENT ON COLUMN service_id.instances.reasons IS 'reason codes, in the documented order; empty when eligible';
COMMENT ON COLUMN service_id.instances.allowance IS 'numbers the product allows per instance';
COMMENT ON COLUMN service_id.instances.consumed IS 'unused and used numbers plus direct-selection filings';
COMMENT ON COLUMN service_id.instances.remaining IS 'greatest(allowance - consumed, 0)';

CREATE VIEW service_id.filings AS
SELECT filing_id, account_id, website, method, number, instance_id, shop_id,
	   status, created_at, ended_at
  FROM service_id.filing_store;
COMMENT ON VIEW service_id.filings IS 'every ICP filing';
COMMENT ON COLUMN service_id.filings.filing_id IS 'the filing';
COMMENT ON COLUMN service_id.filings.account_id IS 'the filing account';
COMMENT ON COLUMN service_id.filings.website IS 'the website (lower-cased domain name)';
COMMENT ON COLUMN service_id.filings.method IS 'service_id, direct or trustpass';
COMMENT ON COLUMN service_id.filings.number IS 'the number used (method service_id)';
COMMENT ON COLUMN service_id.filings.instance_id IS 'the instance (methods service_id and direct)';
COMMENT ON COLUMN service_id.filings.shop_id IS 'the TrustPass shop (method trustpass)';
COMMENT ON COLUMN service_id.filings.status IS 'active, cancelled or access_removed';
COMMENT ON COLUMN service_id.filings.created_at IS 'when it was registered';
COMMENT ON COLUMN service_id.filings.ended_at IS 'when it was cancelled or access was removed';

CREATE VIEW service_id.audit AS
SELECT event_id, at, db_user, account_id, action, number, instance_id,
	   filing_id, detail
  FROM service_id.audit_store;
COMMENT ON VIEW service_id.audit IS 'one row per state change, append-only';
COMMENT ON COLUMN service_id.audit.event_id IS 'order of events';
COMMENT ON COLUMN service_id.audit.at IS 'transaction time of the change';
COMMENT ON COLUMN service_id.audit.db_user IS 'the session user that made it';
COMMENT ON COLUMN service_id.audit.account_id IS 'the account it was made for';
COMMENT ON COLUMN service_id.audit.action IS 'issued, revoked, invalidated, registered, cancelled or access_removed';
COMMENT ON COLUMN service_id.audit.number IS 'the number concerned';
COMMENT ON COLUMN service_id.audit.instance_id IS 'the instance concerned';
COMMENT ON COLUMN service_id.audit.filing_id IS 'the filing concerned';
COMMENT ON COLUMN service_id.audit.detail IS 'further facts of the event';


CREATE VIEW service_id.summary AS
WITH inst AS (
	SELECT product, count(*) AS instances,
		   count(*) FILTER (WHERE eligible) AS eligible_instances,
		   sum(remaining) AS allowance_remaining
	  FROM service_id.instances
	 GROUP BY product
), nums AS (
	SELECT i.product,
		   count(*) FILTER (WHERE n.state = 'unused') AS numbers_unused,
		   count(*) FILTER (WHERE n.state = 'used') AS numbers_used,
		   count(*) FILTER (WHERE n.state = 'revoked') AS numbers_revoked,
		   count(*) FILTER (WHERE n.state = 'invalid') AS numbers_invalid
	  FROM service_id.number_store n
	  JOIN service_id.instance i ON i.instance_id = n.instance_id
	 GROUP BY i.product
), fil AS (
	SELECT i.product,
		   count(*) FILTER (WHERE f.method = 'service_id') AS filings_service_id,
		   count(*) FILTER (WHERE f.method = 'direct') AS filings_direct,
		   count(*) FILTER (WHERE f.method = 'trustpass') AS filings_trustpass,
		   count(*) FILTER (WHERE f.status = 'active') AS filings_active,
		   count(*) FILTER (WHERE f.status = 'cancelled') AS filings_cancelled,
		   count(*) FILTER (WHERE f.status = 'access_removed') AS filings_access_removed
	  FROM service_id.filing_store f
	  LEFT JOIN service_id.instance i ON i.instance_id = f.instance_id
	 GROUP BY i.product
), products AS (
	SELECT product FROM service_id.product
	UNION
	SELECT product FROM fil
)
SELECT p.product,
	   coalesce(inst.instances, 0) AS instances,
	   coalesce(inst.eligible_instances, 0) AS eligible_instances,
	   coalesce(nums.numbers_unused, 0) AS numbers_unused,
	   coalesce(nums.numbers_used, 0) AS numbers_used,
	   coalesce(nums.numbers_revoked, 0) AS numbers_revoked,
	   coalesce(nums.numbers_invalid, 0) AS numbers_invalid,
	   coalesce(fil.filings_service_id, 0) AS filings_service_id,
	   coalesce(fil.filings_direct, 0) AS filings_direct,
	   coalesce(fil.filings_trustpass, 0) AS filings_trustpass,
	   coalesce(fil.filings_active, 0) AS filings_active,
	   coalesce(fil.filings_cancelled, 0) AS filings_cancelled,
	   coalesce(fil.filings_access_removed, 0) AS filings_access_removed,
	   coalesce(inst.allowance_remaining, 0) AS allowance_remaining
  FROM products p
  LEFT JOIN inst ON inst.product IS NOT DISTINCT FROM p.product
  LEFT JOIN nums ON nums.product IS NOT DISTINCT FROM p.product
  LEFT JOIN fil ON fil.product IS NOT DISTINCT FROM p.product;
COMMENT ON VIEW service_id.summary IS 'per product: instances, numbers by state, filings by method and status, allowance left (the row with no product: TrustPass filings)';
COMMENT ON COLUMN service_id.summary.product IS 'the product; null for filings without an instance (TrustPass)';
COMMENT ON COLUMN service_id.summary.instances IS 'instances of the product';
COMMENT ON COLUMN service_id.summary.eligible_instances IS 'instances that may have a number now';
COMMENT ON COLUMN service_id.summary.numbers_unused IS 'numbers issued and not yet used';
COMMENT ON COLUMN service_id.summary.numbers_used IS 'numbers bound to a filing';
COMMENT ON COLUMN service_id.summary.numbers_revoked IS 'numbers revoked by their purchaser';
COMMENT ON COLUMN service_id.summary.numbers_invalid IS 'numbers invalidated with their instance';
COMMENT ON COLUMN service_id.summary.filings_service_id IS 'filings made with a number';
COMMENT ON COLUMN service_id.summary.filings_direct IS 'filings made by selecting the instance';
COMMENT ON COLUMN service_id.summary.filings_trustpass IS 'TrustPass shop filings';
COMMENT ON COLUMN service_id.summary.filings_active IS 'filings in force';
COMMENT ON COLUMN service_id.summary.filings_cancelled IS 'filings cancelled';
COMMENT ON COLUMN service_id.summary.filings_access_removed IS 'filings whose provider was removed';
COMMENT ON COLUMN service_id.summary.allowance_remaining IS 'slots left over all its instances';

-----------------------------------------------------------------------------
-- 8. Privileges: exactly these, whatever default privileges are in force
-----------------------------------------------------------------------------

-- Default privileges (ALTER DEFAULT PRIVILEGES, of the installing role or
-- of the database) may have granted rights on every object made above, to
-- PUBLIC or to any role: TRIGGER on a table is enough to become superuser
-- through a SECURITY DEFINER function.  Leave every member, and the schema,
-- with its owner's rights alone; grant_usage() and grant_read() give the
-- rest.
DO $privileges$
DECLARE
	ext pg_catalog.oid := (SELECT oid FROM pg_catalog.pg_extension
							WHERE extname OPERATOR(pg_catalog.=) 'service_id');
	obj record;
	grantee pg_catalog.oid;
BEGIN
	FOR obj IN
		SELECT pg_catalog.format('SCHEMA %I', n.nspname) AS name, n.nspowner AS owner, n.nspacl AS acl
		  FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'service_id'
		UNION ALL
		SELECT pg_catalog.format(CASE c.relkind WHEN 'S' THEN 'SEQUENCE %I.%I' ELSE 'TABLE %I.%I' END,
								 'service_id', c.relname),
			   c.relowner, c.relacl
		  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
		 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
		   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.refobjid OPERATOR(pg_catalog.=) ext AND d.deptype OPERATOR(pg_catalog.=) 'e'
		UNION ALL
		SELECT pg_catalog.format('FUNCTION %I.%I(%s)', 'service_id', p.proname,
								 pg_catalog.pg_get_function_identity_arguments(p.oid)),
			   p.proowner, p.proacl
		  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.objid
		 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.refobjid OPERATOR(pg_catalog.=) ext AND d.deptype OPERATOR(pg_catalog.=) 'e'
		UNION ALL
		SELECT pg_catalog.format('TYPE %I.%I', 'service_id', t.typname), t.typowner, t.typacl
		  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) d.objid
		 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
		   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.refobjid OPERATOR(pg_catalog.=) ext AND d.deptype OPERATOR(pg_catalog.=) 'e'
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC CASCADE', obj.name);
		FOR grantee IN
			SELECT DISTINCT a.grantee FROM pg_catalog.aclexplode(obj.acl) a
			 WHERE a.grantee OPERATOR(pg_catalog.<>) 0
			   AND a.grantee OPERATOR(pg_catalog.<>) obj.owner
		LOOP
			EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %I CASCADE',
									  obj.name, pg_catalog.pg_get_userbyid(grantee));
		END LOOP;
		EXECUTE pg_catalog.format('GRANT ALL ON %s TO %I', obj.name,
								  pg_catalog.pg_get_userbyid(obj.owner));
	END LOOP;
END
$privileges$;
