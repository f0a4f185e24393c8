#!/bin/bash
# test/doc/run.sh — run every example of doc/reference.md and compare what
# psql prints with the output the reference shows.  TAP on stdout: one test
# per example, "ok N - reference example N: <first line of its SQL>", a diff
# as "# " lines for each one that differs; exit status 1 if any differs.
#
#   test/doc/run.sh                  starts a throwaway cluster (pg_virtualenv;
#                                    works as root), runs, drops the cluster
#   test/doc/run.sh --use-existing   uses the server of the libpq environment
#                                    (PGHOST, PGPORT, PGUSER, ...), as
#                                    test/run-suites.sh does inside make test
#   test/doc/run.sh --accept         also writes the actual outputs into
#                                    doc/reference.md (then read git diff: every
#                                    changed line is a changed answer)
#   test/doc/run.sh --doc FILE       another document (default doc/reference.md)
#
# The examples run in order in ONE psql session (psql -X, reading a script
# on standard input, standard error merged into standard output), in a
# fresh database service_id_reference (UTF8, C collation) that the first
# examples install the extension into.  The connecting role must be a
# superuser whose name peer authentication accepts on the server's Unix
# socket: the reference uses dblink as a second session (as in pg_virtualenv
# clusters, where it is postgres).  The database, and the roles the examples
# create, are dropped before and after the run.  Server messages are in
# English (lc_messages=C), times in UTC.  Takes about 10 seconds with its own
# cluster.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
doc=$top/doc/reference.md
use_existing=0
accept=0
rcfile=
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
		--use-existing) use_existing=1 ;;
		--accept) accept=1 ;;
		--doc) shift; doc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") ;;
		--rc-file) shift; rcfile=$1 ;;	# internal: where the inner run leaves its status
		-h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "$0: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

if [ $use_existing = 0 ]; then
	# pg_virtualenv prints the server log when its command fails; the status
	# travels in a file instead, so that the TAP output stays clean.
	# SIGPIPE is ignored (and so in pg_virtualenv too): a reader that stops
	# early, such as "| head", must not kill pg_virtualenv before it has
	# dropped its cluster.
	trap '' PIPE
	rcfile=$(mktemp /tmp/service_id-doc-rc.XXXXXX)
	trap 'rm -f "$rcfile"' EXIT
	chmod 666 "$rcfile"
	echo 1 >"$rcfile"
	start=$(date +%s)
	pg_virtualenv -t bash "$here/run.sh" "${args[@]}" --use-existing --rc-file "$rcfile"
	rc=$(cat "$rcfile")
	echo "# $(( $(date +%s) - start )) s with a throwaway cluster"
	exit "$rc"
fi

finish() {
	[ -n "$rcfile" ] && echo "$1" >"$rcfile"
	[ -n "$rcfile" ] && exit 0
	exit "$1"
}

work=$(mktemp -d /tmp/service_id-doc.XXXXXX)
trap 'rm -rf "$work"' EXIT
n=$(perl "$here/examples.pl" script "$doc" "$work" 2>"$work/parse.err") || {
	echo "1..1"
	echo "not ok 1 - $doc: the examples cannot be read"
	sed 's/^/# /' "$work/parse.err"
	finish 1
}

export LC_ALL=C.UTF-8 PGCLIENTENCODING=UTF8 PGTZ=UTC
export PGOPTIONS="${PGOPTIONS:-} -c lc_messages=C -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1"
db=service_id_reference

# A clean slate: the database, and the roles the examples create (whose
# privileges lived in that database only).
cleanup() {
	PGOPTIONS="$PGOPTIONS -c client_min_messages=warning" psql -X -q -d postgres -v ON_ERROR_STOP=1 \
		-c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || return 1
	while read -r role; do
		[ -n "$role" ] && PGOPTIONS="$PGOPTIONS -c client_min_messages=warning" \
			psql -X -q -d postgres -c "DROP ROLE IF EXISTS \"$role\"" >/dev/null
	done <"$work/roles"
	return 0
}
if ! cleanup ||
	! psql -X -q -d postgres -v ON_ERROR_STOP=1 \
		-c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" \
		-c "ALTER DATABASE $db SET lock_timeout = '20s'" >/dev/null; then
	echo "1..1"
	echo "not ok 1 - could not make a fresh database $db"
	finish 1
fi

start=$(date +%s)
# lock_timeout (set on the database, so that dblink's session has it too) and
# timeout(1) keep a mistaken example from waiting for ever.
timeout 600 psql -X -d "$db" -v ON_ERROR_STOP=0 <"$work/script.sql" >"$work/actual" 2>&1
elapsed=$(( $(date +%s) - start ))

perl "$here/examples.pl" compare "$work" "$work/actual"
rc=$?
echo "# $n examples run in ${elapsed} s"
if [ $accept = 1 ]; then
	perl "$here/examples.pl" accept "$doc" "$work/actual" | sed 's/^/# /'
fi
cleanup || echo "# could not drop database $db"
finish $rc
