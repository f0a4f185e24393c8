#!/bin/bash
# test/packaging/versions.sh: the release's version is the same everywhere
# it is written.  TAP on stdout.
#
#   service_id.control   default_version                      X (e.g. 1.2)
#   META.json            version, provides.service_id.version X as SemVer (1.2.0)
#   debian/changelog     top entry, upstream part              X (1.2-1 -> 1.2)
#   sql/                 newest update script service_id--W--X.sql, and the
#                        complete install script service_id--X.sql, newest of
#                        its kind
#   Makefile             DATA installs both scripts
set -u
cd "$(dirname "$0")/../.."

. test/packaging/tap.sh
semver() {					# 1.2 -> 1.2.0; 1 -> 1.0.0; 1.2.3 unchanged
	local v=$1
	case $v in
		*.*.*) echo "$v" ;;
		*.*) echo "$v.0" ;;
		*) echo "$v.0.0" ;;
	esac
}

ext=service_id
x=$(sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $ext.control)
[ -n "$x" ]; ok $? "$ext.control has a default_version ('$x')"

meta_version=$(perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>); print $m->{version} // ""' <META.json 2>&1)
meta_provides=$(perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>); print $m->{provides}{service_id}{version} // ""' <META.json 2>&1)
[ "$meta_version" = "$(semver "$x")" ]
ok $? "META.json version ($meta_version) is default_version $x as SemVer ($(semver "$x"))"
[ "$meta_provides" = "$(semver "$x")" ]
ok $? "META.json provides.service_id.version ($meta_provides) is $(semver "$x")"

deb_version=$(dpkg-parsechangelog -l debian/changelog -S Version 2>&1)
deb_upstream=${deb_version#*:}
deb_upstream=${deb_upstream%-*}
[ "$deb_upstream" = "$x" ]
ok $? "debian/changelog's top entry ($deb_version) is upstream version $x"

# The newest update script, by the version it leads to; and the newest
# complete install script.
newest() { sort -V | tail -n 1; }
update_to=$(ls sql/ | sed -n "s/^$ext--[^-]*--\(.*\)\.sql$/\1/p" | newest)
update_script=$(ls sql/ | grep -E "^$ext--[^-]+--${update_to//./\\.}\.sql$" | head -n 1)
[ "$update_to" = "$x" ]
ok $? "the newest update script (sql/$update_script) leads to $x"
full_newest=$(ls sql/ | sed -n "s/^$ext--\([^-]*\)\.sql$/\1/p" | newest)
[ -f "sql/$ext--$x.sql" ] && [ "$full_newest" = "$x" ]
ok $? "the complete install script sql/$ext--$x.sql exists and is the newest ($full_newest)"

# The Makefile is the one list of what is installed (and packaged).
data=" $(make -s --no-print-directory --eval 'sid-print-data: ; @echo $(DATA)' sid-print-data 2>/dev/null) "
case $data in *" sql/$ext--$x.sql "*) r=0 ;; *) r=1 ;; esac
ok $r "the Makefile's DATA installs sql/$ext--$x.sql" "DATA =$data"
case $data in *" sql/$update_script "*) r=0 ;; *) r=1 ;; esac
ok $r "the Makefile's DATA installs sql/$update_script" "DATA =$data"

meta_file=$(perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>); print $m->{provides}{service_id}{file} // ""' <META.json 2>&1)
[ "$meta_file" = "sql/$ext--$x.sql" ]
ok $? "META.json provides.service_id.file is sql/$ext--$x.sql ($meta_file)"

echo "1..$n"
[ "$failed" = 0 ]
