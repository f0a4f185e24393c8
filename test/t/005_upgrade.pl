# 005_upgrade.pl — the upgrade a DBA makes, with data, from each earlier
# release: a database made and filled by the release's own library, then
# the library replaced by this one, then ALTER EXTENSION UPDATE.
#
# For 1.0 and 1.1 (libraries built from git history by
# test/old-releases.sh; SID_OLD_RELEASES names them, and the cluster finds
# the old one first through dynamic_library_path — the control file names
# the library without a directory for this):
#   - the fixture of SidTest.pm (numbers in every state, filings of every
#     method and status, the audit log) is made through the old API;
#   - the owner then damages the allowance counters by hand, as the old
#     guards let him (issue #8, item 5);
#   - the database is dumped, as it is;
#   - with this library, the old schema is refused (55000, "ALTER EXTENSION
#     service_id UPDATE"), not misread;
#   - ALTER EXTENSION UPDATE brings it to 1.2: every view and catalog holds
#     what it held, the counters are right again, every invariant holds,
#     the guards of 1.2 are in force and applying goes on;
#   - the old dump restores into a database of this release with the same
#     content and every invariant.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SidTest;
use Test::More;

my $releases = $ENV{SID_OLD_RELEASES};
plan skip_all => 'no builds of earlier releases: SID_OLD_RELEASES is set by make test '
  . '(test/old-releases.sh, from a git checkout)'
  unless $releases && -d $releases;

my $pkglibdir = `pg_config --pkglibdir`;
chomp $pkglibdir;

for my $old ('1.0', '1.1')
{
	my $libdir = "$releases/$old";
	ok(-f "$libdir/service_id.so", "the library of release $old was built");

	my $node = sid_node("from_$old");
	$node->append_conf('postgresql.conf', "dynamic_library_path = '$libdir:\$libdir'\n");
	$node->start;

	# made and filled by the old release
	sid_createdb($node, 'sid', no_extension => 1);
	$node->safe_psql('sid', "CREATE EXTENSION service_id VERSION '$old'");
	like(
		$node->safe_psql('sid',
			q{SELECT probin FROM pg_proc WHERE proname = 'apply_service_id'}),
		qr/^service_id$/,
		"$old: the functions name the library without a directory");
	sid_load_fixture($node, 'sid');
	my $before = sid_view_dumps($node, 'sid');
	my $checks = sid_check_instance_dump($node, 'sid');

	# the counters, damaged by hand as the old guards allowed: a zero row
	# deleted, a full counter moved to another instance, a zero row made
	# for the first
	$node->safe_psql(
		'sid', q{
		DELETE FROM service_id.instance_usage WHERE instance_id = 'mars-1';
		UPDATE service_id.instance_usage SET instance_id = 'mars-1' WHERE instance_id = 'sas-4';
		INSERT INTO service_id.instance_usage VALUES ('sas-4', 0);
	});
	is( $node->safe_psql('sid',
			q{SELECT consumed FROM service_id.instance_usage WHERE instance_id = 'sas-4'}),
		'0', "$old: the old release let the owner empty a full counter");

	my $dump = "$PostgreSQL::Test::Utils::tmp_check/from_$old.dump";
	$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('sid') ],
		"$old: pg_dump of the old database");

	# this release's library
	$node->append_conf('postgresql.conf', "dynamic_library_path = '\$libdir'\n");
	$node->restart;
	my ($state, $out, $err) = sid_sqlstate($node, 'sid',
		q{SELECT * FROM service_id.check_instance('ecs-1')});
	is($state, '55000', "$old: this library refuses to serve the old schema");
	like($err, qr/ALTER EXTENSION service_id UPDATE/, "$old: and says what to do");

	$node->safe_psql('sid', 'ALTER EXTENSION service_id UPDATE');
	is($node->safe_psql('sid', q{SELECT extversion FROM pg_extension WHERE extname = 'service_id'}),
		'1.2', "$old: updated to 1.2");

	my $after = sid_view_dumps($node, 'sid');
	for my $v (sort keys %$before)
	{
		is($after->{$v}, $before->{$v}, "$old: view or catalog $v holds what it held");
	}
	is(sid_check_instance_dump($node, 'sid'), $checks,
		"$old: check_instance answers as before, for every instance and asker");
	is( $node->safe_psql('sid',
			q{SELECT consumed FROM service_id.instance_usage WHERE instance_id = 'sas-4'}),
		'5', "$old: the update rebuilt the damaged counters");
	$node->safe_psql('sid', 'CREATE EXTENSION amcheck');
	sid_invariants_ok($node, 'sid', "$old: after the update");

	# the guards and the API of 1.2 in force
	is(sid_sqlstate($node, 'sid', q{DELETE FROM service_id.instance_usage WHERE instance_id = 'ecs-1'}),
		'42501', "$old: the counters refuse a hand-written statement");
	is(sid_sqlstate($node, 'sid', q{UPDATE service_id.number_store SET state = NULL}),
		'55000', "$old: a NULL state is refused, the server stays up");
	is( $node->safe_psql('sid',
			q{SELECT count(*) FROM service_id.apply_service_ids('ecs-spare', 'acct-0', 5)}),
		'5', "$old: applying goes on");
	is(sid_sqlstate($node, 'sid', q{SELECT service_id.apply_service_id('ecs-spare', 'acct-0')}),
		'53400', "$old: and the allowance holds");
	is( $node->safe_psql('sid', q{SELECT count(*) FROM service_id.account_numbers('acct-0')}),
		$node->safe_psql('sid',
			q{SELECT count(*) FROM service_id.numbers WHERE applicant = 'acct-0' OR grantee = 'acct-0'}),
		"$old: account_numbers lists the account's numbers, old and new");
	sid_invariants_ok($node, 'sid', "$old: after applying on 1.2");

	# the dump of the old database into this release
	$node->safe_psql('postgres', 'CREATE DATABASE restored');
	$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ],
		"$old: the old dump restores into 1.2 without an error");
	my $restored = sid_view_dumps($node, 'restored');
	for my $v (sort keys %$before)
	{
		is($restored->{$v}, $before->{$v}, "$old: restored $v holds what the old database held");
	}
	$node->safe_psql('restored', 'CREATE EXTENSION amcheck');
	sid_invariants_ok($node, 'restored', "$old: after restoring its dump into 1.2");

	$node->stop;
}

done_testing();
