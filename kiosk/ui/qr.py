"""A QR code as a QPixmap (drawn from qrcode's matrix; no PIL needed)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap


def qr_pixmap(data: str, size: int = 320) -> QPixmap:
    import qrcode  # only when a checklist with an online address is drawn

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    cell = max(1, size // n)
    side = cell * n
    pix = QPixmap(side, side)
    pix.fill(QColor("white"))
    p = QPainter(pix)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, on in enumerate(row):
            if on:
                p.drawRect(QRect(x * cell, y * cell, cell, cell))
    p.end()
    return pix
