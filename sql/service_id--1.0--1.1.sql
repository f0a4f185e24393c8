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
