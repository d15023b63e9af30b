"""Small building blocks shared by the screens: labels, big buttons, a page-turning
scroll area (no drag needed), the screen base class."""

from __future__ import annotations

from typing import Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QLayout, QPushButton, QScrollArea, QScroller,
    QSizePolicy, QVBoxLayout, QWidget,
)


def label(text: str, role: str | None = None, wrap: bool = True, name: str | None = None,
          selectable: bool = False) -> QLabel:
    w = QLabel(text)
    w.setWordWrap(wrap)
    w.setTextFormat(Qt.PlainText)
    if role:
        w.setProperty("role", role)
    if name:
        w.setObjectName(name)
    if wrap:
        w.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
    if selectable:
        w.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return w


def button(text: str, on_click: Callable[[], None] | None = None, role: str | None = None,
           name: str | None = None) -> QPushButton:
    b = QPushButton(text)
    if role:
        b.setProperty("role", role)
    if name:
        b.setObjectName(name)
    b.setFocusPolicy(Qt.NoFocus)
    b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
    if on_click is not None:
        b.clicked.connect(lambda _=False: on_click())
    return b


class WrapButton(QPushButton):
    """A big button whose (long Chinese) text wraps instead of being cut off."""

    def __init__(self, text: str, subtitle: str = "", on_click=None, role: str = "list", name: str | None = None):
        super().__init__()
        self.setProperty("role", role)
        if name:
            self.setObjectName(name)
        self.setFocusPolicy(Qt.NoFocus)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 14, 24, 14)
        lay.setSpacing(4)
        self.title = label(text, role="h2" if role in ("answer", "tile") else "strong")
        self.title.setAttribute(Qt.WA_TransparentForMouseEvents)
        if role == "answer":
            self.title.setAlignment(Qt.AlignCenter)
        lay.addWidget(self.title)
        self.subtitle = None
        if subtitle:
            self.subtitle = label(subtitle, role="small")
            self.subtitle.setAttribute(Qt.WA_TransparentForMouseEvents)
            lay.addWidget(self.subtitle)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Minimum)
        if on_click is not None:
            self.clicked.connect(lambda _=False: on_click())

    def text(self) -> str:  # noqa: D401 - tests look buttons up by their text
        return self.title.text()

    def sizeHint(self):
        hint = self.layout().sizeHint()
        hint.setHeight(max(hint.height(), self.minimumHeight()))
        return hint

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.layout().totalHeightForWidth(width), self.minimumSizeHint().height())


def clear_layout(layout: QLayout) -> None:
    """Empty `layout`: its widgets are deleted, its sub-layouts emptied and deleted.

    takeAt() hands the layout item to the caller, who must delete it (Qt's docs); PySide
    does not, so each item (QWidgetItem, spacer, sub-layout) is deleted here. Without
    this every redrawn screen leaked its layout items: ~2.4 KB per citizen's session
    (heaptrack, benchmarks/run.py's memory measure)."""
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.setParent(None)
            w.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())
        shiboken6.delete(item)


def card(role: str = "card") -> tuple[QFrame, QVBoxLayout]:
    f = QFrame()
    f.setProperty("role", role)
    lay = QVBoxLayout(f)
    lay.setContentsMargins(24, 20, 24, 20)
    lay.setSpacing(10)
    return f, lay


def grid(widgets: list[QWidget], columns: int, spacing: int = 20) -> QWidget:
    holder = QWidget()
    g = QGridLayout(holder)
    g.setContentsMargins(0, 0, 0, 0)
    g.setSpacing(spacing)
    for i, w in enumerate(widgets):
        g.addWidget(w, i // columns, i % columns)
    for c in range(columns):
        g.setColumnStretch(c, 1)
    return holder


class PagedScroll(QWidget):
    """A scroll area with big 上一页 / 下一页 buttons, so nobody has to drag.

    Swiping with a finger works too (QScroller on touch only, so taps are never delayed),
    but is never needed.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        PagedScroll.instances.append(self)
        if PagedScroll.gestures:
            self.enable_gestures()
        self.content = QWidget()
        self.content.setObjectName("pagedContent")
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(32, 24, 32, 24)
        self.body.setSpacing(20)
        self.area.setWidget(self.content)
        outer.addWidget(self.area, 1)
        nav = QHBoxLayout()
        nav.setContentsMargins(32, 0, 32, 12)
        nav.setSpacing(20)
        self.up = button("▲ 上一页", self.page_up, name="pageUp")
        self.down = button("▼ 下一页", self.page_down, name="pageDown")
        nav.addWidget(self.up)
        nav.addWidget(self.down)
        outer.addLayout(nav)
        self.up.hide()
        self.down.hide()
        bar = self.area.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._update_buttons())
        bar.valueChanged.connect(lambda *_: self._update_buttons())

    instances: list["PagedScroll"] = []
    gestures = False  # finger swiping: switched on once the kiosk idles at Home (QScroller is slow to set up)

    @classmethod
    def enable_all_gestures(cls) -> None:
        cls.gestures = True
        for p in cls.instances:
            try:
                p.enable_gestures()
            except RuntimeError:  # the widget of a closed window is already gone
                pass
        cls.instances.clear()

    def enable_gestures(self) -> None:
        QScroller.grabGesture(self.area.viewport(), QScroller.TouchGesture)

    def page_up(self) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() - int(self.area.viewport().height() * 0.85))

    def page_down(self) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() + int(self.area.viewport().height() * 0.85))

    def to_top(self) -> None:
        self.area.verticalScrollBar().setValue(0)

    def _update_buttons(self) -> None:
        bar = self.area.verticalScrollBar()
        scrollable = bar.maximum() > 0
        self.up.setVisible(scrollable)
        self.down.setVisible(scrollable)
        self.up.setEnabled(bar.value() > bar.minimum())
        self.down.setEnabled(bar.value() < bar.maximum())

    def clear(self) -> None:
        clear_layout(self.body)
        self.to_top()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._update_buttons()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._update_buttons()


class ScreenBase(QWidget):
    """One screen of the kiosk. `refresh()` redraws it from the session."""

    title = ""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def refresh(self) -> None:  # pragma: no cover - each screen overrides
        raise NotImplementedError

    def speech_text(self) -> str:
        """What 朗读 reads on this screen; empty = no speaker button."""
        return ""


class PagedScreen(ScreenBase):
    """A screen whose content is one page-turning scroll area (`self.page.body`)."""

    def __init__(self, ctx):
        super().__init__(ctx)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.page = PagedScroll()
        lay.addWidget(self.page, 1)
