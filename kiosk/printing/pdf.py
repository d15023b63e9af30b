"""PDF of a checklist (reportlab), for A4 and 80 mm / 58 mm roll paper.

The CJK font is a TrueType font embedded in the file (WenQuanYi Micro Hei, subfont 0
of the TTC): reportlab's built-in STSong-Light is not embedded and comes out as
garbage through cups-pdf and many printer drivers. Roll paper is one page as wide as
the roll and exactly as long as the content. The QR code is drawn as vector modules.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.pdfgen import canvas

from kiosk.printing.document import TITLE, ChecklistDocument
from kiosk.printing.layout import BoxOp, QrOp, RuleOp, TextOp, layout, register_font


def render_pdf(doc: ChecklistDocument, paper: str = "a4") -> bytes:
    """The checklist as PDF bytes. Raises FontMissing or ValueError (unknown paper)."""
    font = register_font()
    pages = layout(doc, paper)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(pages[0].width, pages[0].height), pageCompression=1)
    c.setTitle(f"{TITLE} {doc.service_name} {doc.serial}")
    c.setAuthor(doc.hall_name)
    c.setSubject(doc.service_name)
    c.setCreator("yibao-kiosk")
    for page in pages:
        c.setPageSize((page.width, page.height))
        h = page.height
        for op in page.ops:
            if isinstance(op, TextOp):
                # The font has no bold face. Bold is the text drawn twice, a hair apart:
                # text render modes (fill+stroke) do not survive CUPS' PostScript
                # conversion as text, and text extraction folds the overlapping copy.
                for dx in ((0.0, op.size * 0.03) if op.bold else (0.0,)):
                    t = c.beginText(op.x + dx, h - op.baseline)
                    t.setFont(font, op.size)
                    t.textOut(op.text)
                    c.drawText(t)
            elif isinstance(op, RuleOp):
                c.setLineWidth(op.width)
                c.setDash(2, 2) if op.dashed else c.setDash()
                c.line(op.x1, h - op.y, op.x2, h - op.y)
                c.setDash()
            elif isinstance(op, BoxOp):
                c.setLineWidth(op.width)
                c.setDash()
                c.rect(op.x, h - op.y - op.size, op.size, op.size, stroke=1, fill=0)
            elif isinstance(op, QrOp):
                _draw_qr(c, op, h)
        c.showPage()
    c.save()
    return buf.getvalue()


def _draw_qr(c: canvas.Canvas, op: QrOp, page_height: float) -> None:
    m = op.module
    c.setFillColorRGB(1, 1, 1)
    c.rect(op.x, page_height - op.y - op.size, op.size, op.size, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    path = c.beginPath()
    for r, row in enumerate(op.matrix):
        x0 = None
        for col, on in enumerate(list(row) + [False]):  # runs of dark modules per row
            if on and x0 is None:
                x0 = col
            elif not on and x0 is not None:
                path.rect(op.x + x0 * m, page_height - op.y - (r + 1) * m, (col - x0) * m, m)
                x0 = None
    c.drawPath(path, stroke=0, fill=1)


def write_pdf(doc: ChecklistDocument, path: Path | str, paper: str = "a4") -> Path:
    """Write the PDF to a file (atomically: a temporary file renamed into place)."""
    import os
    import tempfile

    path = Path(path)
    data = render_pdf(doc, paper)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
