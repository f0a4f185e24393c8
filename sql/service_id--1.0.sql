/* service_id--1.0.sql — ICP-filing service identification numbers */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION service_id" to load this file. \quit

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
		FUNCTION 2 service_id.service_id_sortsupport(internal);

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

CREATE FUNCTION service_id.gen_service_id() RETURNS service_id.service_id
	AS 'MODULE_PATHNAME', 'service_id_generate' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION service_id.gen_service_id() IS
	'a fresh random valid number, recorded nowhere (the apply functions use the same generator)';

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
	region text PRIMARY KEY CHECK (region ~ '^[^[:space:][:cntrl:]]{1,255}$'),
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
	instance_id text PRIMARY KEY CHECK (instance_id ~ '^[^[:space:][:cntrl:]]{1,255}$'),
	account_id text NOT NULL CHECK (account_id ~ '^[^[:space:][:cntrl:]]{1,255}$'),
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
COMMENT ON TABLE service_id.instance IS
	'cloud instances, written by the application; released, never deleted once they have numbers or filings';
COMMENT ON COLUMN service_id.instance.account_id IS 'the account that purchased the instance';
COMMENT ON COLUMN service_id.instance.billing IS 'subscription or pay_as_you_go';
COMMENT ON COLUMN service_id.instance.subscribed_months IS 'total subscription length, renewals included';
COMMENT ON COLUMN service_id.instance.expires_at IS 'end of the subscription; null = no end';
COMMENT ON COLUMN service_id.instance.public_ip IS 'public IP address; null = no public bandwidth';
COMMENT ON COLUMN service_id.instance.status IS 'pending, running, stopped, expired or released';
COMMENT ON COLUMN service_id.instance.trial IS 'true for a free trial';

-- The allowance counter: one row per instance, which every consumer UPDATEs
-- (through triggers), so concurrent applies serialise on it under every
-- isolation level and the consumed count is O(1).  Derived data: it is not
-- dumped, the triggers rebuild it as a restore loads the tables.
CREATE TABLE service_id.instance_usage (
	instance_id text PRIMARY KEY
		REFERENCES service_id.instance ON UPDATE CASCADE ON DELETE CASCADE,
	consumed int NOT NULL DEFAULT 0 CHECK (consumed >= 0)
);
COMMENT ON TABLE service_id.instance_usage IS
	'allowance slots consumed per instance: unused and used numbers plus direct filings; kept by triggers';

-----------------------------------------------------------------------------
-- 4. Numbers, filings, audit (reached through the API and the views)
-----------------------------------------------------------------------------

CREATE TABLE service_id.number_store (
	number service_id.service_id PRIMARY KEY,
	instance_id text NOT NULL REFERENCES service_id.instance,
	applicant text NOT NULL,
	grantee text,
	state text NOT NULL DEFAULT 'unused'
		CHECK (state IN ('unused', 'used', 'revoked', 'invalid')),
	applied_at timestamptz NOT NULL DEFAULT now(),
	state_changed_at timestamptz,
	CHECK ((state = 'unused') = (state_changed_at IS NULL))
);
CREATE INDEX number_store_instance ON service_id.number_store (instance_id);
COMMENT ON TABLE service_id.number_store IS
	'every number ever issued; rows are never deleted and move only unused -> used, revoked or invalid';

CREATE SEQUENCE service_id.filing_id_seq;
CREATE TABLE service_id.filing_store (
	filing_id bigint PRIMARY KEY DEFAULT nextval('service_id.filing_id_seq'),
	account_id text NOT NULL,
	website text NOT NULL,
	method text NOT NULL CHECK (method IN ('service_id', 'direct', 'trustpass')),
	number service_id.service_id
		CONSTRAINT filing_store_number_used_once UNIQUE
		REFERENCES service_id.number_store,
	instance_id text REFERENCES service_id.instance,
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
CREATE INDEX filing_store_instance ON service_id.filing_store (instance_id);
COMMENT ON TABLE service_id.filing_store IS
	'every ICP filing; rows are never deleted, status moves only active -> cancelled or access_removed';

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
CREATE INDEX audit_store_number ON service_id.audit_store (number);
COMMENT ON TABLE service_id.audit_store IS 'append-only log, one row per state change';

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
-- 5. Guards (C triggers, see src/sid_guards.c)
-----------------------------------------------------------------------------

CREATE FUNCTION service_id.catalog_upsert() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_catalog_upsert' LANGUAGE C;
CREATE FUNCTION service_id.instance_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_instance_guard' LANGUAGE C;
CREATE FUNCTION service_id.number_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_number_guard' LANGUAGE C;
CREATE FUNCTION service_id.filing_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_filing_guard' LANGUAGE C;
CREATE FUNCTION service_id.append_only() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_append_only' LANGUAGE C;
CREATE FUNCTION service_id.usage_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'sid_usage_guard' LANGUAGE C;

-- An INSERT of a catalog key that exists replaces the row: this is how
-- pg_restore brings DBA edits of seed rows back over a fresh seed.
CREATE TRIGGER catalog_upsert BEFORE INSERT ON service_id.product
	FOR EACH ROW EXECUTE FUNCTION service_id.catalog_upsert('product');
CREATE TRIGGER catalog_upsert BEFORE INSERT ON service_id.region
	FOR EACH ROW EXECUTE FUNCTION service_id.catalog_upsert('region');

CREATE TRIGGER instance_guard_before BEFORE UPDATE OR DELETE ON service_id.instance
	FOR EACH ROW EXECUTE FUNCTION service_id.instance_guard();
CREATE TRIGGER instance_guard_after AFTER INSERT ON service_id.instance
	FOR EACH ROW EXECUTE FUNCTION service_id.instance_guard();
CREATE TRIGGER instance_guard_truncate BEFORE TRUNCATE ON service_id.instance
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.instance_guard();

CREATE TRIGGER usage_guard BEFORE INSERT OR UPDATE OR DELETE ON service_id.instance_usage
	FOR EACH ROW EXECUTE FUNCTION service_id.usage_guard();
CREATE TRIGGER usage_guard_truncate BEFORE TRUNCATE ON service_id.instance_usage
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.usage_guard();

CREATE TRIGGER number_guard_before BEFORE UPDATE OR DELETE ON service_id.number_store
	FOR EACH ROW EXECUTE FUNCTION service_id.number_guard();
CREATE TRIGGER number_guard_after AFTER INSERT OR UPDATE ON service_id.number_store
	FOR EACH ROW EXECUTE FUNCTION service_id.number_guard();
CREATE TRIGGER number_guard_truncate BEFORE TRUNCATE ON service_id.number_store
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.append_only();

CREATE TRIGGER filing_guard_before BEFORE INSERT OR UPDATE OR DELETE ON service_id.filing_store
	FOR EACH ROW EXECUTE FUNCTION service_id.filing_guard();
CREATE TRIGGER filing_guard_after AFTER INSERT OR UPDATE ON service_id.filing_store
	FOR EACH ROW EXECUTE FUNCTION service_id.filing_guard();
CREATE TRIGGER filing_guard_truncate BEFORE TRUNCATE ON service_id.filing_store
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
	'issue n numbers (1 to 20) at once, all or nothing';

CREATE FUNCTION service_id.check_instance(instance_id text, account_id text DEFAULT NULL,
										   OUT eligible bool, OUT product text,
										   OUT allowance int, OUT consumed int,
										   OUT remaining int, OUT reasons text[])
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

CREATE FUNCTION service_id.grant_usage(role regrole) RETURNS void
	AS 'MODULE_PATHNAME', 'sid_grant_usage' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.grant_usage(regrole) IS
	'give an application role the API, and SELECT, INSERT and UPDATE on service_id.instance';

CREATE FUNCTION service_id.grant_read(role regrole) RETURNS void
	AS 'MODULE_PATHNAME', 'sid_grant_read' LANGUAGE C VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION service_id.grant_read(regrole) IS
	'give a reporting role the four views';

-- The eligibility rules for the instances view: the same C code as
-- check_instance, over the columns the view joins.
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
	   p.allowance, u.consumed,
	   greatest(p.allowance - u.consumed, 0) AS remaining
  FROM service_id.instance i
  JOIN service_id.product p ON p.product = i.product
  LEFT JOIN service_id.region r ON r.region = i.region
  JOIN service_id.instance_usage u ON u.instance_id = i.instance_id
  CROSS JOIN LATERAL (SELECT service_id.eligibility_reasons(
		p.allowance, p.requires_subscription, p.min_total_months,
		p.min_remaining_days, p.requires_public_ip, i.trial, i.billing,
		i.subscribed_months, i.expires_at, i.status, i.public_ip IS NOT NULL,
		coalesce(r.mainland, false), u.consumed) AS reasons) e;
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

-----------------------------------------------------------------------------
-- 8. Privileges: nothing for PUBLIC
-----------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA service_id FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA service_id FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA service_id FROM PUBLIC;
REVOKE ALL ON TYPE service_id.service_id FROM PUBLIC;
REVOKE ALL ON SCHEMA service_id FROM PUBLIC;
