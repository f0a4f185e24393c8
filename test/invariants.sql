/*
 * test/invariants.sql — every data invariant of service_id, as one query.
 *
 * One row per invariant, in a fixed order:
 *   invariant   its name
 *   ok          true when it holds
 *   violations  how many rows break it
 *   sample      up to three offending rows, as text
 * A caller asserts that every row has ok = true (and that it got every row:
 * the perl TAP tests check the count, so a branch cannot vanish unnoticed).
 *
 * It reads the extension's tables directly, so run it as a superuser or the
 * extension owner; it needs no search_path and writes nothing, so it runs
 * on a hot standby as well.  The rules come from SPEC section 4:
 *   - consumed = numbers unused or used + direct filings (whatever their
 *     status); it never exceeds the product's allowance, and the stored
 *     counter service_id.instance_usage.consumed equals it;
 *   - a used number is bound to exactly one filing, a filing with method
 *     service_id holds a used number of its own instance, no number is in
 *     two filings, a website has at most one active filing;
 *   - the audit log has one row per state change: one 'issued' per number,
 *     one 'registered' per filing, one 'revoked' per revoked number, one
 *     'invalidated' per invalid number, one 'cancelled' or 'access_removed'
 *     per filing that ended so — and none for anything else.
 * The allowance check compares with the allowance in force now: a DBA who
 * lowers an allowance below what an instance already holds is expected to
 * run this before doing so.
 */
WITH
recomputed AS (
	SELECT i.instance_id, p.allowance,
		   (SELECT count(*) FROM service_id.number_store n
			 WHERE n.instance_id = i.instance_id AND n.state IN ('unused', 'used'))
		 + (SELECT count(*) FROM service_id.filing_store f
			 WHERE f.instance_id = i.instance_id AND f.method = 'direct') AS consumed,
		   u.consumed AS stored
	  FROM service_id.instance i
	  JOIN service_id.product p ON p.product = i.product
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
checks(ord, invariant, bad) AS (
	SELECT 1, 'allowance: recomputed consumed <= allowance',
		   ARRAY(SELECT instance_id || ': consumed ' || consumed || ' > allowance ' || allowance
				   FROM recomputed WHERE consumed > allowance ORDER BY 1)
	UNION ALL
	SELECT 2, 'counter: instance_usage.consumed = recomputed consumed',
		   ARRAY(SELECT instance_id || ': stored ' || coalesce(stored::text, 'no row')
						|| ', recomputed ' || consumed
				   FROM recomputed WHERE stored IS DISTINCT FROM consumed ORDER BY 1)
	UNION ALL
	SELECT 3, 'numbers: a used number is bound to exactly one filing',
		   ARRAY(SELECT n.number::text || ': ' || count(f.filing_id) || ' filings'
				   FROM service_id.number_store n
				   LEFT JOIN service_id.filing_store f ON f.number OPERATOR(service_id.=) n.number
				  WHERE n.state = 'used'
				  GROUP BY n.number HAVING count(f.filing_id) <> 1 ORDER BY 1)
	UNION ALL
	SELECT 4, 'numbers: only a used number is bound to a filing',
		   ARRAY(SELECT n.number::text || ' is ' || n.state || ' but bound to filing ' || f.filing_id
				   FROM service_id.number_store n
				   JOIN service_id.filing_store f ON f.number OPERATOR(service_id.=) n.number
				  WHERE n.state <> 'used' ORDER BY 1)
	UNION ALL
	SELECT 5, 'filings: a service_id filing holds a used number of its own instance',
		   ARRAY(SELECT 'filing ' || f.filing_id || ': number ' || coalesce(f.number::text, 'null')
						|| ' is ' || coalesce(n.state, 'missing') || ' of instance '
						|| coalesce(n.instance_id, 'none') || ', filing names '
						|| coalesce(f.instance_id, 'none')
				   FROM service_id.filing_store f
				   LEFT JOIN service_id.number_store n ON n.number OPERATOR(service_id.=) f.number
				  WHERE f.method = 'service_id'
					AND (n.number IS NULL OR n.state <> 'used'
						 OR n.instance_id IS DISTINCT FROM f.instance_id)
				  ORDER BY 1)
	UNION ALL
	SELECT 6, 'filings: no number in two filings',
		   ARRAY(SELECT f.number::text || ': filings ' || string_agg(f.filing_id::text, ', ')
				   FROM service_id.filing_store f
				  WHERE f.number IS NOT NULL
				  GROUP BY f.number HAVING count(*) > 1 ORDER BY 1)
	UNION ALL
	SELECT 7, 'filings: at most one active filing per website',
		   ARRAY(SELECT f.website || ': active filings ' || string_agg(f.filing_id::text, ', ')
				   FROM service_id.filing_store f
				  WHERE f.status = 'active'
				  GROUP BY f.website HAVING count(*) > 1 ORDER BY 1)
	UNION ALL
	SELECT 8, 'filings: a direct filing is made by the purchaser of its instance',
		   ARRAY(SELECT 'filing ' || f.filing_id || ' by ' || f.account_id || ', instance '
						|| f.instance_id || ' bought by ' || coalesce(i.account_id, 'nobody')
				   FROM service_id.filing_store f
				   LEFT JOIN service_id.instance i ON i.instance_id = f.instance_id
				  WHERE f.method = 'direct' AND i.account_id IS DISTINCT FROM f.account_id
				  ORDER BY 1)
	UNION ALL
	SELECT 9, 'audit: one issued row per number, naming its instance, and none for unknown numbers',
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
	SELECT 10, 'audit: one revoked row per revoked number, none for others',
		   ARRAY(SELECT coalesce(n.number::text, a.number::text, 'null') || ' ('
						|| coalesce(n.state, 'no such number') || '): '
						|| coalesce(a.revoked, 0) || ' revoked rows'
				   FROM service_id.number_store n
				   FULL JOIN number_audit a ON a.number OPERATOR(service_id.=) n.number
				  WHERE coalesce(a.revoked, 0)
						<> CASE WHEN n.state = 'revoked' THEN 1 ELSE 0 END
				  ORDER BY 1)
	UNION ALL
	SELECT 11, 'audit: one invalidated row per invalid number, none for others',
		   ARRAY(SELECT coalesce(n.number::text, a.number::text, 'null') || ' ('
						|| coalesce(n.state, 'no such number') || '): '
						|| coalesce(a.invalidated, 0) || ' invalidated rows'
				   FROM service_id.number_store n
				   FULL JOIN number_audit a ON a.number OPERATOR(service_id.=) n.number
				  WHERE coalesce(a.invalidated, 0)
						<> CASE WHEN n.state = 'invalid' THEN 1 ELSE 0 END
				  ORDER BY 1)
	UNION ALL
	SELECT 12, 'audit: one registered row per filing, with its number and instance',
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
	SELECT 13, 'audit: one cancelled or access_removed row per ended filing, matching its status',
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
	SELECT 14, 'audit: every row names a known action target',
		   ARRAY(SELECT 'event ' || a.event_id || ' (' || a.action || ')'
				   FROM service_id.audit_store a
				  WHERE a.action IN ('issued', 'revoked', 'invalidated') AND a.number IS NULL
					 OR a.action IN ('registered', 'cancelled', 'access_removed')
						AND a.filing_id IS NULL
				  ORDER BY 1)
)
SELECT invariant,
	   cardinality(bad) = 0 AS ok,
	   cardinality(bad) AS violations,
	   array_to_string(bad[1:3], '; ') AS sample
  FROM checks
 ORDER BY ord;
