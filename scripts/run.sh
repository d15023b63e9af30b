#!/usr/bin/env bash
# Set up (system packages + venv), build the catalogue if needed, and start the kiosk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/kiosk run "$@"
