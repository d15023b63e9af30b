"""The CJK TrueType font embedded in every checklist PDF.

reportlab embeds a TrueType font as 256-glyph subsets whose `post` table carries no
glyph names; the PDF's ToUnicode map is the only link from glyph to character. When
CUPS turns the PDF into PostScript for a printer (pdftops → Ghostscript ps2write, as
with cups-pdf and PostScript lasers), that map is dropped and the glyphs get
WinAnsi names by their codes, so the text of the printed or archived PDF reads as
'€•‚ƒ…' — it still looks right, but it cannot be searched or checked. Here each
subset gets a `post` table (format 2) naming its glyphs uniXXXX, which survives the
round trip, so `pdftotext` of a cups-pdf copy gives back the Chinese text.

reportlab's built-in STSong-Light is no alternative: it is not embedded at all and
prints as garbage wherever the font is missing.
"""

from __future__ import annotations

import logging
import struct
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontMaker

log = logging.getLogger("kiosk.printing")

FONT_NAME = "KioskCJK"
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


class FontMissing(RuntimeError):
    """No TrueType CJK font to embed (install fonts-wqy-microhei)."""


@lru_cache(maxsize=1)
def font_file() -> tuple[str, int]:
    """The TrueType CJK font embedded in every PDF: (path, subfont index)."""
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise FontMissing("no CJK TrueType font found; looked for "
                      + ", ".join(p for p, _ in FONT_CANDIDATES))


@lru_cache(maxsize=1)
def register_font() -> str:
    """Register the CJK font with reportlab (once) and return its name."""
    path, index = font_file()
    font = TTFont(FONT_NAME, path, subfontIndex=index)
    font.face.makeSubset = _with_glyph_names(font.face.makeSubset)
    pdfmetrics.registerFont(font)
    return FONT_NAME


def _tables(data: bytes) -> dict[str, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    out = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sLLL", data[12 + 16 * i:28 + 16 * i])
        out[tag.decode("latin-1")] = data[offset:offset + length]
    return out


def _glyph_name(code_point: int) -> str:
    return f"uni{code_point:04X}" if code_point <= 0xFFFF else f"u{code_point:X}"


def _with_glyph_names(original):
    """Wrap reportlab's TTFontFace.makeSubset: same font, plus glyph names in `post`."""

    def make_subset(subset):
        data = original(subset)
        try:
            tables = _tables(data)
            cmap = tables["cmap"]
            # reportlab writes one (1,0) format 6 subtable at offset 12: code -> glyph
            fmt, _length, _language, first, count = struct.unpack(">HHHHH", cmap[12:22])
            if fmt != 6 or first != 0:
                return data
            gids = struct.unpack(f">{count}H", cmap[22:22 + 2 * count])
            num_glyphs = struct.unpack(">H", tables["maxp"][4:6])[0]
            names = [".notdef"] + [f"g{i}" for i in range(1, num_glyphs)]
            for code, gid in enumerate(gids):
                if gid and code < len(subset) and names[gid].startswith("g"):
                    names[gid] = _glyph_name(subset[code])
            post = b"\x00\x02\x00\x00" + tables["post"][4:32]
            post += struct.pack(f">H{num_glyphs}H", num_glyphs, *range(258, 258 + num_glyphs))
            post += b"".join(bytes([len(n)]) + n.encode("ascii") for n in names)
            tables["post"] = post
            maker = TTFontMaker()
            for tag, table in tables.items():
                maker.add(tag, table)
            return maker.makeStream()
        except Exception as exc:  # the unnamed subset still prints correctly
            log.debug("glyph names not added to a font subset: %s", exc)
            return data

    return make_subset
