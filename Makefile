# service_id — PGXS build.  See README.md for the layout and the targets.

EXTENSION = service_id
MODULE_big = service_id
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))
DATA = sql/service_id--1.0.sql sql/service_id--1.0--1.1.sql sql/service_id--1.1--1.2.sql \
	sql/service_id--1.2.sql
PGFILEDESC = "service_id - ICP-filing service identification numbers"

# pg_regress: sql/X.sql against expected/X.out, install first, one file per
# concern, uninstall last.
REGRESS = install type_io type_ops api_errors views security uninstall hostile_install upgrade
REGRESS_OPTS = --inputdir=.

# Isolation specs live in test/isolation/{specs,expected}; helpers comes
# first (it makes the functions the others print errors with).
ISOLATION = helpers apply_race apply_rr_race apply_vs_direct filing_number_race \
	revoke_vs_use website_race catalog_cache notify \
	guard_instance_keys guard_instance_delete guard_number_insert \
	guard_number_update guard_filing_insert guard_counter guard_revoke_expire
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -Isrc
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: every object depends on our headers.
$(OBJS): $(wildcard src/*.h)

.PHONY: deps test demo bench fuzz
deps:
	@bash test/deps.sh

# Everything: deps, strict build, install, every suite; last line "N passed, N failed".
test:
	@bash test/run-all.sh

# A narrated walk-through in a throwaway cluster.
demo:
	@bash test/demo.sh

# Benchmarks against their baselines (bench/results.md, bench/chart.png).
bench: deps all install
	@bash bench/run.sh

# The long hunts: 10 million libFuzzer executions of the pure parser,
# 200 000 sqlsmith queries, a million guard-fuzzer steps.
fuzz: deps all install
	@bash test/fuzz/run.sh
	@bash test/sqlsmith/run.sh long
	@bash test/guard_fuzz/run.sh long
include mk/dist.mk
