#!/usr/bin/perl
# examples.pl — the examples of doc/reference.md (see test/doc/run.sh).
#
#   examples.pl script  DOC DIR      write DIR/script.sql (every example, in
#                                    order, each after a marker line),
#                                    DIR/expected/N, DIR/titles, DIR/roles
#   examples.pl compare DIR ACTUAL   split psql's output at the markers,
#                                    compare each part with DIR/expected/N,
#                                    print TAP; exit 1 on any difference
#   examples.pl accept  DOC ACTUAL   write the outputs of ACTUAL into DOC's
#                                    output blocks (review with git diff)
#
# An example is a fenced block opened by a line "```sql" at the start of a
# line, and it must be followed (blank lines aside) by a fenced block opened
# by "```output": the exact output of psql for it, error lines included.
# Lines are compared without trailing white space, and without blank lines
# at the start and end of a block.
use strict;
use warnings;

my $MARK = '@@@ service_id reference example';

sub slurp
{
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or die "cannot read $file: $!\n";
	local $/;
	my $s = <$fh>;
	close $fh;
	return $s;
}

sub spew
{
	my ($file, $s) = @_;
	open(my $fh, '>:raw', $file) or die "cannot write $file: $!\n";
	print $fh $s;
	close $fh or die "cannot write $file: $!\n";
}

# Lines without trailing white space, and without blank lines at either end.
sub normalize
{
	my @lines = map { s/\s+$//r } @_;
	shift @lines while @lines && $lines[0] eq '';
	pop @lines while @lines && $lines[-1] eq '';
	return @lines;
}

# The examples of a document: a list of hashes with sql and output (lists of
# lines), the line numbers of both blocks (0-based), and the output block's
# extent, for accept.
sub parse
{
	my ($doc) = @_;
	my @lines = split /\n/, slurp($doc), -1;
	my (@examples, @errors);
	my $pending;				# an sql block waiting for its output block
	my $i = 0;

	while ($i < @lines)
	{
		my $line = $lines[$i];
		if ($line !~ /^(```+)\s*([\w-]*)\s*$/)
		{
			if ($pending && $line =~ /\S/)
			{
				push @errors, "$doc:" . ($pending->{sql_line} + 1)
				  . ": the sql block is not followed by an ```output block";
				undef $pending;
			}
			$i++;
			next;
		}
		my ($fence, $lang) = ($1, $2);
		my $start = $i;
		my @body;
		$i++;
		while ($i < @lines && $lines[$i] !~ /^\Q$fence\E\s*$/)
		{
			push @body, $lines[$i];
			$i++;
		}
		if ($i >= @lines)
		{
			push @errors, "$doc:" . ($start + 1) . ": unterminated fenced block";
			last;
		}
		my $end = $i;			# the closing fence
		$i++;

		if ($pending && $lang ne 'output')
		{
			push @errors, "$doc:" . ($pending->{sql_line} + 1)
			  . ": the sql block is not followed by an ```output block";
			undef $pending;
		}
		if ($lang eq 'sql')
		{
			$pending = { sql => [@body], sql_line => $start };
		}
		elsif ($lang eq 'output')
		{
			if (!$pending)
			{
				push @errors, "$doc:" . ($start + 1)
				  . ": an ```output block that follows no ```sql block";
				next;
			}
			$pending->{output} = [@body];
			$pending->{out_start} = $start;
			$pending->{out_end} = $end;
			push @examples, $pending;
			undef $pending;
		}
	}
	push @errors, "$doc:" . ($pending->{sql_line} + 1)
	  . ": the sql block is not followed by an ```output block"
	  if $pending;
	die join("\n", @errors) . "\n" if @errors;
	die "$doc: no examples\n" unless @examples;
	return (\@lines, \@examples);
}

sub title
{
	my ($ex) = @_;
	my ($first) = grep { /\S/ } @{ $ex->{sql} };
	$first //= '';
	$first =~ s/^\s+|\s+$//g;
	$first = substr($first, 0, 72) . '...' if length($first) > 75;
	return $first;
}

sub cmd_script
{
	my ($doc, $dir) = @_;
	my (undef, $examples) = parse($doc);
	mkdir "$dir/expected";
	my $script = '';
	my $titles = '';
	my %roles;
	my $n = 0;
	for my $ex (@$examples)
	{
		$n++;
		$script .= "\\echo '$MARK $n " . '@@@' . "'\n" . join("\n", @{ $ex->{sql} }) . "\n";
		spew("$dir/expected/$n", join("\n", normalize(@{ $ex->{output} })) . "\n");
		$titles .= "$n\t" . title($ex) . "\n";
		for (@{ $ex->{sql} })
		{
			$roles{ lc $1 } = 1 while /\bCREATE\s+(?:ROLE|USER)\s+"?(\w+)"?/gi;
		}
	}
	$script .= "\\echo '$MARK end " . '@@@' . "'\n";
	spew("$dir/script.sql", $script);
	spew("$dir/titles", $titles);
	spew("$dir/roles", join('', map { "$_\n" } sort keys %roles));
	print "$n\n";
}

# psql's output, cut at the markers: a hash from example number to its lines.
sub split_actual
{
	my ($actual) = @_;
	my %parts;
	my $cur;
	my @before;
	for my $line (split /\n/, slurp($actual), -1)
	{
		if ($line =~ /^\Q$MARK\E (\d+|end) @@@$/)
		{
			$cur = $1;
			$parts{$cur} = [];
			next;
		}
		if (defined $cur) { push @{ $parts{$cur} }, $line; }
		else { push @before, $line; }
	}
	return (\%parts, [ normalize(@before) ]);
}

sub cmd_compare
{
	my ($dir, $actual) = @_;
	my @titles = map { [ split /\t/, $_, 2 ] } split /\n/, slurp("$dir/titles");
	my ($parts, $before) = split_actual($actual);
	my $failed = 0;
	print "1.." . scalar(@titles) . "\n";
	if (@$before)
	{
		print "# psql printed this before the first example:\n";
		print "#   $_\n" for @$before;
	}
	for my $t (@titles)
	{
		my ($n, $title) = @$t;
		my $name = "reference example $n: $title";
		if (!exists $parts->{$n})
		{
			print "not ok $n - $name\n# psql did not reach this example\n";
			$failed++;
			next;
		}
		my @got = normalize(@{ $parts->{$n} });
		my $want = slurp("$dir/expected/$n");
		my $have = join("\n", @got) . "\n";
		if ($have eq $want)
		{
			print "ok $n - $name\n";
			next;
		}
		$failed++;
		print "not ok $n - $name\n";
		spew("$dir/got.$n", $have);
		my $diff = `diff -u --label documented --label actual "$dir/expected/$n" "$dir/got.$n"`;
		print map { "# $_\n" } split /\n/, $diff;
	}
	print "# $failed of " . scalar(@titles) . " examples differ from the reference\n" if $failed;
	my $stopped = !exists $parts->{end};
	print "# psql stopped before the end of the examples\n" if $stopped;
	exit($failed || $stopped ? 1 : 0);
}

sub cmd_accept
{
	my ($doc, $actual) = @_;
	my ($lines, $examples) = parse($doc);
	my ($parts) = split_actual($actual);
	my $n = @$examples;
	die "psql did not run every example: nothing written into $doc\n"
	  unless exists $parts->{end};
	# from the last block to the first, so that line numbers stay right
	for my $k (reverse 1 .. $n)
	{
		my $ex = $examples->[ $k - 1 ];
		my @got = exists $parts->{$k} ? normalize(@{ $parts->{$k} }) : ();
		splice @$lines, $ex->{out_start} + 1,
		  $ex->{out_end} - $ex->{out_start} - 1, @got;
	}
	spew($doc, join("\n", @$lines));
	print "wrote the output of $n examples into $doc\n";
}

my $cmd = shift @ARGV // '';
if ($cmd eq 'script' && @ARGV == 2) { cmd_script(@ARGV); }
elsif ($cmd eq 'compare' && @ARGV == 2) { cmd_compare(@ARGV); }
elsif ($cmd eq 'accept' && @ARGV == 2) { cmd_accept(@ARGV); }
else
{
	die "usage: examples.pl script DOC DIR | compare DIR ACTUAL | accept DOC ACTUAL\n";
}
