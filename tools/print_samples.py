"""Regenerate the printing samples in docs/: the checklist PDF in A4, 80 mm and 58 mm
rendered to PNG (pdftoppm -r 100), and a screenshot of the print preview dialog.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/print_samples.py [OUTDIR]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = {  # paper: (region, service, answers)
    "a4": ("shenyang", "maternity-allowance", {"allowance_kind": "birth", "applicant": "proxy"}),
    "80mm": ("kaiyuan", "account-withdrawal", {"withdrawal_reason": "death"}),
    "58mm": ("fushun", "maternity-allowance", {}),
}
NOW = datetime(2026, 11, 25, 9, 30)


def main(out: Path) -> None:
    from kiosk.catalogue.guide import build_guide
    from kiosk.db.build import build_catalogue
    from kiosk.db.service import CatalogueService
    from kiosk.printing.document import build_document
    from kiosk.printing.pdf import write_pdf

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_catalogue(ROOT / "seed", tmp / "catalogue.sqlite")
        cat = CatalogueService(tmp / "catalogue.sqlite")

        def doc_for(region, service, answers, serial):
            guide = build_guide(cat.service(region, service), answers)
            return build_document(guide, cat.region(region), cat.halls(region)[0], serial=serial, now=NOW)

        for i, (paper, (region, service, answers)) in enumerate(SAMPLES.items(), 1):
            pdf = write_pdf(doc_for(region, service, answers, f"20261125-{i:04d}"), tmp / f"{paper}.pdf", paper)
            subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(out / f"print-{paper}")],
                           check=True)
            print(out / f"print-{paper}.png")

        from PySide6.QtWidgets import QApplication

        from kiosk.config import PrinterConfig
        from kiosk.ui import theme
        from kiosk.ui.citizen.print_preview import PrintDialog

        app = QApplication.instance() or QApplication([])
        app.setStyleSheet(theme.stylesheet(theme.NORMAL, theme.LIGHT, theme.load_cjk_font()))
        doc = doc_for("kaiyuan", "account-withdrawal", {"withdrawal_reason": "death"}, "20261125-0002")
        dialog = PrintDialog(None, doc, PrinterConfig(kind="escpos", address="tcp://127.0.0.1:9100"), "80mm")
        dialog.resize(1080, 1920)
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(out / "print-preview.png"))
        print(out / "print-preview.png")
        cat.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
