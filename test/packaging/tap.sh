# test/packaging/tap.sh — sourced by the packaging tests: TAP output.
#   ok STATUS DESCRIPTION [DIAGNOSTIC]   STATUS 0 is ok; the diagnostic
#                                         (first 60 lines) follows a failure
#   skip REASON
#   tap_end                               the plan; exit status 1 on a failure
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | head -n 60 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
tap_end() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
