"""Pinyin input for the staff on-screen keyboard (no Qt): typed letters -> Chinese
candidates, from pypinyin's own dictionaries read backwards.

    ime = PinyinInput(corpus=catalogue_text)
    ime.candidates("cailiao")  -> [("材料", 7), ("材", 3), ("才", 3), ...]   # (text, letters used)

Ranking: words and characters that occur often in `corpus` (the catalogue's own
text) first, then the common characters (GB2312 level 1), then the rest. Whole
phrases match full pinyin (`cailiao`) and initials (`cl`); single characters match
the first syllable, so a long input can be typed one character at a time.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import cached_property


def toneless(syllable: str) -> str:
    s = syllable.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return s.lower()


def _common_level(ch: str) -> int:
    """0: GB2312 level 1 (the 3755 most common), 1: level 2, 2: other."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return 2
    return 0 if 0xB0 <= b[0] <= 0xD7 else 1


class PinyinInput:
    def __init__(self, corpus: str = "", max_word: int = 4):
        self.corpus = corpus
        self.max_word = max_word

    # -- indexes (built on first use) ------------------------------------------------------------
    @cached_property
    def _counts(self) -> Counter:
        c: Counter = Counter()
        text = self.corpus
        for n in range(1, self.max_word + 1):
            c.update(text[i:i + n] for i in range(len(text) - n + 1))
        return c

    @cached_property
    def _chars(self) -> dict[str, list[str]]:
        from pypinyin.pinyin_dict import pinyin_dict

        out: dict[str, list[str]] = {}
        for code, readings in pinyin_dict.items():
            if not 0x4E00 <= code <= 0x9FA5:
                continue
            ch = chr(code)
            for r in dict.fromkeys(toneless(x) for x in readings.split(",")):
                out.setdefault(r, []).append(ch)
        return out

    @cached_property
    def _syllables(self) -> set[str]:
        return set(self._chars)

    @cached_property
    def _default_reading(self) -> dict[str, str]:
        from pypinyin.pinyin_dict import pinyin_dict

        return {chr(code): toneless(r.split(",")[0]) for code, r in pinyin_dict.items() if 0x4E00 <= code <= 0x9FA5}

    @cached_property
    def _phrases(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Words: those of the corpus (2..max_word characters seen at least twice), then
        pypinyin's phrases (which it lists for their readings, not as a lexicon)."""
        from pypinyin.phrases_dict import phrases_dict

        default = self._default_reading
        full: dict[str, list[str]] = {}
        initials: dict[str, list[str]] = {}

        def add(word, syl):
            full.setdefault("".join(syl), []).append(word)
            initials.setdefault("".join(x[0] for x in syl if x), []).append(word)

        for word, n in self._counts.items():
            if n >= 2 and len(word) >= 2 and all(c in default for c in word):
                if word in phrases_dict:
                    add(word, [toneless(r[0]) for r in phrases_dict[word]])
                else:
                    add(word, [default[c] for c in word])
        for word, readings in phrases_dict.items():
            if len(word) <= self.max_word and word not in self._counts:
                add(word, [toneless(r[0]) for r in readings])
        return full, initials

    def _rank(self, items: list[str]) -> list[str]:
        counts = self._counts
        return sorted(dict.fromkeys(items), key=lambda w: (-counts[w], max(_common_level(c) for c in w), w))

    def first_syllable(self, letters: str) -> str:
        """The longest syllable the input starts with ('' if none)."""
        for n in range(min(6, len(letters)), 0, -1):
            if letters[:n] in self._syllables:
                return letters[:n]
        return ""

    def candidates(self, letters: str, limit: int = 40) -> list[tuple[str, int]]:
        letters = letters.lower()
        if not letters:
            return []
        full, initials = self._phrases
        counts = self._counts
        out: list[tuple[str, int]] = [(w, len(letters)) for w in self._rank(full.get(letters, []))]
        if len(letters) >= 2:
            out += [(w, len(letters)) for w in self._rank(initials.get(letters, [])) if counts[w] > 0]
        syl = self.first_syllable(letters)
        if syl:
            out += [(c, len(syl)) for c in self._rank(self._chars.get(syl, []))]
        seen: set[str] = set()
        result = []
        for w, n in out:
            if w not in seen:
                seen.add(w)
                result.append((w, n))
            if len(result) >= limit:
                break
        return result
