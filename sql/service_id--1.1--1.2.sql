/* service_id--1.1--1.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION service_id UPDATE TO '1.2'" to load this file. \quit

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
-- 1. The guards of 1.1 go: 1.2 writes its rows without SQL, and the
--    triggers guard hand-written statements only (src/sid_guards.c).
-----------------------------------------------------------------------------

DROP TRIGGER instance_guard_before ON service_id.instance;
DROP TRIGGER instance_guard_after ON service_id.instance;
DROP TRIGGER instance_guard_truncate ON service_id.instance;
DROP TRIGGER usage_guard ON service_id.instance_usage;
DROP TRIGGER usage_guard_truncate ON service_id.instance_usage;
DROP TRIGGER number_guard_before ON service_id.number_store;
DROP TRIGGER number_guard_after ON service_id.number_store;
DROP TRIGGER number_guard_truncate ON service_id.number_store;
DROP TRIGGER filing_guard_before ON service_id.filing_store;
DROP TRIGGER filing_guard_after ON service_id.filing_store;
DROP TRIGGER filing_guard_truncate ON service_id.filing_store;
DROP FUNCTION service_id.instance_guard();
DROP FUNCTION service_id.number_guard();
DROP FUNCTION service_id.filing_guard();

-----------------------------------------------------------------------------
-- 2. The counters: written by the C code alone, so no foreign key, and
--    rebuilt from the data (1.1 let the owner change them by hand).
-----------------------------------------------------------------------------

ALTER TABLE service_id.instance_usage DROP CONSTRAINT instance_usage_instance_id_fkey;
DELETE FROM service_id.instance_usage u
 WHERE NOT EXISTS (SELECT FROM service_id.instance i WHERE i.instance_id = u.instance_id);
INSERT INTO service_id.instance_usage (instance_id)
SELECT i.instance_id FROM service_id.instance i
 WHERE NOT EXISTS (SELECT FROM service_id.instance_usage u WHERE u.instance_id = i.instance_id);
UPDATE service_id.instance_usage u
   SET consumed = c.consumed
  FROM (SELECT i.instance_id,
			   (SELECT count(*) FROM service_id.number_store n
				 WHERE n.instance_id = i.instance_id AND n.state IN ('unused', 'used'))
			 + (SELECT count(*) FROM service_id.filing_store f
				 WHERE f.instance_id = i.instance_id AND f.method = 'direct') AS consumed
		  FROM service_id.instance i) c
 WHERE c.instance_id = u.instance_id AND u.consumed IS DISTINCT FROM c.consumed;
COMMENT ON TABLE service_id.instance_usage IS
	'allowance slots consumed per instance: unused and used numbers plus direct filings; kept by service_id, never by hand';
COMMENT ON COLUMN service_id.instance_usage.consumed IS 'unused and used numbers plus direct filings of the instance';

-- 1.1 let a hand-written filing store its website as written; 1.2 stores
-- every website lower-cased and well-formed.  Rows of 1.1 are not changed
-- (two of them might then collide); say if there are any.
DO $websites$
DECLARE
	bad bigint := (SELECT count(*) FROM service_id.filing_store
					WHERE website !~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
					   OR length(website) > 253);
BEGIN
	IF bad > 0 THEN
		RAISE WARNING '% filings have a website that is not a lower-cased domain name', bad
			USING DETAIL = 'Version 1.1 stored websites of hand-written filings as written.',
				  HINT = 'Find them with: SELECT filing_id, website FROM service_id.filings WHERE website <> lower(website) OR website ~ ''[^a-z0-9.-]'' OR website LIKE ''%.''.';
	END IF;
END
$websites$;

-- Ids: the tables' CHECKs use the API's own rule (1.1 used a pattern that
-- let Unicode spaces such as U+00A0 through, which the API then refused).
CREATE FUNCTION service_id.valid_identifier(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'sid_valid_identifier' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION service_id.valid_identifier(text) IS
	'true for an account, instance, shop or region id: 1 to 255 characters, none of them white space or a control character (the rule of the API and of the tables'' CHECKs)';
DO $ids$
DECLARE
	bad bigint := (SELECT count(*) FROM service_id.instance
					WHERE NOT service_id.valid_identifier(instance_id)
					   OR NOT service_id.valid_identifier(account_id))
				+ (SELECT count(*) FROM service_id.region
					WHERE NOT service_id.valid_identifier(region));
BEGIN
	IF bad > 0 THEN
		RAISE EXCEPTION '% instances or regions have an id with white space or a control character', bad
			USING ERRCODE = 'check_violation',
				  DETAIL = 'Version 1.2 holds instance, account and region ids to the rule the API always applied.',
				  HINT = 'Find them with service_id.valid_identifier(), correct them, and update again.';
	END IF;
END
$ids$;
ALTER TABLE service_id.instance
	DROP CONSTRAINT instance_instance_id_check,
	ADD CONSTRAINT instance_instance_id_check CHECK (service_id.valid_identifier(instance_id)),
	DROP CONSTRAINT instance_account_id_check,
	ADD CONSTRAINT instance_account_id_check CHECK (service_id.valid_identifier(account_id));
ALTER TABLE service_id.region
	DROP CONSTRAINT region_region_check,
	ADD CONSTRAINT region_region_check CHECK (service_id.valid_identifier(region));

-----------------------------------------------------------------------------
-- 3. Keys and indexes
-----------------------------------------------------------------------------

-- The guards answer first, with SPEC's SQLSTATEs; the keys stay for the
-- order pg_dump loads the tables in.
ALTER TABLE service_id.number_store
	ALTER CONSTRAINT number_store_instance_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE service_id.filing_store
	ALTER CONSTRAINT filing_store_instance_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- account_numbers() and account_instances() find an account's rows by index.
CREATE INDEX instance_account ON service_id.instance (account_id);
CREATE INDEX number_store_grantee ON service_id.number_store (grantee)
	WHERE grantee IS NOT NULL;

-- Nothing looks filings up by instance any more, nor the audit log by
-- number, filing or instance: each cost every filing and every event an
-- entry.  (A DBA who searches the log so adds the index again.)
DROP INDEX service_id.filing_store_instance;
DROP INDEX service_id.audit_store_number;
DROP INDEX service_id.audit_store_filing;
DROP INDEX service_id.audit_store_instance;

-- Few counters a page: every claim leaves a dead row version, and pruning
-- a page costs in proportion to the rows on it (new pages; VACUUM FULL
-- service_id.instance_usage repacks the old ones).
ALTER TABLE service_id.instance_usage SET (fillfactor = 20);

-- btree deduplication: equal numbers are equal images.  Existing indexes
-- on the type learn it when rebuilt.
ALTER OPERATOR FAMILY service_id.service_id_ops USING btree
	ADD FUNCTION 4 (service_id.service_id, service_id.service_id) pg_catalog.btequalimage(oid);
REINDEX INDEX service_id.number_store_pkey;
REINDEX INDEX service_id.filing_store_number_used_once;

COMMENT ON COLUMN service_id.number_store.applicant IS 'the purchasing account that applied';
COMMENT ON COLUMN service_id.number_store.grantee IS 'the only account that may file with it, if named';
COMMENT ON COLUMN service_id.number_store.state IS 'unused, used, revoked or invalid';
COMMENT ON COLUMN service_id.number_store.state_changed_at IS 'when it left unused';
COMMENT ON COLUMN service_id.filing_store.website IS 'the website, a lower-cased domain name';
COMMENT ON COLUMN service_id.filing_store.method IS 'service_id, direct or trustpass';
COMMENT ON COLUMN service_id.filing_store.status IS 'active, cancelled or access_removed';

-----------------------------------------------------------------------------
-- 4. The guards of 1.2 (src/sid_guards.c)
-----------------------------------------------------------------------------

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
COMMENT ON FUNCTION service_id.usage_guard() IS 'trigger: the allowance counters are never written by hand';

-- Each backend keeps a copy of the two catalogs (src/sid_rows.c); a change
-- tells every backend to read them again.
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_id.product
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_id.region
	FOR EACH STATEMENT EXECUTE FUNCTION service_id.catalog_changed();

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

-----------------------------------------------------------------------------
-- 5. New in the API: an account's two pages, scheduling
-----------------------------------------------------------------------------

-- check_instance answers a row of a named type instead of OUT parameters
-- (the same columns, in the same order): the executor takes the row's
-- shape from the type cache rather than rebuilding it from pg_proc at every
-- execution.  A function's result type cannot be changed in place, so it
-- is dropped and made again; a user's view or function that calls it
-- stops this update with core's 2BP01 until it is dropped (and re-made
-- afterwards).  Its privileges come back with the re-grant in section 7.
DROP FUNCTION service_id.check_instance(text, text);
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

COMMENT ON FUNCTION service_id.apply_service_ids(text, text, int, text) IS
	'issue n numbers (1 to 20) at once, all or nothing, whatever the caller reads of the set';
COMMENT ON FUNCTION service_id.grant_read(regrole) IS
	'give a reporting role the five views';

-----------------------------------------------------------------------------
-- 6. Views: instances without a counter still show; the summary
-----------------------------------------------------------------------------

CREATE OR REPLACE VIEW service_id.instances AS
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
-- 7. Privileges: exactly the documented ones, whatever default privileges
--    were in force when 1.1 was installed or are now
-----------------------------------------------------------------------------

-- The roles grant_usage() and grant_read() served under 1.1 are those that
-- hold the pair only those functions give (a role some default privilege
-- favoured may hold more, which goes; one that holds less was not served).
-- Every member, and the schema, is left with its owner's rights alone, as
-- a fresh install leaves them; then grant_usage() and grant_read() of 1.2
-- give those roles what they give.
DO $privileges$
DECLARE
	ext pg_catalog.oid := (SELECT oid FROM pg_catalog.pg_extension
							WHERE extname OPERATOR(pg_catalog.=) 'service_id');
	obj record;
	grantee pg_catalog.oid;
	served record;
	usage_roles pg_catalog.oid[] := ARRAY(
		SELECT r.oid FROM pg_catalog.pg_roles r
		 WHERE pg_catalog.has_function_privilege(r.oid, 'service_id.apply_service_id(text, text, text)', 'EXECUTE')
		   AND pg_catalog.has_table_privilege(r.oid, 'service_id.instance', 'INSERT')
		   AND NOT r.rolsuper AND r.rolname OPERATOR(pg_catalog.<>) current_user);
	read_roles pg_catalog.oid[] := ARRAY(
		SELECT r.oid FROM pg_catalog.pg_roles r
		 WHERE pg_catalog.has_table_privilege(r.oid, 'service_id.numbers', 'SELECT')
		   AND pg_catalog.has_function_privilege(r.oid,
				'service_id.eligibility_reasons(int, bool, int, int, bool, bool, text, int, timestamptz, text, bool, bool, int)',
				'EXECUTE')
		   AND NOT r.rolsuper AND r.rolname OPERATOR(pg_catalog.<>) current_user);
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
	FOR served IN SELECT unnest(usage_roles) AS role LOOP
		PERFORM service_id.grant_usage(served.role::pg_catalog.regrole);
	END LOOP;
	FOR served IN SELECT unnest(read_roles) AS role LOOP
		PERFORM service_id.grant_read(served.role::pg_catalog.regrole);
	END LOOP;
END
$privileges$;
