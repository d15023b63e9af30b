#!/usr/bin/env bash
# One-step set-up on Debian 12 (as root): system packages, then the project's venv.
# Idempotent: re-running only installs what is missing. Used by both README commands.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  python3-venv
  # Qt 6 (PySide6) runtime, also offscreen
  libgl1 libegl1 libx11-6 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  # Chinese text: without a CJK font every character is an empty box
  fonts-wqy-microhei
  # QPrinter
  libcups2
  # printing the checklist: lp/lpstat for CUPS queues, libusb for USB receipt printers
  cups-client libusb-1.0-0
  # handwriting (手写输入): the Zinnia recognizer and its Simplified Chinese model
  libzinnia0 tegaki-zinnia-simplified-chinese
)
# Only for the test command (`setup.sh --test`): real peers the tests talk to.
TEST_DEB_PACKAGES=(
  espeak-ng
  # printing: a real CUPS daemon with a cups-pdf queue (Debian's cups-pdf is
  # printer-driver-cups-pdf), and the tools that read its PDF back
  cups cups-client printer-driver-cups-pdf poppler-utils zbar-tools
  # packaging (tests/test_packaging.py): systemd-analyze verify, shellcheck, and the
  # terminal's kiosk session run headless: cage (needs Xwayland) with the libraries
  # of Qt's Wayland platform plugin
  systemd shellcheck cage xwayland libwayland-client0 libwayland-cursor0 libwayland-egl1
  # signed catalogue updates (tests/test_fault_bundles.py): a real static web server
  # on 127.0.0.1 serving a TUF repository, started by scripts/test-services.sh
  nginx
  # double taps through a real X server (tests/test_tap_guard_x11.py): a finger-like
  # tap at the X level
  xvfb xdotool
  # the fleet service (tests/test_fleet_*.py): a real PostgreSQL cluster started by
  # scripts/test-services.sh, and a real browser for the console
  postgresql chromium chromium-driver
)
if [ "${1:-}" = "--test" ]; then
  DEB_PACKAGES+=("${TEST_DEB_PACKAGES[@]}")
fi
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  # one apt at a time: parallel set-ups (several work trees) wait instead of failing
  exec 9>/tmp/yibao-kiosk-apt.lock
  flock 9
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The terminal runs Debian 12's own Python (3.11.2); build and test with that one,
# never whichever python3 comes first on PATH. A venv made by another Python is
# replaced.
PY=/usr/bin/python3
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(0 if sys._base_executable.startswith("/usr/bin/") else 1)' 2>/dev/null; then
  echo "setup: .venv was made by another Python; rebuilding it with $PY" >&2
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Dependencies come from requirements.lock only: every package, direct and transitive,
# pinned with its sha256 hashes (re-resolve with scripts/lock.sh). The project itself is
# then installed without dependencies, so nothing outside the lock can slip in.
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --require-hashes --no-deps -r requirements.lock
  .venv/bin/pip install -q --no-deps --no-build-isolation -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi
