#!/usr/bin/env bash
# Set up (system packages + venv), build the catalogue if needed, and start the kiosk.
# Extra arguments go to `kiosk run` (e.g. --windowed, --size 1920x1080, --smoke).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
  echo "kiosk: no display here (neither DISPLAY nor WAYLAND_DISPLAY is set)." >&2
  echo "  On a terminal, install with packaging/install.sh (it starts the kiosk under cage on tty1)." >&2
  echo "  To check the set-up without a screen: QT_QPA_PLATFORM=offscreen bash scripts/run.sh --smoke" >&2
  exit 1
fi
exec .venv/bin/kiosk run "$@"
