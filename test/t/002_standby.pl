# 002_standby.pl — a streaming hot standby.
#
# The four views and check_instance give the same answers on the primary
# and on the standby, the invariants hold on the standby, and every writing
# function of the API fails there with core's 25006
# (read_only_sql_transaction), before it looks at anything.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SidTest;
use Test::More;
use Time::HiRes qw(time);

my $t0 = time;

my $primary = sid_node('primary', allows_streaming => 1);
$primary->start;
sid_createdb($primary, 'sid');
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# The extension and an empty schema arrived by streaming; now the data.
sid_load_fixture($primary, 'sid');
$primary->wait_for_catchup($standby, 'replay');

is($standby->safe_psql('sid', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');

sub same_answers
{
	my ($label) = @_;
	my $p = sid_view_dumps($primary, 'sid');
	my $s = sid_view_dumps($standby, 'sid');
	for my $v (sort keys %$p)
	{
		my $rows = () = $p->{$v} =~ /\n/g;
		ok(length($p->{$v}) > 0 && $p->{$v} eq $s->{$v},
			"$label: $v gives the same " . ($rows + 1) . ' rows on the standby');
	}
	my $pc = sid_check_instance_dump($primary, 'sid');
	my $sc = sid_check_instance_dump($standby, 'sid');
	my $rows = () = $pc =~ /\n/g;
	ok(length($pc) > 0 && $pc eq $sc,
		"$label: check_instance gives the same " . ($rows + 1) . ' answers on the standby');
	return;
}

same_answers('after the load');

# The answers are not trivial: eligible and ineligible instances with their
# reasons, and consumed counts.
my $ci = $standby->safe_psql(
	'sid', q{
	SELECT string_agg(instance_id || ':' || eligible || ':' || array_to_string(reasons, ','), ' '
					  ORDER BY instance_id)
	  FROM service_id.instances
	 WHERE instance_id IN ('ecs-1', 'ecs-4', 'hk-1', 'payg-1', 'slb-1', 'ecs-rel', 'sas-4')});
is( $ci,
	'ecs-1:true: ecs-4:true: ecs-rel:false:released '
	  . 'hk-1:false:region_not_mainland payg-1:false:not_subscription '
	  . 'sas-4:false:allowance_used_up slb-1:false:product_not_supported',
	'the standby explains eligibility');
is( $standby->safe_psql('sid', q{SELECT row(c.*)::text FROM service_id.check_instance('ecs-1', 'acct-9') c}),
	'(f,ecs,5,1,4,{not_owner})',
	'check_instance on the standby: a stranger is told not_owner');

my @rows = sid_invariants($standby, 'sid');
ok(@rows == $SID_INVARIANT_COUNT && !grep({ $_->{ok} ne 't' } @rows),
	'invariants.sql runs on the standby and finds nothing');

# Arguments that would succeed on the primary.
my $unused = $standby->safe_psql('sid',
	q{SELECT number FROM service_id.number_store WHERE instance_id = 'ecs-1' AND state = 'unused' LIMIT 1});
my $active = $standby->safe_psql('sid',
	q{SELECT min(filing_id) FROM service_id.filing_store WHERE status = 'active'});
ok($unused ne '' && $active ne '', 'the standby has an unused number and an active filing to try');

my %writers = (
	'apply_service_id' => q{SELECT service_id.apply_service_id('ecs-1', 'acct-1')},
	'apply_service_id with a grantee' => q{SELECT service_id.apply_service_id('ecs-1', 'acct-1', 'acct-2')},
	'apply_service_ids' => q{SELECT * FROM service_id.apply_service_ids('ecs-1', 'acct-1', 2)},
	'revoke_service_id' => qq{SELECT service_id.revoke_service_id('$unused', 'acct-1')},
	'register_filing' => qq{SELECT service_id.register_filing('acct-1', 'standby.example.cn', '$unused')},
	'register_filing_direct' =>
	  q{SELECT service_id.register_filing_direct('acct-1', 'standby-direct.example.cn', 'ecs-1')},
	'register_filing_trustpass' =>
	  q{SELECT service_id.register_filing_trustpass('acct-tp', 'standby-tp.example.cn', 'shop-x')},
	'cancel_filing' => qq{SELECT service_id.cancel_filing($active)},
	'remove_access' => qq{SELECT service_id.remove_access($active)},
	'expire_service_ids' => q{SELECT service_id.expire_service_ids()},
	'grant_usage' => q{SELECT service_id.grant_usage('pg_monitor')},
	'grant_read' => q{SELECT service_id.grant_read('pg_monitor')});

for my $f (sort keys %writers)
{
	my ($state, $out, $err) = sid_sqlstate($standby, 'sid', $writers{$f});
	is($state, '25006', "$f fails on the standby with 25006") or diag($err);
}

# Nothing changed on the standby or the primary.
same_answers('after the refused writes');

# The primary still writes, and the standby follows.
my $st = sid_sqlstate($primary, 'sid', $writers{'apply_service_id'});
is($st, '', 'apply_service_id works on the primary');
is(sid_sqlstate($primary, 'sid', $writers{'cancel_filing'}), '', 'cancel_filing works on the primary');
is(sid_sqlstate($primary, 'sid', $writers{'register_filing'}), '', 'register_filing works on the primary');
$primary->wait_for_catchup($standby, 'replay');
same_answers('after more writes on the primary');
is( $standby->safe_psql('sid', q{SELECT consumed FROM service_id.check_instance('ecs-1')}),
	'2', 'the standby sees the new number in the allowance');

note(sprintf('002_standby took %.1fs', time - $t0));
$standby->stop;
$primary->stop;
done_testing();
