-- bench/plpgsql_apply.sql — the PL/pgSQL baseline of issue 9: apply_service_id
-- written as a competent DBA would write it in plain PL/pgSQL, on tables
-- defined exactly as the extension's, so that `make bench` can measure
-- what the C implementation buys.  Loaded by bench/run.sh into schema
-- plbase of the benchmark database; not part of the extension.
--
-- The tables.  plbase.instance_usage, plbase.number_store and
-- plbase.audit_store are copies of service_id's, taken from the installed
-- extension when this file runs: columns, types, defaults, NOT NULL and
-- CHECK constraints, indexes (LIKE ... INCLUDING ALL), the storage
-- parameters LIKE leaves out (instance_usage's fillfactor) and the foreign
-- keys, with their deferrability (number_store.instance_id references
-- service_id.instance itself: both implementations read the same
-- instances, products and regions).  Defaults drawn from a service_id
-- sequence draw from a plbase sequence of the same name instead, so the
-- two sides count their rows apart.  The extension's guard triggers are
-- NOT copied: the C apply path of 1.2 writes its rows directly and fires
-- none either, so each side is measured on its own apply path.  Nor is
-- the instance trigger that creates each instance's counter row: the
-- benchmark creates plbase's counter rows when it loads instances, as the
-- extension's trigger does for service_id's.  What stays is what PostgreSQL
-- applies to any SQL write and a DBA cannot opt out of: the CHECK
-- constraints, and the foreign key from numbers to instances (deferred in
-- 1.2: checked at commit, locking the instance row FOR KEY SHARE).  The C
-- apply's direct writes (src/sid_store.c) skip both.
--
-- The function.  plbase.apply_service_id(instance_id, account_id, grantee)
-- does everything service_id.apply_service_id does (src/sid_api.c
-- apply_numbers, claim_slots, load_instance; src/sid_core.c
-- sid_eligibility), with the same SQLSTATEs and texts:
--   1. arguments: NULL instance or account -> 22023; ids of 1-255
--      characters, no white space or control characters, else 22023 (the
--      pattern of the CHECK on service_id.instance's ids, widened to the
--      characters sid_core.c refuses: see ident_re);
--   2. claim the slot: one UPDATE of the counter row, +1, returning the
--      count before — the claim-by-UPDATE the C code uses and SPEC section
--      4 describes.  A DBA would write it this way rather than SELECT ...
--      FOR UPDATE followed by an UPDATE: one statement and one row lock
--      instead of two statements, a lock record and a new row version,
--      with the same queueing (READ COMMITTED) and the same 40001
--      (REPEATABLE READ, SERIALIZABLE).  A refusal raises, which undoes it;
--   3. read the instance, its product and its region (one join; the
--      statement takes a new snapshot after the counter wait, as the C code
--      does): unknown instance -> P0002;
--   4. not the purchaser -> 42501, before eligibility;
--   5. every eligibility reason, in SPEC order: the allowance alone ->
--      53400; any other -> 55000 with every reason in DETAIL, the product's
--      hint as HINT;
--   6. a number from service_id.gen_service_id() (the C generator), the
--      number row, its 'issued' audit row (detail {"grantee": ...} or {});
--      return the number.
-- SECURITY DEFINER with SET search_path = pg_catalog, pg_temp like the C
-- function.  Tables and functions are schema-qualified, and so are the
-- operators of the SQL statements (as src/sid_spi.c writes them); the
-- PL/pgSQL conditions use unqualified operators, which the pinned
-- search_path resolves in pg_catalog.

CREATE SCHEMA plbase;

DO $copy$
DECLARE
	t text;
	opts text[];
	r record;
	seq text;
	def text;
BEGIN
	-- pg_get_expr / pg_get_constraintdef then qualify every name
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog', true);
	FOREACH t IN ARRAY ARRAY['instance_usage', 'number_store', 'audit_store']
	LOOP
		EXECUTE format('CREATE TABLE plbase.%I (LIKE service_id.%I INCLUDING ALL)', t, t);
		SELECT c.reloptions INTO opts FROM pg_class c
		 WHERE c.oid = format('service_id.%I', t)::regclass;
		IF opts IS NOT NULL THEN
			EXECUTE format('ALTER TABLE plbase.%I SET (%s)', t, array_to_string(opts, ', '));
		END IF;
	END LOOP;

	-- defaults drawn from a service_id sequence: a plbase sequence of that name
	FOR r IN
		SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) AS expr
		  FROM pg_attrdef d
		  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
		  JOIN pg_class c ON c.oid = d.adrelid
		 WHERE c.relnamespace = 'plbase'::regnamespace
		   AND pg_get_expr(d.adbin, d.adrelid) ~ 'nextval\(''service_id\.'
	LOOP
		seq := substring(r.expr FROM 'nextval\(''service_id\.([a-z0-9_]+)''');
		IF seq IS NULL THEN
			RAISE EXCEPTION 'plpgsql_apply.sql: cannot read the sequence of %.%: %',
				r.relname, r.attname, r.expr;
		END IF;
		EXECUTE format('CREATE SEQUENCE plbase.%I OWNED BY plbase.%I.%I', seq, r.relname, r.attname);
		EXECUTE format('ALTER TABLE plbase.%I ALTER COLUMN %I SET DEFAULT nextval(%L::regclass)',
					   r.relname, r.attname, 'plbase.' || seq);
	END LOOP;

	-- foreign keys (LIKE copies none); between the copied tables they point
	-- at the copies, otherwise at service_id's own table
	FOR r IN
		SELECT c.relname, k.conname, f.relname AS target, pg_get_constraintdef(k.oid) AS def
		  FROM pg_constraint k
		  JOIN pg_class c ON c.oid = k.conrelid
		  JOIN pg_class f ON f.oid = k.confrelid
		 WHERE k.contype = 'f' AND c.relnamespace = 'service_id'::regnamespace
		   AND c.relname IN ('instance_usage', 'number_store', 'audit_store')
		 ORDER BY c.relname, k.conname
	LOOP
		def := r.def;
		IF r.target IN ('instance_usage', 'number_store', 'audit_store') THEN
			def := replace(def, format('REFERENCES service_id.%s(', r.target),
						   format('REFERENCES plbase.%s(', r.target));
			IF def = r.def THEN
				RAISE EXCEPTION 'plpgsql_apply.sql: cannot redirect %', r.def;
			END IF;
		END IF;
		EXECUTE format('ALTER TABLE plbase.%I ADD CONSTRAINT %I %s', r.relname, r.conname, def);
	END LOOP;
END
$copy$;

CREATE FUNCTION plbase.apply_service_id(instance_id text, account_id text,
										grantee text DEFAULT NULL)
	RETURNS service_id.service_id
	LANGUAGE plpgsql VOLATILE
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	p_instance ALIAS FOR $1;
	p_account ALIAS FOR $2;
	p_grantee ALIAS FOR $3;
	-- 1 to 255 characters, no white space or control character: the
	-- instance table's CHECK pattern, plus the characters sid_core.c
	-- refuses that [:space:] and [:cntrl:] leave out in common locales
	-- (C1 controls, no-break spaces, the Unicode spaces, zero-width ones)
	ident_re CONSTANT text := '^[^[:space:][:cntrl:]\u0080-\u00a0\u1680\u2000-\u200b'
							  '\u2028\u2029\u202f\u205f\u3000\ufeff]{1,255}$';
	ident_detail CONSTANT text :=
		'An identifier has 1 to 255 characters, none of them white space or control characters.';
	consumed_before int;
	counted bool;
	i record;					-- the instance, its product and its region
	expired bool;
	codes text[] := '{}';
	words text[] := '{}';
	num service_id.service_id;
BEGIN
	-- 1. arguments
	IF p_instance IS NULL THEN
		RAISE EXCEPTION 'instance_id must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_instance !~ ident_re THEN
		RAISE EXCEPTION 'invalid instance_id: "%"', p_instance
			USING ERRCODE = 'invalid_parameter_value', DETAIL = ident_detail;
	END IF;
	IF p_account IS NULL THEN
		RAISE EXCEPTION 'account_id must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_account !~ ident_re THEN
		RAISE EXCEPTION 'invalid account_id: "%"', p_account
			USING ERRCODE = 'invalid_parameter_value', DETAIL = ident_detail;
	END IF;
	IF p_grantee !~ ident_re THEN	-- NULL: no grantee
		RAISE EXCEPTION 'invalid grantee: "%"', p_grantee
			USING ERRCODE = 'invalid_parameter_value', DETAIL = ident_detail;
	END IF;

	-- 2. claim one slot of the counter, which locks it until the end of
	-- the transaction
	UPDATE plbase.instance_usage u
	   SET consumed = u.consumed OPERATOR(pg_catalog.+) 1
	 WHERE u.instance_id OPERATOR(pg_catalog.=) p_instance
	RETURNING u.consumed OPERATOR(pg_catalog.-) 1 INTO consumed_before;
	counted := FOUND;

	-- 3. the instance, its product, its region
	SELECT n.account_id, n.billing, n.subscribed_months, n.expires_at, n.public_ip,
		   n.status, n.trial, p.allowance, p.requires_subscription, p.min_total_months,
		   p.min_remaining_days, p.requires_public_ip, p.hint,
		   coalesce(r.mainland, false) AS mainland
	  INTO i
	  FROM service_id.instance n
	  JOIN service_id.product p ON p.product OPERATOR(pg_catalog.=) n.product
	  LEFT JOIN service_id.region r ON r.region OPERATOR(pg_catalog.=) n.region
	 WHERE n.instance_id OPERATOR(pg_catalog.=) p_instance;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'instance "%" does not exist', p_instance
			USING ERRCODE = 'no_data_found',
				  HINT = 'If another provider hosts the instance, apply on that provider''s filing platform.';
	END IF;
	IF NOT counted THEN
		RAISE EXCEPTION 'allowance counter of instance "%" is missing', p_instance
			USING ERRCODE = 'internal_error';
	END IF;

	-- 4. only the purchaser applies
	IF i.account_id <> p_account THEN
		RAISE EXCEPTION 'account "%" did not purchase instance "%"', p_account, p_instance
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only the account that purchased an instance may apply for its numbers or select it for a filing.';
	END IF;

	-- 5. eligibility, every reason in SPEC order
	expired := i.status = 'expired' OR coalesce(i.expires_at <= now(), false);
	IF NOT i.allowance > 0 THEN
		codes := codes || 'product_not_supported'::text;
		words := words || 'The product does not support service identification numbers.'::text;
	END IF;
	IF i.trial THEN
		codes := codes || 'trial'::text;
		words := words || 'The instance is a free trial.'::text;
	END IF;
	IF i.requires_subscription THEN
		IF i.billing <> 'subscription' THEN
			codes := codes || 'not_subscription'::text;
			words := words || 'The instance is not billed by subscription.'::text;
		ELSE
			IF i.subscribed_months < i.min_total_months THEN
				codes := codes || 'subscription_too_short'::text;
				words := words || 'The subscription is shorter than the product requires in total.'::text;
			END IF;
			-- whole days left: d < m for an integer m is floor(d) < m
			IF NOT expired AND i.min_remaining_days > 0
			   AND i.expires_at - now() < i.min_remaining_days * interval '1 day' THEN
				codes := codes || 'remaining_too_short'::text;
				words := words || 'The time left before the instance expires is shorter than the product requires.'::text;
			END IF;
		END IF;
	END IF;
	IF expired THEN
		codes := codes || 'expired'::text;
		words := words || 'The instance has expired.'::text;
	END IF;
	IF i.status = 'released' THEN
		codes := codes || 'released'::text;
		words := words || 'The instance has been released.'::text;
	END IF;
	IF i.status NOT IN ('running', 'expired', 'released') THEN		-- pending, stopped
		codes := codes || 'not_running'::text;
		words := words || 'The instance is not running.'::text;
	END IF;
	IF i.requires_public_ip AND i.public_ip IS NULL THEN
		codes := codes || 'no_public_ip'::text;
		words := words || 'The instance has no public IP address.'::text;
	END IF;
	IF NOT i.mainland THEN
		codes := codes || 'region_not_mainland'::text;
		words := words || 'The instance is not in a mainland China region.'::text;
	END IF;
	-- (not_owner: refused above with 42501)
	IF i.allowance > 0 AND greatest(i.allowance - consumed_before, 0) = 0 THEN
		codes := codes || 'allowance_used_up'::text;
		words := words || 'The instance''s allowance of numbers is used up.'::text;
	END IF;
	IF cardinality(codes) > 0 THEN
		IF codes = ARRAY['allowance_used_up'] THEN
			RAISE EXCEPTION 'instance "%" has used up its allowance of service identification numbers',
				p_instance
				USING ERRCODE = 'configuration_limit_exceeded',
					  DETAIL = format('Its product allows %s, and %s are unused, used or taken by direct filings.',
									  i.allowance, consumed_before),
					  HINT = 'Revoke an unused number to free its slot.';
		ELSIF i.hint IS NULL THEN
			RAISE EXCEPTION 'instance "%" is not eligible for a service identification number', p_instance
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = array_to_string(words, ' ');
		ELSE
			RAISE EXCEPTION 'instance "%" is not eligible for a service identification number', p_instance
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = array_to_string(words, ' '), HINT = i.hint;
		END IF;
	END IF;
	-- (one slot claimed and free: the batch check "n > remaining" of the C
	-- code cannot fail for n = 1)

	-- 6. the number and its audit row
	num := service_id.gen_service_id();
	INSERT INTO plbase.number_store (number, instance_id, applicant, grantee)
	VALUES (num, p_instance, p_account, p_grantee);
	INSERT INTO plbase.audit_store (account_id, action, number, instance_id, detail)
	VALUES (p_account, 'issued', num, p_instance,
			CASE WHEN p_grantee IS NULL THEN '{}'::pg_catalog.jsonb
				 ELSE pg_catalog.jsonb_build_object('grantee', p_grantee) END);
	RETURN num;
END
$fn$;

REVOKE ALL ON FUNCTION plbase.apply_service_id(text, text, text) FROM PUBLIC;
COMMENT ON FUNCTION plbase.apply_service_id(text, text, text) IS
	'benchmark baseline (issue 9): service_id.apply_service_id in plain PL/pgSQL on copies of its tables';
