#!/bin/bash
# make demo: install what is missing, build, install, and walk through the
# life of service identification numbers in a throwaway cluster.
set -eu
cd "$(dirname "$0")/.."
bash test/deps.sh
make -s >/dev/null
make -s install >/dev/null
pg_virtualenv -t sh -c 'psql -X -q -v ON_ERROR_STOP=0 -f test/demo.sql 2>&1' | sed -e 's/^psql:test\/demo.sql:[0-9]*: //'
