"""Decoding written characters against the catalogue's own words.

Each written character gives a column of candidates with Zinnia's scores (the
lattice). A string of the lexicon (kiosk.handwriting.vocabulary.Lexicon) of the same
length costs, per position, how far its character scores below that column's best;
a character missing from the column costs MISS (a dropped stroke can push the right
character out). The cheapest strings are the word candidates: 住 written badly next
to 院 still decodes to 住院, because 住院 is a word of the catalogue and 位院 is not.
"""

from __future__ import annotations

import math

from kiosk.handwriting.vocabulary import Lexicon

Column = list[tuple[str, float]]

MISS = 1.2  # cost of a character not among the column's candidates
CHAR_BONUS = 0.25  # a catalogue character is preferred over an equally scored other one
FREQ_WEIGHT = 0.04  # per log-count: among near ties, the string the catalogue uses more
WHOLE_BONUS = 0.1  # an everyday word or a whole name part, over a fragment


class Decoder:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon

    def characters(self, column: Column, n: int = 10) -> list[str]:
        """The column's candidates, catalogue characters lifted by CHAR_BONUS."""
        chars = self.lexicon.chars
        ranked = sorted(column, key=lambda t: -(t[1] + (CHAR_BONUS if t[0] in chars else 0.0)))
        return [c for c, _ in ranked[:n]]

    def words(self, columns: list[Column], n: int = 6) -> list[tuple[str, float]]:
        """Lexicon strings as long as the written sequence, cheapest first: [(text, cost)].
        At most half the characters (rounded down) may be missing from their columns."""
        k = len(columns)
        if k == 0:
            return []
        cols = [dict(c) for c in columns]
        best = [max(c.values()) if c else 0.0 for c in cols]
        allowed = k // 2
        out = []
        for gram, count in self.lexicon.grams(k):
            cost, misses = 0.0, 0
            for i, ch in enumerate(gram):
                s = cols[i].get(ch)
                if s is None:
                    misses += 1
                    if misses > allowed:
                        break
                    cost += MISS
                else:
                    cost += best[i] - s
            else:
                cost -= FREQ_WEIGHT * math.log(count)
                if gram in self.lexicon.whole:
                    cost -= WHOLE_BONUS
                out.append((gram, cost))
        out.sort(key=lambda t: t[1])
        return out[:n]

    def text(self, columns: list[Column]) -> str:
        """What the written characters most likely say: the best lexicon string, else each
        column's best character."""
        if not columns:
            return ""
        if len(columns) > 1:
            w = self.words(columns, 1)
            if w:
                return w[0][0]
        return "".join((self.characters(c, 1) or ["?"])[0] for c in columns)
