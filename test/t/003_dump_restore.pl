# 003_dump_restore.pl — pg_dump -Fc and a plain pg_restore.
#
# A loaded database (instances, numbers in every state, filings of every
# method and status, the audit log, and DBA edits of the catalogs) is dumped
# and restored with no option beyond -d, into a fresh database of the same
# cluster and into a fresh cluster.  The restore must succeed without a
# single error, give the same content in every view and catalog, keep the
# invariants, keep every guard in force, and let applying go on.
#
# Also checks that test/invariants.sql can fail: each corruption made with
# the triggers disabled (a superuser act) is caught by its invariant.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SidTest;
use Test::More;
use Time::HiRes qw(time);

my $t0 = time;

my $node = sid_node('source');
$node->start;
sid_createdb($node, 'sid');
sid_load_fixture($node, 'sid');

# DBA edits: the ecs allowance lowered to 4 (no ecs instance holds more),
# a product and a region added, a seed region flipped to not mainland, and
# data on the added ones.
$node->safe_psql(
	'sid', q{
	UPDATE service_id.product SET allowance = 4 WHERE product = 'ecs';
	INSERT INTO service_id.product VALUES
		('gpu', 2, true, 1, 0, true, 'GPU instances allow two numbers.');
	INSERT INTO service_id.region VALUES ('cn-xian', true);
	UPDATE service_id.region SET mainland = false WHERE region = 'cn-chengdu';
	INSERT INTO service_id.instance
		(instance_id, account_id, product, region, billing, subscribed_months,
		 expires_at, public_ip, status, trial) VALUES
		('gpu-1', 'acct-9', 'gpu', 'cn-xian', 'subscription', 1, now() + interval '1 year',
		 '10.5.0.1', 'running', false),
		('gpu-2', 'acct-9', 'gpu', 'cn-xian', 'subscription', 1, now() + interval '1 year',
		 '10.5.0.2', 'running', false);
	SELECT count(*) FROM service_id.apply_service_ids('gpu-1', 'acct-9', 2);
	SELECT service_id.register_filing_direct('acct-9', 'gpu.example.cn', 'gpu-2');
});

my $shape = $node->safe_psql(
	'sid', q{
	SELECT string_agg(instance_id || ':' || eligible || ':' || array_to_string(reasons, ',')
					  || ':' || consumed || '/' || allowance, ' ' ORDER BY instance_id)
	  FROM service_id.instances
	 WHERE instance_id IN ('ecs-3', 'ecs-4', 'ecs-5', 'gpu-1', 'gpu-2', 'sas-4')});
is( $shape,
	'ecs-3:false:region_not_mainland:3/4 ecs-4:false:allowance_used_up:4/4 '
	  . 'ecs-5:true::1/4 gpu-1:false:allowance_used_up:2/2 gpu-2:true::1/2 '
	  . 'sas-4:false:allowance_used_up:5/5',
	'the DBA edits are in force before the dump');
sid_invariants_ok($node, 'sid', 'source database');

# invariants.sql catches each kind of corruption (made with triggers off,
# in a transaction that is rolled back).
my %corruptions = (
	'allowance: recomputed consumed <= allowance' =>
	  q{INSERT INTO service_id.number_store (number, instance_id, applicant)
		SELECT service_id.gen_service_id(), 'ecs-4', 'acct-4';},
	'counter: instance_usage.consumed = recomputed consumed' =>
	  q{UPDATE service_id.instance_usage SET consumed = consumed + 1 WHERE instance_id = 'ecs-1';},
	'numbers: a used number is bound to exactly one filing' =>
	  q{UPDATE service_id.number_store SET state = 'used', state_changed_at = now()
		 WHERE number OPERATOR(service_id.=) (SELECT min(number::text)::service_id.service_id FROM service_id.number_store
						  WHERE state = 'unused');},
	'numbers: only a used number is bound to a filing' =>
	  q{UPDATE service_id.number_store SET state = 'revoked', state_changed_at = now()
		 WHERE number OPERATOR(service_id.=) (SELECT min(number::text)::service_id.service_id FROM service_id.number_store
						  WHERE state = 'used');},
	'filings: a service_id filing holds a used number of its own instance' =>
	  q{UPDATE service_id.filing_store SET instance_id = 'ecs-spare'
		 WHERE filing_id = (SELECT min(filing_id) FROM service_id.filing_store
							 WHERE method = 'service_id');},
	'filings: no number in two filings' =>
	  q{ALTER TABLE service_id.filing_store DROP CONSTRAINT filing_store_number_used_once;
		INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id, status, ended_at)
		SELECT account_id, 'dup.example.cn', method, number, instance_id, 'cancelled', now()
		  FROM service_id.filing_store WHERE method = 'service_id' ORDER BY filing_id LIMIT 1;},
	'filings: at most one active filing per website' =>
	  q{DROP INDEX service_id.filing_store_one_active_per_website;
		INSERT INTO service_id.filing_store (account_id, website, method, shop_id)
		SELECT 'acct-x', website, 'trustpass', 'shop-dup'
		  FROM service_id.filing_store WHERE status = 'active' ORDER BY filing_id LIMIT 1;},
	'filings: a direct filing is made by the purchaser of its instance' =>
	  q{UPDATE service_id.filing_store SET account_id = 'acct-other'
		 WHERE filing_id = (SELECT min(filing_id) FROM service_id.filing_store WHERE method = 'direct');},
	'audit: one issued row per number, naming its instance, and none for unknown numbers' =>
	  q{DELETE FROM service_id.audit_store
		 WHERE event_id = (SELECT min(event_id) FROM service_id.audit_store WHERE action = 'issued');},
	'audit: one revoked row per revoked number, none for others' =>
	  q{INSERT INTO service_id.audit_store (account_id, action, number, instance_id)
		SELECT applicant, 'revoked', number, instance_id FROM service_id.number_store
		 WHERE state = 'unused' LIMIT 1;},
	'audit: one invalidated row per invalid number, none for others' =>
	  q{DELETE FROM service_id.audit_store
		 WHERE event_id = (SELECT min(event_id) FROM service_id.audit_store WHERE action = 'invalidated');},
	'audit: one registered row per filing, with its number and instance' =>
	  q{UPDATE service_id.audit_store SET instance_id = 'ecs-spare'
		 WHERE event_id = (SELECT min(event_id) FROM service_id.audit_store
							WHERE action = 'registered' AND instance_id IS NOT NULL);},
	'audit: one cancelled or access_removed row per ended filing, matching its status' =>
	  q{UPDATE service_id.filing_store SET status = 'cancelled', ended_at = now()
		 WHERE filing_id = (SELECT min(filing_id) FROM service_id.filing_store WHERE status = 'active');},
	'audit: every row names a known action target' =>
	  q{INSERT INTO service_id.audit_store (account_id, action) VALUES ('acct-x', 'registered');},
	'counter: one counter row per instance, none without its instance' =>
	  q{INSERT INTO service_id.instance_usage (instance_id, consumed) VALUES ('no-such-instance', 0);},
	'numbers: every number\'s instance exists and its applicant is the purchaser' =>
	  q{UPDATE service_id.number_store SET applicant = 'acct-other'
		 WHERE number OPERATOR(service_id.=) (SELECT min(number::text)::service_id.service_id FROM service_id.number_store);},
	'numbers: state is unused, used, revoked or invalid, and unused exactly when state_changed_at is null' =>
	  q{ALTER TABLE service_id.number_store DROP CONSTRAINT number_store_check;
		UPDATE service_id.number_store SET state_changed_at = NULL
		 WHERE number OPERATOR(service_id.=) (SELECT min(number::text)::service_id.service_id
							  FROM service_id.number_store WHERE state = 'revoked');},
	'filings: shape by method, active exactly when ended_at is null, instance exists' =>
	  q{ALTER TABLE service_id.filing_store DROP CONSTRAINT filing_store_check1;
		UPDATE service_id.filing_store SET ended_at = NULL
		 WHERE filing_id = (SELECT min(filing_id) FROM service_id.filing_store WHERE status = 'cancelled');},
	'filings: every website is a valid lower-case domain name' =>
	  q{UPDATE service_id.filing_store SET website = upper(website)
		 WHERE filing_id = (SELECT min(filing_id) FROM service_id.filing_store);},
	'ids: account, instance and shop ids are 1 to 255 characters without white space or control characters' =>
	  q{UPDATE service_id.filing_store SET account_id = account_id || E'\\u3000'
		 WHERE filing_id = (SELECT min(filing_id) FROM service_id.filing_store WHERE method = 'trustpass');},
	'filings: a number filing is made by the number\'s grantee when it has one' =>
	  q{UPDATE service_id.filing_store SET account_id = 'acct-other'
		 WHERE number OPERATOR(service_id.=) (SELECT min(n.number::text)::service_id.service_id
							  FROM service_id.number_store n WHERE n.grantee IS NOT NULL AND n.state = 'used');},
	'acl: nothing is granted to PUBLIC' =>
	  q{GRANT SELECT ON service_id.number_store TO PUBLIC;},
	'acl: roles other than the owner hold exactly what grant_usage / grant_read give' =>
	  q{GRANT SELECT ON service_id.number_store TO pg_monitor;},
	# an index without its heap's rows: amcheck raises (XX002) rather than
	# returning a row, which the loop below accepts for this one
	'index: every index of the extension\'s tables agrees with its heap (amcheck)' =>
	  q{CREATE EXTENSION IF NOT EXISTS amcheck;
		UPDATE pg_catalog.pg_class SET relhasindex = false WHERE oid = 'service_id.audit_store'::regclass;
		INSERT INTO service_id.audit_store (account_id, action, number, instance_id)
		VALUES ('acct-x', 'issued', service_id.gen_service_id(), 'ecs-1');
		UPDATE pg_catalog.pg_class SET relhasindex = true WHERE oid = 'service_id.audit_store'::regclass;});
is(scalar(keys %corruptions), $SID_INVARIANT_COUNT, 'a corruption for every invariant');
for my $inv (sort keys %corruptions)
{
	my $prefix = "BEGIN;\nSET LOCAL session_replication_role = replica;\n$corruptions{$inv}\n";
	if ($inv =~ /^index:/)
	{
		my ($state, $out, $err) = sid_sqlstate($node, 'sid',
			$prefix . slurp_file(sid_file('test/invariants.sql')) . "\nROLLBACK;");
		my ($line) = grep { /^index:/ } split /\n/, $out;
		ok($state =~ /^XX00[12]$/ || ($line && (split /\|/, $line)[2] eq 'f'),
			"invariants.sql catches: $inv") or diag("$state $err");
		next;
	}
	my @rows = sid_invariants($node, 'sid', $prefix, 'ROLLBACK;');
	my ($row) = grep { $_->{invariant} eq $inv } @rows;
	ok($row && $row->{ok} eq 'f', "invariants.sql catches: $inv")
	  or diag(explain(\@rows));
}
sid_invariants_ok($node, 'sid', 'source database after the rolled-back corruptions');

my $before = sid_view_dumps($node, 'sid');
my $max = $node->safe_psql('sid',
	q{SELECT (SELECT max(filing_id) FROM service_id.filing_store) || ' '
		  || (SELECT max(event_id) FROM service_id.audit_store)});
my ($max_filing, $max_event) = split / /, $max;

# Dump.
my $dumpfile = PostgreSQL::Test::Utils::tempdir . '/sid.dump';
my ($out, $err) = ('', '');
my $ok = IPC::Run::run(
	[ 'pg_dump', '-Fc', '-f', $dumpfile, '-h', $node->host, '-p', $node->port, 'sid' ],
	'>', \$out, '2>', \$err);
ok($ok && $err eq '', 'pg_dump -Fc succeeds without a message') or diag($err);

# Restore into a fresh database of the same cluster, and into a fresh cluster.
my $other = sid_node('target');
$other->start;

for my $target ([ $node, 'restored', 'a fresh database' ], [ $other, 'sid', 'a fresh cluster' ])
{
	my ($tnode, $db, $where) = @$target;
	$tnode->safe_psql('postgres', qq{CREATE DATABASE "$db"});
	($out, $err) = ('', '');
	$ok = IPC::Run::run(
		[ 'pg_restore', '-d', $tnode->connstr($db), $dumpfile ],
		'>', \$out, '2>', \$err);
	ok($ok, "pg_restore into $where exits 0");
	is($err, '', "pg_restore into $where reports no error") or diag($err);

	my $after = sid_view_dumps($tnode, $db);
	for my $v (sort keys %$before)
	{
		my $rows = () = $before->{$v} =~ /\n/g;
		ok($before->{$v} eq $after->{$v},
			"$where: $v has the same " . ($rows + 1) . ' rows as the source')
		  or diag("source:\n$before->{$v}\nrestored:\n$after->{$v}");
	}
	sid_invariants_ok($tnode, $db, "restored into $where");

	# Every guard still fires.
	my $used = $tnode->safe_psql($db,
		q{SELECT number FROM service_id.number_store WHERE state = 'used' ORDER BY number LIMIT 1});
	my $used_acct = $tnode->safe_psql($db,
		qq{SELECT coalesce(grantee, applicant) FROM service_id.number_store WHERE number OPERATOR(service_id.=) '$used'});
	is(sid_sqlstate($tnode, $db,
			qq{SELECT service_id.register_filing('$used_acct', 'reuse.example.cn', '$used')}),
		'23505', "$where: register_filing with a used number gives 23505");
	is(sid_sqlstate($tnode, $db,
			qq{INSERT INTO service_id.filing_store (account_id, website, method, number, instance_id)
			   SELECT '$used_acct', 'reuse-dml.example.cn', 'service_id', number, instance_id
				 FROM service_id.number_store WHERE number OPERATOR(service_id.=) '$used'}),
		'23505', "$where: a hand-written filing with a used number gives 23505");
	like(sid_sqlstate($tnode, $db, q{DELETE FROM service_id.number_store}),
		qr/^(42501|55000)$/, "$where: DELETE FROM number_store is refused");
	like(sid_sqlstate($tnode, $db,
			qq{UPDATE service_id.number_store SET state = 'unused', state_changed_at = NULL
			    WHERE number OPERATOR(service_id.=) '$used'}),
		qr/^(23505|42501|55000)$/, "$where: a used number cannot become unused again");
	like(sid_sqlstate($tnode, $db, q{TRUNCATE service_id.audit_store}),
		qr/^(42501|55000)$/, "$where: TRUNCATE of the audit log is refused");
	my $active = $tnode->safe_psql($db,
		q{SELECT website FROM service_id.filing_store WHERE status = 'active' ORDER BY filing_id LIMIT 1});
	is(sid_sqlstate($tnode, $db,
			qq{SELECT service_id.register_filing_trustpass('acct-x', '$active', 'shop-x')}),
		'23505', "$where: a second active filing for $active gives 23505");
	is(sid_sqlstate($tnode, $db,
			qq{SELECT service_id.register_filing_direct('acct-0', '$active', 'ecs-spare')}),
		'23505', "$where: a second active direct filing gives 23505");
	is($tnode->safe_psql($db, 'SELECT count(*) FROM service_id.number_store'),
		$node->safe_psql('sid', 'SELECT count(*) FROM service_id.number_store'),
		"$where: no number went away");

	# Applying goes on, with the allowances and regions the DBA set.
	my ($st, $num) = sid_sqlstate($tnode, $db, q{SELECT service_id.apply_service_id('ecs-5', 'acct-0')});
	is($st, '', "$where: apply_service_id works on an instance with room");
	is($tnode->safe_psql($db, qq{SELECT service_id.is_valid('$num')}), 't', "$where: the new number is valid");
	is(sid_sqlstate($tnode, $db, q{SELECT service_id.apply_service_id('ecs-4', 'acct-4')}),
		'53400', "$where: the lowered ecs allowance (4) is still enforced");
	is(sid_sqlstate($tnode, $db, q{SELECT service_id.apply_service_id('sas-4', 'acct-4')}),
		'53400', "$where: a full simple application server is still refused");
	is(sid_sqlstate($tnode, $db, q{SELECT service_id.apply_service_id('gpu-1', 'acct-9')}),
		'53400', "$where: the added product's allowance (2) is enforced in the added region");
	is(sid_sqlstate($tnode, $db, q{SELECT service_id.apply_service_id('gpu-2', 'acct-9')}),
		'', "$where: the added product and region still qualify an instance");
	is(sid_sqlstate($tnode, $db, q{SELECT service_id.apply_service_id('ecs-3', 'acct-3')}),
		'55000', "$where: the flipped region still refuses its instances");
	my $new_filing = $tnode->safe_psql($db,
		qq{SELECT service_id.register_filing('acct-0', 'after-restore.example.cn', '$num')});
	ok($new_filing > $max_filing, "$where: new filing ids continue after the restored ones ($new_filing > $max_filing)");
	ok($tnode->safe_psql($db, 'SELECT min(event_id) FROM service_id.audit_store WHERE event_id > ' . $max_event) > $max_event
		  && $tnode->safe_psql($db, "SELECT count(*) FROM service_id.audit_store WHERE event_id > $max_event") == 3,
		"$where: the audit log goes on after the restored events (3 new rows)");
	sid_invariants_ok($tnode, $db, "$where after applying");
}

note(sprintf('003_dump_restore took %.1fs', time - $t0));
$other->stop;
$node->stop;
done_testing();
