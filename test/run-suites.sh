#!/bin/bash
# Run inside pg_virtualenv (PGHOST, PGPORT, PGUSER, PGPASSWORD are set):
# pg_regress and isolation specs, then pgTAP.  Logs go to $1.
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
