#!/bin/bash
# make deps: install what the build, the test suites and the packaging need
# and the machine lacks, then check that every command the suites call is
# there.  As root this runs apt-get (one update, then one install without
# recommends); otherwise it prints the command to run.  Silent when
# everything is present; exits non-zero, naming the missing command and the
# package that provides it, when something is still missing.
#
#   SID_EXTRA_PACKAGES="a b"   more packages to install
set -eu

packages=(
	postgresql-15							# the server (initdb, pgbench, pg_virtualenv's clusters)
	postgresql-server-dev-15				# headers, PGXS, PostgreSQL::Test::Cluster
	postgresql-15-pgtap						# pgTAP
	libtap-parser-sourcehandler-pgtap-perl	# pg_prove (pgtap only recommends it)
	libipc-run-perl							# the perl TAP tests
	clang									# the libFuzzer harness
	libclang-rt-14-dev						# libFuzzer and the sanitizer runtimes
	gnuplot-nox								# make bench draws its chart
	sqlsmith								# random SQL against the API
	postgresql-15-cron						# schedule_expiry() and its test
	python3-psycopg							# examples/: the application
	debhelper								# make deb: dh
	postgresql-server-dev-all				# make deb: pg_buildext and dh --with pgxs
	dpkg-dev fakeroot						# make deb: dpkg-buildpackage
	zip unzip git							# make dist: git archive --format zip
	make gcc
)
[ -n "${SID_EXTRA_PACKAGES:-}" ] && packages+=($SID_EXTRA_PACKAGES)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}" >&2
		echo "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Every command and file the suites call, and the package that provides it.
# A package can be installed and its command still be unreachable (another
# python3 first on the PATH, a half-removed package): check what is called.
pg_config=${PG_CONFIG:-pg_config}
problems=()
fix=()
need_cmd() {					# $1 command  $2 package
	command -v "$1" >/dev/null 2>&1 && return
	problems+=("$1 (package $2) is not on the PATH")
	fix+=("$2")
}
need_file() {					# $1 file  $2 what  $3 package
	[ -e "$1" ] && return
	problems+=("$2 (package $3) is missing: $1")
	fix+=("$3")
}

need_cmd pg_config postgresql-server-dev-15
need_cmd psql postgresql-client-15
need_cmd pg_virtualenv postgresql-common
need_cmd pg_prove libtap-parser-sourcehandler-pgtap-perl
need_cmd prove perl
need_cmd pgbench postgresql-15
need_cmd clang clang
need_cmd gnuplot gnuplot-nox
need_cmd sqlsmith sqlsmith
need_cmd python3 python3
need_cmd pg_buildext postgresql-common
need_cmd dh debhelper
need_cmd dpkg-buildpackage dpkg-dev
need_cmd fakeroot fakeroot
need_cmd zip zip
need_cmd unzip unzip
need_cmd git git
need_cmd make make
need_cmd gcc gcc

if command -v "$pg_config" >/dev/null 2>&1; then
	pkglibdir=$("$pg_config" --pkglibdir)
	sharedir=$("$pg_config" --sharedir)
	bindir=$("$pg_config" --bindir)
	# Not on the PATH in Debian: the suites call them by these paths.
	need_file "$pkglibdir/pgxs/src/test/isolation/pg_isolation_regress" \
		pg_isolation_regress postgresql-client-15
	need_file "$pkglibdir/pgxs/src/test/perl/PostgreSQL/Test/Cluster.pm" \
		PostgreSQL::Test::Cluster postgresql-server-dev-15
	need_file "$bindir/initdb" initdb postgresql-15
	need_file "$sharedir/extension/pgtap.control" "the pgtap extension" postgresql-15-pgtap
	need_file "$pkglibdir/pg_cron.so" "the pg_cron library" postgresql-15-cron
fi
need_file /usr/share/perl5/Debian/Debhelper/Sequence/pgxs.pm "dh's pgxs addon" postgresql-server-dev-all
perl -MIPC::Run -e 1 2>/dev/null || { problems+=("perl module IPC::Run (package libipc-run-perl) is missing"); fix+=(libipc-run-perl); }

# python3-psycopg installs into Debian's python3; another python3 first on
# the PATH (pyenv, a virtualenv) does not see it.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import psycopg' 2>/dev/null; then
	if /usr/bin/python3 -c 'import psycopg' 2>/dev/null; then
		echo "deps: note: python3 on the PATH ($(command -v python3)) cannot import psycopg;" \
			"Debian's /usr/bin/python3 can (package python3-psycopg): use that one" >&2
	else
		problems+=("python3 cannot import psycopg (package python3-psycopg)")
		fix+=(python3-psycopg)
	fi
fi

if [ ${#problems[@]} -gt 0 ]; then
	[ "$(id -u)" -ne 0 ] && SUDO=1
	echo "make deps: the suites cannot run, missing:" >&2
	printf '  %s\n' "${problems[@]}" >&2
	fix=($(printf '%s\n' "${fix[@]}" | sort -u))
	echo "installed but not usable? run: ${SUDO:+sudo }apt-get install --reinstall --no-install-recommends ${fix[*]}" >&2
	exit 1
fi
exit 0
