#!/usr/bin/env bash
# Remove what packaging/install.sh installed on a kiosk terminal, as root.
#
#   bash packaging/uninstall.sh            # the application; keeps user, config, data, logs
#   bash packaging/uninstall.sh --purge    # everything, the kiosk user and its files too
#
# Always removed: yibao-kiosk.service (stopped and disabled) with any drop-ins
# (systemctl edit), the journald size limit, the touch rotation rule, /opt/yibao-kiosk (releases, venvs, the
# operator's command). The getty on tty1 comes back when the service is gone.
#
# Options:
#   --purge              also remove /etc/yibao-kiosk (config), /var/lib/yibao-kiosk
#                        (catalogue) and the kiosk user with its home (logs)
#   --remove-packages    also remove the Debian packages install.sh had to install
#                        (those that were missing before; marked as automatically
#                        installed, then apt-get autoremove, so nothing that another
#                        package needs goes)
#   --root DIR           remove from a throwaway root made by install.sh --root DIR:
#                        files are removed there, system commands are printed, not run
#   -h, --help           this text
set -euo pipefail

KIOSK_USER=kiosk
KIOSK_HOME=/home/kiosk
PREFIX=/opt/yibao-kiosk
DATA_DIR=/var/lib/yibao-kiosk
CONFIG_DIR=/etc/yibao-kiosk
UNIT=yibao-kiosk.service
UNIT_FILE=/etc/systemd/system/$UNIT
JOURNALD_DROPIN=/etc/systemd/journald.conf.d/60-yibao-kiosk.conf
TOUCH_RULE=/etc/udev/rules.d/99-yibao-kiosk-touch-rotation.rules

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

ROOT=""
PURGE=0
REMOVE_PACKAGES=0
while (($#)); do
  case $1 in
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --root=*) ROOT=${1#--root=}; shift ;;
    --purge) PURGE=1; shift ;;
    --remove-packages) REMOVE_PACKAGES=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "uninstall.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -n $ROOT ]]; then
  [[ -d $ROOT ]] || { echo "uninstall.sh: no such directory: $ROOT" >&2; exit 2; }
  ROOT=$(cd "$ROOT" && pwd)
  [[ $ROOT != / ]] || { echo "uninstall.sh: --root / is the real system; run without --root" >&2; exit 2; }
else
  [[ $EUID -eq 0 ]] || { echo "uninstall.sh: run as root" >&2; exit 1; }
fi

say() { printf 'uninstall: %s\n' "$*"; }

# A command that changes the system outside the files: run it, or with --root print it.
sys() {
  if [[ -n $ROOT ]]; then
    printf 'would run:'; printf ' %q' "$@"; printf '\n'
  else
    printf '+'; printf ' %q' "$@"; printf '\n'
    "$@"
  fi
}

# remove PATH...: rm -rf each of them (absolute paths, under the root with --root).
remove() {
  local p
  for p in "$@"; do
    [[ $p == /?* ]] || { echo "uninstall.sh: refusing to remove '$p'" >&2; exit 1; }
    if [[ -e $ROOT$p || -L $ROOT$p ]]; then
      rm -rf -- "$ROOT$p"
      say "removed $p"
    fi
  done
}

# Read before /opt/yibao-kiosk goes.
packages=()
if [[ -f $ROOT$PREFIX/installed-packages ]]; then
  mapfile -t packages <"$ROOT$PREFIX/installed-packages"
fi

# -- the service -----------------------------------------------------------------------------
if [[ -n $ROOT || -e $UNIT_FILE ]]; then
  sys systemctl disable --now "$UNIT"
fi
remove "$UNIT_FILE" "$UNIT_FILE.d"
journald_changed=0
if [[ -e $ROOT$JOURNALD_DROPIN ]]; then
  journald_changed=1
fi
remove "$JOURNALD_DROPIN"
if [[ -e $ROOT$TOUCH_RULE ]]; then  # install.sh --rotate
  remove "$TOUCH_RULE"
  sys udevadm control --reload
fi
rmdir "$ROOT/etc/systemd/journald.conf.d" 2>/dev/null || true
sys systemctl daemon-reload
if ((journald_changed)); then
  sys systemctl try-restart systemd-journald.service
fi
# tty1 gets its login prompt back now, not only at the next boot.
if [[ -n $ROOT ]] || systemctl --quiet is-enabled getty@tty1.service 2>/dev/null; then
  sys systemctl start getty@tty1.service
fi

# -- the application -------------------------------------------------------------------------
remove "$PREFIX"

# -- the kiosk user's files --------------------------------------------------------------------
if ((PURGE)); then
  remove "$CONFIG_DIR" "$DATA_DIR"
  if [[ -n $ROOT ]]; then
    sys userdel --remove "$KIOSK_USER"
    remove "$KIOSK_HOME"   # what userdel --remove does to the home
  elif id -u "$KIOSK_USER" >/dev/null 2>&1; then
    # userdel refuses while the user has processes: its session and user manager may
    # outlive the service for a moment
    sys loginctl terminate-user "$KIOSK_USER" 2>/dev/null || true
    sys userdel --remove "$KIOSK_USER"
  fi
else
  say "kept the $KIOSK_USER user, $CONFIG_DIR, $DATA_DIR and the logs in $KIOSK_HOME (--purge removes them)"
fi

# -- Debian packages ---------------------------------------------------------------------------
if ((REMOVE_PACKAGES)); then
  if ((${#packages[@]})); then
    sys apt-mark auto "${packages[@]}"
    sys apt-get autoremove --purge -y
  else
    say "no record of Debian packages installed by install.sh; none removed"
  fi
fi
say "done"
