# 006_cron.pl — expiry scheduled with pg_cron (Debian postgresql-15-cron).
#
# Without pg_cron, schedule_expiry() and unschedule_expiry() fail with
# 55000 and a hint that says what to install and configure.  With
# shared_preload_libraries = 'pg_cron' and cron.database_name naming the
# database, schedule_expiry('* * * * *') registers one job that runs
# SELECT service_id.expire_service_ids() there as the extension's owner,
# and at the next minute boundary the unused numbers of a released and of
# a lapsed instance become invalid, with their audit rows and their
# allowance slots given back, while nobody calls the function; scheduling
# again changes the same job; unscheduling removes it, and a second time
# only says so.
#
# pg_cron 1.4 starts jobs at minute boundaries, so the job runs up to a
# minute after it is scheduled.  The test waits once: it schedules as soon
# as its data is in place and checks the cluster without pg_cron while the
# minute runs out.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SidTest;
use Test::More;
use Time::HiRes qw(time);

my $t0 = time;

# ---------------------------------------------------------------------
# The cluster with pg_cron.  Its jobs connect through libpq, by the Unix
# socket the test cluster listens on.  The extension belongs to sid_owner,
# a superuser other than the one running the test, so that the job's user
# shows whose rights it runs with.
my $cron = sid_node('cron');
my $socket = $cron->host;
$cron->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'sid'
cron.host = '$socket'
});
$cron->start;
sid_createdb($cron, 'sid', no_extension => 1);
$cron->safe_psql(
	'sid', q{
	CREATE ROLE sid_owner LOGIN SUPERUSER;
	SET ROLE sid_owner;
	CREATE EXTENSION service_id;
	RESET ROLE;
	CREATE EXTENSION pg_cron;
});
is( $cron->safe_psql(
		'sid', q{
		SELECT e.extname || ':' || r.rolname FROM pg_extension e JOIN pg_roles r ON r.oid = e.extowner
		 WHERE e.extname IN ('service_id', 'pg_cron') ORDER BY 1}),
	"pg_cron:postgres\nservice_id:sid_owner",
	'service_id belongs to sid_owner, pg_cron is in the database cron.database_name names');

# Three instances with unused numbers: one to be released (it also has a
# used number), one whose subscription ends while it still says running,
# one that stays.
$cron->safe_psql(
	'sid', q{
	INSERT INTO service_id.instance
		(instance_id, account_id, product, region, billing, subscribed_months,
		 expires_at, public_ip, status, trial) VALUES
		('ecs-gone', 'acct-1', 'ecs', 'cn-hangzhou', 'subscription', 12,
		 now() + interval '1 year', '10.0.0.1', 'running', false),
		('ecs-lapsed', 'acct-1', 'ecs', 'cn-beijing', 'subscription', 12,
		 now() + interval '1 year', '10.0.0.2', 'running', false),
		('ecs-live', 'acct-2', 'ecs', 'cn-shanghai', 'subscription', 12,
		 now() + interval '1 year', '10.0.0.3', 'running', false);
	SELECT count(*) FROM service_id.apply_service_ids('ecs-gone', 'acct-1', 3);
	SELECT count(*) FROM service_id.apply_service_ids('ecs-lapsed', 'acct-1', 2);
	SELECT count(*) FROM service_id.apply_service_ids('ecs-live', 'acct-2', 2);
	SELECT service_id.register_filing('acct-1', 'gone.example.cn',
		(SELECT number FROM service_id.number_store
		  WHERE instance_id = 'ecs-gone' ORDER BY number LIMIT 1));
	UPDATE service_id.instance SET status = 'released' WHERE instance_id = 'ecs-gone';
	UPDATE service_id.instance SET expires_at = now() - interval '1 minute'
	 WHERE instance_id = 'ecs-lapsed';
});

# "instance: state count, ..., consumed N" for the three instances.
my $numbers_sql = q{
	SELECT string_agg(i.instance_id || ': ' || n.states || ', consumed ' || u.consumed,
					  ' | ' ORDER BY i.instance_id)
	  FROM service_id.instance i
	  JOIN service_id.instance_usage u USING (instance_id)
	 CROSS JOIN LATERAL (
		SELECT string_agg(state || ' ' || cnt, ', ' ORDER BY state) AS states
		  FROM (SELECT state, count(*) AS cnt FROM service_id.number_store s
				 WHERE s.instance_id = i.instance_id GROUP BY state) x) n};
my $before = 'ecs-gone: unused 2, used 1, consumed 3 | ecs-lapsed: unused 2, consumed 2 '
  . '| ecs-live: unused 2, consumed 2';
my $after = 'ecs-gone: invalid 2, used 1, consumed 1 | ecs-lapsed: invalid 2, consumed 0 '
  . '| ecs-live: unused 2, consumed 2';
is($cron->safe_psql('sid', $numbers_sql), $before,
	'released and lapsed instances keep their unused numbers until expiry runs');

# Schedule: a job id, and one job in cron.job.
my $sched_at = $cron->safe_psql('sid', 'SELECT clock_timestamp()');
my $jobid = $cron->safe_psql('sid', q{SELECT service_id.schedule_expiry('* * * * *')});
my $t_sched = time;
like($jobid, qr/^[1-9][0-9]*$/, "schedule_expiry('* * * * *') returns a job id ($jobid)");
is( $cron->safe_psql(
		'sid', q{
		SELECT jobid || '|' || jobname || '|' || schedule || '|' || command || '|'
			   || database || '|' || username || '|' || active
		  FROM cron.job ORDER BY jobid}),
	"$jobid|service_id_expire|* * * * *|SELECT service_id.expire_service_ids()|sid|sid_owner|true",
	'cron.job: one job running SELECT service_id.expire_service_ids() in sid as the extension owner');

# Failures that change nothing: no schedule, a bad schedule, a read-only
# transaction, and a database where service_id is but pg_cron is not.
my ($st, $out, $err) = sid_sqlstate($cron, 'sid', q{SELECT service_id.schedule_expiry(NULL)});
is($st, '22023', 'schedule_expiry(NULL) fails with 22023') or diag($err);
($st, $out, $err) = sid_sqlstate($cron, 'sid', q{SELECT service_id.schedule_expiry('every minute')});
is($st, '22023', 'schedule_expiry with a schedule cron cannot read fails with 22023') or diag($err);
for my $f (q{schedule_expiry('0 4 * * *')}, 'unschedule_expiry()')
{
	($st, $out, $err) = sid_sqlstate($cron, 'sid', "BEGIN READ ONLY; SELECT service_id.$f");
	is($st, '25006', "$f in a read-only transaction fails with 25006") or diag($err);
}
is($cron->safe_psql('sid', q{SELECT count(*) || ' ' || min(schedule) FROM cron.job}),
	'1 * * * * *', 'the refused calls left the one job as it was');

sid_createdb($cron, 'elsewhere');
for my $f ('schedule_expiry()', 'unschedule_expiry()')
{
	($st, $out, $err) = sid_sqlstate($cron, 'elsewhere', "SELECT service_id.$f");
	is($st, '55000', "$f in a database without pg_cron, cron loaded: 55000") or diag($err);
	like(
		$err,
		qr/ERROR:  55000: pg_cron is not installed in this database\n.*HINT:  [^\n]*database "sid"/s,
		"$f there: the hint names the database pg_cron keeps its jobs in");
}

# ---------------------------------------------------------------------
# While the minute runs out: a cluster without pg_cron.
my $plain = sid_node('plain');
$plain->start;
sid_createdb($plain, 'sid');
for my $f ('schedule_expiry()', "schedule_expiry('* * * * *')", 'unschedule_expiry()')
{
	($st, $out, $err) = sid_sqlstate($plain, 'sid', "SELECT service_id.$f");
	is($st, '55000', "without pg_cron, $f fails with 55000") or diag($err);
	like($err, qr/ERROR:  55000: pg_cron is not installed in this database\n/,
		"without pg_cron, $f says pg_cron is not installed");
	my ($hint) = $err =~ /^HINT:  (.*)$/m;
	$hint //= '';
	ok( $hint =~ /postgresql-15-cron/
		  && $hint =~ /shared_preload_libraries/
		  && $hint =~ /CREATE EXTENSION pg_cron/
		  && $hint =~ /cron\.database_name/,
		"without pg_cron, $f hints: the package, shared_preload_libraries, "
		  . 'CREATE EXTENSION pg_cron, cron.database_name')
	  or diag($err);
}
is($plain->safe_psql('sid', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'cron'}),
	'0', 'without pg_cron, nothing was created');
$plain->stop;

# ---------------------------------------------------------------------
# The wait: until the job's first run has ended (its statement committed
# before pg_cron records the end).  Nobody here calls expire_service_ids().
my $ran = $cron->poll_query_until(
	'sid', qq{
	SELECT EXISTS (SELECT FROM cron.job_run_details
				   WHERE jobid = $jobid AND status IN ('succeeded', 'failed'))});
my $waited = time - $t_sched;
ok($ran, sprintf('the job ran within %.0fs of being scheduled', $waited));
diag($cron->safe_psql('sid', 'SELECT * FROM cron.job_run_details'))
  if !$ran
  || $cron->safe_psql('sid', q{SELECT bool_or(status <> 'succeeded') FROM cron.job_run_details}) ne 'f';
note(sprintf('waited %.1fs for the minute boundary', $waited));

is($cron->safe_psql('sid', $numbers_sql), $after,
	'the unused numbers of the released and the lapsed instance are invalid, '
	  . 'their slots given back; the used number and the live instance untouched');
is( $cron->safe_psql(
		'sid', qq{
		SELECT count(*) || '|' || status || '|' || database || '|' || username || '|'
			   || command || '|' || return_message || '|' || (min(start_time) >= '$sched_at')
		  FROM cron.job_run_details WHERE jobid = $jobid
		 GROUP BY status, database, username, command, return_message}),
	"1|succeeded|sid|sid_owner|SELECT service_id.expire_service_ids()|1 row|true",
	'cron.job_run_details: one run, succeeded, in sid, as the extension owner sid_owner');
is( $cron->safe_psql(
		'sid', qq{
		SELECT string_agg(a.instance_id || ' ' || a.db_user || ' ' || a.account_id
						  || ' ' || (n.state = 'invalid')
						  || ' ' || (a.at > '$sched_at' AND a.at <= d.end_time),
						  ', ' ORDER BY a.instance_id, a.number)
		  FROM service_id.audit a
		  JOIN service_id.number_store n ON n.number OPERATOR(service_id.=) a.number
		 CROSS JOIN cron.job_run_details d
		 WHERE a.action = 'invalidated' AND d.jobid = $jobid}),
	'ecs-gone sid_owner acct-1 true true, ecs-gone sid_owner acct-1 true true, '
	  . 'ecs-lapsed sid_owner acct-1 true true, ecs-lapsed sid_owner acct-1 true true',
	"one 'invalidated' audit row per number, written by the job's session (sid_owner) "
	  . 'after the scheduling and before the run ended');
is( $cron->safe_psql(
		'sid', q{
		SELECT string_agg(consumed || '/' || remaining, ' ' ORDER BY i)
		  FROM unnest(ARRAY['ecs-gone', 'ecs-lapsed', 'ecs-live']) WITH ORDINALITY x(id, i)
		 CROSS JOIN LATERAL service_id.check_instance(x.id) c}),
	'1/4 0/5 2/3',
	'check_instance: consumed and remaining count the slots given back');
sid_invariants_ok($cron, 'sid', 'after the scheduled expiry');

# ---------------------------------------------------------------------
# Scheduling again changes the same job; unscheduling removes it.
is($cron->safe_psql('sid', q{SELECT service_id.schedule_expiry('*/5 * * * *')}),
	$jobid, 'schedule_expiry again returns the same job id');
is($cron->safe_psql('sid', q{SELECT service_id.schedule_expiry()}),
	$jobid, 'and so does schedule_expiry() with the default schedule');
is( $cron->safe_psql(
		'sid', q{SELECT string_agg(jobid || ' ' || schedule || ' ' || username, ', ') FROM cron.job}),
	"$jobid */5 * * * * sid_owner",
	'cron.job still has one job, on the new schedule');

($st, $out, $err) = sid_sqlstate($cron, 'sid', q{SELECT service_id.unschedule_expiry()});
is($st, '', 'unschedule_expiry() succeeds') or diag($err);
is($cron->safe_psql('sid', q{SELECT count(*) FROM cron.job}), '0', 'and cron.job is empty');
($st, $out, $err) = sid_sqlstate($cron, 'sid', q{SELECT service_id.unschedule_expiry()});
is($st, '', 'unschedule_expiry() again does not fail') or diag($err);
like($err, qr/NOTICE:  00000: no expiry job was scheduled$/m, 'it raises a NOTICE that no job was scheduled');
unlike($err, qr/ERROR|WARNING/, 'and nothing worse');

# Scheduling works again after that (a new job).
my $jobid2 = $cron->safe_psql('sid', q{SELECT service_id.schedule_expiry('0 3 * * *')});
ok($jobid2 =~ /^[0-9]+$/ && $jobid2 != $jobid
	  && $cron->safe_psql('sid', q{SELECT count(*) || ' ' || min(schedule) FROM cron.job}) eq '1 0 3 * * *',
	'schedule_expiry after unschedule_expiry makes a new job');
$cron->safe_psql('sid', q{SELECT service_id.unschedule_expiry()});

note(sprintf('006_cron took %.1fs', time - $t0));
$cron->stop;
done_testing();
