#!/bin/bash
# Run inside pg_virtualenv (PGHOST, PGPORT, PGUSER, PGPASSWORD are set):
# pg_regress and isolation specs, pgTAP, the reference's examples and the
# example application.  Logs and exit statuses go to $1 (NAME.log, NAME.rc).
set -u
out=$1

echo "== pg_regress and isolation specs"
make -s installcheck >"$out/regress.log" 2>&1
echo $? >"$out/regress.rc"
grep -E '^test |tests? (passed|failed)|FAILED|failed' "$out/regress.log"
if [ "$(cat "$out/regress.rc")" != 0 ]; then
	for f in regression.diffs test/isolation/output_iso/regression.diffs output_iso/regression.diffs; do
		[ -f "$f" ] && head -n 200 "$f"
	done
fi

if ls test/pgtap/*.sql >/dev/null 2>&1; then
	echo "== pgTAP"
	createdb sid_pgtap
	pg_prove --verbose -d sid_pgtap test/pgtap/*.sql >"$out/pgtap.log" 2>&1
	echo $? >"$out/pgtap.rc"
	grep -E '^test/|not ok|^Files=|^Result|Failed|Dubious|Parse errors' "$out/pgtap.log"
	dropdb sid_pgtap
fi

# The examples of doc/reference.md, run and compared with the output it shows.
if [ -f test/doc/run.sh ]; then
	echo "== reference examples"
	bash test/doc/run.sh --use-existing >"$out/doc.log" 2>&1
	echo $? >"$out/doc.rc"
	grep -E '^(not )?ok |^# |^1\.\.' "$out/doc.log" | tail -n 100
fi

# The example application, as an application role.
if [ -f examples/test.sh ]; then
	echo "== example application"
	bash examples/test.sh --use-existing >"$out/example.log" 2>&1
	echo $? >"$out/example.rc"
	grep -E '^(not )?ok |^# |^1\.\.' "$out/example.log" | tail -n 100
fi
