#!/bin/bash
# test/packaging/deb.sh: the Debian package, installed for real.  TAP on
# stdout.  Needs root: it installs and removes the package system-wide, and
# ends by putting the tree's own build back (make install) so that later
# suites find the extension as before.
#
#   1. make deb builds build/deb/<package>_<version>_<arch>.deb
#   2. dpkg-deb -c: the library, the control file and every script of the
#      Makefile's DATA (lintian too, when it is installed)
#   3. dpkg -i; dpkg -L lists those files and they are on disk, owned by the
#      package and unmodified (dpkg --verify)
#   4. the Makefile's installcheck (pg_regress and isolation suites) against
#      the installed files, in a throwaway cluster (pg_virtualenv), run from
#      a copy of the tree so the tree gets no results/
#   5. dpkg -r: the files are gone
#   6. make install: the tree's build is installed again
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP installing a package needs root"
	exit 0
fi

. test/packaging/tap.sh

work=$(mktemp -d /tmp/service_id-debtest.XXXXXX)
chmod 755 "$work"
installed=0
restore() {					# whatever happened: package removed, tree's build installed
	if [ "$installed" = 1 ]; then
		dpkg -r "$pkg" >/dev/null 2>&1
		make -s install >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap restore EXIT
trap 'exit 130' INT TERM

ext=service_id
pkg=$(sed -n 's/^Package: //p' debian/control | head -n 1)
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
deb=build/deb/${pkg}_${ver}_${arch}.deb
pkglibdir=$(pg_config --pkglibdir)
sharedir=$(pg_config --sharedir)
data=$(make -s --no-print-directory --eval 'sid-print-data: ; @echo $(DATA)' sid-print-data 2>/dev/null)
files=("$pkglibdir/$ext.so" "$sharedir/extension/$ext.control")
for f in $data; do files+=("$sharedir/extension/$(basename "$f")"); done

# 1. Build.
rm -f "$deb"
log=$(make -s --no-print-directory deb 2>&1)
r=$?
[ $r = 0 ] && [ -f "$deb" ]
ok $? "make deb builds $deb" "$(printf '%s\n' "$log" | tail -n 60)"
if [ ! -f "$deb" ]; then echo "1..$n"; exit 1; fi

# 2. Its contents.
contents=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's#^\./#/#')
absent=
for f in "${files[@]}"; do
	grep -qxF "$f" <<<"$contents" || absent="$absent $f"
done
[ -n "$data" ] && [ -z "$absent" ]
ok $? "dpkg-deb -c: the library, the control file and the ${data:+$(wc -w <<<"$data")} scripts of DATA" \
	"DATA: $data; absent:$absent"
if command -v lintian >/dev/null 2>&1; then
	log=$(TMPDIR=$work lintian --fail-on error "$deb" 2>&1)	# its temporary files go with $work
	ok $? "lintian finds no error" "$log"
else
	skip "lintian is not installed"
fi

# 3. Install.
log=$(dpkg -i "$deb" 2>&1)
r=$?
installed=1
ok $r "dpkg -i $deb" "$log"
listed=$(dpkg -L "$pkg" 2>&1)
absent=
for f in "${files[@]}"; do
	grep -qxF "$f" <<<"$listed" && [ -f "$f" ] || absent="$absent $f"
done
[ -z "$absent" ]
ok $? "dpkg -L lists the library, the control file and every script, and they are installed" "absent:$absent"
owner=$(dpkg -S "$pkglibdir/$ext.so" 2>&1)
[ "${owner%%:*}" = "$pkg" ]
ok $? "the installed $ext.so belongs to $pkg" "$owner"
log=$(dpkg --verify "$pkg" 2>&1)
[ -z "$log" ]
ok $? "dpkg --verify: the installed files are the package's" "$log"

# 4. The regression and isolation suites against the installed files.
tree=$work/tree
mkdir -p "$tree"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -C "$tree" -xf -
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -C "$tree" -xf -
fi
chmod -R go+rX "$tree"
(cd "$tree" && pg_virtualenv -t make -s installcheck) >"$work/installcheck.log" 2>&1
r=$?
passed=$(grep -cE '^(test| ) *[a-z_]+ +\.\.\. ok' "$work/installcheck.log")
ok $r "make installcheck against the installed package ($passed tests passed)" \
	"$(grep -E 'FAILED|failed' "$work/installcheck.log"; cat "$tree"/regression.diffs "$tree"/output_iso/regression.diffs 2>/dev/null | head -n 40)"

# 5. Remove.
log=$(dpkg -r "$pkg" 2>&1)
r=$?
[ $r = 0 ] && installed=0
ok $r "dpkg -r $pkg" "$log"
status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
case $status in *" installed") r=1 ;; *) r=0 ;; esac
ok $r "$pkg is no longer installed ($status)"
left=
for f in "${files[@]}"; do [ -e "$f" ] && left="$left $f"; done
[ -z "$left" ]
ok $? "its files are gone" "left:$left"

# 6. The tree's own build, back in place.
log=$(make -s install 2>&1)
r=$?
[ $r = 0 ] && [ -f "$pkglibdir/$ext.so" ] && [ -f "$sharedir/extension/$ext.control" ]
ok $? "make install puts the tree's build back" "$log"

echo "1..$n"
[ "$failed" = 0 ]
