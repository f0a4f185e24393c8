--
-- uninstall: the extension and everything it owns go away.
--
DROP EXTENSION service_id CASCADE;
-- CREATE EXTENSION made the schema; it is left empty, for the DBA to drop
SELECT count(*) FROM pg_class WHERE relnamespace = 'service_id'::regnamespace;
SELECT count(*) FROM pg_proc WHERE pronamespace = 'service_id'::regnamespace;
DROP SCHEMA service_id;
SELECT count(*) FROM pg_type WHERE typname = 'service_id';
