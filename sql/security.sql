--
-- security: nothing for PUBLIC, roles get what the grant functions say,
-- and a hostile search_path cannot reach into the API.
--
SET search_path = service_id, public;
\set SHOW_CONTEXT never

-- nothing of the extension is granted to PUBLIC
SELECT count(*) AS public_grants FROM (
	SELECT (aclexplode(relacl)).grantee FROM pg_class WHERE relnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT (aclexplode(proacl)).grantee FROM pg_proc WHERE pronamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT (aclexplode(typacl)).grantee FROM pg_type WHERE typnamespace = 'service_id'::regnamespace
	UNION ALL
	SELECT (aclexplode(nspacl)).grantee FROM pg_namespace WHERE nspname = 'service_id'
) g WHERE grantee = 0;
-- every SECURITY DEFINER function pins its search_path
SELECT proname, proconfig FROM pg_proc
 WHERE pronamespace = 'service_id'::regnamespace AND prosecdef ORDER BY proname;

CREATE ROLE regress_sid_app;
CREATE ROLE regress_sid_report;
CREATE ROLE regress_sid_nobody;
SELECT grant_usage('regress_sid_app');
SELECT grant_read('regress_sid_report');
SELECT grant_read(0::regrole);

INSERT INTO instance VALUES
	('s-1', 'alice', 'ecs', 'cn-hangzhou', 'subscription', 12, NULL, '192.0.2.1', 'running', false);

-- the application role: the API and the instance table, no numbers to read
SET ROLE regress_sid_app;
INSERT INTO service_id.instance VALUES
	('s-2', 'alice', 'ecs', 'cn-hangzhou', 'subscription', 12, NULL, '192.0.2.2', 'running', false);
UPDATE service_id.instance SET subscribed_months = 24 WHERE instance_id = 's-2';
SELECT service_id.apply_service_id('s-2', 'alice') IS NOT NULL AS applied;
SELECT eligible, consumed FROM service_id.check_instance('s-2', 'alice');
SELECT count(*) FROM service_id.numbers;
SELECT count(*) FROM service_id.number_store;
DELETE FROM service_id.instance WHERE instance_id = 's-1';
SELECT service_id.grant_read('regress_sid_app');
RESET ROLE;

-- the reporting role: the views, not the API
SET ROLE regress_sid_report;
SELECT instance_id, consumed FROM service_id.instances ORDER BY 1;
SELECT count(*) FROM service_id.numbers;
SELECT count(*) FROM service_id.audit;
SELECT service_id.apply_service_id('s-1', 'alice');
SELECT count(*) FROM service_id.number_store;
RESET ROLE;

-- a role given nothing: no number, no API
SET ROLE regress_sid_nobody;
SELECT count(*) FROM service_id.numbers;
SELECT service_id.apply_service_id('s-1', 'alice');
SELECT service_id.is_valid('x');
RESET ROLE;

-- A hostile search_path: operators and functions planted in front of
-- pg_catalog that would lie or log.  The API goes on as before.
CREATE SCHEMA evil;
CREATE TABLE evil.calls (what text);
CREATE FUNCTION evil.texteq(text, text) RETURNS bool LANGUAGE sql
	AS $$ INSERT INTO evil.calls VALUES ('text ='); SELECT true $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, PROCEDURE = evil.texteq);
CREATE FUNCTION evil.sideq(service_id.service_id, service_id.service_id) RETURNS bool LANGUAGE sql
	AS $$ INSERT INTO evil.calls VALUES ('service_id ='); SELECT true $$;
CREATE OPERATOR evil.= (LEFTARG = service_id.service_id, RIGHTARG = service_id.service_id,
	PROCEDURE = evil.sideq);
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql
	AS $$ INSERT INTO evil.calls VALUES ('now()'); SELECT 'epoch'::timestamptz $$;
CREATE TABLE evil.instance (LIKE service_id.instance);
CREATE TABLE evil.number_store (LIKE service_id.number_store);
GRANT USAGE ON SCHEMA evil TO regress_sid_app;
GRANT ALL ON ALL TABLES IN SCHEMA evil TO regress_sid_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA evil TO regress_sid_app;

SET ROLE regress_sid_app;
SET search_path = evil, pg_catalog, service_id;
SELECT eligible, consumed, remaining FROM service_id.check_instance('s-2', 'alice');
SELECT count(*) FROM service_id.apply_service_ids('s-2', 'alice', 2);
SELECT service_id.register_filing_direct('alice', 'evil.example.com', 's-2') > 0 AS filed;
SELECT service_id.apply_service_id('s-2', 'alice') IS NOT NULL AS applied;
-- the allowance holds: five slots taken
SELECT service_id.apply_service_id('s-2', 'alice');
SELECT service_id.expire_service_ids();
RESET ROLE;
RESET search_path;
SELECT count(*) AS hostile_calls FROM evil.calls;
SELECT consumed FROM service_id.instance_usage WHERE instance_id = 's-2';

DROP SCHEMA evil CASCADE;
REVOKE ALL ON ALL TABLES IN SCHEMA service_id FROM regress_sid_app, regress_sid_report;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA service_id FROM regress_sid_app, regress_sid_report;
REVOKE ALL ON TYPE service_id.service_id, service_id.eligibility FROM regress_sid_app, regress_sid_report;
REVOKE ALL ON SCHEMA service_id FROM regress_sid_app, regress_sid_report;
DROP ROLE regress_sid_app, regress_sid_report, regress_sid_nobody;
