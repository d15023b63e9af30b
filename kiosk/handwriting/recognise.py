"""Strokes of one written character → a column of the lattice: [(character, score)],
best first. Each reading of kiosk.handwriting.preprocess.variants is classified by
Zinnia; a character keeps its best score over the readings."""

from __future__ import annotations

from kiosk.handwriting import preprocess
from kiosk.handwriting.zinnia import Recognizer

COLUMN = 200  # candidates kept per written character for the decoder


class Recogniser:
    def __init__(self, recognizer: Recognizer | None = None):
        self.zinnia = recognizer or Recognizer()

    def column(self, strokes, n: int = COLUMN, thorough: bool = True) -> list[tuple[str, float]]:
        """`thorough=False` leaves out the stroke-order readings (n − 1 of them): the quick
        reading after each stroke, ~3 Zinnia calls instead of ~n + 2."""
        best: dict[str, float] = {}
        for reading, penalty in preprocess.variants(strokes, swaps=thorough):
            for ch, score in self.zinnia.classify(reading, n):
                score -= penalty
                if score > best.get(ch, float("-inf")):
                    best[ch] = score
        return sorted(best.items(), key=lambda t: -t[1])[:n]
