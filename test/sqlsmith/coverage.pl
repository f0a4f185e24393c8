#!/usr/bin/perl
# test/sqlsmith/coverage.pl — what sqlsmith's queries reached of service_id.
#
# usage: coverage.pl FUNCS_BEFORE FUNCS_AFTER QUERY_DUMP ...
#
# FUNCS_* are "signature<TAB>calls" for every function of the extension
# (pg_stat_user_functions, track_functions = all), before and after the
# runs.  A call counts there only when it returns: calls that raise an error,
# and every call before a crash (a crash resets the statistics), are
# missing.  So the generated queries are counted too: how many name each
# function, and how many write each table, by statement.
# Prints "# " lines.
use strict;
use warnings;

my ($before, $after, @dumps) = @ARGV;
die "usage: $0 FUNCS_BEFORE FUNCS_AFTER QUERY_DUMP ...\n" unless defined $after;

sub load
{
	my %h;
	open(my $f, '<', $_[0]) or return %h;
	while (<$f>)
	{
		chomp;
		my ($sig, $n) = split /\t/;
		$h{$sig} = $n if defined $n;
	}
	return %h;
}
my %b = load($before);
my %a = load($after);

my (%named, %writes, $queries);
{
	local $/ = ";\n";
	for my $d (@dumps)
	{
		my $in;
		if ($d =~ /\.gz$/) { open($in, '-|', 'gzip', '-dc', $d) or next; }
		else { open($in, '<', $d) or next; }
		while (my $q = <$in>)
		{
			$queries++;
			my %seen;
			$seen{$1} = 1 while $q =~ /\bservice_id\.(\w+)\(/g;
			$named{$_}++ for keys %seen;
			if ($q =~ /^\s*(?:WITH\b.*?\)\s*)?(insert into|update|delete from|MERGE INTO)\s+(?:service_id\.)?(\w+)/si)
			{
				my ($verb, $t) = (lc $1, $2);
				$verb =~ s/ .*//;
				$writes{$t}{$verb}++;
			}
		}
		close($in);
	}
}

my (@lines, @never);
for my $sig (sort keys %a)
{
	my ($name) = $sig =~ /^(?:service_id\.)?(\w+)\(/;
	next unless defined $name;
	my $calls = ($a{$sig} // 0) - ($b{$sig} // 0);
	$calls = 0 if $calls < 0;
	my $q = $named{$name} // 0;
	(my $short = $sig) =~ s/^service_id\.//;
	if ($calls == 0 && $q == 0) { push @never, $name; next; }
	push @lines, sprintf("#     %-44s %7d %10d", substr($short, 0, 44), $q, $calls);
}
print "#   functions of service_id: queries naming it, calls that returned\n";
print "$_\n" for @lines;
my %u;
@never = grep { !$u{$_}++ } @never;
print "#   never named by a query and never called (triggers fire only on DML):\n";
my $l = '#     ';
for my $n (@never)
{
	if (length($l) + length($n) > 100) { print "$l\n"; $l = '#     '; }
	$l .= "$n ";
}
print "$l\n" if $l =~ /\S\s*\S/;
print "#   statements writing each table (of $queries queries):\n";
for my $t (sort keys %writes)
{
	print "#     $t: " . join(', ', map { "$_ $writes{$t}{$_}" } sort keys %{ $writes{$t} }) . "\n";
}
