# mk/dist.mk -- release artefacts (included by the Makefile).
#
#   make deb    the Debian package, built with pg_buildext from a clean copy
#               of the working tree (tracked files and untracked ones git
#               does not ignore) in a temporary directory, so neither the
#               tree nor its parent directory gets build products:
#                 build/deb/postgresql-15-service-id_<version>_<arch>.deb
#               with its .changes, .buildinfo, source package and build.log.
#               The version is debian/changelog's.  Runs the regression and
#               isolation suites at build time against the package's own
#               files (no system install); DEB_BUILD_OPTIONS=nocheck skips
#               them.
#   make dist   the PGXN distribution, from what is committed (HEAD):
#                 build/service_id-<version>.zip  (git archive, one top
#                 directory service_id-<version>/, META.json at its root)
#               <version> is default_version of the committed control file.
#
# build/ is git-ignored.  test/packaging/*.sh test both targets.

DIST_OUT = build
DEB_OUT = build/deb
# Evaluated only when used: the version of the extension as committed.
DIST_VERSION = $(shell git show HEAD:$(EXTENSION).control 2>/dev/null | \
	sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p")

.PHONY: deb dist
# The recipes use bash (read -d '', \0 in printf).
deb dist: SHELL = /bin/bash

deb:
	@set -e; umask 022; \
	src=$$(dpkg-parsechangelog -l debian/changelog -S Source); \
	ver=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	upver=$${ver%-*}; \
	work=$$(mktemp -d /tmp/service_id-deb.XXXXXX); \
	trap 'rm -rf "$$work"' EXIT; \
	chmod 755 "$$work"; \
	tree="$$work/$$src-$$upver"; \
	mkdir "$$tree"; \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z -co --exclude-standard | \
			while IFS= read -r -d '' f; do [ -e "$$f" ] && printf '%s\0' "$$f"; done | \
			tar --null -T - -cf - | tar -C "$$tree" -xf -; \
	else \
		tar --exclude=./build --exclude=./.git -cf - . | tar -C "$$tree" -xf -; \
	fi; \
	chmod -R go+rX "$$tree"; \
	tar -C "$$work" --exclude="$$src-$$upver/debian" --owner=0 --group=0 \
		-cJf "$$work/$${src}_$$upver.orig.tar.xz" "$$src-$$upver"; \
	echo "make deb: building $$src $$ver in $$tree"; \
	if ! (cd "$$tree" && dpkg-buildpackage -us -uc) >"$$work/build.log" 2>&1; then \
		tail -n 80 "$$work/build.log"; \
		rm -rf $(DEB_OUT); mkdir -p $(DEB_OUT); cp "$$work/build.log" $(DEB_OUT)/build.log; \
		echo "make deb: dpkg-buildpackage failed; the whole log is $(DEB_OUT)/build.log" >&2; \
		exit 1; \
	fi; \
	rm -rf $(DEB_OUT); \
	mkdir -p $(DEB_OUT); \
	cp "$$work"/*.deb "$$work"/*.changes "$$work"/*.buildinfo "$$work"/*.dsc \
		"$$work"/*.tar.* "$$work/build.log" $(DEB_OUT)/; \
	ls -l $(DEB_OUT)/*.deb

dist:
	@set -e; \
	v='$(DIST_VERSION)'; \
	[ -n "$$v" ] || { echo "make dist: no default_version in the committed $(EXTENSION).control (not a git checkout?)" >&2; exit 1; }; \
	git diff --quiet HEAD -- 2>/dev/null || \
		echo "make dist: note: uncommitted changes are not in the archive, which is made from HEAD"; \
	mkdir -p $(DIST_OUT); \
	git archive --format zip --prefix $(EXTENSION)-$$v/ \
		-o $(DIST_OUT)/$(EXTENSION)-$$v.zip HEAD; \
	ls -l $(DIST_OUT)/$(EXTENSION)-$$v.zip
