"""The night blank: a black screen over everything while the hall is closed at night
(config night_blank). A tap wakes the kiosk to the closed screen; after the idle
timeout without a touch the window blanks it again (kiosk/ui/app.py)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget


class NightBlank(QWidget):
    woken = Signal()

    def __init__(self, parent):
        super().__init__(parent)
        self.setObjectName("nightBlank")
        self.hide()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#000000"))
        p.end()

    def blank(self) -> None:
        parent = self.parentWidget()
        assert parent is not None  # made with the window as parent
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API: any tap wakes
        event.accept()
        if self.isVisible():
            self.hide()
            self.woken.emit()
