"""The yardstick: a bare PySide6 window showing one label, painted, then exit."""

import os
import sys
import time

from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
w = QLabel("医保")
w.resize(1080, 1920)
w.show()
app.processEvents()
w.repaint()
app.processEvents()
if os.environ.get("KIOSK_REPORT_PAINTED"):  # as `kiosk run --smoke` does, for benchmarks/run.py
    print(f"painted {time.monotonic():.6f}", file=sys.stderr, flush=True)
if len(sys.argv) > 1 and sys.argv[1] == "--rss":
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                print(int(line.split()[1]))
sys.exit(0)
