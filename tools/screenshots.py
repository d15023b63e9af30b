"""Grab the kiosk's screens to PNG by tapping through the real UI offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [OUT_DIR]

Writes home, search, question and checklist at 1080x1920 (portrait) and 1920x1080
(landscape), in normal and 大字 text, for the README's docs/; and the search with the
writing pad (手写), 住 written and 院 being written, in both orientations.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QAbstractButton, QApplication  # noqa: E402

from kiosk import paths  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.db.build import build_catalogue  # noqa: E402
from kiosk.db.service import CatalogueService  # noqa: E402
from kiosk.ui.app import create_window  # noqa: E402
from kiosk.ui.simulated_touch import tap_widget  # noqa: E402


def tap(window, name: str) -> None:
    app = QApplication.instance()
    app.processEvents()
    matches = [w for w in window.findChildren(QAbstractButton, name) if w.isVisible()]
    if not matches:
        raise LookupError(f"no visible button {name!r}")
    tap_widget(matches[0])


def shoot(window, path: Path) -> None:
    app = QApplication.instance()
    for _ in range(3):
        app.processEvents()
    window.grab().save(str(path))
    print(path)


def write_zhuyuan(window) -> None:
    """手写: 住 written and ended by a pause, then 院 (replayed strokes of the test data)."""
    import random
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.handwriting_support import write_on, written

    app = QApplication.instance()
    tap(window, "mode:handwriting")
    pad = window.screens[window.ctx.session.screen].pad

    def settle():
        while pad.busy():
            app.processEvents()
            time.sleep(0.01)

    write_on(pad.area, written("住", random.Random("住"), "light"))
    settle()
    pad.next_character()
    write_on(pad.area, written("院", random.Random("院"), "light"))
    settle()
    pad._timer.stop()  # keep 院 on the pad for the picture


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    db = paths.catalogue_db_path()
    if not db.exists():
        build_catalogue(paths.seed_dir(), db)
    catalogue = CatalogueService(db)
    for size, tag in (((1080, 1920), "portrait"), ((1920, 1080), "landscape")):
        for large in (False, True):
            cfg = KioskConfig(region="shenyang", text_size="large" if large else "normal")
            w = create_window(catalogue, cfg)
            w.resize(*size)
            w.show()
            w.warm_up()  # as after a moment at Home: the voice is found, 朗读 shows
            suffix = f"{tag}{'-large' if large else ''}"
            shoot(w, out / f"home-{suffix}.png")
            tap(w, "searchButton")
            for ch in "ydjy":
                tap(w, f"key:{ch}")
            shoot(w, out / f"search-{suffix}.png")
            if not large:
                write_zhuyuan(w)
                shoot(w, out / f"search-handwriting-{suffix}.png")
            tap(w, "homeButton")
            tap(w, "topic:enrolment")
            tap(w, "service:flexible-enrol")
            shoot(w, out / f"question-{suffix}.png")
            tap(w, "answer:nonlocal")
            tap(w, "answer:proxy")
            shoot(w, out / f"checklist-{suffix}.png")
            w.close()
            w.deleteLater()
            app.processEvents()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs"))
