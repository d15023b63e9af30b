"""The search evaluation set (tests/data/search_eval.yaml): load it and score a search
function on it. Shared by tests/test_search_eval.py and tools/search_eval.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

EVAL_FILE = Path(__file__).resolve().parent / "data" / "search_eval.yaml"
REGIONS = ("shenyang", "fushun", "kaiyuan")
TOP = 3


@dataclass
class Case:
    kind: str
    query: str
    wanted: frozenset[str]


@dataclass
class Score:
    tried: int = 0
    hits: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hits / self.tried if self.tried else 0.0


def load_cases(path: Path = EVAL_FILE) -> dict[str, list[Case]]:
    """{'words': [...], 'phrases': [...]} with group names expanded to service ids."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = data.get("groups") or {}

    def expand(names, depth=0) -> set[str]:
        out: set[str] = set()
        for n in names:
            if n in groups and depth < 5:
                out |= expand(groups[n], depth + 1)
            else:
                out.add(n)
        return out

    return {part: [Case(kind, str(q), frozenset(expand(ids))) for kind, q, ids in data[part]]
            for part in ("words", "phrases")}


def evaluate(cases: list[Case], search_by_region, ids_by_region) -> Score:
    """Top-3 hits of `search_by_region[region](query) -> [service ids]` over every region
    where one of a case's acceptable services exists."""
    score = Score()
    for case in cases:
        for region in REGIONS:
            acceptable = case.wanted & ids_by_region[region]
            if not acceptable:
                continue
            got = search_by_region[region](case.query)[:TOP]
            score.tried += 1
            if acceptable & set(got):
                score.hits += 1
            else:
                score.misses.append(f"{region:8} [{case.kind}] {case.query!r}: got {got}, want one of "
                                    f"{sorted(acceptable)}")
    return score
