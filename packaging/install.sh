#!/usr/bin/env bash
# Install a kiosk terminal on Debian 12, or update one in place: run as root from the
# source tree this script sits in.
#
#   bash packaging/install.sh                  # the terminal itself
#   bash packaging/install.sh --root /tmp/t    # a throwaway root, for tests and review
#
# What it does, in order (every step is idempotent; re-running only changes what is
# different, so the same command installs and updates):
#   1. Debian packages: Python, the Qt runtime libraries (X11 and Wayland), the CJK font,
#      the CUPS client, espeak-ng for 朗读, the cage kiosk compositor, logind's PAM module.
#   2. The unprivileged system user `kiosk` with its home /home/kiosk (0700).
#   3. A release under /opt/yibao-kiosk/releases/<version>-<digest>/: a virtual
#      environment with the project installed from this tree (not editable), and copies
#      of seed/ and resources/. A release whose digest is already installed and works
#      is reused. /opt/yibao-kiosk/current points at the release in use and is switched
#      atomically, only after the new release has passed `kiosk run --smoke` with the
#      terminal's config and a copy of its data; the previous release is kept, older
#      ones are removed. Everything under /opt is root's and read-only to the kiosk user.
#   4. The kiosk user's directories: /etc/yibao-kiosk (config.json, root.json: the
#      trusted root of signed catalogue updates, see --trust-root) and
#      /var/lib/yibao-kiosk (the catalogue), both 0700 with 0600 files; the log directory
#      ~kiosk/.local/state/yibao-kiosk/log (the platformdirs user log directory).
#   5. The catalogue, built once (`kiosk catalogue build`) when there is none. Later
#      catalogues arrive with `kiosk catalogue install BUNDLE`; re-running this script
#      does not replace them (unless --rebuild-catalogue), except a catalogue the new
#      release cannot read (a new format), which is rebuilt from its seed/.
#   6. /opt/yibao-kiosk/bin/kiosk: the `kiosk` command for operators, with the
#      terminal's directories, run as the kiosk user.
#   7. yibao-kiosk.service: cage running `kiosk run` full-screen on tty1 as the kiosk
#      user, Restart=always; a journald size limit; then the service is enabled and
#      (re)started.
#
# Options:
#   --root DIR            install into DIR instead of / : files are written there (the
#                         venv is real and runs from there); system commands (apt-get,
#                         useradd, chown, systemctl) are printed, not run, and what
#                         the kiosk user would run runs as you
#   --skip-packages       do not install Debian packages (they are already there)
#   --rebuild-catalogue   build the catalogue from the release's seed/ even if there is one
#   --trust-root FILE     the signed catalogue repository's root metadata (from the
#                         publisher: metadata/1.root.json or a later root), checked and
#                         installed as /etc/yibao-kiosk/root.json: updates and installs
#                         of catalogues are verified against it. Without it a terminal
#                         keeps the one it has; with none, every catalogue bundle is refused
#   --rotate 0|90|180|270 the screen is mounted rotated (clockwise): touch input is
#                         turned to match with a libinput calibration matrix in a udev
#                         rule for every touchscreen (cage does not rotate touch);
#                         0 removes the rule
#   --no-start            enable the service but do not (re)start it now
#   -h, --help            this text
#
# pip's own environment variables (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, proxies)
# are honoured, for a local mirror or a wheelhouse.
set -euo pipefail

KIOSK_USER=kiosk
KIOSK_HOME=/home/kiosk
PREFIX=/opt/yibao-kiosk
DATA_DIR=/var/lib/yibao-kiosk
CONFIG_DIR=/etc/yibao-kiosk
LOG_DIR=$KIOSK_HOME/.local/state/yibao-kiosk/log   # platformdirs.user_log_dir of the kiosk user
UNIT=yibao-kiosk.service
UNIT_FILE=/etc/systemd/system/$UNIT
JOURNALD_DROPIN=/etc/systemd/journald.conf.d/60-yibao-kiosk.conf
TTY=tty1
CAGE=/usr/bin/cage

DEB_PACKAGES=(
  python3 python3-venv
  # Qt 6 (PySide6) runtime: the xcb and Wayland platform plugins, EGL/GL through Mesa
  libgl1 libegl1 libx11-6 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  libegl-mesa0 libgl1-mesa-dri libgles2
  # Chinese text: without a CJK font every character is an empty box
  fonts-wqy-microhei fontconfig
  # printing: QPrinter, lp/lpstat for CUPS queues, libusb for USB receipt printers
  libcups2 cups-client libusb-1.0-0
  # 朗读 (read-aloud)
  espeak-ng
  # 手写输入 (handwriting): the Zinnia recognizer and its Simplified Chinese model
  libzinnia0 tegaki-zinnia-simplified-chinese
  # the kiosk session: the cage Wayland kiosk compositor (Debian 12: 0.1.4), which
  # takes the screen and input devices through a logind session (pam_systemd, D-Bus).
  # Debian's cage is built with Xwayland support and refuses to start without the
  # Xwayland binary, which it does not depend on: xwayland is needed.
  cage xwayland dbus libpam-systemd
)

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

ROOT=""
SKIP_PACKAGES=0
REBUILD_CATALOGUE=0
START=1
TRUST_ROOT=""
ROTATE=""
while (($#)); do
  case $1 in
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --root=*) ROOT=${1#--root=}; shift ;;
    --skip-packages) SKIP_PACKAGES=1; shift ;;
    --rebuild-catalogue) REBUILD_CATALOGUE=1; shift ;;
    --trust-root) TRUST_ROOT=${2:?--trust-root needs a file}; shift 2 ;;
    --trust-root=*) TRUST_ROOT=${1#--trust-root=}; shift ;;
    --rotate) ROTATE=${2:?--rotate needs 0, 90, 180 or 270}; shift 2 ;;
    --rotate=*) ROTATE=${1#--rotate=}; shift ;;
    --no-start) START=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# libinput calibration matrices for a screen turned clockwise by that many degrees
case $ROTATE in
  "" | 0) TOUCH_MATRIX="" ;;
  90) TOUCH_MATRIX="0 -1 1 1 0 0" ;;
  180) TOUCH_MATRIX="-1 0 1 0 -1 1" ;;
  270) TOUCH_MATRIX="0 1 0 -1 0 1" ;;
  *) echo "install.sh: --rotate $ROTATE: use 0, 90, 180 or 270" >&2; exit 2 ;;
esac
TOUCH_RULE=/etc/udev/rules.d/99-yibao-kiosk-touch-rotation.rules
if [[ -n $TRUST_ROOT && ! -f $TRUST_ROOT ]]; then
  echo "install.sh: --trust-root $TRUST_ROOT: no such file" >&2
  exit 2
fi
for f in pyproject.toml kiosk/cli.py seed/documents.yaml resources; do
  [[ -e $SRC/$f ]] || { echo "install.sh: $SRC is not the kiosk's source tree (no $f)" >&2; exit 1; }
done

if [[ -n $ROOT ]]; then
  mkdir -p "$ROOT"
  ROOT=$(cd "$ROOT" && pwd)
  [[ $ROOT != / ]] || { echo "install.sh: --root / is the real system; run without --root" >&2; exit 2; }
  PY=${PYTHON:-python3}
else
  [[ $EUID -eq 0 ]] || { echo "install.sh: run as root (or with --root DIR to try it out)" >&2; exit 1; }
  # shellcheck source=/dev/null
  os=$(. /etc/os-release && echo "${ID:-}-${VERSION_ID:-}")
  if [[ $os != debian-12 ]]; then
    echo "install.sh: warning: made for Debian 12, this is $os" >&2
  fi
  PY=/usr/bin/python3
fi

say() { printf 'install: %s\n' "$*"; }

# A command that changes the system outside the files this script writes: run it, or
# with --root only print it.
sys() {
  if [[ -n $ROOT ]]; then
    printf 'would run:'; printf ' %q' "$@"; printf '\n'
  else
    printf '+'; printf ' %q' "$@"; printf '\n'
    "$@"
  fi
}

# put_file MODE PATH: standard input becomes $ROOT/PATH, atomically and only if it
# differs; WROTE tells whether it did.
WROTE=0
put_file() {
  local mode=$1 dest=$ROOT$2 tmp
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp "$dest.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f $dest ]] && cmp -s "$tmp" "$dest" && [[ $(stat -c %a "$dest") == "${mode#0}" ]]; then
    rm -f "$tmp"
    WROTE=0
  else
    mv -f "$tmp" "$dest"
    say "wrote $2"
    WROTE=1
  fi
}

# The environment the kiosk runs with: the unit, the operator's command and this script
# all use these. kiosk_env [ROOT-PREFIX] prints NAME=VALUE lines.
kiosk_env() {
  local r=${1:-}
  printf '%s\n' \
    "HOME=$r$KIOSK_HOME" \
    "LANG=C.UTF-8" \
    "KIOSK_SEED_DIR=$r$PREFIX/current/share/seed" \
    "KIOSK_RESOURCES_DIR=$r$PREFIX/current/share/resources" \
    "KIOSK_DATA_DIR=$r$DATA_DIR" \
    "KIOSK_CONFIG_DIR=$r$CONFIG_DIR" \
    "KIOSK_LOG_DIR=$r$LOG_DIR" \
    "KIOSK_TRUST_ROOT=$r$CONFIG_DIR/root.json"
}

# as_kiosk [NAME=VALUE...] -- CMD...: run CMD as the kiosk user with the kiosk's
# environment, NAME=VALUE replacing a variable of it (a release is checked with its own
# seed/ and resources/ before it becomes current). With --root: as the invoking user,
# with every directory inside the root.
as_kiosk() {
  local -A over=()
  while [[ $1 != -- ]]; do
    over[${1%%=*}]=${1#*=}
    shift
  done
  shift
  local env=(PATH=/usr/local/bin:/usr/bin:/bin) line name
  while IFS= read -r line; do
    name=${line%%=*}
    if [[ -v over[$name] ]]; then
      env+=("$name=${over[$name]}")
    else
      env+=("$line")
    fi
  done < <(kiosk_env "$ROOT")
  # from / : the kiosk user may not enter the directory this script was started in
  if [[ -n $ROOT ]]; then
    (cd / && umask 077 && env -i "${env[@]}" "$@")
  else
    (cd / && umask 077 && runuser -u "$KIOSK_USER" -- env -i "${env[@]}" "$@")
  fi
}

# -- 1. Debian packages -----------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if ((SKIP_PACKAGES)); then
  say "skipping Debian packages (--skip-packages)"
else
  missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
  done
  if [[ -n $ROOT ]]; then
    sys apt-get install -y --no-install-recommends "${DEB_PACKAGES[@]}"
  elif ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    sys apt-get update -qq
    if ! apt-cache show cage >/dev/null 2>&1; then
      echo "install.sh: the package 'cage' is not available; this installer needs Debian 12 (bookworm) main" >&2
      exit 1
    fi
    sys apt-get install -y -qq --no-install-recommends "${missing[@]}"
    # remembered for `uninstall.sh --remove-packages`: only what was not there before
    mkdir -p "$PREFIX"
    printf '%s\n' "${missing[@]}" >>"$PREFIX/installed-packages"
    sort -u -o "$PREFIX/installed-packages" "$PREFIX/installed-packages"
  else
    say "Debian packages: all present"
  fi
fi

# -- 2. the kiosk user -----------------------------------------------------------------------
if [[ -n $ROOT ]] || ! id -u "$KIOSK_USER" >/dev/null 2>&1; then
  sys useradd --system --user-group --create-home --home-dir "$KIOSK_HOME" \
    --shell /usr/sbin/nologin --comment "yibao-kiosk (unprivileged kiosk user)" "$KIOSK_USER"
fi
mkdir -p "$ROOT$KIOSK_HOME"
chmod 0700 "$ROOT$KIOSK_HOME"

# -- 3. the release --------------------------------------------------------------------------
umask 022
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# Built from a copy: the source tree may be read-only, and a build must not leave
# build/ or *.egg-info in it.
tar -C "$SRC" --exclude=__pycache__ --exclude='*.pyc' --exclude='*.egg-info' \
  -cf - pyproject.toml README.md kiosk seed resources | tar -C "$stage" -xf -
version=$("$PY" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' \
  "$stage/pyproject.toml")
digest=$(cd "$stage" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
release=$version-$digest
rel=$ROOT$PREFIX/releases/$release
mkdir -p "$ROOT$PREFIX/releases" "$ROOT$PREFIX/bin"
chmod 0755 "$ROOT$PREFIX" "$ROOT$PREFIX/releases" "$ROOT$PREFIX/bin"

if [[ -f $rel/.complete ]] && "$rel/venv/bin/kiosk" --help >/dev/null 2>&1; then
  say "release $release is already installed"
else
  say "building release $release (a virtual environment with the project and its dependencies)"
  rm -rf "$rel"
  mkdir -p "$rel/share"
  # A venv is not relocatable: it is created at its final path.
  "$PY" -m venv "$rel/venv"
  "$rel/venv/bin/pip" install -q --disable-pip-version-check --no-warn-script-location "$stage"
  cp -R "$stage/seed" "$stage/resources" "$rel/share/"
  chmod -R u=rwX,go=rX "$rel"
  "$rel/venv/bin/kiosk" --help >/dev/null
  printf '%s\n' "version=$version" "digest=$digest" "source=$SRC" \
    "commit=$(git -C "$SRC" rev-parse HEAD 2>/dev/null || echo unknown)" \
    "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$rel/RELEASE"
  touch "$rel/.complete"
fi

# The trusted root of signed catalogue updates: TUF root metadata, signed by its own
# threshold of root keys (checked with the release's python-tuf before anything changes).
if [[ -n $TRUST_ROOT ]]; then
  if ! "$rel/venv/bin/python" - "$TRUST_ROOT" <<'PYEOF'
import sys
from tuf.api.metadata import Metadata
try:
    md = Metadata.from_file(sys.argv[1])
    assert md.signed.type == "root", f"a {md.signed.type} file"
    md.signed.verify_delegate("root", md.signed_bytes, md.signatures)
except Exception as exc:
    print(f"install.sh: --trust-root {sys.argv[1]}: not self-signed TUF root metadata ({exc})", file=sys.stderr)
    sys.exit(1)
PYEOF
  then
    exit 1
  fi
fi

# -- 4. the kiosk user's directories ------------------------------------------------------------
for d in "$DATA_DIR" "$CONFIG_DIR" "$LOG_DIR"; do
  mkdir -p "$ROOT$d"
done
# Parents between the home and the log directory (.local, .local/state, …) belong to the user.
sys chown -R "$KIOSK_USER:$KIOSK_USER" "$KIOSK_HOME" "$DATA_DIR" "$CONFIG_DIR"
# Config (with the staff PIN hash) and data: only the kiosk user may read them.
for d in "$KIOSK_HOME" "$DATA_DIR" "$CONFIG_DIR"; do
  chmod -R go-rwx "$ROOT$d"
done
rel_env=("KIOSK_SEED_DIR=$rel/share/seed" "KIOSK_RESOURCES_DIR=$rel/share/resources")
if [[ ! -e $ROOT$CONFIG_DIR/config.json ]]; then
  as_kiosk "${rel_env[@]}" -- "$rel/venv/bin/python" -c \
    'from kiosk.config import KioskConfig, save_config; save_config(KioskConfig())'
  say "wrote $CONFIG_DIR/config.json (defaults: edit region, hall, printer …)"
fi
# The mark that this terminal is set up (kiosk/staff/provision.py, 0600): with it a lost
# staff PIN record locks staff mode (需要重置) instead of offering the first-run screen to
# whoever stands at the kiosk. The PIN is set by root: $PREFIX/bin/kiosk staff reset-pin
if [[ ! -e $ROOT$CONFIG_DIR/provisioned ]]; then
  as_kiosk "${rel_env[@]}" -- "$rel/venv/bin/python" -c \
    'from kiosk.staff.provision import mark_provisioned; mark_provisioned("packaging/install.sh")'
  say "wrote $CONFIG_DIR/provisioned (staff mode is for the PIN set with 'kiosk staff reset-pin')"
fi

if [[ -n $TRUST_ROOT ]]; then
  put_file 0600 "$CONFIG_DIR/root.json" <"$TRUST_ROOT"
  if ((WROTE)); then
    sys chown "$KIOSK_USER:$KIOSK_USER" "$CONFIG_DIR/root.json"
  fi
elif [[ ! -e $ROOT$CONFIG_DIR/root.json ]]; then
  say "no trusted root ($CONFIG_DIR/root.json): catalogue bundles are refused until" \
    "this script is run with --trust-root FILE"
fi

# -- 5. the catalogue ------------------------------------------------------------------------
# Built when there is none (or on request). One the release cannot read (a new catalogue
# format) is rebuilt from the release's seed/ too, with the kiosk stopped: the running
# release would take the new file for a corrupt one.
build_catalogue=0
stop_first=0
if ((REBUILD_CATALOGUE)) || [[ ! -e $ROOT$DATA_DIR/catalogue.sqlite ]]; then
  build_catalogue=1
elif ! as_kiosk "${rel_env[@]}" -- "$rel/venv/bin/python" -c \
  'from kiosk import paths; from kiosk.db.service import CatalogueService; CatalogueService(paths.catalogue_db_path()).close()' \
  >/dev/null 2>&1; then
  say "release $release cannot read $DATA_DIR/catalogue.sqlite (another format?): it will be rebuilt" \
    "from the release's seed/; a catalogue installed from a bundle must be installed again"
  build_catalogue=1
  stop_first=1
else
  say "catalogue: keeping $DATA_DIR/catalogue.sqlite (update it with 'kiosk catalogue install BUNDLE')"
fi

# The release must paint Home (offscreen) with the terminal's config and a copy of its
# data — the catalogue it will have — before it goes live; the live data is not touched.
check=$(mktemp -d /tmp/yibao-kiosk-check.XXXXXX)
trap 'rm -rf "$stage" "$check"' EXIT
mkdir -p "$check/data" "$check/log"
cp -a "$ROOT$DATA_DIR/." "$check/data/"
if [[ -z $ROOT ]]; then
  chown -R "$KIOSK_USER:$KIOSK_USER" "$check"
fi
check_env=("${rel_env[@]}" "KIOSK_DATA_DIR=$check/data" "KIOSK_LOG_DIR=$check/log")
if ((build_catalogue)); then
  as_kiosk "${check_env[@]}" -- "$rel/venv/bin/kiosk" catalogue build >/dev/null
fi
if ! as_kiosk "${check_env[@]}" -- env QT_QPA_PLATFORM=offscreen "$rel/venv/bin/kiosk" run --smoke \
  >"$check/smoke.out" 2>&1; then
  cat "$check/smoke.out" "$check/log/kiosk.log" >&2 2>/dev/null || true
  echo "install.sh: release $release failed 'kiosk run --smoke'; the installed release is unchanged" >&2
  exit 1
fi
say "release $release passed 'kiosk run --smoke'"

# -- switch to the release, keep the previous one ---------------------------------------------
current=$ROOT$PREFIX/current
previous=""
switched=0
if [[ -L $current ]]; then
  previous=$(basename "$(readlink "$current")")
fi
if [[ $previous != "$release" ]]; then
  ln -sfn "releases/$release" "$current.new"
  mv -T "$current.new" "$current"
  say "current release: $release${previous:+ (previous: $previous, kept)}"
  switched=1
fi
for r in "$ROOT$PREFIX"/releases/*; do
  name=$(basename "$r")
  if [[ -d $r && $name != "$release" && $name != "$previous" ]]; then
    rm -rf "$r"
    say "removed old release $name"
  fi
done

if ((build_catalogue)); then
  if ((stop_first)); then
    if [[ -n $ROOT ]] || systemctl --quiet is-active "$UNIT"; then
      sys systemctl stop "$UNIT"
    fi
  fi
  as_kiosk -- "$ROOT$PREFIX/current/venv/bin/kiosk" catalogue build
fi

# -- 6. the operator's command -------------------------------------------------------------------
wrapper_text() {
  cat <<EOF
#!/bin/sh
# The kiosk command of this terminal: the installed application with the directories
# of $UNIT, run as the $KIOSK_USER user so that what it writes keeps that user's
# ownership and modes. Written by packaging/install.sh; re-running it rewrites this.
#   $PREFIX/bin/kiosk catalogue install BUNDLE
#   $PREFIX/bin/kiosk staff reset-pin     (stays root: only root may set a lost PIN)
if [ "\$(id -u)" = 0 ]; then
  if [ "\$1" != staff ] || [ "\$2" != reset-pin ]; then
    exec runuser -u $KIOSK_USER -- "\$0" "\$@"
  fi
elif [ "\$(id -un)" != $KIOSK_USER ]; then
  echo "kiosk: run this as root (it switches to the $KIOSK_USER user) or as $KIOSK_USER" >&2
  exit 1
fi
umask 077
EOF
  kiosk_env | sed 's/^/export /'
  printf 'exec %s "$@"\n' "$PREFIX/current/venv/bin/kiosk"
}
put_file 0755 "$PREFIX/bin/kiosk" < <(wrapper_text)

# -- touch rotation (--rotate) -----------------------------------------------------------------
if [[ -n $TOUCH_MATRIX ]]; then
  put_file 0644 "$TOUCH_RULE" <<RULE
# Written by yibao-kiosk install.sh --rotate $ROTATE: the screen is turned $ROTATE degrees
# clockwise and cage does not rotate touch input, so libinput does.
ACTION=="add|change", KERNEL=="event[0-9]*", ENV{ID_INPUT_TOUCHSCREEN}=="1", ENV{LIBINPUT_CALIBRATION_MATRIX}="$TOUCH_MATRIX"
RULE
  if ((WROTE)); then
    sys udevadm control --reload
    sys udevadm trigger --subsystem-match=input --action=change
  fi
elif [[ $ROTATE == 0 && -e $ROOT$TOUCH_RULE ]]; then
  rm -f "$ROOT$TOUCH_RULE"
  say "removed $TOUCH_RULE"
  sys udevadm control --reload
  sys udevadm trigger --subsystem-match=input --action=change
fi

# -- 7. the service --------------------------------------------------------------------------
unit_text() {
  cat <<EOF
# $UNIT: the kiosk full-screen under the cage Wayland compositor on $TTY, as the
# unprivileged $KIOSK_USER user, restarted whatever happens. Written by
# packaging/install.sh; re-run it rather than editing this file
# (or use 'systemctl edit $UNIT' for local additions).
[Unit]
Description=Medical-insurance service-hall kiosk (yibao-kiosk) on $TTY
# After logins are allowed; replaces the getty on $TTY (the unit that conflicts is the
# one started, the getty is stopped).
After=systemd-user-sessions.service plymouth-quit-wait.service getty@$TTY.service
Conflicts=getty@$TTY.service
# logind (over D-Bus) gives the session its seat: the screen and the touch panel.
Wants=dbus.socket systemd-logind.service
After=dbus.socket systemd-logind.service
Before=graphical.target
# A machine without virtual consoles cannot run it.
ConditionPathExists=/dev/tty0
# Never give up restarting (Restart=always would otherwise stop after 5 quick failures).
StartLimitIntervalSec=0

[Service]
Type=simple
User=$KIOSK_USER
Group=$KIOSK_USER
WorkingDirectory=~
# A logind session on the virtual terminal, as a login would open it (pam_systemd
# creates XDG_RUNTIME_DIR); cage takes the DRM and input devices through it.
PAMName=login
TTYPath=/dev/$TTY
TTYReset=yes
TTYVHangup=yes
TTYVTDisallocate=yes
StandardInput=tty-fail
StandardOutput=journal
StandardError=journal
UtmpIdentifier=$TTY
UtmpMode=user
EOF
  kiosk_env | sed 's/^/Environment=/'
  cat <<EOF
Environment=QT_QPA_PLATFORM=wayland
# Start even while the touch panel is not yet (or no longer) detected.
Environment=WLR_LIBINPUT_NO_DEVICES=1
# cage: one full-screen application, no VT switching (-s is not given), -d: no
# client-side decorations; a screen mounted turned: add -r (90° clockwise, up to 3
# times) in a drop-in (systemctl edit). cage exits with the application, whatever its
# status: Restart=always brings both back.
# Logs: the application's own in $LOG_DIR (rotated by the application), stderr in
# the journal.
ExecStart=$CAGE -d -- $PREFIX/current/venv/bin/kiosk run
Restart=always
RestartSec=3
UMask=0077
LogRateLimitIntervalSec=30s
LogRateLimitBurst=2000

# Hardening that leaves a Wayland compositor working. Not used, because they would
# take the GPU, the input devices or the JIT of Mesa's software renderer away:
# PrivateDevices=, DevicePolicy=, ProtectClock= (adds a device allow-list),
# MemoryDenyWriteExecute=, ProtectHome= (the kiosk's home holds its logs).
NoNewPrivileges=yes
CapabilityBoundingSet=
ProtectSystem=strict
ReadWritePaths=$KIOSK_HOME $DATA_DIR $CONFIG_DIR -/run/user
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK

[Install]
WantedBy=multi-user.target
EOF
}
put_file 0644 "$UNIT_FILE" < <(unit_text)
unit_changed=$WROTE

# Log rotation: kiosk.log is rotated by the application itself (1 MB, 5 files kept; a
# logrotate rule would race with it). The journal (cage, Qt, stderr) is bounded here.
put_file 0644 "$JOURNALD_DROPIN" <<EOF
# Written by packaging/install.sh for $UNIT; removed by packaging/uninstall.sh.
[Journal]
SystemMaxUse=256M
SystemMaxFileSize=32M
RuntimeMaxUse=64M
EOF
journald_changed=$WROTE

if ((unit_changed)); then
  sys systemctl daemon-reload
fi
if ((journald_changed)); then
  sys systemctl try-restart systemd-journald.service
fi
sys systemctl enable --quiet "$UNIT"
if [[ -z $ROOT ]] && systemctl is-enabled --quiet display-manager.service 2>/dev/null; then
  echo "install.sh: warning: a display manager is enabled; it may take $TTY from the kiosk" \
    "(systemctl disable display-manager.service)" >&2
fi
if ((START)); then
  if ((switched || unit_changed)); then
    sys systemctl restart "$UNIT"
  else
    sys systemctl start "$UNIT"   # nothing changed: only if it is not running
  fi
else
  say "not started (--no-start): it starts at the next boot, or: systemctl start $UNIT"
fi

if ! as_kiosk -- "$ROOT$PREFIX/current/venv/bin/python" -c '
import os, sqlite3, sys
db = os.path.join(os.environ["KIOSK_DATA_DIR"], "state.sqlite")
try:
    row = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
        "SELECT 1 FROM settings WHERE key = ? AND value != ?", ("pin_hash", "")).fetchone()
except sqlite3.Error:
    row = None
sys.exit(0 if row else 1)' 2>/dev/null; then
  say "no staff PIN yet: set it with '$PREFIX/bin/kiosk staff reset-pin' as root" \
    "(until then the staff gesture shows 需要重置; citizens are served as usual)"
fi

say "done: release $release in $PREFIX, service $UNIT"
say "config $CONFIG_DIR/config.json, data $DATA_DIR, logs $LOG_DIR and journalctl -u $UNIT"
