"""还在使用吗？ — the idle countdown over the current screen. Any tap cancels it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout

from kiosk.ui.widgets import button, label


class IdleOverlay(QFrame):
    expired = Signal()
    cancelled = Signal()

    def __init__(self, parent, seconds: int):
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        self.setProperty("role", "overlay")
        self.seconds = seconds
        self.remaining = seconds
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QFrame()
        box.setProperty("role", "dialog")
        box.setMaximumWidth(900)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(48, 48, 48, 48)
        lay.setSpacing(24)
        ask = label("还在使用吗？", role="h1", name="idleAsk")
        ask.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(ask)
        self.count = label(str(seconds), role="countdown", name="idleCountdown")
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.count)
        # added without an alignment: an aligned item gets its one-line size hint, and the
        # wrapped explanation was cut to half its height; the label centres its own lines
        explain = label("倒计时结束后将清除您的信息并回到首页。", role="muted", name="idleExplain")
        explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(explain)
        lay.addWidget(button("继续使用", self.cancel, role="primary", name="idleContinue"))
        outer.addWidget(box)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.hide()

    def start(self) -> None:
        self.remaining = self.seconds
        self.count.setText(str(self.remaining))
        parent = self.parentWidget()
        assert parent is not None  # made with the window as parent
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.timer.start()

    def cancel(self) -> None:
        if self.isVisible():
            self.timer.stop()
            self.hide()
            self.cancelled.emit()

    def mousePressEvent(self, event) -> None:  # a tap anywhere cancels
        self.cancel()
        event.accept()

    def _tick(self) -> None:
        self.remaining -= 1
        self.count.setText(str(max(self.remaining, 0)))
        if self.remaining <= 0:
            self.timer.stop()
            self.hide()
            self.expired.emit()
