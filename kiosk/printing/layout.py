"""Page layout of a checklist for A4 and 80 mm / 58 mm roll paper, as a display list.

`layout(doc, paper)` places every block of a ChecklistDocument: it breaks lines with
the real metrics of the embedded CJK font (reportlab's), paginates A4 and fits a roll's
single page to its content, and returns `Page`s of positioned operations (text,
rules, QR modules). The PDF renderer (pdf.py) and the on-screen preview
(kiosk/ui/citizen/print_preview.py) both draw exactly these operations, so what the citizen
sees is what prints. Units are PDF points (1/72 in), y growing downwards from the
top of the page. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import qrcode
from reportlab.pdfbase import pdfmetrics

from kiosk.printing.document import Block, ChecklistDocument
from kiosk.printing.fonts import FontMissing, font_file, register_font

MM = 72 / 25.4


def text_width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, register_font(), size)


# -- paper ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaperSpec:
    name: str
    width: float
    height: float | None  # None: continuous roll, the page is as long as its content
    margin_x: float
    margin_top: float
    margin_bottom: float
    body: float
    small: float
    heading: float
    title: float
    hall: float
    qr: float  # side of the QR code
    leading: float = 1.42  # line height / font size

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin_x

    @property
    def roll(self) -> bool:
        return self.height is None


PAPERS: dict[str, PaperSpec] = {
    "a4": PaperSpec("a4", 210 * MM, 297 * MM, 18 * MM, 15 * MM, 16 * MM,
                    body=13, small=11, heading=15, title=22, hall=14, qr=40 * MM),
    # Thermal rolls print about 72 mm (576 dots) of 80 mm, 48 mm (384 dots) of 58 mm.
    "80mm": PaperSpec("80mm", 80 * MM, None, 4 * MM, 3 * MM, 8 * MM,
                      body=9.5, small=8, heading=10.5, title=13, hall=9.5, qr=36 * MM),
    "58mm": PaperSpec("58mm", 58 * MM, None, 5 * MM, 3 * MM, 8 * MM,
                      body=8.5, small=7.2, heading=9.5, title=11.5, hall=8.5, qr=32 * MM),
}


def paper_spec(paper: str) -> PaperSpec:
    try:
        return PAPERS[paper]
    except KeyError:
        raise ValueError(f"unknown paper {paper!r}; valid: {', '.join(PAPERS)}") from None


# -- display list --------------------------------------------------------------------------
@dataclass(frozen=True)
class TextOp:
    x: float
    baseline: float
    text: str
    size: float
    bold: bool = False


@dataclass(frozen=True)
class RuleOp:
    x1: float
    x2: float
    y: float
    width: float = 0.6
    dashed: bool = False


@dataclass(frozen=True)
class BoxOp:
    """An empty tick box (□) for the citizen to tick."""
    x: float
    y: float  # top
    size: float
    width: float = 0.8


@dataclass(frozen=True)
class QrOp:
    x: float
    y: float  # top
    size: float
    matrix: tuple[tuple[bool, ...], ...]

    @property
    def module(self) -> float:
        return self.size / len(self.matrix)


@dataclass
class Page:
    width: float
    height: float
    ops: list = field(default_factory=list)


def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules of an ASCII payload, with a 2-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(v) for v in row) for row in code.get_matrix())


# -- line breaking ---------------------------------------------------------------------------
NO_LINE_START = set("，。、；：！？）》」』】〕〉”’…·,.;:!?)]}%％")
NO_LINE_END = set("（《「『【〔〈“‘([{")
BREAK_AFTER = "-—，、；："


def _units(text: str) -> list[str]:
    """Unbreakable pieces: a run of ASCII non-space characters (a word, number, URL),
    one space, or one other character; closing punctuation sticks to what precedes it,
    opening punctuation to what follows."""
    raw: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if "!" <= ch <= "~":
            j = i
            while j < len(text) and "!" <= text[j] <= "~":
                j += 1
            raw.append(text[i:j])
            i = j
        else:
            raw.append(ch)
            i += 1
    out: list[str] = []
    glue_next = False
    for u in raw:
        if out and (glue_next or u[0] in NO_LINE_START):
            out[-1] += u
        else:
            out.append(u)
        glue_next = u[-1] in NO_LINE_END
    return out


def wrap(text: str, width: float, measure) -> list[str]:
    """Break text into lines no wider than `width` by `measure(str) -> float`."""
    lines: list[str] = []
    line = ""
    for unit in _units(text):
        if not line and unit.isspace():
            continue
        if measure(line + unit) <= width:
            line += unit
            continue
        if line.strip():
            # rather break after a dash or a pause in the last third of the line
            cut = max(line.rfind(c) for c in BREAK_AFTER) + 1
            if cut > len(line) * 2 / 3 and measure(line[cut:] + unit) <= width:
                lines.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
            else:
                lines.append(line.rstrip())
                line = ""
            if unit.isspace():
                continue
            if line:
                line += unit
                continue
        # a unit wider than the line (a long URL): break it by characters
        for ch in unit:
            if line and measure(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def display_width(text: str) -> int:
    """Columns on a character printer in Chinese mode: every character outside ASCII is
    sent as a multi-byte GB code and printed full width (two columns)."""
    return sum(1 if ord(c) < 0x80 else 2 for c in text)


# -- layout ----------------------------------------------------------------------------------
class _Flow:
    def __init__(self, spec: PaperSpec, footer: str):
        self.spec = spec
        self.footer = footer
        self.pages: list[Page] = []
        self.y = 0.0
        self._new_page()

    def _new_page(self):
        s = self.spec
        self.pages.append(Page(s.width, s.height or 0.0))
        self.y = s.margin_top

    @property
    def ops(self) -> list:
        return self.pages[-1].ops

    def bottom(self) -> float:
        s = self.spec
        return (s.height - s.margin_bottom - s.small * 2.2) if s.height else float("inf")

    def need(self, height: float):
        """Start a new A4 page unless `height` still fits on this one."""
        if self.y + height > self.bottom() and self.y > self.spec.margin_top + 1:
            self._new_page()

    def gap(self, h: float):
        self.y += h

    def lines(self, lines: list[str], size: float, x: float, *, right: float, bold=False,
              center=False, first_prefix: str = "", prefix_x: float | None = None, keep: float = 0.0):
        """Place lines from x (or centred between x and right), one under the other."""
        lh = size * self.spec.leading
        for i, ln in enumerate(lines):
            self.need(lh + (keep if i == len(lines) - 1 else 0))
            baseline = self.y + size * 1.05
            if i == 0 and first_prefix:
                self.ops.append(TextOp(prefix_x if prefix_x is not None else x, baseline, first_prefix, size, bold))
            lx = x + (right - x - text_width(ln, size)) / 2 if center else x
            self.ops.append(TextOp(lx, baseline, ln, size, bold))
            self.y += lh

    def finish(self) -> list[Page]:
        s = self.spec
        if s.roll:
            self.pages[-1].height = self.y + s.margin_bottom
            return self.pages
        n = len(self.pages)
        assert s.height is not None  # not a roll: pages have a height
        for i, page in enumerate(self.pages, 1):
            text = f"{self.footer}　第 {i}/{n} 页"
            w = text_width(text, s.small)
            page.ops.append(TextOp(s.width - s.margin_x - w, s.height - s.margin_bottom, text, s.small))
        return self.pages


def layout(doc: ChecklistDocument, paper: str = "a4") -> list[Page]:
    """Place the document on paper: one page for a roll, as many as needed for A4.

    On a roll the QR code comes at the end, under a rule; on A4 it stands in the
    top right corner of the first page, beside the title.
    """
    s = paper_spec(paper)
    register_font()
    f = _Flow(s, f"编号 {doc.serial}")
    left, cw = s.margin_x, s.content_width
    right = left + cw
    blocks = doc.blocks()
    indent = left  # where a detail line starts: under the text of the last check/item

    def para(text, size, x, *, x_max=None, bold=False, center=False, prefix="", prefix_x=None, keep=0.0):
        x_max = right if x_max is None else x_max
        lines = wrap(text, x_max - x, lambda t: text_width(t, size))
        f.lines(lines, size, x, right=x_max, bold=bold, center=center, first_prefix=prefix,
                prefix_x=(prefix_x if prefix_x is not None else left) if prefix else None, keep=keep)

    def place_qr(payload, x0, x1):
        side = min(s.qr, x1 - x0)
        f.ops.append(QrOp(x0 + (x1 - x0 - side) / 2, f.y, side, qr_matrix(payload)))
        f.gap(side + s.small * 0.3)

    def place_url(url, x0, x1):
        """A URL on one line if it fits at a readable size, else broken by characters."""
        size = s.small
        while size > 7 and text_width(url, size) > x1 - x0:
            size -= 0.5
        para(url, size, x0, x_max=x1, center=True)

    # A4: the QR group (captions, code, URL) goes in a column at the top right.
    header_end = next((i for i, b in enumerate(blocks) if b.kind == "rule"), 0)
    qr_at = next((i for i, b in enumerate(blocks) if b.kind == "qr"), None)
    head_right = right
    qr_bottom = 0.0
    if not s.roll and qr_at is not None:
        first = qr_at
        while first > 0 and blocks[first - 1].kind == "caption":
            first -= 1
        last = qr_at + 1 if qr_at + 1 < len(blocks) and blocks[qr_at + 1].kind == "url" else qr_at
        group = blocks[first:last + 1]
        blocks = blocks[:first] + blocks[last + 1:]
        x0 = right - (s.qr + 14 * MM)
        for b in group:
            if b.kind == "qr":
                f.gap(s.small * 0.3)
                place_qr(b.text, x0, right)
            elif b.kind == "url":
                place_url(b.text, x0, right)
            else:
                para(b.text, s.small, x0, x_max=right, center=True)
        qr_bottom = f.y
        f.y = s.margin_top
        head_right = x0 - 4 * MM

    for n, blk in enumerate(blocks):
        nxt = blocks[n + 1] if n + 1 < len(blocks) else None
        k = blk.kind
        x_max = head_right if n < header_end else right
        if n == header_end and head_right != right:
            f.y = max(f.y, qr_bottom)
        if k == "hall":
            para(blk.text, s.hall, left, x_max=x_max, center=True)
            f.gap(s.hall * 0.15)
        elif k == "title":
            para(blk.text, s.title, left, x_max=x_max, bold=True, center=True)
            f.gap(s.title * 0.25)
        elif k == "meta":
            para(blk.text, s.small, left, x_max=x_max)
        elif k == "rule":
            f.gap(s.small * 0.5)
            f.need(s.small)
            f.ops.append(RuleOp(left, right, f.y, 0.8 if s.roll else 1.0, dashed=s.roll))
            f.gap(s.small * 0.7)
        elif k == "heading":
            f.gap(s.heading * 0.55)
            # keep a heading with the first lines of what follows it
            para(blk.text, s.heading, left, bold=True, keep=s.body * s.leading * 1.5)
            f.gap(s.heading * 0.1)
        elif k == "check":
            box = s.body * 0.95
            f.need(s.body * s.leading)
            f.ops.append(BoxOp(left, f.y + s.body * 0.2, box, 0.9 if s.roll else 1.0))
            nx = left + box + s.body * 0.4
            x = nx + text_width("00.", s.body) + s.body * 0.2
            para(blk.text, s.body, x, prefix=f"{blk.number}.", prefix_x=nx)
            indent = x
        elif k == "item":
            x = left + text_width("· ", s.body) + s.body * 0.2
            para(blk.text, s.body, x, prefix="·")
            indent = x
        elif k == "detail":
            para(blk.text, s.small, indent)
            if nxt is None or nxt.kind != "detail":
                f.gap(s.small * 0.25)
        elif k == "text":
            para(blk.text, s.body, left)
            indent = left
        elif k == "caption":
            if nxt is not None and nxt.kind in ("qr", "caption"):  # keep captions, code, URL together
                f.need(s.small * s.leading * 4 + s.qr)
            para(blk.text, s.small, left, center=True)
        elif k == "qr":
            f.gap(s.small * 0.3)
            place_qr(blk.text, left, right)
        elif k == "url":
            place_url(blk.text, left, right)
        elif k == "footer":
            f.gap(s.small * 0.6)
            para(blk.text, s.small, left, center=True)
        else:  # pragma: no cover - a new kind must be placed here
            raise ValueError(f"unknown block kind {k!r}")
    return f.finish()


def body_size(paper: str) -> float:
    return paper_spec(paper).body


__all__ = ["Block", "FontMissing", "MM", "PAPERS", "BoxOp", "Page", "PaperSpec", "QrOp", "RuleOp", "TextOp",
           "body_size", "display_width", "font_file", "layout", "paper_spec", "qr_matrix",
           "register_font", "text_width", "wrap"]
