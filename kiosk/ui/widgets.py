"""Small building blocks shared by the screens: labels, big buttons, a page-turning
scroll area (no drag needed), the screen base class."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

LINE_HEIGHT_PERCENT = 130  # MIIT: lines at least 1.3 times the text size apart


def spaced_html(text: str) -> str:
    """Plain `text` as rich text whose lines are LINE_HEIGHT_PERCENT of the font's line
    height apart (a stylesheet's line-height does nothing in a QLabel; rich text's does).
    Spaces and line breaks are kept as written."""
    body = html.escape(text).replace("\n", "<br>")
    return f'<div style="line-height:{LINE_HEIGHT_PERCENT}%; white-space:pre-wrap">{body}</div>'


class TextLabel(QLabel):
    """A QLabel for plain text, drawn with MIIT line spacing. `text()` is the plain text
    (what tests and 朗读 read), not the HTML it is drawn from."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._plain = ""
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self._plain = text
        super().setText(spaced_html(text) if text else "")

    def text(self) -> str:
        return self._plain


def label(text: str, role: str | None = None, wrap: bool = True, name: str | None = None,
          selectable: bool = False) -> QLabel:
    w = TextLabel(text)
    w.setWordWrap(wrap)
    if role:
        w.setProperty("role", role)
    if name:
        w.setObjectName(name)
    if wrap:
        w.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if selectable:
        w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return w


def button(text: str, on_click: Callable[..., object] | None = None, role: str | None = None,
           name: str | None = None) -> QPushButton:
    b = QPushButton(text)
    if role:
        b.setProperty("role", role)
    if name:
        b.setObjectName(name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
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
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 14, 24, 14)
        lay.setSpacing(4)
        self.title = label(text, role="h2" if role in ("answer", "tile") else "strong")
        self.title.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        if role == "answer":
            self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.title)
        self.subtitle = None
        if subtitle:
            self.subtitle = label(subtitle, role="small")
            self.subtitle.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            lay.addWidget(self.subtitle)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        if on_click is not None:
            self.clicked.connect(lambda _=False: on_click())

    def text(self) -> str:  # noqa: D401 - tests look buttons up by their text
        return self.title.text()

    def sizeHint(self):
        lay = self.layout()
        assert lay is not None  # set in __init__
        hint = lay.sizeHint()
        hint.setHeight(max(hint.height(), self.minimumHeight()))
        return hint

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        lay = self.layout()
        assert lay is not None  # set in __init__
        return max(lay.totalHeightForWidth(width), self.minimumSizeHint().height())


def clear_layout(layout: QLayout) -> None:
    """Empty `layout`: its widgets are deleted, its sub-layouts emptied and deleted.

    takeAt() hands the layout item to the caller, who must delete it (Qt's docs); PySide
    does not, so each item (QWidgetItem, spacer, sub-layout) is deleted here. Without
    this every redrawn screen leaked its layout items: ~2.4 KB per citizen's session
    (heaptrack, benchmarks/run.py's memory measure)."""
    while layout.count():
        item = layout.takeAt(0)
        assert item is not None  # 0 < count()
        w = item.widget()
        if w is not None:
            w.hide()
            w.setParent(None)
            w.deleteLater()
        elif (sub := item.layout()) is not None:
            clear_layout(sub)
        shiboken6.delete(item)


def card(role: str = "card") -> tuple[QFrame, QVBoxLayout]:
    f = QFrame()
    f.setProperty("role", role)
    lay = QVBoxLayout(f)
    lay.setContentsMargins(24, 20, 24, 20)
    lay.setSpacing(16)  # buttons in a card (policy links) stay 16 px apart
    return f, lay


def grid(widgets: Sequence[QWidget], columns: int, spacing: int = 20) -> QWidget:
    holder = QWidget()
    g = QGridLayout(holder)
    g.setContentsMargins(0, 0, 0, 0)
    g.setSpacing(spacing)
    for i, w in enumerate(widgets):
        g.addWidget(w, i // columns, i % columns)
    for c in range(columns):
        g.setColumnStretch(c, 1)
    return holder


class _Content(QWidget):
    """The page-turning area's content. Its minimum height is 0: a QScrollArea makes its
    widget at least minimumSizeHint() tall, and a layout's minimum height sums what each
    word-wrapped label would need at its narrowest — hundreds of pixels more than the
    laid-out content, which showed as blank pages at the end (50 of 93 landscape
    checklists). The height is then the layout's heightForWidth, which is exact."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        return QSize(hint.width(), 0)


class PagedScroll(QWidget):
    """A scroll area with big 上一页 / 下一页 buttons, so nobody has to drag.

    Swiping with a finger works too (QScroller on touch only, so taps are never delayed),
    but is never needed.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        # 8 px above (the header's buttons end 12 px over its edge) and 16 px below: a
        # button cut by the page's edge stays 16 px or more from the buttons around it
        outer.setContentsMargins(0, 8, 0, 0)
        outer.setSpacing(16)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._gestures = False  # finger swiping: switched on by the window (see enable_gestures)
        self.content = _Content()
        self.content.setObjectName("pagedContent")
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(32, 24, 32, 24)
        self.body.setSpacing(20)
        self.area.setWidget(self.content)
        outer.addWidget(self.area, 1)
        self.nav = nav = QHBoxLayout()
        nav.setContentsMargins(32, 0, 32, 16)
        nav.setSpacing(20)
        self.up = button(self.UP, self.page_up, name="pageUp")
        self.down = button(self.DOWN, self.page_down, name="pageDown")
        nav.addWidget(self.up)
        nav.addWidget(self.down)
        outer.addLayout(nav)
        self.up.hide()
        self.down.hide()
        bar = self.area.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._update_buttons())
        bar.valueChanged.connect(lambda *_: self._update_buttons())

    # a turned-off page button says why, besides looking turned off (theme: dashed, flat)
    UP, UP_OFF = "▲ 上一页", "已是第一页"
    DOWN, DOWN_OFF = "▼ 下一页", "已是最后一页"
    # Finger swiping (QScroller) is slow to set up, so the window switches it on once the
    # kiosk idles at Home: it sets its "swipeGestures" property and calls enable_gestures
    # on its page-turning areas; one shown later enables itself. No registry across windows.
    GESTURES_PROPERTY = "swipeGestures"

    def enable_gestures(self) -> None:
        if not self._gestures:
            QScroller.grabGesture(self.area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
            self._gestures = True

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
        # margins and card edges are not content: a page showing only them would be blank.
        # 下一页 is on while some text or button still reaches below the page.
        end = self._content_end()
        view = self.area.viewport().height()
        scrollable = bar.maximum() > 0 and (end > view + 2 or bar.value() > 0)
        self.up.setVisible(scrollable)
        self.down.setVisible(scrollable)
        up, down = bar.value() > bar.minimum(), bar.value() < bar.maximum() and bar.value() + view < end - 2
        self.up.setEnabled(up)
        self.down.setEnabled(down)
        self.up.setText(self.UP if up else self.UP_OFF)
        self.down.setText(self.DOWN if down else self.DOWN_OFF)

    def _content_end(self) -> int:
        """The bottom of the lowest text or button of the content, in its coordinates."""
        end = 0
        for w in self.content.findChildren(QWidget):
            if isinstance(w, (QLabel, QPushButton)) and w.isVisibleTo(self.content):
                end = max(end, w.mapTo(self.content, QPoint(0, w.height())).y())
        return end

    def clear(self) -> None:
        clear_layout(self.body)
        self.to_top()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._update_buttons()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._update_buttons()
        if not self._gestures and self.window().property(self.GESTURES_PROPERTY):
            self.enable_gestures()


class ScrollPager(QObject):
    """上一页/下一页 buttons (and a finger's drag) for any scroll area — the print preview's.

    pager = ScrollPager(area)     # pager.up, pager.down: put them in a layout
    A drag of the finger (touch, or a pressed mouse) moves the page with the finger: a
    swipe needs no QScroller (whose kinetic start-up delays taps)."""

    def __init__(self, area: QAbstractScrollArea):
        super().__init__(area)
        self.area = area
        self.up = button(PagedScroll.UP, self.page_up, name="pageUp")
        self.down = button(PagedScroll.DOWN, self.page_down, name="pageDown")
        bar = area.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self.update_buttons())
        bar.valueChanged.connect(lambda *_: self.update_buttons())
        vp = area.viewport()
        vp.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        vp.installEventFilter(self)
        self._drag: tuple[float, int] | None = None
        self.update_buttons()

    _DRAG_EVENTS = frozenset((QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.MouseButtonPress,
                              QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease))

    def _step(self) -> int:
        return int(self.area.viewport().height() * 0.85)

    def page_up(self) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() - self._step())

    def page_down(self) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() + self._step())

    def update_buttons(self) -> None:
        bar = self.area.verticalScrollBar()
        up, down = bar.value() > bar.minimum(), bar.value() < bar.maximum()
        self.up.setEnabled(up)
        self.down.setEnabled(down)
        self.up.setText(PagedScroll.UP if up else PagedScroll.UP_OFF)
        self.down.setText(PagedScroll.DOWN if down else PagedScroll.DOWN_OFF)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        t = event.type()
        if t not in self._DRAG_EVENTS or not shiboken6.isValid(self.area):
            return False  # (the area may be half-destroyed while its viewport still gets events)
        bar = self.area.verticalScrollBar()
        if t in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            points = event.points()
            if not points:
                return False
            y = points[0].position().y()
        elif t in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease):
            y = event.position().y()
        else:
            return False
        if t in (QEvent.Type.TouchBegin, QEvent.Type.MouseButtonPress):
            self._drag = (y, bar.value())
            event.accept()
            return True
        if self._drag is None:
            return False
        y0, v0 = self._drag
        bar.setValue(int(v0 - (y - y0)))
        if t in (QEvent.Type.TouchEnd, QEvent.Type.MouseButtonRelease):
            self._drag = None
        event.accept()
        return True


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
