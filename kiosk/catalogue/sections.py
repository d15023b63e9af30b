"""Resolve a `§section` reference to the spans of its document that it names.

A reference such as `§3.4.1⑤3`, `§一(三)`, `§三十 30.1 六.1`, `§违规禁办事项清单 一.2` or
`§生育保险待遇 3(一)2` is read as a chain of labels, each one a heading or list label
inside the previous one:

    numeric   3.4.1, 30.1, 5          a line starting "3.4.1 …", "5、…", "5.…"
    chinese   三十, 一                a line starting "三十、…" ("一.5" = item 5 of 一)
    paren     (三), (1)              a line starting "（三）" or "(1)"
    circled   ⑤                      a line starting "⑤"
    note      注                      a line starting "注"
    name      违规禁办事项清单         a line starting with these words

A label's section runs from its line to the next line that starts with its next
sibling (3.4.2 for 3.4.1, and also 3.5 and 4; 三十一 for 三十; ⑥ for ⑤ …) or to the
end of the enclosing section. A label may occur more than once (a table of contents
repeats the chapter headings): every occurrence is a candidate section.

`SectionIndex(raw).resolve("3.4.1⑤3")` returns (spans, depth, unresolved label):
the candidate spans of the deepest label that was found, how many labels were
found, and the first one that was not (None when all were).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.catalogue.cleaning import match_key, normalize_lookalikes

CN_DIGITS = "一二三四五六七八九"
CN_NUM = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_ATOM_RE = re.compile(
    rf"(?P<num>\d+(?:\.\d+)*)"
    rf"|(?P<cn>[{CN_NUM}]+)"
    rf"|(?P<paren>[（(]\s*[{CN_NUM}\d]+\s*[)）])"
    rf"|(?P<circled>[{CIRCLED}])"
    rf"|(?P<note>注(?=[\d\s：:]|$))"
    rf"|(?P<name>[^\s\d.（()）{CIRCLED}][^\s.（()）{CIRCLED}]*)"
    rf"|(?P<sep>[\s.]+)"
)
# what may precede a label at the start of a line: indentation, Markdown, HTML
_LEAD_RE = re.compile(r"^(?:\s|#|\*|-\s|>|\||<p>|<td>)*")


def cn_to_int(s: str) -> int:
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (CN_DIGITS.index(ones) + 1 if ones else 0)
    return CN_DIGITS.index(s) + 1


def int_to_cn(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens - 1]) + "十" + (CN_DIGITS[ones - 1] if ones else "")


@dataclass(frozen=True)
class Atom:
    kind: str  # num | cn | paren | circled | note | name
    value: str

    @property
    def key(self) -> tuple[str, str]:
        if self.kind == "paren":
            return self.kind, self.value.strip("（()）").strip()
        return self.kind, self.value

    def line_pattern(self) -> re.Pattern:
        v = re.escape(self.value)
        if self.kind == "num":
            return re.compile(rf"{v}(?![\d])(?!\.\d)")
        if self.kind == "cn":
            return re.compile(rf"{v}\s*[、.．]")
        if self.kind == "paren":
            inner = re.escape(self.value.strip("（()）").strip())
            return re.compile(rf"[（(]\s*{inner}\s*[)）]")
        if self.kind == "note":
            return re.compile(r"注\s*[：:\d]")
        return re.compile(v)

    def siblings(self) -> list[Atom]:
        """The labels that end this label's section."""
        if self.kind == "num":
            parts = [int(p) for p in self.value.split(".")]
            return [Atom("num", ".".join(str(x) for x in [*parts[:i], parts[i] + 1]))
                    for i in range(len(parts))]
        if self.kind == "cn":
            return [Atom("cn", int_to_cn(cn_to_int(self.value) + 1))]
        if self.kind == "paren":
            inner = self.value.strip("（()）").strip()
            nxt = str(int(inner) + 1) if inner.isdigit() else int_to_cn(cn_to_int(inner) + 1)
            return [Atom("paren", f"({nxt})")]
        if self.kind == "circled":
            i = CIRCLED.index(self.value)
            return [Atom("circled", CIRCLED[i + 1])] if i + 1 < len(CIRCLED) else []
        return []


_LINE_NUM = re.compile(r"\d+(?:\.\d+)*")
_LINE_CN = re.compile(rf"([{CN_NUM}]+)\s*[、.．]")
_LINE_PAREN = re.compile(rf"[（(]\s*([{CN_NUM}\d]+)\s*[)）]")
_LINE_NOTE = re.compile(r"注\s*[：:\d]")


def _line_labels(body: str):
    """The labels a line starts with (what Atom.line_pattern() would match), as Atom.key."""
    m = _LINE_NUM.match(body)
    if m:
        yield "num", m.group()
    m = _LINE_CN.match(body)
    if m:
        yield "cn", m.group(1)
    m = _LINE_PAREN.match(body)
    if m:
        yield "paren", m.group(1)
    if body[:1] and body[0] in CIRCLED:
        yield "circled", body[0]
    if _LINE_NOTE.match(body):
        yield "note", "注"


def parse_section(section: str) -> list[Atom]:
    out = []
    for m in _ATOM_RE.finditer(section.strip()):
        kind = m.lastgroup
        if kind == "sep":
            continue
        assert kind is not None  # every alternative is a named group
        out.append(Atom(kind, m.group(kind)))
    return out


class SectionIndex:
    """The lines of one document, for resolving its section references."""

    def __init__(self, raw: str, names: set[str] | None = None, side_headings: bool = False):
        self.text = normalize_lookalikes(raw)
        # A handbook laid out with its section names in a side column (documents.yaml
        # `side_headings: true`): the PDF's text puts each name among its section's first
        # paragraphs, so a named section starts at the name before it.
        self.side_headings = side_headings
        self.names = set(names or ())  # named sections of this document (they end each other)
        # (offset of the label, line from its label on, is a Markdown list item)
        self.lines: list[tuple[int, str, bool]] = []
        pos = 0
        for line in self.text.splitlines(keepends=True):
            lead_match = _LEAD_RE.match(line)
            assert lead_match is not None  # the pattern matches the empty string
            lead = lead_match.end()
            self.lines.append((pos + lead, line[lead:].rstrip("\n"), "- " in line[:lead]))
            pos += len(line)
        # the label each line starts with, by kind: (kind, value) -> [(offset, is a list item)]
        self._by_label: dict[tuple[str, str], list[tuple[int, bool]]] = {}
        for off, body, item in self.lines:
            for kind, value in _line_labels(body):
                self._by_label.setdefault((kind, value), []).append((off, item))
        self._keys: dict[tuple[int, int], str] = {}

    def _starts(self, atom: Atom, start: int, end: int, inline: bool = False,
                headings: bool = False) -> list[int]:
        """Where `atom` labels a line in [start, end); with `inline`, anywhere in it (a table
        cell or a run-in list such as '①有效身份证件 ②…'); with `headings`, not a list item."""
        pat = atom.line_pattern()
        if not inline:
            if atom.kind == "name" and atom.key not in self._by_label:
                self._by_label[atom.key] = [(off, item) for off, body, item in self.lines if pat.match(body)]
            return [off for off, item in self._by_label.get(atom.key, ())
                    if start <= off < end and not (headings and item)]
        lead = r"(?<![\d.])" if atom.kind == "num" else r"(?<![一二三四五六七八九十])" if atom.kind == "cn" else ""
        return [start + m.start() for m in re.finditer(lead + pat.pattern, self.text[start:end])]

    def _end_of(self, atom: Atom, at: int, end: int, inline: bool = False) -> int:
        stops = []
        siblings = atom.siblings()
        for sib in siblings:
            # '3' ends section '2.1' only as a heading, not as item 3 of a list inside it
            upper = sib is not siblings[-1]
            found = self._starts(sib, at + 1, end, inline, headings=upper)
            if found:
                stops.append(found[0])
        if atom.kind == "name":
            for other in self.names - {atom.value}:
                found = self._starts(Atom("name", other), at + 1, end)
                if found:
                    stops.append(found[0])
        return min(stops, default=end)

    def _start_of(self, atom: Atom, at: int, start: int) -> int:
        if atom.kind != "name" or not self.side_headings:
            return at
        before = [off for other in self.names - {atom.value}
                  for off in self._starts(Atom("name", other), start, at)]
        return max(before, default=start)

    def resolve(self, section: str) -> tuple[list[tuple[int, int]], int, Atom | None]:
        levels = self.levels(section)
        return levels[0][-1], len(levels[0]) - 1, levels[1]

    def levels(self, section: str) -> tuple[list[list[tuple[int, int]]], Atom | None]:
        """The candidate spans of each label found, outermost first (the whole document
        is level 0), and the first label not found (None when all were)."""
        spans = [(0, len(self.text))]
        out = [spans]
        atoms = parse_section(section)
        depth = 0
        while depth < len(atoms):
            atom = atoms[depth]
            found = []
            for start, end in spans:
                for at in self._starts(atom, start, end):
                    found.append((self._start_of(atom, at, start), self._end_of(atom, at, end)))
            if not found and depth > 0:  # not a heading: a label inside the text of its section
                for start, end in spans:
                    for at in self._starts(atom, start, end, inline=True):
                        line_start = max(start, self.text.rfind("\n", 0, at) + 1)
                        found.append((line_start, self._end_of(atom, at, end, inline=True)))
            if not found and atom.kind == "num" and "." in atom.value and depth > 0:
                # '生育保险待遇 2.1': item 1 of point 2 of a named section
                atoms[depth:depth + 1] = [Atom("num", part) for part in atom.value.split(".")]
                continue
            if not found:
                return out, atom
            spans = found
            out.append(spans)
            depth += 1
        return out, None

    def key(self, span: tuple[int, int]) -> str:
        k = self._keys.get(span)
        if k is None:
            k = self._keys[span] = match_key(self.text[span[0]:span[1]])
        return k

    def occurs_in(self, spans: list[tuple[int, int]], key: str) -> bool:
        return any(key in self.key(s) for s in spans)
