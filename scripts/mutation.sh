#!/usr/bin/env bash
# Mutation testing of the core with mutmut: every mutant of the modules named in
# pyproject.toml ([tool.mutmut] only_mutate) is run against the core tests, and
# docs/mutation.md gets the score per module. Too slow for CI (tens of minutes on two
# cores): run it before stopping on a change to the core.
#
#   bash scripts/mutation.sh             # all modules
#   bash scripts/mutation.sh 'kiosk.session*'   # only mutants whose names match
#
# A surviving mutant is killed by a real test or justified in docs/mutation.md
# (the "Justified survivors" section, kept by tools/mutation_report.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
# the tests compare seed/sources with the official documents beside the project
KIOSK_SHARED_SEEDS="$(cd .. && pwd)/shared/seeds"
export KIOSK_SHARED_SEEDS
rm -rf mutants
.venv/bin/mutmut run "$@" || true  # survivors are reported below, not an error here
.venv/bin/mutmut results --all true > mutants/results.txt
.venv/bin/python tools/mutation_report.py mutants/results.txt docs/mutation.md
