#!/usr/bin/env bash
# Set up (system packages + venv, including what the tests need) and run the whole
# test suite headless. Services the tests need are started by scripts/test-services.sh
# and stopped when this script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
if [ -f scripts/test-services.sh ]; then
  # shellcheck source=/dev/null
  source scripts/test-services.sh
fi
# lint before anything runs: a finding fails the run (configuration in pyproject.toml)
.venv/bin/ruff check .
# types: kiosk/ checked by mypy (pyproject.toml [tool.mypy]); an error fails the run
.venv/bin/mypy
.venv/bin/kiosk catalogue check
.venv/bin/python -m pytest -q "$@"
