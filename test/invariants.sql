/*
 * test/invariants.sql — every invariant of service_id, as one query.
 *
 * One row per invariant, in a fixed order:
 *   invariant   its name
 *   kind        'data', 'restore', 'allowance', 'audit', 'acl' or 'index'
 *               (below)
 *   ok          true when it holds
 *   violations  how many rows break it
 *   sample      up to three offending rows, as text
 * A caller asserts that every row it cares about has ok = true (and that it
 * got every row: the perl TAP tests check the count, so a branch cannot
 * vanish unnoticed).
 *
 * It reads the extension's tables and the catalogs directly, so run it as a
 * superuser or the extension owner; it needs no search_path and writes
 * nothing, so it runs on a hot standby as well.
 *
 * Kinds, and when a caller may leave one out:
 *   data       always holds, whatever DML ran (SPEC section 4 and the 1.2
 *              design notes: counters, number states, filing shape, inputs).
 *   restore    a used number is bound to a filing.  A restore (and any
 *              INSERT by hand, which is taken as one) brings numbers already
 *              used before the filings that hold them, table by table: a
 *              caller that inserted numbers by hand leaves this out (it
 *              holds again once their filings are in).
 *   allowance  consumed <= the product's allowance in force now.  Rows
 *              inserted by hand (the restore path) are not held to the
 *              allowance, and a DBA may lower an allowance below what an
 *              instance holds: a caller that did either leaves this out.
 *   audit      one audit row per state change.  Rows inserted by hand bring
 *              their own audit rows (or none): a caller that inserted
 *              numbers, filings or audit rows by hand leaves these out.
 *   acl        the privileges are exactly the documented ones (SPEC section
 *              7): nothing for PUBLIC on the schema, the type, any function,
 *              table, view or sequence; roles other than the owner hold
 *              exactly what service_id.grant_usage() / grant_read() give.
 *              The caller declares the roles it gave them to, as
 *              comma-separated role names in two settings, for example
 *                SET sid_invariants.usage_roles = 'app';
 *                SET sid_invariants.read_roles = 'report, auditor';
 *              Unset means none: then no role but the owner may hold
 *              anything.
 *   index      every btree index of the extension's tables agrees with its
 *              heap: amcheck's bt_index_check(index, heapallindexed => true)
 *              (the 1.2 API writes index entries itself).  Needs the amcheck
 *              extension in the database (CREATE EXTENSION amcheck; it ships
 *              with the server).  Without it the row says 'skipped: amcheck
 *              is not installed' and counts as ok.  A corrupt index makes
 *              the whole query fail with amcheck's error (XX001 or XX002),
 *              which a caller reports as a violation.
 * Setting sid_invariants.skip to a comma-separated list of kinds (e.g.
 * 'index,acl', the two that cost most) skips those rows: they say
 * 'skipped' and count as ok.
 *
 * Rules (SPEC section 4, design notes "Invariants"):
 *   - consumed = numbers unused or used + direct filings (whatever their
 *     status); every instance has exactly one counter row, which holds it,
 *     and no counter row lacks its instance;
 *   - every number's instance exists and its applicant is the purchaser;
 *     state is one of four, and unused exactly when state_changed_at is null;
 *   - a used number is bound to exactly one filing, a filing with method
 *     service_id holds a used number of its own instance, no number is in
 *     two filings, a website has at most one active filing;
 *   - filings have the shape of their method, are active exactly when
 *     ended_at is null, name a valid lower-case domain, are made by the
 *     number's grantee when it has one and by the purchaser when direct;
 *   - account, instance and shop ids are 1-255 characters without white
 *     space or control characters;
 *   - the audit log has one row per state change: one 'issued' per number,
 *     one 'registered' per filing, one 'revoked' per revoked number, one
 *     'invalidated' per invalid number, one 'cancelled' or 'access_removed'
 *     per filing that ended so — and none for anything else.
 */
WITH
opt AS (
	SELECT coalesce(string_to_array(replace(current_setting('sid_invariants.skip', true), ' ', ''), ','),
					'{}') AS skip,
		   coalesce(string_to_array(replace(current_setting('sid_invariants.usage_roles', true), ' ', ''), ','),
					'{}') AS usage_roles,
		   coalesce(string_to_array(replace(current_setting('sid_invariants.read_roles', true), ' ', ''), ','),
					'{}') AS read_roles
),
recomputed AS (
	SELECT i.instance_id, p.allowance,
		   (SELECT count(*) FROM service_id.number_store n
			 WHERE n.instance_id = i.instance_id AND n.state IN ('unused', 'used'))
		 + (SELECT count(*) FROM service_id.filing_store f
			 WHERE f.instance_id = i.instance_id AND f.method = 'direct') AS consumed,
		   u.consumed AS stored
	  FROM service_id.instance i
	  LEFT JOIN service_id.product p ON p.product = i.product
	  LEFT JOIN service_id.instance_usage u ON u.instance_id = i.instance_id
),
number_audit AS (
	SELECT a.number,
		   count(*) FILTER (WHERE a.action = 'issued') AS issued,
		   count(*) FILTER (WHERE a.action = 'revoked') AS revoked,
		   count(*) FILTER (WHERE a.action = 'invalidated') AS invalidated,
		   count(*) FILTER (WHERE a.action = 'issued'
							  AND a.instance_id IS DISTINCT FROM n.instance_id) AS issued_elsewhere
	  FROM service_id.audit_store a
	  LEFT JOIN service_id.number_store n ON n.number OPERATOR(service_id.=) a.number
	 WHERE a.action IN ('issued', 'revoked', 'invalidated')
	 GROUP BY a.number
),
filing_audit AS (
	SELECT a.filing_id,
		   count(*) FILTER (WHERE a.action = 'registered') AS registered,
		   count(*) FILTER (WHERE a.action = 'cancelled') AS cancelled,
		   count(*) FILTER (WHERE a.action = 'access_removed') AS access_removed,
		   count(*) FILTER (WHERE a.action = 'registered'
							  AND (a.number::uuid IS DISTINCT FROM f.number::uuid
								   OR a.instance_id IS DISTINCT FROM f.instance_id)) AS registered_wrong
	  FROM service_id.audit_store a
	  LEFT JOIN service_id.filing_store f ON f.filing_id = a.filing_id
	 WHERE a.action IN ('registered', 'cancelled', 'access_removed')
	 GROUP BY a.filing_id
),
-- Every id column the API validates (SPEC section 4, Inputs).
ids(what, id) AS (
	SELECT 'instance ' || quote_literal(i.instance_id), i.instance_id FROM service_id.instance i
	UNION ALL
	SELECT 'purchaser of instance ' || quote_literal(i.instance_id), i.account_id FROM service_id.instance i
	UNION ALL
	SELECT 'applicant of a number of ' || quote_literal(n.instance_id), n.applicant FROM service_id.number_store n
	UNION ALL
	SELECT 'grantee of a number of ' || quote_literal(n.instance_id), n.grantee
	  FROM service_id.number_store n WHERE n.grantee IS NOT NULL
	UNION ALL
	SELECT 'account of filing ' || f.filing_id, f.account_id FROM service_id.filing_store f
	UNION ALL
	SELECT 'shop of filing ' || f.filing_id, f.shop_id FROM service_id.filing_store f WHERE f.shop_id IS NOT NULL
),
ext AS (
	SELECT e.oid, e.extowner AS owner, e.extnamespace AS nsp
	  FROM pg_catalog.pg_extension e WHERE e.extname = 'service_id'
),
-- Every privilege anyone but the owner holds on the schema and on every
-- member of the extension (NULL acl = the default, which for functions and
-- types includes PUBLIC), column privileges included.  Objects are compared
-- by oid; label is for the sample only.
acl_now(kind, objid, label, grantee, privilege) AS (
	SELECT 'schema', s.oid, 'schema ' || quote_ident(s.nspname), x.grantee, x.privilege_type
	  FROM ext, pg_catalog.pg_namespace s,
		   LATERAL pg_catalog.aclexplode(coalesce(s.nspacl, pg_catalog.acldefault('n', s.nspowner))) x
	 WHERE s.oid = ext.nsp AND x.grantee <> ext.owner
	UNION ALL
	SELECT 'relation', c.oid,
		   CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' ELSE 'table ' END
		   || c.oid::regclass::text, x.grantee, x.privilege_type
	  FROM ext
	  JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass
		AND d.refobjid = ext.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_class'::regclass
	  JOIN pg_catalog.pg_class c ON c.oid = d.objid,
		   LATERAL pg_catalog.aclexplode(coalesce(c.relacl,
				pg_catalog.acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) x
	 WHERE x.grantee <> ext.owner
	UNION ALL
	SELECT 'column', c.oid, 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname),
		   x.grantee, x.privilege_type
	  FROM ext
	  JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass
		AND d.refobjid = ext.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_class'::regclass
	  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.objid AND a.attacl IS NOT NULL
	  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid,
		   LATERAL pg_catalog.aclexplode(a.attacl) x
	 WHERE x.grantee <> ext.owner
	UNION ALL
	SELECT 'function', p.oid, 'function ' || p.oid::regprocedure::text, x.grantee, x.privilege_type
	  FROM ext
	  JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass
		AND d.refobjid = ext.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::regclass
	  JOIN pg_catalog.pg_proc p ON p.oid = d.objid,
		   LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
	 WHERE x.grantee <> ext.owner
	UNION ALL
	-- types of the extension (array types follow their element type)
	SELECT 'type', t.oid, 'type ' || t.oid::regtype::text, x.grantee, x.privilege_type
	  FROM ext
	  JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass
		AND d.refobjid = ext.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_type'::regclass
	  JOIN pg_catalog.pg_type t ON t.oid = d.objid,
		   LATERAL pg_catalog.aclexplode(coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))) x
	 WHERE x.grantee <> ext.owner
),
-- What grant_usage() and grant_read() give (1.1: src/sid_api.c; 1.2:
-- src/sid_admin.c common_grants, usage_grants, read_grants): keep the two
-- in step.  Names are resolved with to_reg*(), which needs no search_path;
-- objects that do not exist in the installed version (1.2's additions, on
-- 1.1) are left out.
documented(role_kind, kind, objid, privilege) AS (
	SELECT r, split_part(o, ' ', 1),
		   CASE split_part(o, ' ', 1)
		   WHEN 'schema' THEN (SELECT nsp FROM ext)
		   WHEN 'type' THEN pg_catalog.to_regtype(substr(o, 6))::oid
		   WHEN 'function' THEN pg_catalog.to_regprocedure(substr(o, 10))::oid
		   WHEN 'relation' THEN pg_catalog.to_regclass(substr(o, 10))::oid
		   END, p
	  FROM (VALUES
		('both', 'schema service_id', 'USAGE'),
		('both', 'type service_id.service_id', 'USAGE'),
		('both', 'function service_id.service_id_in(cstring)', 'EXECUTE'),
		('both', 'function service_id.service_id_out(service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_recv(internal)', 'EXECUTE'),
		('both', 'function service_id.service_id_send(service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_eq(service_id.service_id, service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_ne(service_id.service_id, service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_lt(service_id.service_id, service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_le(service_id.service_id, service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_gt(service_id.service_id, service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_ge(service_id.service_id, service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_cmp(service_id.service_id, service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_hash(service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.service_id_hash_extended(service_id.service_id, int8)', 'EXECUTE'),
		('both', 'function service_id.service_id(text)', 'EXECUTE'),
		('both', 'function service_id.service_id(uuid)', 'EXECUTE'),
		('both', 'function service_id.text(service_id.service_id)', 'EXECUTE'),
		('both', 'function service_id.is_valid(text)', 'EXECUTE'),
		('usage', 'type service_id.eligibility', 'USAGE'),
		('usage', 'function service_id.gen_service_id()', 'EXECUTE'),
		('usage', 'function service_id.apply_service_id(text, text, text)', 'EXECUTE'),
		('usage', 'function service_id.apply_service_ids(text, text, int, text)', 'EXECUTE'),
		('usage', 'function service_id.check_instance(text, text)', 'EXECUTE'),
		('usage', 'function service_id.revoke_service_id(service_id.service_id, text)', 'EXECUTE'),
		('usage', 'function service_id.register_filing(text, text, service_id.service_id)', 'EXECUTE'),
		('usage', 'function service_id.register_filing_direct(text, text, text)', 'EXECUTE'),
		('usage', 'function service_id.register_filing_trustpass(text, text, text)', 'EXECUTE'),
		('usage', 'function service_id.cancel_filing(bigint)', 'EXECUTE'),
		('usage', 'function service_id.remove_access(bigint)', 'EXECUTE'),
		('usage', 'function service_id.expire_service_ids()', 'EXECUTE'),
		('usage', 'function service_id.account_numbers(text)', 'EXECUTE'),
		('usage', 'function service_id.account_instances(text)', 'EXECUTE'),
		('usage', 'function service_id.valid_identifier(text)', 'EXECUTE'),
		('usage', 'relation service_id.instance', 'SELECT'),
		('usage', 'relation service_id.instance', 'INSERT'),
		('usage', 'relation service_id.instance', 'UPDATE'),
		('usage', 'relation service_id.product', 'SELECT'),
		('usage', 'relation service_id.region', 'SELECT'),
		('read', 'function service_id.eligibility_reasons(int, bool, int, int, bool, bool, text, int, timestamptz, text, bool, bool, int)', 'EXECUTE'),
		('read', 'relation service_id.numbers', 'SELECT'),
		('read', 'relation service_id.instances', 'SELECT'),
		('read', 'relation service_id.filings', 'SELECT'),
		('read', 'relation service_id.audit', 'SELECT'),
		('read', 'relation service_id.summary', 'SELECT')
	) v(r, o, p)
),
-- The declared roles (unknown names are ignored) and what each must hold.
declared(roleid, role_kind) AS (
	SELECT r.oid, 'usage' FROM opt, pg_catalog.pg_roles r WHERE r.rolname = ANY (opt.usage_roles)
	UNION
	SELECT r.oid, 'read' FROM opt, pg_catalog.pg_roles r WHERE r.rolname = ANY (opt.read_roles)
),
acl_expected(kind, objid, grantee, privilege) AS (
	SELECT DISTINCT d.kind, d.objid, r.roleid, d.privilege
	  FROM declared r
	  JOIN documented d ON d.role_kind IN ('both', r.role_kind)
	 WHERE d.objid IS NOT NULL
),
checks(ord, kind, invariant, bad) AS (
	SELECT 1, 'allowance', 'allowance: recomputed consumed <= allowance',
		   ARRAY(SELECT instance_id || ': consumed ' || consumed || ' > allowance ' || allowance
				   FROM recomputed WHERE consumed > allowance ORDER BY 1)
	UNION ALL
	SELECT 2, 'data', 'counter: instance_usage.consumed = recomputed consumed',
		   ARRAY(SELECT instance_id || ': stored ' || coalesce(stored::text, 'no row')
						|| ', recomputed ' || consumed
				   FROM recomputed WHERE stored IS DISTINCT FROM consumed ORDER BY 1)
	UNION ALL
	SELECT 3, 'restore', 'numbers: a used number is bound to exactly one filing',
		   ARRAY(SELECT n.number::text || ': ' || count(f.filing_id) || ' filings'
				   FROM service_id.number_store n
				   LEFT JOIN service_id.filing_store f ON f.number OPERATOR(service_id.=) n.number
				  WHERE n.state = 'used'
				  GROUP BY n.number HAVING count(f.filing_id) <> 1 ORDER BY 1)
	UNION ALL
	SELECT 4, 'data', 'numbers: only a used number is bound to a filing',
		   ARRAY(SELECT n.number::text || ' is ' || coalesce(n.state, 'null') || ' but bound to filing ' || f.filing_id
				   FROM service_id.number_store n
				   JOIN service_id.filing_store f ON f.number OPERATOR(service_id.=) n.number
				  WHERE n.state IS DISTINCT FROM 'used' ORDER BY 1)
	UNION ALL
	SELECT 5, 'data', 'filings: a service_id filing holds a used number of its own instance',
		   ARRAY(SELECT 'filing ' || f.filing_id || ': number ' || coalesce(f.number::text, 'null')
						|| ' is ' || coalesce(n.state, 'missing') || ' of instance '
						|| coalesce(n.instance_id, 'none') || ', filing names '
						|| coalesce(f.instance_id, 'none')
				   FROM service_id.filing_store f
				   LEFT JOIN service_id.number_store n ON n.number OPERATOR(service_id.=) f.number
				  WHERE f.method = 'service_id'
					AND (n.number IS NULL OR n.state IS DISTINCT FROM 'used'
						 OR n.instance_id IS DISTINCT FROM f.instance_id)
				  ORDER BY 1)
	UNION ALL
	SELECT 6, 'data', 'filings: no number in two filings',
		   ARRAY(SELECT f.number::text || ': filings ' || string_agg(f.filing_id::text, ', ')
				   FROM service_id.filing_store f
				  WHERE f.number IS NOT NULL
				  GROUP BY f.number HAVING count(*) > 1 ORDER BY 1)
	UNION ALL
	SELECT 7, 'data', 'filings: at most one active filing per website',
		   ARRAY(SELECT f.website || ': active filings ' || string_agg(f.filing_id::text, ', ')
				   FROM service_id.filing_store f
				  WHERE f.status = 'active'
				  GROUP BY f.website HAVING count(*) > 1 ORDER BY 1)
	UNION ALL
	SELECT 8, 'data', 'filings: a direct filing is made by the purchaser of its instance',
		   ARRAY(SELECT 'filing ' || f.filing_id || ' by ' || coalesce(f.account_id, 'null') || ', instance '
						|| coalesce(f.instance_id, 'null') || ' bought by ' || coalesce(i.account_id, 'nobody')
				   FROM service_id.filing_store f
				   LEFT JOIN service_id.instance i ON i.instance_id = f.instance_id
				  WHERE f.method = 'direct' AND i.account_id IS DISTINCT FROM f.account_id
				  ORDER BY 1)
	UNION ALL
	SELECT 9, 'audit', 'audit: one issued row per number, naming its instance, and none for unknown numbers',
		   ARRAY(SELECT coalesce(n.number::text, a.number::text, 'null') || ': '
						|| coalesce(a.issued, 0) || ' issued rows'
						|| CASE WHEN n.number IS NULL THEN ' for no such number' ELSE '' END
						|| CASE WHEN a.issued_elsewhere > 0 THEN ', naming another instance' ELSE '' END
				   FROM service_id.number_store n
				   FULL JOIN number_audit a ON a.number OPERATOR(service_id.=) n.number
				  WHERE n.number IS NULL AND a.issued > 0
					 OR n.number IS NOT NULL AND (coalesce(a.issued, 0) <> 1 OR a.issued_elsewhere > 0)
				  ORDER BY 1)
	UNION ALL
	SELECT 10, 'audit', 'audit: one revoked row per revoked number, none for others',
		   ARRAY(SELECT coalesce(n.number::text, a.number::text, 'null') || ' ('
						|| coalesce(n.state, 'no such number') || '): '
						|| coalesce(a.revoked, 0) || ' revoked rows'
				   FROM service_id.number_store n
				   FULL JOIN number_audit a ON a.number OPERATOR(service_id.=) n.number
				  WHERE coalesce(a.revoked, 0)
						<> CASE WHEN n.state = 'revoked' THEN 1 ELSE 0 END
				  ORDER BY 1)
	UNION ALL
	SELECT 11, 'audit', 'audit: one invalidated row per invalid number, none for others',
		   ARRAY(SELECT coalesce(n.number::text, a.number::text, 'null') || ' ('
						|| coalesce(n.state, 'no such number') || '): '
						|| coalesce(a.invalidated, 0) || ' invalidated rows'
				   FROM service_id.number_store n
				   FULL JOIN number_audit a ON a.number OPERATOR(service_id.=) n.number
				  WHERE coalesce(a.invalidated, 0)
						<> CASE WHEN n.state = 'invalid' THEN 1 ELSE 0 END
				  ORDER BY 1)
	UNION ALL
	SELECT 12, 'audit', 'audit: one registered row per filing, with its number and instance',
		   ARRAY(SELECT 'filing ' || coalesce(f.filing_id, a.filing_id)::text
						|| CASE WHEN f.filing_id IS NULL THEN ' (no such filing)' ELSE '' END
						|| ': ' || coalesce(a.registered, 0) || ' registered rows'
						|| CASE WHEN a.registered_wrong > 0 THEN ', naming another number or instance'
								ELSE '' END
				   FROM service_id.filing_store f
				   FULL JOIN filing_audit a ON a.filing_id = f.filing_id
				  WHERE f.filing_id IS NULL AND coalesce(a.registered, 0) > 0
					 OR f.filing_id IS NOT NULL
						AND (coalesce(a.registered, 0) <> 1 OR a.registered_wrong > 0)
				  ORDER BY 1)
	UNION ALL
	SELECT 13, 'audit', 'audit: one cancelled or access_removed row per ended filing, matching its status',
		   ARRAY(SELECT 'filing ' || coalesce(f.filing_id, a.filing_id)::text || ' ('
						|| coalesce(f.status, 'no such filing') || '): '
						|| coalesce(a.cancelled, 0) || ' cancelled, '
						|| coalesce(a.access_removed, 0) || ' access_removed rows'
				   FROM service_id.filing_store f
				   FULL JOIN filing_audit a ON a.filing_id = f.filing_id
				  WHERE coalesce(a.cancelled, 0)
						<> CASE WHEN f.status = 'cancelled' THEN 1 ELSE 0 END
					 OR coalesce(a.access_removed, 0)
						<> CASE WHEN f.status = 'access_removed' THEN 1 ELSE 0 END
				  ORDER BY 1)
	UNION ALL
	SELECT 14, 'audit', 'audit: every row names a known action target',
		   ARRAY(SELECT 'event ' || a.event_id || ' (' || a.action || ')'
				   FROM service_id.audit_store a
				  WHERE a.action IN ('issued', 'revoked', 'invalidated') AND a.number IS NULL
					 OR a.action IN ('registered', 'cancelled', 'access_removed')
						AND a.filing_id IS NULL
				  ORDER BY 1)
	-- 1.2 additions
	UNION ALL
	SELECT 15, 'data', 'counter: one counter row per instance, none without its instance',
		   ARRAY(SELECT 'counter row ' || quote_literal(u.instance_id) || ' has no instance'
				   FROM service_id.instance_usage u
				  WHERE NOT EXISTS (SELECT FROM service_id.instance i WHERE i.instance_id = u.instance_id)
				 UNION ALL
				 SELECT quote_literal(u.instance_id) || ': ' || count(*) || ' counter rows'
				   FROM service_id.instance_usage u
				  GROUP BY u.instance_id HAVING count(*) > 1
				 ORDER BY 1)
	UNION ALL
	SELECT 16, 'data', 'numbers: every number''s instance exists and its applicant is the purchaser',
		   ARRAY(SELECT n.number::text || ' of instance ' || coalesce(quote_literal(n.instance_id), 'null')
						|| ': applicant ' || coalesce(quote_literal(n.applicant), 'null')
						|| CASE WHEN i.instance_id IS NULL THEN ', no such instance'
								ELSE ', purchaser ' || quote_literal(i.account_id) END
				   FROM service_id.number_store n
				   LEFT JOIN service_id.instance i ON i.instance_id = n.instance_id
				  WHERE i.instance_id IS NULL OR i.account_id IS DISTINCT FROM n.applicant
				  ORDER BY 1)
	UNION ALL
	SELECT 17, 'data', 'numbers: state is unused, used, revoked or invalid, and unused exactly when state_changed_at is null',
		   ARRAY(SELECT n.number::text || ': state ' || coalesce(n.state, 'null')
						|| ', state_changed_at ' || coalesce(n.state_changed_at::text, 'null')
				   FROM service_id.number_store n
				  WHERE n.state IS NULL OR n.state NOT IN ('unused', 'used', 'revoked', 'invalid')
					 OR (n.state = 'unused') <> (n.state_changed_at IS NULL)
					 OR n.number IS NULL OR n.applied_at IS NULL
				  ORDER BY 1)
	UNION ALL
	SELECT 18, 'data', 'filings: shape by method, active exactly when ended_at is null, instance exists',
		   ARRAY(SELECT 'filing ' || coalesce(f.filing_id::text, 'null') || ': method '
						|| coalesce(f.method, 'null') || ', status ' || coalesce(f.status, 'null')
						|| ', number ' || coalesce(f.number::text, 'null')
						|| ', instance ' || coalesce(quote_literal(f.instance_id), 'null')
						|| CASE WHEN f.instance_id IS NOT NULL AND i.instance_id IS NULL
								THEN ' (no such instance)' ELSE '' END
						|| ', shop ' || coalesce(quote_literal(f.shop_id), 'null')
						|| ', ended_at ' || coalesce(f.ended_at::text, 'null')
				   FROM service_id.filing_store f
				   LEFT JOIN service_id.instance i ON i.instance_id = f.instance_id
				  WHERE f.filing_id IS NULL OR f.created_at IS NULL
					 OR f.status IS NULL OR f.status NOT IN ('active', 'cancelled', 'access_removed')
					 OR (f.status = 'active') <> (f.ended_at IS NULL)
					 OR (f.instance_id IS NOT NULL AND i.instance_id IS NULL)
					 OR NOT coalesce(CASE f.method
							WHEN 'service_id' THEN f.number IS NOT NULL AND f.instance_id IS NOT NULL AND f.shop_id IS NULL
							WHEN 'direct' THEN f.number IS NULL AND f.instance_id IS NOT NULL AND f.shop_id IS NULL
							WHEN 'trustpass' THEN f.number IS NULL AND f.instance_id IS NULL AND f.shop_id IS NOT NULL
							END, false)
				  ORDER BY 1)
	UNION ALL
	-- SPEC section 4, Inputs: letters, digits, hyphens and dots; labels of
	-- 1-63 not starting or ending with a hyphen; at least two labels; 253
	-- characters at most; lower case; no scheme, port, path or trailing dot.
	SELECT 19, 'data', 'filings: every website is a valid lower-case domain name',
		   ARRAY(SELECT 'filing ' || f.filing_id || ': ' || coalesce(quote_literal(f.website), 'null')
				   FROM service_id.filing_store f
				  WHERE f.website IS NULL OR length(f.website) > 253
					 OR f.website COLLATE "C" !~
						'^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
				  ORDER BY 1)
	UNION ALL
	-- The API's white space and control characters (src/sid_core.c
	-- is_space_or_control), whatever the database's locale says.
	SELECT 20, 'data', 'ids: account, instance and shop ids are 1 to 255 characters without white space or control characters',
		   ARRAY(SELECT what || ': ' || coalesce(quote_literal(left(id, 40)) || CASE WHEN length(id) > 40
								THEN '... (' || length(id) || ' characters)' ELSE '' END, 'null')
				   FROM ids
				  WHERE id IS NULL OR length(id) NOT BETWEEN 1 AND 255
					 OR id COLLATE "C" ~ '[\x01-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]'
				  ORDER BY 1)
	UNION ALL
	SELECT 21, 'data', 'filings: a number filing is made by the number''s grantee when it has one',
		   ARRAY(SELECT 'filing ' || f.filing_id || ' by ' || quote_literal(f.account_id)
						|| ', number granted to ' || quote_literal(n.grantee)
				   FROM service_id.filing_store f
				   JOIN service_id.number_store n ON n.number OPERATOR(service_id.=) f.number
				  WHERE n.grantee IS NOT NULL AND n.grantee IS DISTINCT FROM f.account_id
				  ORDER BY 1)
	UNION ALL
	SELECT 22, 'index', 'index: every index of the extension''s tables agrees with its heap (amcheck)',
		   CASE WHEN (SELECT 'index' = ANY (opt.skip) FROM opt) THEN ARRAY[]::text[]
				WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'amcheck') THEN ARRAY[]::text[]
				ELSE ARRAY(SELECT ix.indexrelid::regclass::text
							 FROM ext
							 JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass
							  AND d.refobjid = ext.oid AND d.deptype = 'e'
							  AND d.classid = 'pg_catalog.pg_class'::regclass
							 JOIN pg_catalog.pg_index ix ON ix.indrelid = d.objid
							 JOIN pg_catalog.pg_class ic ON ic.oid = ix.indexrelid
							 JOIN pg_catalog.pg_am am ON am.oid = ic.relam AND am.amname = 'btree',
								  pg_catalog.pg_extension ae
							 JOIN pg_catalog.pg_namespace an ON an.oid = ae.extnamespace
							WHERE ae.extname = 'amcheck' AND ix.indisvalid AND ix.indisready
								  AND ic.relpersistence <> 't'
							  -- bt_index_check returns void and raises on corruption: the
							  -- call is the check, so it goes in WHERE, which no row passes
							  AND query_to_xml(format('SELECT %I.bt_index_check(%s::pg_catalog.oid::pg_catalog.regclass, true)',
													  an.nspname, ix.indexrelid), false, false, '') IS NULL
							ORDER BY 1)
		   END
	UNION ALL
	SELECT 23, 'acl', 'acl: nothing is granted to PUBLIC',
		   CASE WHEN (SELECT 'acl' = ANY (opt.skip) FROM opt) THEN ARRAY[]::text[]
		   ELSE ARRAY(SELECT DISTINCT label || ': ' || privilege || ' to PUBLIC'
						FROM acl_now WHERE grantee = 0 ORDER BY 1) END
	UNION ALL
	SELECT 24, 'acl', 'acl: roles other than the owner hold exactly what grant_usage / grant_read give',
		   CASE WHEN (SELECT 'acl' = ANY (opt.skip) FROM opt) THEN ARRAY[]::text[]
		   ELSE ARRAY(SELECT * FROM (
				 SELECT n.label || ': ' || n.privilege || ' to ' || n.grantee::regrole::text
						|| ' (not documented)'
				   FROM acl_now n
				  WHERE n.grantee <> 0
					AND NOT EXISTS (SELECT FROM acl_expected e
									 WHERE e.kind = n.kind AND e.objid = n.objid
									   AND e.grantee = n.grantee AND e.privilege = n.privilege)
				 UNION
				 SELECT e.kind || ' ' || e.objid || ': ' || e.privilege || ' missing for '
						|| e.grantee::regrole::text
				   FROM acl_expected e
				  WHERE NOT EXISTS (SELECT FROM acl_now n
									 WHERE e.kind = n.kind AND e.objid = n.objid
									   AND e.grantee = n.grantee AND e.privilege = n.privilege)) x
				 ORDER BY 1) END
)
SELECT invariant,
	   kind,
	   skipped OR cardinality(bad) = 0 AS ok,
	   CASE WHEN skipped THEN 0 ELSE cardinality(bad) END AS violations,
	   CASE WHEN (SELECT kind = ANY (opt.skip) FROM opt) THEN 'skipped (sid_invariants.skip)'
			WHEN skipped THEN 'skipped: amcheck is not installed'
			ELSE array_to_string(bad[1:3], '; ') END AS sample
  FROM (SELECT c.*,
			   (SELECT c.kind = ANY (opt.skip) FROM opt)
			   OR c.kind = 'index'
				  AND NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'amcheck') AS skipped
		  FROM checks c) c
 ORDER BY ord;
