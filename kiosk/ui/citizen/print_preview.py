"""On-screen preview of the printed checklist, and the print flow of the kiosk.

`PrintPreview(doc, paper)` draws the very display list the PDF is made of
(kiosk.printing.layout): the same line breaks, tick boxes, rules and QR modules, on a
white sheet, scaled to the widget's width but never so small that body text is under
`min_body_px` (28 px: the kiosk's body size) — then it scrolls. What you see is what
prints.

`PrintController(ctx)` is what the checklist screen's 打印清单 button calls
(`start(session)`): a full-window dialog with the preview, 打印 and 返回. Printing
runs off the GUI thread (kiosk.printing.print_checklist never raises and returns
within the configured timeout); the result — '清单已打印，请取走。' or the fault
message with where to go instead — replaces the buttons' hint. The QR code stays on
screen in the preview whatever happens.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.printing import ChecklistDocument, PrintResult, make_checklist, print_checklist
from kiosk.printing.fonts import font_file
from kiosk.printing.layout import BoxOp, Page, QrOp, RuleOp, TextOp, layout, paper_spec

log = logging.getLogger("kiosk.ui")

PAGE_GAP = 24  # px between A4 pages
MARGIN = 16  # px around the sheet(s)

_family: str | None = None


def cjk_family() -> str:
    """The family of the very font file the PDF embeds."""
    global _family
    if _family is None:
        path, _index = font_file()
        fid = QFontDatabase.addApplicationFont(path)
        families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        plain = [f for f in families if "mono" not in f.lower()]
        _family = (plain or families or ["WenQuanYi Micro Hei"])[0]
    return _family


def paint_page(p: QPainter, page: Page, scale: float, x0: float = 0.0, y0: float = 0.0) -> None:
    """Draw one page of the display list at `scale` pixels per point, top left at (x0, y0)."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    p.fillRect(QRectF(x0, y0, page.width * scale, page.height * scale), QColor("white"))
    dpi = p.device().logicalDpiY() or 96
    family = cjk_family()
    fonts: dict[tuple[float, bool], QFont] = {}
    black = QColor("black")
    for op in page.ops:
        if isinstance(op, TextOp):
            key = (op.size, op.bold)
            font = fonts.get(key)
            if font is None:
                font = QFont(family)
                font.setPointSizeF(op.size * scale * 72.0 / dpi)
                font.setBold(op.bold)
                font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
                fonts[key] = font
            p.setFont(font)
            p.setPen(black)
            p.drawText(QPointF(x0 + op.x * scale, y0 + op.baseline * scale), op.text)
        elif isinstance(op, RuleOp):
            pen = QPen(black, max(1.0, op.width * scale))
            if op.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(x0 + op.x1 * scale, y0 + op.y * scale), QPointF(x0 + op.x2 * scale, y0 + op.y * scale))
        elif isinstance(op, BoxOp):
            p.setPen(QPen(black, max(1.5, op.width * scale)))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(x0 + op.x * scale, y0 + op.y * scale, op.size * scale, op.size * scale))
        elif isinstance(op, QrOp):
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            m = op.module * scale
            qx, qy = x0 + op.x * scale, y0 + op.y * scale
            for r, row in enumerate(op.matrix):
                top, bottom = round(qy + r * m), round(qy + (r + 1) * m)
                for c, on in enumerate(row):
                    if on:
                        left, right = round(qx + c * m), round(qx + (c + 1) * m)
                        p.fillRect(left, top, right - left, bottom - top, black)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.restore()


def render_image(doc: ChecklistDocument, paper: str, scale: float) -> QImage:
    """All pages of the document, one under the other, as an image (scale: px per point)."""
    pages = layout(doc, paper)
    w = round(max(pg.width for pg in pages) * scale)
    h = round(sum(pg.height for pg in pages) * scale + PAGE_GAP * (len(pages) - 1))
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("#9AA3AD"))
    p = QPainter(img)
    y = 0.0
    for pg in pages:
        paint_page(p, pg, scale, 0, y)
        y += pg.height * scale + PAGE_GAP
    p.end()
    return img


class _Sheet(QWidget):
    """The page(s) at one scale; sized by the PrintPreview around it."""

    def __init__(self):
        super().__init__()
        self.pages: list[Page] = []
        self.scale = 1.0
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def content_size(self) -> QSize:
        if not self.pages:
            return QSize(0, 0)
        w = max(pg.width for pg in self.pages) * self.scale
        h = sum(pg.height for pg in self.pages) * self.scale + PAGE_GAP * (len(self.pages) - 1)
        return QSize(round(w) + 2 * MARGIN, round(h) + 2 * MARGIN)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        y = float(MARGIN)
        x = max(MARGIN, (self.width() - max((pg.width for pg in self.pages), default=0) * self.scale) / 2)
        for pg in self.pages:
            # a soft edge so the white sheet stands out on a white card
            p.fillRect(QRectF(x + 3, y + 3, pg.width * self.scale, pg.height * self.scale), QColor(0, 0, 0, 40))
            paint_page(p, pg, self.scale, x, y)
            y += pg.height * self.scale + PAGE_GAP
        p.end()


class PrintPreview(QScrollArea):
    """The checklist as it will print, for the configured paper.

    preview = PrintPreview(doc, paper="80mm")      # paper: a4 | 80mm | 58mm
        body text up to 36 px, at least 28 px where the page fits; a page too wide for
        that is shown whole, smaller (never a sideways scroll)
    preview.set_document(doc, paper=None)          # another document (or paper)
    preview.scale                                  # px per point in use
    """

    def __init__(self, doc: ChecklistDocument | None = None, paper: str = "80mm", min_body_px: int = 28,
                 max_body_px: int = 36, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("printPreview")
        self.min_body_px = min_body_px
        self.max_body_px = max(max_body_px, min_body_px)
        self.paper = paper
        self.doc: ChecklistDocument | None = None
        self.sheet = _Sheet()
        self.setWidget(self.sheet)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("QScrollArea#printPreview { background: #9AA3AD; }")
        self.viewport().setStyleSheet("background: #9AA3AD;")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        if doc is not None:
            self.set_document(doc, paper)

    @property
    def scale(self) -> float:
        return self.sheet.scale

    def set_document(self, doc: ChecklistDocument, paper: str | None = None) -> None:
        self.doc = doc
        if paper:
            paper_spec(paper)
            self.paper = paper
        self.sheet.pages = layout(doc, self.paper)
        self._fit()

    def _fit(self) -> None:
        if not self.sheet.pages:
            return
        page_w = max(pg.width for pg in self.sheet.pages)
        avail = self.viewport().width() - 2 * MARGIN - self.verticalScrollBar().sizeHint().width()
        body = paper_spec(self.paper).body
        # as wide as there is room for, body text at most max_body_px and at least
        # min_body_px — unless the page would then not fit: nobody should have to drag
        # sideways, so a wide page (A4 on a portrait screen) is shown whole, smaller; the
        # checklist screen behind it has the large text.
        fit = min(max(avail, 1) / page_w, self.max_body_px / body)
        self.sheet.scale = fit
        size = self.sheet.content_size()
        self.sheet.setFixedSize(max(size.width(), self.viewport().width()), size.height())
        self.sheet.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(800, 1000)


# -- the print flow -------------------------------------------------------------------------------
class _Relay(QObject):
    done = Signal(object)


class PrintDialog(QDialog):
    """Full-window dialog: the preview, 打印 and 返回, then the result."""

    def __init__(self, parent: QWidget | None, doc: ChecklistDocument, printer_config, paper: str):
        super().__init__(parent)
        self.setObjectName("printDialog")
        self.setWindowTitle("打印预览")
        self.setModal(True)
        self.doc = doc
        self.printer_config = printer_config
        self.print_result: PrintResult | None = None
        # no parent: the print thread may finish after the dialog is gone (返回, idle reset);
        # its result must still reach the usage figures, and must not touch deleted widgets
        self._relay = _Relay()
        self._relay.done.connect(self._finished)
        from kiosk.ui.qr import qr_pixmap
        from kiosk.ui.widgets import ScrollPager, label

        portrait = parent is None or parent.height() >= parent.width()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 24, 24, 24)
        lay.setSpacing(16)
        # the title and the status are themed labels on the themed dialog: readable in 高对比 too
        title = label("打印预览", role="h1", name="printTitle")
        self.preview = PrintPreview(doc, paper)
        self.preview.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # 上一页/下一页 and a drag instead
        self.pager = ScrollPager(self.preview)
        self.status = label("", role="h2", name="printStatus")
        # the QR code people are told to scan is on the first screen, whole, beside the
        # sheet — not somewhere down the long paper
        self.qr = None
        side = QVBoxLayout()
        side.setSpacing(16)
        if doc.has_qr:
            self.qr = QLabel()
            self.qr.setObjectName("printQr")
            assert doc.online_url is not None  # has_qr
            self.qr.setPixmap(qr_pixmap(doc.online_url, 240))
            self.qr.setFixedSize(260, 260)
            self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.qr.setStyleSheet("background: white; border-radius: 8px;")
            qr_row = QHBoxLayout()
            qr_row.setSpacing(16)
            qr_row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
            qr_row.addWidget(label("用手机扫这个二维码，可以在网上办理", role="h2", name="printQrHint"), 1)
            side.addLayout(qr_row)
        pages = QHBoxLayout()
        pages.setSpacing(20)
        pages.addWidget(self.pager.up)
        pages.addWidget(self.pager.down)
        sheet = QVBoxLayout()
        sheet.setSpacing(16)
        sheet.addWidget(self.preview, 1)
        sheet.addLayout(pages)
        if portrait:
            lay.addWidget(title)
            lay.addLayout(side)
            lay.addLayout(sheet, 1)
            lay.addWidget(self.status)
        else:
            columns = QHBoxLayout()
            columns.setSpacing(32)
            left = QVBoxLayout()
            left.setSpacing(16)
            left.addWidget(title)
            left.addLayout(side)
            left.addWidget(self.status)
            left.addStretch(1)
            columns.addLayout(left, 2)
            columns.addLayout(sheet, 3)
            lay.addLayout(columns, 1)
        row = QHBoxLayout()
        row.setSpacing(20)
        self.print_button = QPushButton("打印")
        self.print_button.setObjectName("printNow")
        self.print_button.setProperty("role", "primary")
        self.print_button.clicked.connect(self.print_now)
        self.back_button = QPushButton("返回")
        self.back_button.setObjectName("printBack")
        self.back_button.clicked.connect(self.reject)
        for b in (self.print_button, self.back_button):
            b.setMinimumHeight(96)
            row.addWidget(b, 1)
        lay.addLayout(row)
        if getattr(printer_config, "kind", "none") == "none":
            self.print_button.hide()
            self.status.setText(doc.fault_message.replace("打印机暂时不可用", "本机暂不提供打印"))

    def print_now(self) -> None:
        self.print_button.setEnabled(False)
        self.status.setText("正在打印，请稍候…")
        doc, cfg, relay = self.doc, self.printer_config, self._relay

        def work():
            relay.done.emit(print_checklist(doc, cfg))

        threading.Thread(target=work, name="kiosk-print", daemon=True).start()

    def _finished(self, result: PrintResult) -> None:
        from shiboken6 import isValid

        if not isValid(self) or not isValid(self.status):
            return  # closed while printing: the usage figures still got the result
        self.print_result = result
        self.status.setText(result.message)
        self.print_button.setEnabled(not result.ok)
        self.print_button.setText("再试一次" if not result.ok else "打印")
        self.back_button.setText("完成" if result.ok else "返回")


class PrintController:
    """What the checklist screen calls: `start(session)` opens the print dialog."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.dialog: PrintDialog | None = None
        session = getattr(ctx, "session", None)
        if session is not None and hasattr(session, "on_finished"):
            session.on_finished(lambda *_: self.close())  # idle reset: nothing left on screen

    def start(self, session, parent: QWidget | None = None) -> PrintDialog | None:
        """Open the preview over `parent` (the kiosk window; default the active window)."""
        guide = session.guide
        if guide is None:
            return None
        cfg = self.ctx.config.printer
        doc = make_checklist(guide, self.ctx.region, self.ctx.hall)
        from kiosk.ui.citizen.plainwords import document_titles

        documents = getattr(self.ctx.catalogue, "documents", None)
        if documents is not None:  # the sources by title and year, never a file name
            doc.source_titles = document_titles(guide.service.sources, documents())
        from PySide6.QtWidgets import QApplication

        if parent is None:
            parent = QApplication.activeWindow()
        self.close()
        self.dialog = PrintDialog(parent, doc, cfg, cfg.paper)
        usage = self.ctx.usage  # staff mode's usage figures (kiosk.staff.stats), if any
        if usage is not None:
            region, service_id = self.ctx.region.id, guide.service.id
            self.dialog._relay.done.connect(lambda r: usage.print_result(region, service_id, r.ok, r.fault))
        if parent is not None:
            self.dialog.setGeometry(parent.geometry())
        self.dialog.open()
        watch_input = self.ctx.watch_input
        if watch_input is not None:
            watch_input(self.dialog)  # taps in the preview keep the session alive
        return self.dialog

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
