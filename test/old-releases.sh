#!/bin/bash
# test/old-releases.sh OUTDIR — build the library of every earlier release
# of service_id from git history, for the upgrade test (test/t/005_upgrade.pl):
# OUTDIR/<version>/service_id.so.  The release commits are named here by
# hash (tags v1.0 and v1.1 name them too, but a clone need not carry tags).
# The SQL scripts of those releases are the ones this tree installs (they
# never change once released), so only the library is built.  Prints one
# line per release; exits non-zero if a build fails, 2 if this is not a git
# checkout with the history.
set -u
out=${1:?usage: old-releases.sh OUTDIR}
here=$(cd "$(dirname "$0")/.." && pwd)

releases=(
	"1.0 006117c"
	"1.1 64b52e1"
)

if ! git -C "$here" rev-parse --verify -q 64b52e1^{commit} >/dev/null 2>&1; then
	echo "old-releases: $here is not a git checkout with the release history" >&2
	exit 2
fi
mkdir -p "$out"
for r in "${releases[@]}"; do
	set -- $r
	version=$1 commit=$2
	src=$(mktemp -d /tmp/service_id-release.XXXXXX)
	if git -C "$here" archive "$commit" | tar -x -C "$src" &&
		make -s -C "$src" >"$src/build.log" 2>&1; then
		mkdir -p "$out/$version"
		cp "$src/service_id.so" "$out/$version/"
		echo "old-releases: built $version ($commit) into $out/$version"
	else
		echo "old-releases: building $version ($commit) failed:" >&2
		tail -n 20 "$src/build.log" >&2
		rm -rf "$src"
		exit 1
	fi
	rm -rf "$src"
done
chmod -R a+rX "$out"
