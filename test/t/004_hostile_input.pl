# 004_hostile_input.pl — hostile text through the type input, at SQL level.
#
# One million random strings (random lengths 0..100, random bytes 1..255:
# the database is SQL_ASCII so that any byte but NUL is a valid text),
# random hex-like strings, and near misses of real numbers (one hex digit
# changed, two adjacent different digits swapped, a character added or
# removed) go through service_id_in(cstring) and through the text cast,
# and through is_valid(text).  The only error that may occur is 22P02; a
# changed digit or a swap is always refused; an added or removed character
# is accepted only when the value is still the same number (a hyphen after
# a group of four digits, as uuid accepts); is_valid agrees with the input
# function on every string; and the server never restarts.
#
# Each string is tried in its own BEGIN ... EXCEPTION block of a server-side
# DO loop, 100,000 strings per statement, the outcomes counted.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SidTest;
use Test::More;
use Time::HiRes qw(time);

my $t0 = time;
my $chunk = 100_000;
my $random_strings = 1_000_000;
my $near_miss_each = 50_000;

my $node = sid_node('fuzz');
$node->start;
sid_createdb($node, 'fuzz',
	with => q{ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0});
$node->safe_psql(
	'fuzz', q{
	CREATE TABLE tally (class text, outcome text, n bigint);
	CREATE TABLE other_error (class text, path text, sqlstate text, message text, input bytea);
});
my $started = $node->safe_psql('fuzz', 'SELECT pg_postmaster_start_time()');

# The checking loop.  $gen is a query returning (s text, orig text): the
# string to try and, for near misses, the number it was made from.
sub run_class
{
	my ($class, $seed, $gen) = @_;
	$node->safe_psql(
		'fuzz', qq{
	SELECT setseed($seed);
	DO \$do\$
	DECLARE
		r record;
		v service_id.service_id;
		valid bool;
		st text;
		msg text;
		det text;
		c_in_same bigint := 0;		-- accepted, same value as the original
		c_in_diff bigint := 0;		-- accepted, another value (or no original)
		c_in_syntax bigint := 0;	-- 22P02 by detail: length/characters
		c_in_version bigint := 0;	--   version/variant
		c_in_check bigint := 0;		--   check value
		c_in_other22 bigint := 0;	--   another detail
		c_cast_same bigint := 0;
		c_cast_diff bigint := 0;
		c_cast_22 bigint := 0;
		c_disagree bigint := 0;		-- is_valid disagrees with the input function
		c_other bigint := 0;		-- any other SQLSTATE
		accepted bool;
	BEGIN
		FOR r IN $gen LOOP
			valid := service_id.is_valid(r.s);
			BEGIN
				v := service_id.service_id_in(r.s::cstring);
				accepted := true;
				IF r.orig IS NOT NULL AND v::text = r.orig THEN
					c_in_same := c_in_same + 1;
				ELSE
					c_in_diff := c_in_diff + 1;
				END IF;
			EXCEPTION WHEN OTHERS THEN
				accepted := false;
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
										det = PG_EXCEPTION_DETAIL;
				IF st = '22P02' THEN
					IF det LIKE '%32 hexadecimal digits%' THEN
						c_in_syntax := c_in_syntax + 1;
					ELSIF det LIKE '%version 8 UUID%' THEN
						c_in_version := c_in_version + 1;
					ELSIF det LIKE '%check value%' THEN
						c_in_check := c_in_check + 1;
					ELSE
						c_in_other22 := c_in_other22 + 1;
					END IF;
				ELSE
					c_other := c_other + 1;
					INSERT INTO other_error
						VALUES ('$class', 'input', st, msg, convert_to(r.s, 'SQL_ASCII'));
				END IF;
			END;
			IF accepted IS DISTINCT FROM valid THEN
				c_disagree := c_disagree + 1;
			END IF;
			BEGIN
				v := r.s::service_id.service_id;
				IF r.orig IS NOT NULL AND v::text = r.orig THEN
					c_cast_same := c_cast_same + 1;
				ELSE
					c_cast_diff := c_cast_diff + 1;
				END IF;
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
				IF st = '22P02' THEN
					c_cast_22 := c_cast_22 + 1;
				ELSE
					c_other := c_other + 1;
					INSERT INTO other_error
						VALUES ('$class', 'cast', st, msg, convert_to(r.s, 'SQL_ASCII'));
				END IF;
			END;
		END LOOP;
		INSERT INTO tally VALUES
			('$class', 'input accepted same', c_in_same),
			('$class', 'input accepted other', c_in_diff),
			('$class', 'input 22P02 syntax', c_in_syntax),
			('$class', 'input 22P02 version', c_in_version),
			('$class', 'input 22P02 check', c_in_check),
			('$class', 'input 22P02 other detail', c_in_other22),
			('$class', 'cast accepted same', c_cast_same),
			('$class', 'cast accepted other', c_cast_diff),
			('$class', 'cast 22P02', c_cast_22),
			('$class', 'is_valid disagrees', c_disagree),
			('$class', 'other sqlstate', c_other);
	END
	\$do\$;});
	return;
}

# The tally of a class: outcome => count.
sub tally
{
	my ($class) = @_;
	my %t = map { split /\|/ } split /\n/,
	  $node->safe_psql('fuzz',
		"SELECT outcome, sum(n) FROM tally WHERE class = '$class' GROUP BY outcome");
	return \%t;
}

sub report
{
	my ($class, $t) = @_;
	note("$class: " . join(', ', map { "$_ $t->{$_}" } grep { $t->{$_} } sort keys %$t));
	return;
}

# The 32 positions of hex digits in canonical text (1-based).
my $hexpos = q{(SELECT array_agg(g ORDER BY g) FROM generate_series(1, 36) g WHERE g NOT IN (9, 14, 19, 24))};

# 1. One million random strings of random bytes.
my $timer = time;
for my $k (1 .. $random_strings / $chunk)
{
	run_class(
		'random bytes',
		$k / 100.0, qq{
		SELECT (SELECT coalesce(string_agg(chr(1 + floor(random() * 255)::int), ''), '')
				  FROM generate_series(1, floor(random() * 101)::int + 0 * i)) AS s,
			   NULL::text AS orig
		  FROM generate_series(1, $chunk) i});
}
my $random_secs = time - $timer;
my $t = tally('random bytes');
report('random bytes', $t);
my $tried = 0;
$tried += $t->{$_} for grep { /^input / } keys %$t;
is($tried, $random_strings, "$random_strings random strings were tried");
is($t->{'other sqlstate'}, 0, 'random strings: no SQLSTATE but 22P02');
is($t->{'input accepted same'} + $t->{'input accepted other'}, 0, 'random strings: none accepted');
is($t->{'cast 22P02'}, $random_strings, 'random strings: the text cast refuses every one with 22P02');
is($t->{'is_valid disagrees'}, 0, 'random strings: is_valid agrees with the input function');

# 2. Random hex-like strings of about the right length, which reach the
# version and check-value tests: a third of random hex-like characters, a
# third laid out as a uuid, a third laid out as a uuid with the version and
# variant digits right (so only the check value can refuse them).
run_class(
	'hex-like', 0.5, q{
	WITH b AS (
		SELECT i,
			   (SELECT string_agg(substr('0123456789abcdefABCDEF8888----{}',
										 1 + floor(random() * 32)::int, 1), '')
				  FROM generate_series(1, 30 + floor(random() * 10)::int + 0 * i)) AS free,
			   (SELECT string_agg(CASE WHEN g IN (9, 14, 19, 24) THEN '-'
									   ELSE substr('0123456789abcdefABCDEF', 1 + floor(random() * 22)::int, 1)
								  END, '' ORDER BY g)
				  FROM generate_series(1, 36 + 0 * i) g) AS laid
		  FROM generate_series(1, 99999) i)
	SELECT CASE i % 3
			WHEN 0 THEN free
			WHEN 1 THEN laid
			ELSE overlay(overlay(laid placing '8' from 15 for 1)
						 placing substr('89abAB', 1 + floor(random() * 6)::int, 1) from 20 for 1)
		   END AS s, NULL::text AS orig
	  FROM b});
$t = tally('hex-like');
report('hex-like', $t);
is($t->{'other sqlstate'}, 0, 'hex-like strings: no SQLSTATE but 22P02');
ok($t->{'input 22P02 version'} > 20000 && $t->{'input 22P02 check'} > 30000,
	'hex-like strings reach the version and the check-value tests');
is($t->{'input accepted same'} + $t->{'input accepted other'}, 0,
	'hex-like strings: none accepted (a random check value matches once in 2^32)');
is($t->{'is_valid disagrees'}, 0, 'hex-like strings: is_valid agrees with the input function');
is($t->{'input 22P02 other detail'}, 0, 'hex-like strings: every refusal says which check failed');

# 3. Near misses of real numbers.
my %near = (
	'one digit changed' => qq{
		WITH b AS (SELECT service_id.gen_service_id()::text AS t,
						  ($hexpos)[1 + floor(random() * 32)::int] AS p, i
					 FROM generate_series(1, $near_miss_each) i)
		SELECT overlay(t placing substr('0123456789abcdef',
				1 + (strpos('0123456789abcdef', substr(t, p, 1)) + floor(random() * 15)::int) % 16, 1)
			   from p for 1) AS s, t AS orig
		  FROM b},
	'adjacent digits swapped' => qq{
		WITH b AS (SELECT service_id.gen_service_id()::text AS t,
						  1 + floor(random() * 31)::int AS j, i
					 FROM generate_series(1, $near_miss_each * 2) i),
		c AS (SELECT t, ($hexpos)[j] AS a, ($hexpos)[j + 1] AS z FROM b)
		SELECT overlay(overlay(t placing substr(t, z, 1) from a for 1)
					   placing substr(t, a, 1) from z for 1) AS s, t AS orig
		  FROM c WHERE substr(t, a, 1) <> substr(t, z, 1)
		 LIMIT $near_miss_each},
	'a character added' => qq{
		WITH b AS (SELECT service_id.gen_service_id()::text AS t,
						  1 + floor(random() * 37)::int AS p,
						  CASE WHEN random() < 0.5
							   THEN substr('0123456789abcdefABCDEF-{}', 1 + floor(random() * 25)::int, 1)
							   ELSE chr(1 + floor(random() * 255)::int) END AS ch, i
					 FROM generate_series(1, $near_miss_each) i)
		SELECT overlay(t placing ch from p for 0) AS s, t AS orig FROM b},
	'a character removed' => qq{
		WITH b AS (SELECT service_id.gen_service_id()::text AS t,
						  1 + floor(random() * 36)::int AS p, i
					 FROM generate_series(1, $near_miss_each) i)
		SELECT overlay(t placing '' from p for 1) AS s, t AS orig FROM b});
my $seed = 0.6;
for my $class (sort keys %near)
{
	run_class($class, $seed += 0.05, $near{$class});
	$t = tally($class);
	report($class, $t);
	my $n = 0;
	$n += $t->{$_} for grep { /^input / } keys %$t;
	is($n, $near_miss_each, "$class: $near_miss_each near misses tried");
	is($t->{'other sqlstate'}, 0, "$class: no SQLSTATE but 22P02");
	is($t->{'input accepted other'} + $t->{'cast accepted other'}, 0,
		"$class: never accepted as another number");
	is($t->{'is_valid disagrees'}, 0, "$class: is_valid agrees with the input function");
	if ($class =~ /changed|swapped/)
	{
		is($t->{'input accepted same'} + $t->{'cast accepted same'}, 0, "$class: always refused");
	}
	else
	{
		# Accepted only as the same number (an added or dropped hyphen).
		ok($t->{'input accepted same'} < $near_miss_each / 4, "$class: mostly refused");
	}
}

# The harness can tell acceptance: forms uuid accepts must pass, and be the
# same number.
run_class(
	'accepted forms', 0.9, q{
	WITH b AS (SELECT service_id.gen_service_id()::text AS t, i FROM generate_series(1, 10000) i)
	SELECT CASE i % 4 WHEN 0 THEN upper(t) WHEN 1 THEN '{' || t || '}'
					  WHEN 2 THEN replace(t, '-', '') ELSE t END AS s, t AS orig
	  FROM b});
$t = tally('accepted forms');
report('accepted forms', $t);
is($t->{'input accepted same'}, 10000, 'upper case, braces and no hyphens are accepted as the same number');
is($t->{'cast accepted same'}, 10000, 'and so by the text cast');

# 4. The validating cast from uuid: random uuids are refused with 22P02
# only; real numbers pass through uuid and back unchanged.
is( $node->safe_psql(
		'fuzz', q{
	DO $do$
	DECLARE
		u uuid;
		v service_id.service_id;
		st text;
		refused bigint := 0;
		accepted bigint := 0;
		other bigint := 0;
		roundtrip bigint := 0;
	BEGIN
		FOR u IN SELECT gen_random_uuid() FROM generate_series(1, 100000) LOOP
			BEGIN
				v := u::service_id.service_id;
				accepted := accepted + 1;
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
				IF st = '22P02' THEN refused := refused + 1; ELSE other := other + 1; END IF;
			END;
		END LOOP;
		FOR v IN SELECT service_id.gen_service_id() FROM generate_series(1, 10000) LOOP
			IF (v::uuid::service_id.service_id)::text = v::text THEN
				roundtrip := roundtrip + 1;
			END IF;
		END LOOP;
		INSERT INTO tally VALUES ('uuid cast', 'refused', refused), ('uuid cast', 'accepted', accepted),
			('uuid cast', 'other sqlstate', other), ('uuid cast', 'round trips', roundtrip);
	END
	$do$;
	SELECT string_agg(outcome || ' ' || n, ', ' ORDER BY outcome) FROM tally WHERE class = 'uuid cast'}),
	'accepted 0, other sqlstate 0, refused 100000, round trips 10000',
	'uuid cast: 100000 random uuids refused with 22P02, 10000 numbers round-trip');

# The server never restarted, and no backend died.
is($node->safe_psql('fuzz', 'SELECT pg_postmaster_start_time()'), $started,
	'the postmaster never restarted');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|was terminated by exception|server process .* exited with exit code|PANIC/,
	'the server log shows no backend crash');
is($node->safe_psql('fuzz', 'SELECT count(*) FROM other_error'), '0', 'no unexpected error was recorded');

note(sprintf('1M random strings took %.1fs; 004_hostile_input took %.1fs', $random_secs, time - $t0));
$node->stop;
done_testing();
