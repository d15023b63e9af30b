"""Grab the staff screens to PNG by tapping through the real UI offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/staff_screenshots.py [OUT_DIR]

Writes staff-pin, staff-config, staff-edit and staff-stats at 1080x1920 (portrait) and
1920x1080 (landscape). The staff state is a temporary database with a PIN and made-up
usage figures (so the charts have bars); the catalogue is the built one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk import paths  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.db.build import build_catalogue  # noqa: E402
from kiosk.db.service import CatalogueService  # noqa: E402
from kiosk.session import SessionStats  # noqa: E402
from kiosk.staff.pin import PinGate  # noqa: E402
from kiosk.staff.state import StateStore  # noqa: E402
from kiosk.staff.stats import UsageRecorder  # noqa: E402
from kiosk.ui.app import create_window  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import shoot, tap  # noqa: E402  (the same taps as the citizen screenshots)

PIN = "258046"


def demo_figures(store, catalogue) -> None:
    """Made-up, plausible counts for the last two weeks (for the picture only)."""
    services = [s.id for s in catalogue.services("shenyang")][:12]
    now = datetime.now().replace(minute=0, second=0, microsecond=0)
    for day in range(14):
        for hour, weight in ((9, 5), (10, 8), (11, 6), (13, 4), (14, 7), (15, 5), (16, 3)):
            when = now - timedelta(days=day)
            when = when.replace(hour=hour)
            rec = UsageRecorder(store, clock=lambda w=when: w, monotonic=lambda: 1000.0)
            for i in range((weight + day * 7 + hour) % 9 + 1):
                sid = services[(i * 5 + day + hour) % len(services)] if i % 3 else services[i % 3]
                done = (i + day) % 4 != 0
                rec.session_finished(SessionStats(started=1000.0 - 95 - i * 13, service_id=sid,
                                                  checklist_at=(1000.0 - i * 7) if done else None), "home",
                                     "shenyang")
                if done and i % 3 == 0:
                    rec.print_result("shenyang", sid, ok=(i + day) % 11 != 0, fault="paper-out")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    db = paths.catalogue_db_path()
    if not db.exists():
        build_catalogue(paths.seed_dir(), db)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-staff-shots-"))
    os.environ["KIOSK_CONFIG_DIR"] = str(tmp / "config")
    os.environ["KIOSK_EXCHANGE_DIR"] = str(tmp / "exchange")
    state = StateStore(tmp / "state.sqlite")
    PinGate(state).set_pin(PIN)
    catalogue = CatalogueService(db)
    demo_figures(state, catalogue)
    for size, tag in (((1080, 1920), "portrait"), ((1920, 1080), "landscape")):
        w = create_window(catalogue, KioskConfig(region="shenyang"), state=state)
        w.resize(*size)
        w.show()
        w.staff.open()
        for d in PIN[:3]:
            tap(w, f"pin:{d}")
        shoot(w, out / f"staff-pin-{tag}.png")
        tap(w, "pin:clear")
        for d in PIN:
            tap(w, f"pin:{d}")
        tap(w, "pinOk")
        tap(w, "kb:mode")
        for ch in "wangli":
            tap(w, f"kb:{ch}")
        tap(w, "nameOk")
        tap(w, "cfg:printer.kind:escpos")
        tap(w, "cfg:edit:printer.address")
        tap(w, "kb:symbols")
        shoot(w, out / f"staff-config-{tag}.png")
        tap(w, "staffTab:catalogue")
        tap(w, "edit:flexible-enrol")
        tap(w, "item:materials:1")
        tap(w, "kb:right")
        for ch in "yuanjian":
            tap(w, f"kb:{ch}")
        shoot(w, out / f"staff-edit-{tag}.png")
        tap(w, "editor:cancel")
        tap(w, "staffTab:stats")
        tap(w, "stats:period:30")
        shoot(w, out / f"staff-stats-{tag}.png")
        tap(w, "staffExit")
        w.close()
        w.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screens"))
