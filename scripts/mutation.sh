#!/usr/bin/env bash
# Mutation testing of the core with mutmut: every mutant of the modules named in
# pyproject.toml ([tool.mutmut] only_mutate) is run against the core's fast tests
# (pytest_add_cli_args_test_selection there), and docs/mutation.md gets the score per
# module. Too slow for CI: run it before stopping on a change to the core.
#
#   bash scripts/mutation.sh                  # every module, smallest first
#   bash scripts/mutation.sh session speech   # only these (names under kiosk/, dotted)
#
# Each module is one `mutmut run`, smallest first, so an interrupted run still leaves
# whole modules measured (the report lists the ones not run). On two cores: about 2 min
# for each of session, guide, speech; 3-6 min for model, schema, build, view, document, bundle;
# kiosk.catalogue.sources (about 3,200 mutants) some 40 minutes.
# MUTATION_CHILDREN: parallel mutants (default: the number of cores); runs at nice 19.
# KIOSK_VENV: the virtual environment (default .venv, made by scripts/setup.sh --test).
#
# A surviving mutant is killed by a real test or justified in docs/mutation.md
# (the "Justified survivors" section, kept by tools/mutation_report.py).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${KIOSK_VENV:-.venv}"
[ -n "${KIOSK_VENV:-}" ] || bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
# the tests compare seed/sources with the official documents beside the project
KIOSK_SHARED_SEEDS="$(cd .. && pwd)/shared/seeds"
export KIOSK_SHARED_SEEDS
# The tests' catalogue, built once from the unmutated seed: a mutant runs only the tests
# that cover its function, and building the seed (4-5 s) per mutant would dominate.
built="$(mktemp -d)"
trap 'rm -rf "$built"' EXIT
"$VENV/bin/python" -c "import sys; from pathlib import Path; from kiosk.db.build import build_catalogue; \
build_catalogue(Path('seed'), Path(sys.argv[1]))" "$built/catalogue.sqlite"
export KIOSK_TEST_CATALOGUE="$built/catalogue.sqlite"

if [ "$#" -eq 0 ]; then
  set -- session catalogue.guide speech db.build catalogue.schema catalogue.model catalogue.view printing.document \
    db.bundle \
    catalogue.sources
fi
rm -rf mutants
for module in "$@"; do
  echo "== kiosk.$module"
  # survivors are reported below, not an error here
  nice -n 19 "$VENV/bin/mutmut" run --max-children "${MUTATION_CHILDREN:-$(nproc)}" "kiosk.$module.*" \
    > "$built/mutmut-$module.log" 2>&1 || true
done
cp "$built"/mutmut-*.log mutants/
"$VENV/bin/mutmut" results --all true > mutants/results.txt
"$VENV/bin/python" tools/mutation_report.py mutants/results.txt docs/mutation.md
