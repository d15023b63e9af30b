# Services the tests need, sourced by scripts/test.sh (set -euo pipefail is on there).
#
# A real CUPS daemon, without systemd, with a cups-pdf queue the printing tests print
# through: KIOSK_TEST_CUPS_QUEUE names it. cups-pdf writes root's jobs to ~root/PDF/.
# A cupsd this script starts is stopped when the test script exits; one that was
# already running is used as it is and left alone.

export KIOSK_TEST_CUPS_QUEUE=kiosk-pdf
_kiosk_cupsd_pid=""

_kiosk_stop_cupsd() {
  if [ -n "$_kiosk_cupsd_pid" ] && kill -0 "$_kiosk_cupsd_pid" 2>/dev/null; then
    kill "$_kiosk_cupsd_pid" 2>/dev/null || true
    wait "$_kiosk_cupsd_pid" 2>/dev/null || true
  fi
}

if command -v cupsd >/dev/null 2>&1 && command -v lpadmin >/dev/null 2>&1; then
  if ! LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running"; then
    mkdir -p /run/cups
    cupsd -f >/dev/null 2>&1 &
    _kiosk_cupsd_pid=$!
    trap _kiosk_stop_cupsd EXIT
    for _ in $(seq 1 100); do  # ready in well under a second; give up after 10 s
      LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running" && break
      sleep 0.1
    done
  fi
  if LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running"; then
    lpadmin -p "$KIOSK_TEST_CUPS_QUEUE" -E -v cups-pdf:/ \
      -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null \
      || echo "test services: lpadmin could not add $KIOSK_TEST_CUPS_QUEUE" >&2
    # a run that was interrupted may have left the queue rejecting or paused
    cupsaccept "$KIOSK_TEST_CUPS_QUEUE" 2>/dev/null || true
    cupsenable "$KIOSK_TEST_CUPS_QUEUE" 2>/dev/null || true
    echo "test services: CUPS scheduler running, queue $KIOSK_TEST_CUPS_QUEUE (cups-pdf)"
  else
    echo "test services: cupsd did not start; the CUPS printing tests will fail" >&2
  fi
else
  echo "test services: cupsd/lpadmin not installed; the CUPS printing tests will be skipped" >&2
fi
