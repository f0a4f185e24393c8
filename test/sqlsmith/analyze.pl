#!/usr/bin/perl
# test/sqlsmith/analyze.pl — read the server log of a sqlsmith run.
#
# usage: analyze.pl LOGFILE START_OFFSET OUTDIR [QUERY_DUMP ...]
#
# The server runs with log_error_verbosity = verbose, lc_messages = C and
# log_line_prefix = '%m [%p] %q%u@%d ', so every message carries its
# SQLSTATE and a LOCATION line naming the C function and source file that
# raised it.  Messages are grouped by process id (a message and its DETAIL,
# LOCATION and STATEMENT lines share one); lines without a prefix continue
# the previous line (multi-line statements).
#
# Writes into OUTDIR:
#   codes.tsv      level, SQLSTATE, count, first message (sorted by count)
#   failures.txt   every crash, PANIC, assertion failure and internal error
#                  (XX000-XX002) raised from service_id's own source files,
#                  with the statement that caused it
#   notes.txt      internal errors raised from core's files (not counted as
#                  failures; read them: our code may have caused them)
#   ours.tsv       every message whose LOCATION is in service_id's files:
#                  SQLSTATE, count, C function, message (for the report)
# The postmaster logs at most 1023 bytes of the statement a crashed backend
# was running; when sqlsmith's query dumps (plain or .gz) are given, a
# truncated statement is replaced by the whole query it starts.
# Prints one line: key=value counts.
use strict;
use warnings;

my ($logfile, $start, $outdir, @dumps) = @ARGV;
die "usage: $0 LOGFILE START_OFFSET OUTDIR [QUERY_DUMP ...]\n" unless defined $outdir;

open(my $fh, '<', $logfile) or die "cannot open $logfile: $!\n";
binmode($fh);
seek($fh, $start || 0, 0) or die "cannot seek $logfile: $!\n";

my $prefix = qr/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+) \[(\d+)\] (?:(\S*?)@(\S*?) )?/;
my $levels = qr/LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG\d?/;
my $fields = qr/DETAIL|HINT|CONTEXT|LOCATION|STATEMENT|QUERY/;
my $ours = qr/\b(?:sid_\w+\.c|service_id\w*\.c)\b/;

my (%current, %codes, %example, %ourmsg, %pid_user);
my (@failures, @notes);
my %n = (crashes => 0, restarts => 0, panics => 0, asserts => 0,
		 ours_internal => 0, core_internal => 0, errors => 0, fatals => 0,
		 our_messages => 0);
my $last;						# [pid, field] the previous line wrote to

sub shorten
{
	my ($s, $max) = @_;
	$s = '' unless defined $s;
	$s =~ s/\s+$//;
	return length($s) > $max ? substr($s, 0, $max) . "\n... (" . length($s) . " characters in all)" : $s;
}

sub statement
{
	my ($r) = @_;
	if ($r->{level} eq 'LOG' && defined $r->{DETAIL}
		&& $r->{DETAIL} =~ /^Failed process was running: (.*)/s)
	{
		return $1;
	}
	return $r->{STATEMENT} // $r->{QUERY} // '';
}

sub block
{
	my ($kind, $r) = @_;
	my $q = $r->{full} // statement($r);
	my $s = "== $kind\n";
	my $user = $r->{user};
	if (!$user && ($r->{msg} // '') =~ /\(PID (\d+)\)/ && $pid_user{$1})
	{
		$user = $pid_user{$1};		# the crashed backend's, from its earlier lines
	}
	$s .= "time:      $r->{time}  pid $r->{pid}" . ($user ? "  user $user" : '') . "\n";
	$s .= "message:   $r->{level}:  " . ($r->{code} ? "$r->{code}: " : '') . shorten($r->{msg}, 2000) . "\n";
	$s .= "detail:    " . shorten($r->{DETAIL}, 2000) . "\n" if defined $r->{DETAIL} && $q eq '';
	$s .= "location:  $r->{LOCATION}\n" if defined $r->{LOCATION};
	$s .= "context:   " . shorten($r->{CONTEXT}, 2000) . "\n" if defined $r->{CONTEXT};
	$s .= "statement" . ($r->{full} ? " (whole, from $r->{from})" : '') . ":\n"
		. shorten($q, 20000) . ";\n" if $q ne '';
	return $s;
}

sub finish
{
	my ($pid) = @_;
	my $r = delete $current{$pid};
	return unless $r;
	my $lvl = $r->{level};
	my $code = $r->{code} // '?????';
	my $loc = $r->{LOCATION} // '';

	if ($lvl =~ /^(ERROR|FATAL|PANIC)$/)
	{
		my $k = "$lvl\t$code";
		$codes{$k}++;
		$example{$k} //= $r->{msg};
		$n{errors}++ if $lvl eq 'ERROR';
		$n{fatals}++ if $lvl eq 'FATAL';
	}
	if ($loc =~ $ours && $lvl ne 'LOG')
	{
		my ($func) = $loc =~ /^(\S+?),/;
		my $m = $r->{msg};
		$m =~ s/"[^"]*"/"…"/g;		# group messages that differ only in a quoted value
		$m =~ s/\b\d+\b/N/g;
		my $k = "$code\t" . ($func // '?') . "\t$m";
		$ourmsg{$k}++;
		$n{our_messages}++;
	}
	if ($lvl eq 'PANIC')
	{
		$n{panics}++;
		push @failures, ['PANIC', $r];
	}
	elsif ($lvl eq 'LOG' && $r->{msg} =~ /\(PID \d+\) (was terminated by (signal|exception)|exited with exit code)/)
	{
		$n{crashes}++;
		push @failures, ['CRASH', $r];
	}
	elsif ($lvl eq 'LOG' && $r->{msg} =~ /all server processes terminated; reinitializing/)
	{
		$n{restarts}++;
	}
	elsif ($code =~ /^XX00[012]$/)
	{
		if ($loc =~ $ours)
		{
			$n{ours_internal}++;
			push @failures, ["INTERNAL ERROR $code FROM service_id", $r];
		}
		else
		{
			$n{core_internal}++;
			push @notes, ["internal error $code from core", $r];
		}
	}
}

while (my $line = <$fh>)
{
	chomp $line;
	if ($line =~ /^TRAP: /)
	{
		$n{asserts}++;
		push @failures, ['ASSERTION FAILURE', { level => 'TRAP', msg => $line, time => '', pid => '' }];
		next;
	}
	if ($line =~ $prefix)
	{
		my ($time, $pid, $user) = ($1, $2, $3);
		my $rest = substr($line, length($&));
		$pid_user{$pid} //= $user if $user;
		if ($rest =~ /^($levels):  (?:([0-9A-Z]{5}): )?(.*)$/)
		{
			finish($pid);
			$current{$pid} = { time => $time, pid => $pid, user => $user,
							   level => $1, code => $2, msg => $3 };
			$last = [$pid, 'msg'];
			next;
		}
		if ($rest =~ /^($fields):  (.*)$/)
		{
			my ($f, $v) = ($1, $2);
			$current{$pid} //= { time => $time, pid => $pid, user => $user,
								 level => '?', msg => '' };
			$current{$pid}{$f} = $v;
			$last = [$pid, $f];
			next;
		}
	}
	# A continuation line of the previous message or statement.
	if ($last && $current{$last->[0]})
	{
		$line =~ s/^\t//;		# the server indents every further line of a message
		$current{$last->[0]}{$last->[1]} .= "\n$line";
	}
}
finish($_) for sort keys %current;
close($fh);

open(my $c, '>', "$outdir/codes.tsv") or die;
for my $k (sort { $codes{$b} <=> $codes{$a} || $a cmp $b } keys %codes)
{
	my $ex = $example{$k};
	$ex =~ s/\s+/ /g;
	print $c "$k\t$codes{$k}\t" . substr($ex, 0, 100) . "\n";
}
close($c);

open(my $o, '>', "$outdir/ours.tsv") or die;
for my $k (sort { $ourmsg{$b} <=> $ourmsg{$a} || $a cmp $b } keys %ourmsg)
{
	my $v = $k;
	$v =~ s/\s*\n\s*/ /g;
	print $o "$ourmsg{$k}\t$v\n";
}
close($o);

# Whole statements for truncated ones, from the query dumps.
my %want;
for my $f (@failures, @notes)
{
	my $q = statement($f->[1]);
	$want{$q} = [] if length($q) >= 1000;
}
if (%want && @dumps)
{
	local $/ = ";\n";
	for my $d (@dumps)
	{
		my $in;
		if ($d =~ /\.gz$/) { open($in, '-|', 'gzip', '-dc', $d) or next; }
		else { open($in, '<', $d) or next; }
		while (my $q = <$in>)
		{
			chomp $q;
			for my $p (keys %want)
			{
				push @{ $want{$p} }, [$q, $d]
					if !@{ $want{$p} } && substr($q, 0, length($p)) eq $p;
			}
		}
		close($in);
	}
	for my $f (@failures, @notes)
	{
		my $w = $want{ statement($f->[1]) } or next;
		next unless @$w;
		($f->[1]{full}, $f->[1]{from}) = @{ $w->[0] };
		$f->[1]{from} =~ s{.*/}{};
	}
}

open(my $f, '>', "$outdir/failures.txt") or die;
print $f join("\n", map { block(@$_) } @failures);
close($f);
open(my $nt, '>', "$outdir/notes.txt") or die;
print $nt join("\n", map { block(@$_) } @notes);
close($nt);

print join(' ', map { "$_=$n{$_}" } sort keys %n), "\n";
