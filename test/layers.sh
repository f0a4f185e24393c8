#!/bin/bash
# test/layers.sh — the C files include only headers of layers below their
# own (and their own header): the module graph has no circle and reads top
# down.  One TAP line per file.  The layers, bottom up:
layers=(
	"sid_core"							# pure logic, no server calls but CRC-32C
	"sid_type sid_schema"				# the type; the catalog cache
	"sid_store"							# row access through the access methods
	"sid_rows"							# rows as C structs
	"sid_counter sid_audit"				# the allowance counter; the audit log
	"sid_rules"							# each rule of SPEC section 4, once
	"sid_guards sid_api sid_admin service_id"	# triggers, the SQL API, the module
)
cd "$(dirname "$0")/../src" || exit 1
layer_of() {
	local i m
	for i in "${!layers[@]}"; do
		for m in ${layers[$i]}; do [ "$m" = "$1" ] && { echo "$i"; return; }; done
	done
	echo -1
}
n=0
failed=0
for f in *.c *.h; do
	mod=${f%.*}
	mine=$(layer_of "$mod")
	n=$((n + 1))
	if [ "$mine" -lt 0 ]; then
		echo "not ok $n - $f is in no layer (add it to test/layers.sh)"
		failed=$((failed + 1))
		continue
	fi
	bad=
	for inc in $(sed -n 's/^#include "\(sid_[a-z_]*\|service_id\)\.h"/\1/p' "$f"); do
		[ "$inc" = "$mod" ] && continue
		l=$(layer_of "$inc")
		if [ "$l" -lt 0 ] || [ "$l" -ge "$mine" ]; then bad="$bad $inc.h"; fi
	done
	if [ -z "$bad" ]; then
		echo "ok $n - $f includes only lower layers"
	else
		echo "not ok $n - $f (layer $mine) includes$bad, not below it"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
