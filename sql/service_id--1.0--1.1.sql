/* service_id--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION service_id UPDATE TO '1.1'" to load this file. \quit

-- 1.1: the audit log is searched by filing and by instance ("what happened
-- to this filing / this instance"), and the invariant checks join it on
-- both; 1.0 could only find events by number.
CREATE INDEX audit_store_filing ON service_id.audit_store (filing_id)
	WHERE filing_id IS NOT NULL;
CREATE INDEX audit_store_instance ON service_id.audit_store (instance_id)
	WHERE instance_id IS NOT NULL;

-- 1.1 documents every function, not only the API.
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
COMMENT ON FUNCTION service_id.catalog_upsert() IS 'trigger: an INSERT of an existing catalog key replaces the row (how pg_restore brings back DBA edits of seed rows)';
COMMENT ON FUNCTION service_id.instance_guard() IS 'trigger: creates the allowance counter; keeps instances with numbers or filings from deletion and from changes of id, purchaser or product';
COMMENT ON FUNCTION service_id.number_guard() IS 'trigger: numbers move only unused -> used, revoked or invalid, are never deleted, and keep the counter and audit log';
COMMENT ON FUNCTION service_id.filing_guard() IS 'trigger: a filing binds its unused number for ever; filings only end, are never deleted';
COMMENT ON FUNCTION service_id.append_only() IS 'trigger: refuses UPDATE, DELETE and TRUNCATE where rows are kept for ever';
COMMENT ON FUNCTION service_id.usage_guard() IS 'trigger: the allowance counter changes only with the numbers and filings it counts';
COMMENT ON TABLE service_id.instance_usage IS
	'allowance slots consumed per instance: unused and used numbers plus direct filings; kept by triggers, never by hand';
COMMENT ON TABLE service_id.audit_store IS 'append-only log, one row per state change; read it through service_id.audit';
COMMENT ON TABLE service_id.number_store IS
	'every number ever issued; rows are never deleted and move only unused -> used, revoked or invalid; read it through service_id.numbers';
COMMENT ON TABLE service_id.filing_store IS
	'every ICP filing; rows are never deleted, status moves only active -> cancelled or access_removed; read it through service_id.filings';

-- 1.1: every apply and revoke updates its instance's counter row; room on
-- the page keeps those updates HOT (no new index entry, no bloat at
-- millions of instances).
ALTER TABLE service_id.instance_usage SET (fillfactor = 50);
