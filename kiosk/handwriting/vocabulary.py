"""The words handwriting is decoded against: what the catalogue itself says.

Service names and categories of the region, cut at punctuation, and the keys of the
everyday-word map (resources/synonyms.yaml). A stand-in until
`kiosk.search.vocabulary(region)` exists; `catalogue_words()` is the one place to
switch.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_HAN = re.compile(r"[\u3400-\u9fff]+")


def catalogue_words(services, synonyms_file: Path | None = None) -> list[str]:
    """Runs of Chinese characters of every service name and category, and the everyday
    words, each once, in catalogue order."""
    words: list[str] = []
    for s in services:
        words += _HAN.findall(s.name)
        words += _HAN.findall(getattr(s, "category", "") or "")
    words += everyday_words(synonyms_file)
    return list(dict.fromkeys(words))


def everyday_words(synonyms_file: Path | None = None) -> list[str]:
    import yaml

    from kiosk.search import synonyms_path

    path = synonyms_file or synonyms_path()
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [w for w in (data.get("words") or {}) if _HAN.fullmatch(w)]


class Lexicon:
    """Every stretch of 1..MAX_LEN characters that occurs in the words, counted: the
    strings a written sequence may decode to. Writing 城乡 matches 城乡 (start of
    城乡居民参保登记), 安置 matches the middle of 异地安置退休人员备案."""

    MAX_LEN = 6

    def __init__(self, words: list[str]):
        self.words = list(words)
        grams: Counter[str] = Counter()
        for w in self.words:
            for i in range(len(w)):
                for k in range(1, min(self.MAX_LEN, len(w) - i) + 1):
                    grams[w[i:i + k]] += 1
        self.by_len: dict[int, list[tuple[str, int]]] = {}
        for g, n in grams.items():
            self.by_len.setdefault(len(g), []).append((g, n))
        self.chars = {g for g, _ in self.by_len.get(1, [])}
        self.whole = set(self.words)

    def grams(self, k: int) -> list[tuple[str, int]]:
        return self.by_len.get(k, [])
