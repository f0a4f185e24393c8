#!/bin/bash
# test/packaging/dist.sh: make dist gives a PGXN zip of what is committed,
# and that zip builds and installs on its own.  TAP on stdout.
#
#   1. make dist writes build/service_id-<version>.zip (<version>: the
#      committed control file's default_version)
#   2. one top directory, service_id-<version>/, holding exactly the files
#      git tracks at HEAD: nothing untracked, no build or debian build
#      products
#   3. META.json at its root names the distribution and a file it contains
#   4. make (PGXS) builds it there, and make install DESTDIR=<tmp> stages
#      the library, the control file and every script of the Makefile's DATA
# Needs git, unzip, perl and postgresql-server-dev-15; installs nothing.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)

. test/packaging/tap.sh
finish() { echo "1..$n"; [ "$failed" = 0 ]; exit $?; }

work=$(mktemp -d /tmp/service_id-dist.XXXXXX)
trap 'rm -rf "$work"' EXIT

ext=service_id
v=$(git show HEAD:$ext.control 2>/dev/null |
	sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p")
zip=build/$ext-$v.zip
rm -f "$zip"
log=$(make -s --no-print-directory dist 2>&1)
r=$?
[ $r = 0 ] && [ -f "$zip" ]
ok $? "make dist writes $zip" "$log"
[ -f "$zip" ] || finish

# 2. The archive's files are HEAD's files.
unzip -q "$zip" -d "$work/x" 2>"$work/unzip.err"
ok $? "the zip unpacks" "$(cat "$work/unzip.err")"
tops=$(ls -A "$work/x")
[ "$tops" = "$ext-$v" ]
ok $? "one top directory, $ext-$v/" "found: $tops"
dist=$work/x/$ext-$v
[ -d "$dist" ] || finish
(cd "$dist" && find . -type f -o -type l | sed 's#^\./##' | LC_ALL=C sort) >"$work/zip.list"
git ls-tree -r --name-only HEAD | LC_ALL=C sort >"$work/head.list"
extra=$(LC_ALL=C comm -23 "$work/zip.list" "$work/head.list")
missing=$(LC_ALL=C comm -13 "$work/zip.list" "$work/head.list")
[ -z "$extra" ]
ok $? "no file in the zip that git does not track at HEAD" "$extra"
[ -z "$missing" ]
ok $? "every file git tracks at HEAD is in the zip" "$missing"
products=$(grep -E '^debian/(\.debhelper|debhelper-build-stamp|files$|tmp/|postgresql-[0-9]+-service-id/)|\.substvars$|\.debhelper\.log$|^build/|^results/|^output_iso/|\.(o|so|bc|deb|changes|buildinfo)$|^regression\.(diffs|out)$' \
	"$work/zip.list")
[ -z "$products" ]
ok $? "no build products, debian or PGXS (debhelper dirs, .o, .so, .deb, results/)" "$products"

# 3. META.json.
[ -f "$dist/META.json" ]
ok $? "META.json is at the root of the distribution"
meta=
[ -f "$dist/META.json" ] && meta=$(perl -MJSON::PP -e '
	local $/; my $m = decode_json(<STDIN>);
	print join(" ", $m->{name} // "-", $m->{version} // "-", $m->{"meta-spec"}{version} // "-",
		$m->{provides}{service_id}{file} // "-"), "\n"' <"$dist/META.json" 2>&1)
read -r m_name m_version m_spec m_file <<<"$meta"
[ "$m_name" = "$ext" ] && [ "$m_spec" = 1.0.0 ] && [ -n "$m_version" ] && [ "$m_version" != - ]
ok $? "META.json: name $ext, meta-spec 1.0.0, version $m_version" "$meta"
[ -n "$m_file" ] && [ "$m_file" != - ] && [ -f "$dist/$m_file" ]
ok $? "META.json's provides.service_id.file ($m_file) is in the zip"

# 4. It builds on its own, with PGXS, and stages an install.
log=$(make -C "$dist" -s --no-print-directory 2>&1)
r=$?
[ $r = 0 ] && [ -f "$dist/$ext.so" ]
ok $? "make builds $ext.so in the unpacked distribution" "$(printf '%s\n' "$log" | tail -n 40)"
stage=$work/stage
log=$(make -C "$dist" -s --no-print-directory install DESTDIR="$stage" 2>&1)
ok $? "make install DESTDIR=<tmp> succeeds" "$(printf '%s\n' "$log" | tail -n 40)"
pkglibdir=$(pg_config --pkglibdir)
sharedir=$(pg_config --sharedir)
[ -f "$stage$pkglibdir/$ext.so" ]
ok $? "staged: $pkglibdir/$ext.so"
[ -f "$stage$sharedir/extension/$ext.control" ]
ok $? "staged: $sharedir/extension/$ext.control"
data=$(make -C "$dist" -s --no-print-directory --eval 'sid-print-data: ; @echo $(DATA)' sid-print-data 2>/dev/null)
[ -n "$data" ]
ok $? "the Makefile's DATA names the scripts ($data)"
absent=
for f in $data; do
	[ -f "$stage$sharedir/extension/$(basename "$f")" ] || absent="$absent $(basename "$f")"
done
[ -z "$absent" ]
ok $? "staged: every script of DATA in $sharedir/extension/" "absent:$absent"

finish
