#!/bin/bash
# Install what the build and the test suites need and the machine lacks.
# As root this runs apt-get; otherwise it prints the command to run.
set -eu

packages=(
	postgresql-server-dev-15	# headers, PGXS, pg_isolation_regress, PostgreSQL::Test::Cluster
	postgresql-15-pgtap			# pgTAP and pg_prove
	libipc-run-perl				# the perl TAP tests
	clang						# the libFuzzer harness
	libclang-rt-14-dev			# libFuzzer and the sanitizer runtimes
	gnuplot-nox					# make bench draws its chart
	make gcc
)
[ -n "${SID_EXTRA_PACKAGES:-}" ] && packages+=($SID_EXTRA_PACKAGES)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
