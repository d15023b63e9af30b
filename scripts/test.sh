#!/usr/bin/env bash
# Set up (system packages + venv) and run the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/kiosk catalogue check
exec .venv/bin/python -m pytest -q "$@"
