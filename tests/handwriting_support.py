"""Replayed handwriting for tests and the benchmark.

Strokes come from tests/data/handwriting/medians.json: the stroke medians of the npm
package hanzi-writer-data 2.0.1 (derived from Make Me a Hanzi; Arphic Public License,
tests/data/handwriting/ARPHICPL.TXT), kept only for the characters of the catalogue's
service names, categories, the everyday-word map and a few everyday words of issue 14.
They only *test* the recogniser (Zinnia's own model from Debian); nothing is trained
on them.

`written(ch, rng, noise)` gives the strokes of `ch` as a finger on a 600 px pad might
write them: jitter, slant, scale and offset, and sometimes a dropped or a split stroke.
"""

from __future__ import annotations

import json
import math
import random
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "handwriting" / "medians.json"
PAD = 600  # pixels of the writing pad


@lru_cache(maxsize=1)
def medians() -> dict[str, list[list[list[int]]]]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def clean_strokes(ch: str, size: float = PAD) -> list[list[tuple[float, float]]]:
    """The character's medians on a `size` square pad, y down (Make Me a Hanzi has a
    1024 box, y up, baseline at 900)."""
    k = size / 1024
    return [[(x * k, (900 - y) * k) for x, y in stroke] for stroke in medians()[ch]]


def _densify(stroke, step=6.0):
    """Medians have a few points per stroke; a finger gives one every few pixels."""
    out = [stroke[0]]
    for a, b in zip(stroke, stroke[1:], strict=False):
        n = max(1, int(math.dist(a, b) / step))
        out += [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(1, n + 1)]
    return out


NOISE = {
    # name: (jitter px, max slant, scale range, p(drop a stroke), p(split a stroke))
    "none": (0.0, 0.0, (1.0, 1.0), 0.0, 0.0),
    "light": (2.0, 0.10, (0.7, 1.0), 0.0, 0.0),
    "heavy": (4.0, 0.20, (0.5, 1.0), 0.15, 0.15),
}


def written(ch: str, rng: random.Random, noise: str = "light", size: float = PAD):
    """Strokes of `ch` as written on a pad of `size` px (see NOISE)."""
    jitter, slant, (s0, s1), p_drop, p_split = NOISE[noise]
    strokes = [_densify(s) for s in clean_strokes(ch, size)]
    shear = rng.uniform(-slant, slant)
    scale = rng.uniform(s0, s1)
    room = size * (1 - scale)
    ox, oy = rng.uniform(0, room), rng.uniform(0, room)
    c = size / 2
    out = []
    for s in strokes:
        pts = []
        for x, y in s:
            x = x + shear * (c - y)  # slanted: the top leans right for shear > 0
            x, y = (x - c) * scale + c, (y - c) * scale + c
            x, y = x - (size - size * scale) / 2 + ox, y - (size - size * scale) / 2 + oy
            pts.append((x + rng.gauss(0, jitter), y + rng.gauss(0, jitter)))
        out.append(pts)
    if len(out) > 2 and rng.random() < p_drop:
        del out[rng.randrange(len(out))]
    if rng.random() < p_split:
        i = rng.randrange(len(out))
        s = out[i]
        if len(s) >= 6:
            k = len(s) // 2
            out[i:i + 1] = [s[:k], s[k + 1:]]
    return out


REGIONS = ("shenyang", "fushun", "kaiyuan")


def character_rate(recogniser, noise: str = "light", top: int = 10) -> tuple[float, list[str]]:
    """Share of the test characters whose right reading is among the first `top` of
    their column, as recognised (no lift from the catalogue's characters), and the
    misses."""
    misses = [ch for ch in medians()
              if ch not in [c for c, _ in recogniser.column(written(ch, random.Random(ch), noise), top)]]
    return 1 - len(misses) / len(medians()), misses


def search_cases(catalogue, region: str):
    """(written text, wanted service id) of a region: the first two characters of every
    service name, and every everyday word of the map with the service it finds first
    when typed exactly."""
    from kiosk.handwriting.vocabulary import everyday_words
    from kiosk.search import SearchIndex

    services = catalogue.services(region)
    index = SearchIndex(services)
    cases = [(s.name[:2], s.id) for s in services]
    for w in everyday_words():
        found = index.search(w)[:1]
        if found:
            cases.append((w, found[0].id))
    return services, index, cases


def unwritable(texts) -> list[str]:
    """Texts with a character the test data lacks (refresh it with
    tools/handwriting_testdata.py)."""
    return [t for t in texts if any(ch not in medians() for ch in t)]


def search_rate(catalogue, recogniser, noise: str = "light"):
    """Issue 14's target: the wanted service in the top 3 after writing, over all three
    regions. Each text is written once (the same strokes in every region). Returns
    (hits, total, typed_hits, misses): typed_hits is the same count for the text typed
    exactly, the most handwriting could reach."""
    from kiosk.handwriting.decoder import Decoder
    from kiosk.handwriting.vocabulary import Lexicon, catalogue_words

    columns: dict[str, list] = {}
    hits = total = typed = 0
    misses = []
    for region in REGIONS:
        services, index, cases = search_cases(catalogue, region)
        dec = Decoder(Lexicon(catalogue_words(services)))
        lacking = set(unwritable(t for t, _ in cases))
        assert not lacking, f"no test strokes for {sorted(lacking)}: run tools/handwriting_testdata.py"
        for text, wanted in cases:
            if text not in columns:
                rng = random.Random(text)
                columns[text] = [recogniser.column(written(ch, rng, noise)) for ch in text]
            got = dec.text(columns[text])
            ok = wanted in [s.id for s in index.search(got)[:3]]
            hits += ok
            typed += wanted in [s.id for s in index.search(text)[:3]]
            total += 1
            if not ok:
                misses.append(f"{region}: {text} → {got}")
    return hits, total, typed, misses


def write_on(area, strokes, touch: bool = False) -> None:
    """Write `strokes` (pad pixels) on the writing area through its window, as a mouse
    does (press, moves, release) or as a finger on a touch screen (touch events, which
    Qt turns into mouse events for the widget)."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    top = area.window()
    handle = top.windowHandle()
    k = area.width() / PAD
    device = _touch_device() if touch else None
    for stroke in strokes:
        pts = [area.mapTo(top, QPoint(round(x * k), round(y * k))) for x, y in stroke]
        if touch:
            QTest.touchEvent(handle, device).press(0, pts[0]).commit()
            for p in pts[1:]:
                QTest.touchEvent(handle, device).move(0, p).commit()
            QTest.touchEvent(handle, device).release(0, pts[-1]).commit()
        else:
            QTest.mousePress(handle, Qt.LeftButton, Qt.NoModifier, pts[0])
            for p in pts[1:]:
                QTest.mouseMove(handle, p)
            QTest.mouseRelease(handle, Qt.LeftButton, Qt.NoModifier, pts[-1])
        QApplication.processEvents()


_device = None


def _touch_device():
    global _device
    if _device is None:
        from PySide6.QtTest import QTest

        _device = QTest.createTouchDevice()
    return _device
