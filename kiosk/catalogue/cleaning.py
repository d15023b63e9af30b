"""Cleaning the text that came out of the official PDFs.

Three jobs:
- ``normalize_lookalikes``: PDF text of document 002 is written with Kangxi radicals
  and CJK Radicals Supplement characters (⼈ ⻔ ⺠ ⻓ …) that look like 人 门 民 长 but
  do not match a search. NFKC fixes the Kangxi block only; the table fixes both.
- ``clean_document_text``: drop page numbers (``— 40 —``), lone ``-`` lines and the
  repeated footer URLs at the end of a page, then join the PDF's broken lines into
  paragraphs.
- ``match_key``: the form in which a transcribed ``text`` is compared with its
  document: whitespace, punctuation width, quotes/dashes, Markdown residue and URLs
  do not count.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.catalogue.radicals import RADICAL_TO_IDEOGRAPH

URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+")
EMAIL_RE = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PAGE_NUMBER_RE = re.compile(r"^\s*[—–-]\s*\d+\s*[—–-]\s*$")
LONE_DASH_RE = re.compile(r"^\s*-\s*$")
ITEM_START_RE = re.compile(
    r"^(?:[①-⑳㉑-㉟]|[0-9]+(?:\.[0-9]+)*\s*[\.、．]|[0-9]+(?:\.[0-9]+)+\s"
    r"|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|[·•#>|]|注[：:]|【|-\s)"
)
SENTENCE_END = tuple("。；;！？!?")

_QUOTES = str.maketrans({c: '"' for c in "“”„‟＂「」『』"} | {c: "'" for c in "‘’‚‛＇"})
_DASHES = str.maketrans({c: "-" for c in "—–―‐‑‒−－─"})
_DROP = re.compile(r"[\s*#\[\]\\`]+")
_EMPTY_PARENS = re.compile(r"\(\s*\)")
_MD_LINK_TARGET = re.compile(r"\]\((?:#|https?://[^)\s]*)\)")


def normalize_lookalikes(text: str) -> str:
    """Map radical look-alikes (both radical blocks) to the unified ideographs."""
    return text.translate(RADICAL_TO_IDEOGRAPH)


def match_key(text: str) -> str:
    """Normalise text for 'does this transcription occur in the document' checks."""
    text = normalize_lookalikes(text)
    text = _MD_LINK_TARGET.sub("]", text)
    text = URL_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_QUOTES).translate(_DASHES)
    text = _DROP.sub("", text)
    text = _EMPTY_PARENS.sub("", text)
    return text.casefold()


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _is_url_only(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and URL_RE.fullmatch(stripped) is not None


def _drop_footers(lines: list[str]) -> list[str]:
    """Remove page-footer URL lines.

    The PDF extraction repeats, at the end of each page, the URLs that were links on
    that page: URL-only lines right before a page start (a line beginning with one
    space), often in the middle of a sentence. In these guides a URL that is content
    and stands alone on its line is announced by a colon (``网上办：沈阳政务服务网：``),
    so in such a trailing run only the first URL right after such a colon is kept —
    unless the next page itself opens with the URL.
    """
    keep = [True] * len(lines)
    page_start = 0
    for i, line in enumerate(lines):
        starts_page = line.startswith(" ") and not line.startswith("  ") and line.strip()
        if not starts_page and i != len(lines) - 1:
            continue
        end = i if starts_page else len(lines)
        # trailing run of URL-only / blank lines before `end`
        body = {ln.strip() for ln in lines[page_start:end]}

        def footer_like(k: int, page_start: int = page_start) -> bool:
            ln = lines[k].strip()
            if not ln or _is_url_only(ln):
                return True
            # a link annotation with its anchor text, repeating a line of the page
            return bool(URL_RE.search(ln)) and sum(1 for x in lines[page_start:k] if x.strip() == ln) > 0

        j = end - 1
        while j >= page_start and footer_like(j):
            j -= 1
        prev = lines[j].rstrip() if j >= 0 else ""
        page_opens_with_url = bool(starts_page) and _is_url_only(line)
        announced = prev.endswith((":", "：")) and "网" in prev and not page_opens_with_url
        del body
        for k in range(j + 1, end):
            if not lines[k].strip():
                continue
            if announced:
                announced = False
                continue
            keep[k] = False
        if starts_page:
            page_start = i
    return [line for line, kept in zip(lines, keep, strict=True) if kept]


def clean_document_text(raw: str) -> str:
    """Clean PDF-extracted text into paragraphs, one per line."""
    text = normalize_lookalikes(raw.replace("\r\n", "\n").replace("\f", "\n"))
    lines = [ln for ln in text.split("\n") if not PAGE_NUMBER_RE.match(ln) and not LONE_DASH_RE.match(ln)]
    lines = _drop_footers(lines)
    content = [ln.strip() for ln in lines if ln.strip()]
    if not content:
        return ""
    widths = sorted(_display_width(ln) for ln in content)
    full = widths[int(len(widths) * 0.9)] * 0.8  # a line this wide was broken by the layout
    paragraphs: list[str] = []
    previous_full = False
    for line in content:
        joinable = (
            paragraphs
            and previous_full
            and not paragraphs[-1].endswith(SENTENCE_END)
            and not ITEM_START_RE.match(line)
        )
        if joinable:
            sep = " " if paragraphs[-1][-1:].isascii() and line[:1].isascii() else ""
            paragraphs[-1] += sep + line
        else:
            paragraphs.append(line)
        previous_full = _display_width(line) >= full
    return "\n".join(paragraphs) + "\n"
