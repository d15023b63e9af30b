"""Print the search evaluation (tests/data/search_eval.yaml): hit rates by kind, every miss.

    .venv/bin/python tools/search_eval.py
"""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk import paths  # noqa: E402
from kiosk.db.build import build_catalogue  # noqa: E402
from kiosk.db.service import CatalogueService  # noqa: E402
from kiosk.search import SearchIndex  # noqa: E402
from tests.search_eval import REGIONS, evaluate, load_cases  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.sqlite"
        build_catalogue(paths.seed_dir(), db)
        cat = CatalogueService(db)
        indexes = {r: SearchIndex(cat.services(r)) for r in REGIONS}
        search = {r: (lambda q, ix=ix: [s.id for s in ix.search(q)]) for r, ix in indexes.items()}
        ids = {r: {s.id for s in cat.services(r)} for r in REGIONS}
        for part, cases in load_cases().items():
            by_kind = defaultdict(list)
            for c in cases:
                by_kind[c.kind].append(c)
            total = evaluate(cases, search, ids)
            print(f"== {part}: {total.hits}/{total.tried} = {total.rate:.1%}")
            for kind, cs in by_kind.items():
                s = evaluate(cs, search, ids)
                print(f"   {kind:12} {s.hits}/{s.tried} = {s.rate:.1%}")
            for m in total.misses:
                print("   MISS", m)
        cat.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
