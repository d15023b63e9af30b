"""Search without a keyboard: Chinese text, full pinyin, pinyin initials, everyday words.

`ydjy` finds 异地就医…, `shengyu` finds 生育…, `生孩子` finds the maternity services.
Results are ranked: name match, then category, then pinyin, then initials, then the
everyday-word map (resources/synonyms.yaml). Pure Python; built once per catalogue.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from kiosk import paths
from kiosk.catalogue.model import Service

log = logging.getLogger("kiosk.search")
_NON_WORD = re.compile(r"[^\w]+")


def synonyms_path() -> Path:
    """The everyday-word map (KIOSK_RESOURCES_DIR, else the project's resources/)."""
    return paths.resources_dir() / "synonyms.yaml"


def _lazy_pinyin(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # 0.2 s to import: only when an index is built

    return lazy_pinyin(text, style=Style.NORMAL, errors="default")


def pinyin_keys(text: str) -> tuple[str, str]:
    """('yidijiuyi', 'ydjy') for 异地就医; non-Chinese characters are kept as they are."""
    text = _NON_WORD.sub("", text)
    syllables = _lazy_pinyin(text)
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


@dataclass
class _Entry:
    service: Service
    name: str
    category: str
    full: str  # pinyin of the name
    initials: str
    cat_full: str
    cat_initials: str
    order: int
    tails: tuple[str, ...] = ()  # pinyin from each later syllable on: 'dijiuyi', 'jiuyi', …


class SearchIndex:
    """Built on first use (or by `warm_up()` while the kiosk waits at Home), so that
    start-up does not pay for pypinyin."""

    def __init__(self, services: list[Service], synonyms_file: Path | None = None):
        self._services = services
        self._synonyms_file = synonyms_file
        self._built = False

    def warm_up(self) -> None:
        if self._built:
            return
        import yaml

        services, synonyms_file = self._services, self._synonyms_file
        self.entries = []
        for i, s in enumerate(services):
            full, ini = pinyin_keys(s.name)
            cfull, cini = pinyin_keys(s.category)
            syl = _lazy_pinyin(_NON_WORD.sub("", s.name))
            tails = tuple("".join(syl[k:]).lower() for k in range(1, len(syl)))
            self.entries.append(_Entry(s, s.name, s.category, full, ini, cfull, cini, i, tails))
        self.synonyms: list[tuple[str, str, str, dict]] = []
        synonyms_file = synonyms_file or synonyms_path()
        if synonyms_file.exists():
            data = yaml.safe_load(synonyms_file.read_text(encoding="utf-8"))
        else:  # search still works, only without everyday words: say so for staff
            log.warning("no everyday-word map at %s; set KIOSK_RESOURCES_DIR", synonyms_file)
            data = {}
        for word, target in (data or {}).get("words", {}).items():
            full, ini = pinyin_keys(word)
            self.synonyms.append((word, full, ini, target or {}))
        self._built = True

    def search(self, query: str, limit: int = 30) -> list[Service]:
        self.warm_up()
        q = _NON_WORD.sub("", query).lower()
        if not q:
            return []
        is_latin = q.isascii()
        scored: dict[str, tuple[int, int, Service]] = {}

        def hit(entry: _Entry, score: int) -> None:
            key = entry.service.id
            if key not in scored or scored[key][0] > score:
                scored[key] = (score, entry.order, entry.service)

        for e in self.entries:
            if not is_latin:
                if e.name.startswith(q):
                    hit(e, 0)
                elif q in e.name:
                    hit(e, 1)
                elif q in e.category:
                    hit(e, 4)
            else:
                if e.full.startswith(q) or e.initials.startswith(q):
                    hit(e, 2)
                elif any(t.startswith(q) for t in e.tails):
                    hit(e, 4)
                elif q in e.initials:
                    hit(e, 5)
                elif q in e.cat_full or q in e.cat_initials:
                    hit(e, 6)
        for word, full, ini, target in self.synonyms:
            if is_latin:
                matched = full.startswith(q) or (len(q) >= 2 and ini.startswith(q))
            else:
                matched = q in word or (len(word) >= 2 and word in q)
            if not matched:
                continue
            topics = set(target.get("topics", []))
            names = target.get("names", [])
            for e in self.entries:
                if topics & set(e.service.topics) or any(n in e.name for n in names):
                    hit(e, 3)
        ranked = sorted(scored.values(), key=lambda t: (t[0], t[1]))
        return [s for _, _, s in ranked[:limit]]
