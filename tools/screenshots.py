"""Grab the kiosk's screens to PNG by tapping through the real UI offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [OUT_DIR]

The accessibility audit (tools/accessibility_audit.py) walks every citizen screen in
all 8 configurations and measures it; this writes the screenshots it takes (Shenyang:
every screen at 1080x1920 and 1920x1080, home/question/checklist also in 大字 and
高对比) and docs/accessibility.md, its table of numbers. Then the search with the
writing pad (手写), 住 written and 院 being written, in both orientations.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.accessibility_audit import main as audit_main  # noqa: E402


def handwriting_shots(out: Path) -> None:
    """search-handwriting-{portrait,landscape}.png: 住 written, 院 on the pad."""
    from PySide6.QtWidgets import QAbstractButton, QApplication

    from kiosk import paths
    from kiosk.config import KioskConfig
    from kiosk.db.build import build_catalogue
    from kiosk.db.service import CatalogueService
    from kiosk.testing.simulated_touch import tap_widget
    from kiosk.ui.app import create_window
    from tests.handwriting_support import write_on, written

    app = QApplication.instance() or QApplication([])
    db = paths.catalogue_db_path()
    if not db.exists():
        build_catalogue(paths.seed_dir(), db)
    catalogue = CatalogueService(db)

    def tap(window, name: str) -> None:
        app.processEvents()
        matches = [w for w in window.findChildren(QAbstractButton, name) if w.isVisible()]
        if not matches:
            raise LookupError(f"no visible button {name!r}")
        tap_widget(matches[0])

    for size, tag in (((1080, 1920), "portrait"), ((1920, 1080), "landscape")):
        w = create_window(catalogue, KioskConfig(region="shenyang"))
        w.resize(*size)
        w.show()
        w.warm_up()
        tap(w, "searchButton")
        tap(w, "mode:handwriting")
        pad = w.screens[w.ctx.session.screen].pad

        def settle(pad=pad) -> None:
            while pad.busy():
                app.processEvents()
                time.sleep(0.01)

        write_on(pad.area, written("住", random.Random("住"), "light"))
        settle()
        pad.next_character()
        write_on(pad.area, written("院", random.Random("院"), "light"))
        settle()
        pad._timer.stop()  # keep 院 on the pad for the picture
        for _ in range(3):
            app.processEvents()
        path = out / f"search-handwriting-{tag}.png"
        w.grab().save(str(path))
        print(path)
        w.close()
        w.deleteLater()
        app.processEvents()
    catalogue.close()


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    rc = audit_main(["--screens", str(out), "--report", str(Path("docs") / "accessibility.md")])
    handwriting_shots(out)
    return rc


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screens")))
