--
-- type_io: what a user sees when typing numbers in.
--
SET search_path = service_id, public;

-- canonical text and the other forms uuid accepts
SELECT '75f275a7-d3f3-8065-a264-332d498f3462'::service_id;
SELECT '75F275A7-D3F3-8065-A264-332D498F3462'::service_id;
SELECT '75f275a7d3f38065a264332d498f3462'::service_id;
SELECT '{75f275a7-d3f3-8065-a264-332d498f3462}'::service_id;
SELECT '75f2-75a7-d3f3-8065-a264-332d-498f-3462'::service_id;

-- length and characters
SELECT ''::service_id;
SELECT '75f275a7-d3f3-8065-a264-332d498f346'::service_id;
SELECT '75f275a7-d3f3-8065-a264-332d498f34621'::service_id;
SELECT '75f275a7-d3f3-8065-a264-332d498f346g'::service_id;
SELECT ' 75f275a7-d3f3-8065-a264-332d498f3462'::service_id;
SELECT '75f275a7-d3f3-8065-a264-332d498f3462 '::service_id;
SELECT '75f275a-7d3f3-8065-a264-332d498f3462'::service_id;
SELECT '75f275a7--d3f3-8065-a264-332d498f3462'::service_id;
SELECT '{75f275a7-d3f3-8065-a264-332d498f3462'::service_id;
-- version and variant: a version-4 uuid, a version-8 value of the wrong variant
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::service_id;
SELECT '75f275a7-d3f3-8065-c264-332d498f3462'::service_id;
-- check value: one mistyped digit, two adjacent digits swapped
SELECT '75f275a7-d3f3-8065-a264-332d498f3463'::service_id;
SELECT '75f275a7-d3f3-8065-a264-332d498f3426'::service_id;
SELECT '57f275a7-d3f3-8065-a264-332d498f3462'::service_id;
SELECT '75f275a7-d3f3-8065-a264-332d489f3462'::service_id;

-- is_valid never raises
SELECT v, service_id.is_valid(v)
  FROM (VALUES ('75f275a7-d3f3-8065-a264-332d498f3462'),
               ('{1CCEDCAC-09A1-82F9-BB5E-7216909219ED}'),
               ('75f275a7-d3f3-8065-a264-332d498f3463'),
               ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
               ('not a number'),
               (''),
               (NULL)) AS t(v);
SELECT service_id.is_valid(repeat('a', 5000));

-- casts: to text and uuid; from text and uuid only explicitly, validated
SELECT '58f70f5e-cd27-8aca-942d-a78b19eb4dfa'::service_id::uuid;
SELECT '58f70f5e-cd27-8aca-942d-a78b19eb4dfa'::service_id::text;
SELECT 'D0E8A046-6A11-8832-AAD7-CB66F1B5035F'::text::service_id;
SELECT 'd0e8a046-6a11-8832-aad7-cb66f1b5035f'::uuid::service_id;
SELECT 'd0e8a046-6a11-8832-aad7-cb66f1b5035e'::uuid::service_id;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::service_id;
SELECT castsource::regtype, casttarget::regtype, castcontext, castmethod
  FROM pg_cast
 WHERE castsource = 'service_id'::regtype OR casttarget = 'service_id'::regtype
 ORDER BY 1::text, 2::text;
-- no implicit cast from uuid: this needs an explicit one
CREATE TEMP TABLE needs_cast (n service_id);
INSERT INTO needs_cast VALUES ('d0e8a046-6a11-8832-aad7-cb66f1b5035f'::uuid);

-- binary output: the 16 bytes (receive is tested by a binary COPY in pgTAP)
SELECT service_id_send('6466da6b-03eb-8013-b93e-3d0c0c0ada3e');

-- generated numbers are valid and canonical
SELECT service_id.is_valid(g::text) AS valid,
       g::text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS canonical
  FROM (SELECT service_id.gen_service_id() AS g) s;
SELECT count(DISTINCT service_id.gen_service_id()) FROM generate_series(1, 1000);
