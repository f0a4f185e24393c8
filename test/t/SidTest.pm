# SidTest.pm — helpers shared by the perl TAP tests of service_id.
#
# The tests run as the postgres user under prove, with
# PostgreSQL::Test::Cluster from postgresql-server-dev-15 on @INC and
# SID_TOP naming the repository (see test/run-all.sh).
package SidTest;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(sid_file sid_node sid_createdb sid_sqlstate sid_invariants
  sid_invariants_ok sid_load_fixture sid_view_dumps sid_check_instance_dump
  $SID_INVARIANT_COUNT);

# test/invariants.sql returns one row per invariant; a test that gets fewer
# has lost a check.  Kinds: 'data', 'restore', 'allowance', 'audit', 'acl',
# 'index' (see the head of test/invariants.sql).
our $SID_INVARIANT_COUNT = 24;

# A file of the repository.
sub sid_file
{
	my ($rel) = @_;
	my $top = $ENV{SID_TOP}
	  or BAIL_OUT('SID_TOP must name the service_id repository');
	return "$top/$rel";
}

# A new, initialised (not started) cluster.  Statement logging is off: the
# crash test runs thousands of statements, and the server log is read for
# crashes, not for statements.
sub sid_node
{
	my ($name, %init) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%init);
	$node->append_conf('postgresql.conf', "log_statement = none\n");
	return $node;
}

# CREATE DATABASE, and the extension in it unless told otherwise.
sub sid_createdb
{
	my ($node, $db, %opt) = @_;
	my $with = $opt{with} // '';
	$node->safe_psql('postgres', qq{CREATE DATABASE "$db" $with});
	$node->safe_psql($db, 'CREATE EXTENSION service_id')
	  unless $opt{no_extension};
	return;
}

# Run SQL with verbose errors.  In list context: (SQLSTATE or '' when it
# succeeded, stdout, stderr).  In scalar context: the SQLSTATE.
sub sid_sqlstate
{
	my ($node, $db, $sql) = @_;
	my ($out, $err) = ('', '');
	my $rc = $node->psql(
		$db, "\\set VERBOSITY verbose\n$sql",
		stdout => \$out,
		stderr => \$err,
		on_error_stop => 1);
	my $state = '';
	if ($err =~ /^(?:psql:[^\n]*?)?(?:ERROR|FATAL):\s+([0-9A-Z]{5}):/m)
	{
		$state = $1;
	}
	elsif ($rc != 0)
	{
		$state = "psql exit $rc";
	}
	return wantarray ? ($state, $out, $err) : $state;
}

# Run test/invariants.sql; returns a list of hashes
# { invariant, kind, ok, violations, sample }.  $prefix is SQL run first in
# the same session (a corruption to detect, or SET sid_invariants.* to
# declare roles or skip kinds), $suffix after it.  The amcheck row runs only
# where the database has the amcheck extension (it says 'skipped' and is ok
# otherwise).
sub sid_invariants
{
	my ($node, $db, $prefix, $suffix) = @_;
	my $sql = slurp_file(sid_file('test/invariants.sql'));
	my $out = $node->safe_psql($db, ($prefix // '') . "\n" . $sql . "\n" . ($suffix // ''));
	my @rows;
	for my $line (split /\n/, $out)
	{
		my ($inv, $kind, $ok, $n, $sample) = split /\|/, $line, 5;
		push @rows,
		  {
			invariant => $inv,
			kind => $kind,
			ok => $ok,
			violations => $n,
			sample => $sample // ''
		  };
	}
	return @rows;
}

# One assertion: every invariant holds.  Lists the broken ones otherwise.
sub sid_invariants_ok
{
	my ($node, $db, $label) = @_;
	my @rows = sid_invariants($node, $db);
	my @bad = grep { $_->{ok} ne 't' } @rows;
	my $pass = ok(@rows == $SID_INVARIANT_COUNT && !@bad,
		"invariants hold: $label");
	if (!$pass)
	{
		diag('invariants.sql returned ' . scalar(@rows) . " rows, expected $SID_INVARIANT_COUNT")
		  if @rows != $SID_INVARIANT_COUNT;
		diag("violated: $_->{invariant} ($_->{violations}): $_->{sample}") for @bad;
	}
	return $pass;
}

# A varied data set made through the API: instances of every kind, numbers
# in every state (some granted to another account), filings of every method
# and status.  Deterministic.  Every ecs instance ends with at most 4 slots
# consumed, so a DBA may lower the ecs allowance to 4; some ecs instances
# reach exactly 4, and some simple application servers their 5.
my $fixture_sql = <<'EOSQL';
INSERT INTO service_id.instance
	(instance_id, account_id, product, region, billing, subscribed_months,
	 expires_at, public_ip, status, trial)
SELECT 'ecs-' || i, 'acct-' || (i % 5), 'ecs',
	   (ARRAY['cn-hangzhou', 'cn-beijing', 'cn-shanghai', 'cn-chengdu'])[1 + i % 4],
	   'subscription', 3 + i % 24, now() + interval '2 years',
	   ('10.1.0.' || i)::inet, 'running', false
  FROM generate_series(1, 40) i;
INSERT INTO service_id.instance
	(instance_id, account_id, product, region, billing, subscribed_months,
	 expires_at, public_ip, status, trial)
SELECT 'sas-' || i, 'acct-' || (i % 5), 'simple_application_server', 'cn-shenzhen',
	   'subscription', 12, NULL, ('10.2.0.' || i)::inet, 'running', false
  FROM generate_series(1, 10) i;
INSERT INTO service_id.instance
	(instance_id, account_id, product, region, billing, subscribed_months,
	 expires_at, public_ip, status, trial) VALUES
	('payg-1', 'acct-1', 'ecs', 'cn-hangzhou', 'pay_as_you_go', 0, NULL, '10.3.0.1', 'running', false),
	('trial-1', 'acct-1', 'ecs', 'cn-hangzhou', 'subscription', 3, now() + interval '1 year', '10.3.0.2', 'running', true),
	('short-1', 'acct-2', 'ecs', 'cn-beijing', 'subscription', 2, now() + interval '1 year', '10.3.0.3', 'running', false),
	('hk-1', 'acct-2', 'ecs', 'cn-hongkong', 'subscription', 12, now() + interval '1 year', '10.3.0.4', 'running', false),
	('noip-1', 'acct-3', 'ecs', 'cn-qingdao', 'subscription', 12, now() + interval '1 year', NULL, 'running', false),
	('stopped-1', 'acct-3', 'ecs', 'cn-qingdao', 'subscription', 12, now() + interval '1 year', '10.3.0.6', 'stopped', false),
	('pending-1', 'acct-3', 'ecs', 'cn-qingdao', 'subscription', 12, now() + interval '1 year', '10.3.0.7', 'pending', false),
	('mars-1', 'acct-4', 'ecs', 'mars-north-1', 'subscription', 12, now() + interval '1 year', '10.3.0.8', 'running', false),
	('slb-1', 'acct-4', 'slb', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '10.3.0.9', 'running', false),
	('oss-1', 'acct-4', 'oss', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', NULL, 'running', false),
	('cdn-1', 'acct-4', 'cdn', 'cn-hangzhou', 'pay_as_you_go', 0, NULL, NULL, 'running', false),
	('ecs-exp', 'acct-0', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '10.3.0.12', 'running', false),
	('ecs-rel', 'acct-0', 'ecs', 'cn-hangzhou', 'subscription', 12, now() + interval '1 year', '10.3.0.13', 'running', false),
	('ecs-spare', 'acct-0', 'ecs', 'cn-beijing', 'subscription', 36, now() + interval '3 years', '10.3.0.14', 'running', false);

DO $$
DECLARE
	i int;
	k int;
	num service_id.service_id;
	fid bigint;
	acct text;
BEGIN
	-- ecs-i: i % 5 numbers, the second granted to another account
	FOR i IN 1..40 LOOP
		FOR k IN 1..(i % 5) LOOP
			PERFORM service_id.apply_service_id('ecs-' || i, 'acct-' || (i % 5),
				CASE WHEN k = 2 THEN 'grantee-' || i END);
		END LOOP;
	END LOOP;
	-- sas-i: a batch of 1 + i % 5 (sas-4 and sas-9 are full)
	FOR i IN 1..10 LOOP
		PERFORM service_id.apply_service_ids('sas-' || i, 'acct-' || (i % 5), 1 + i % 5);
	END LOOP;

	-- file with the first number of every ecs instance that has one (the
	-- grantee files with the granted one), and with two numbers of each sas
	FOR i IN 1..40 LOOP
		FOR num, acct IN
			SELECT n.number, coalesce(n.grantee, n.applicant)
			  FROM service_id.number_store n
			 WHERE n.instance_id = 'ecs-' || i
			 ORDER BY n.applied_at, n.grantee NULLS FIRST, n.number LIMIT 2
		LOOP
			IF acct LIKE 'grantee-%' OR i % 3 = 0 THEN
				PERFORM service_id.register_filing(acct, 'site-' || i || '-' || acct || '-' || left(num::text, 8) || '.example.cn', num);
			END IF;
		END LOOP;
	END LOOP;
	FOR i IN 1..10 LOOP
		FOR num IN SELECT n.number FROM service_id.number_store n
					WHERE n.instance_id = 'sas-' || i ORDER BY n.number LIMIT 2
		LOOP
			PERFORM service_id.register_filing('acct-' || (i % 5),
				'Shop-' || i || '-' || left(num::text, 8) || '.Example.COM', num);
		END LOOP;
	END LOOP;

	-- direct filings on ecs instances with room under 4 slots
	FOR i IN 1..40 LOOP
		IF i % 5 IN (0, 2) THEN
			PERFORM service_id.register_filing_direct('acct-' || (i % 5),
				'direct-' || i || '.example.net', 'ecs-' || i);
		END IF;
	END LOOP;
	-- trustpass filings
	FOR i IN 1..6 LOOP
		PERFORM service_id.register_filing_trustpass('acct-tp-' || i,
			'shop' || i || '.1688-example.cn', 'shop-' || i);
	END LOOP;

	-- end some filings of each method; re-file some of those websites
	FOR fid IN SELECT filing_id FROM service_id.filing_store ORDER BY filing_id LOOP
		IF fid % 4 = 1 THEN
			PERFORM service_id.cancel_filing(fid);
		ELSIF fid % 4 = 2 THEN
			PERFORM service_id.remove_access(fid);
		END IF;
	END LOOP;
	FOR fid, acct IN SELECT f.filing_id, f.website FROM service_id.filing_store f
					 WHERE f.method = 'trustpass' AND f.status <> 'active' ORDER BY 1 LOOP
		PERFORM service_id.register_filing_trustpass('acct-tp-again', acct, 'shop-again-' || fid);
	END LOOP;

	-- revoke one unused number of every instance whose index is 4 mod 5
	FOR i IN 1..40 LOOP
		IF i % 5 = 4 THEN
			SELECT n.number INTO num FROM service_id.number_store n
			 WHERE n.instance_id = 'ecs-' || i AND n.state = 'unused' ORDER BY n.number LIMIT 1;
			PERFORM service_id.revoke_service_id(num, 'acct-4');
			-- and take the slot again, so that it is full at 4
			PERFORM service_id.apply_service_id('ecs-' || i, 'acct-4');
		END IF;
	END LOOP;

	-- ecs-exp expires and ecs-rel is released, each with a used number and
	-- unused ones, which expire_service_ids() invalidates
	PERFORM service_id.apply_service_ids('ecs-exp', 'acct-0', 3);
	PERFORM service_id.apply_service_ids('ecs-rel', 'acct-0', 2);
	SELECT n.number INTO num FROM service_id.number_store n
	 WHERE n.instance_id = 'ecs-exp' ORDER BY n.number LIMIT 1;
	PERFORM service_id.register_filing('acct-0', 'expiring.example.org', num);
	SELECT n.number INTO num FROM service_id.number_store n
	 WHERE n.instance_id = 'ecs-rel' ORDER BY n.number LIMIT 1;
	PERFORM service_id.register_filing('acct-0', 'released.example.org', num);
	UPDATE service_id.instance SET status = 'expired', expires_at = now() - interval '1 day'
	 WHERE instance_id = 'ecs-exp';
	UPDATE service_id.instance SET status = 'released' WHERE instance_id = 'ecs-rel';
	IF service_id.expire_service_ids() <> 3 THEN
		RAISE EXCEPTION 'expire_service_ids() should have invalidated 3 numbers';
	END IF;
END
$$;
EOSQL

sub sid_load_fixture
{
	my ($node, $db) = @_;
	$node->safe_psql($db, $fixture_sql);
	# The fixture must hold what the tests rely on.
	my $shape = $node->safe_psql(
		$db, q{
		SELECT (SELECT string_agg(DISTINCT state, ',' ORDER BY state) FROM service_id.number_store)
			|| ' / ' || (SELECT string_agg(DISTINCT method || ':' || status, ',' ORDER BY method || ':' || status)
						   FROM service_id.filing_store)
			|| ' / ' || (SELECT string_agg(DISTINCT action, ',' ORDER BY action) FROM service_id.audit_store)
			|| ' / ' || (SELECT count(*) FILTER (WHERE grantee IS NOT NULL) > 0 FROM service_id.number_store)
	});
	is( $shape,
		'invalid,revoked,unused,used / '
		  . 'direct:access_removed,direct:active,direct:cancelled,'
		  . 'service_id:access_removed,service_id:active,service_id:cancelled,'
		  . 'trustpass:access_removed,trustpass:active,trustpass:cancelled / '
		  . 'access_removed,cancelled,invalidated,issued,registered,revoked / true',
		'fixture has numbers in every state, filings of every method and status, every audit action'
	);
	return;
}

# The four views and the two catalogs, each as ordered text.
my %view_order = (
	numbers => 'number',
	instances => 'instance_id',
	filings => 'filing_id',
	audit => 'event_id',
	product => 'product',
	region => 'region');

sub sid_view_dumps
{
	my ($node, $db) = @_;
	my %dump;
	for my $v (sort keys %view_order)
	{
		$dump{$v} = $node->safe_psql($db,
			"SELECT * FROM service_id.$v ORDER BY $view_order{$v}");
	}
	return \%dump;
}

# check_instance for every instance, asked by nobody, the purchaser and a
# stranger.
sub sid_check_instance_dump
{
	my ($node, $db) = @_;
	return $node->safe_psql(
		$db, q{
		SELECT i.instance_id, x.who, c.*
		  FROM service_id.instance i
		 CROSS JOIN LATERAL (VALUES ('nobody', NULL), ('purchaser', i.account_id),
								   ('stranger', 'stranger-account')) x(who, acct)
		 CROSS JOIN LATERAL service_id.check_instance(i.instance_id, x.acct) c
		 ORDER BY 1, 2});
}

1;
