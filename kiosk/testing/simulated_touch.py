"""Simulated taps for the tests, the screenshot tools and the benchmark.

A finger's tap enters the kiosk where a real one does: as a press and a release on the
top-level window (QWindow), which Qt hit-tests and hands to the widget under the
finger. So a tap also reaches the window's input filters (activity, the staff gesture),
and a widget that is covered (by the idle overlay, say) cannot be tapped. A button
below the fold of a scrolling page is first brought into view, as a person would by
paging down. `tap_widget` taps what a person sees: it waits until the kiosk takes taps
again after a screen change (kiosk/ui/tap_guard.py); `tap_point` and `touch_point` tap
at once, as a second finger or a trembling hand does. Not used by the kiosk itself.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget


class NotTappable(AssertionError):
    """The widget is not where a finger could reach it."""


def bring_into_view(widget: QWidget) -> None:
    """Scroll every scroll area around `widget` until it is on screen."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and (inner := parent.widget()) is not None and inner.isAncestorOf(widget):
            parent.ensureWidgetVisible(widget, 0, 0)
        parent = parent.parentWidget()
    QApplication.processEvents()


def _window_of(top: QWidget) -> QWindow:
    handle = top.windowHandle()
    if handle is None:
        raise NotTappable(f"{top.objectName() or type(top).__name__} has no window on screen")
    return handle


def tap_point(top: QWidget, pos: QPoint) -> None:
    """A tap at `pos` (in `top`'s coordinates) on the top-level window `top`."""
    QTest.mouseClick(_window_of(top), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


_touch_screen = None


def touch_point(top: QWidget, pos: QPoint) -> None:
    """A finger on a touch screen at `pos` of the top-level window `top`: TouchBegin,
    held for 20 ms as a finger is, and TouchEnd on its QWindow (Qt then synthesizes the
    mouse press for the widgets)."""
    global _touch_screen
    handle = _window_of(top)
    if _touch_screen is None:
        _touch_screen = QTest.createTouchDevice()
    QTest.touchEvent(handle, _touch_screen).press(0, pos).commit()
    QTest.qWait(20)
    QTest.touchEvent(handle, _touch_screen).release(0, pos).commit()
    QApplication.processEvents()


def tap_widget(widget: QWidget, pos: QPoint | None = None) -> None:
    """Tap `widget` at `pos` (its own coordinates; default its centre)."""
    QApplication.processEvents()
    if not widget.isVisible():
        raise NotTappable(f"{widget.objectName() or type(widget).__name__} is not visible")
    bring_into_view(widget)
    local = pos if pos is not None else QPoint(widget.width() // 2, widget.height() // 2)
    top = widget.window()
    from kiosk.ui.tap_guard import wait_until_open

    if not wait_until_open(top):
        raise NotTappable(f"the screen under {widget.objectName() or type(widget).__name__} never settled")
    at = widget.mapTo(top, local)
    hit = top.childAt(at)
    if hit is not None and hit is not widget and not widget.isAncestorOf(hit) and not hit.isAncestorOf(widget):
        raise NotTappable(f"{widget.objectName() or type(widget).__name__} is covered by "
                          f"{hit.objectName() or type(hit).__name__} at {at.toTuple()}")
    tap_point(top, at)
    QApplication.processEvents()
