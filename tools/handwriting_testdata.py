"""Refresh tests/data/handwriting/medians.json: the stroke medians of exactly the
characters the handwriting tests write (service names and categories of the shipped
catalogue, the everyday-word map, EXTRA), from the npm package hanzi-writer-data.

    cd /tmp && npm pack hanzi-writer-data && tar xzf hanzi-writer-data-*.tgz
    .venv/bin/python tools/handwriting_testdata.py /tmp/package

The data is Arphic Public License (tests/data/handwriting/ARPHICPL.TXT, copied from
the package). It only tests the recogniser; never build recognizer templates from it.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "tests" / "data" / "handwriting"
EXTRA = "高血压糖尿病海南新生儿大学生孩子门特断缴开证明个体户开药店看病取钱停保两病外地失业上大学交医保"
HAN = re.compile(r"[\u4e00-\u9fff]")


def needed() -> list[str]:
    from kiosk.db.build import build_catalogue
    from kiosk.db.service import CatalogueService
    from kiosk.handwriting.vocabulary import everyday_words
    from kiosk.paths import seed_dir

    text = EXTRA + "".join(everyday_words())
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.sqlite"
        build_catalogue(seed_dir(), db)
        cat = CatalogueService(db)
        for region in cat.regions():
            for s in cat.services(region.id):
                text += s.name + s.category
        cat.close()
    return sorted({ch for ch in text if HAN.match(ch)})


def main(package: Path) -> int:
    chars = needed()
    missing = [ch for ch in chars if not (package / f"{ch}.json").exists()]
    chars = [ch for ch in chars if ch not in missing]
    lines = [json.dumps(ch, ensure_ascii=False) + ":"
             + json.dumps(json.loads((package / f"{ch}.json").read_text(encoding="utf-8"))["medians"],
                          separators=(",", ":"))
             for ch in chars]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "medians.json").write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    shutil.copy(package / "ARPHICPL.TXT", OUT / "ARPHICPL.TXT")
    print(f"{len(chars)} characters written; not in the package: {''.join(missing) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
