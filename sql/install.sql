--
-- install: the extension loads, and this is everything it owns.
--
CREATE EXTENSION service_id;
\dx service_id
SELECT pg_describe_object(classid, objid, 0) AS member
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'service_id')
   AND deptype = 'e'
 ORDER BY 1;
-- the seeded catalogs
SELECT * FROM service_id.product ORDER BY allowance DESC, product;
SELECT * FROM service_id.region ORDER BY mainland DESC, region;
-- every function, table and view is documented
SELECT oid::regprocedure FROM pg_proc
 WHERE pronamespace = 'service_id'::regnamespace AND obj_description(oid, 'pg_proc') IS NULL;
SELECT relname FROM pg_class
 WHERE relnamespace = 'service_id'::regnamespace AND relkind IN ('r', 'v')
   AND obj_description(oid, 'pg_class') IS NULL;
