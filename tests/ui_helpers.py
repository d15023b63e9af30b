"""Driving the kiosk the way a person does: find a visible button by name, tap it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from kiosk.testing.simulated_touch import tap_widget

# Journeys tap as soon as the kiosk takes taps again (tap_widget waits for the tap guard);
# a short settle keeps them fast. tests/test_tap_guard.py tests the real default (350 ms).
TEST_SETTLE_MS = 40


def visible_buttons(window: QWidget, name: str | None = None) -> list[QAbstractButton]:
    found = window.findChildren(QAbstractButton, name) if name else window.findChildren(QAbstractButton)
    return [b for b in found if b.isVisible()]


def tap(qtbot, window: QWidget, name: str) -> None:
    QApplication.processEvents()
    buttons = visible_buttons(window, name)
    assert buttons, f"no visible button {name!r}"
    b = buttons[0]
    assert b.isEnabled(), f"button {name!r} is disabled"
    tap_widget(b)  # through the window, as a finger: hit-tested, seen by the window's input filters


def texts(window: QWidget) -> str:
    """All visible text of the window, for 'does the screen say X' checks."""
    out = []
    for w in window.findChildren(QLabel):
        if w.isVisible():
            out.append(w.text())
    for b in visible_buttons(window):
        out.append(b.text())
    return "\n".join(out)


def layout_problems(window: QWidget) -> list[str]:
    """Text that is cut off, widgets outside the window, overlapping buttons, small targets."""
    for _ in range(3):
        QApplication.processEvents()
    problems = []
    win = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.width() == 0:
            continue
        top_left = w.mapTo(window, QPoint(0, 0))
        rect = QRect(top_left, w.size())
        if rect.right() > win.right() + 1 or rect.left() < win.left() - 1:
            if not _inside_scroll(w):
                problems.append(f"{w.objectName() or type(w).__name__} sticks out horizontally: {rect}")
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull() is not False:
            fm = w.fontMetrics()
            if w.wordWrap():
                needed = w.heightForWidth(w.width())
                if needed > w.height() + 2:
                    problems.append(f"label cut off ({needed}>{w.height()}): {w.text()[:30]!r}")
            elif fm.horizontalAdvance(w.text().split("\n")[0]) > w.width() + 2:
                problems.append(f"label too wide: {w.text()[:30]!r}")
        if isinstance(w, QAbstractButton) and w.text() and type(w).__name__ == "QPushButton":
            if w.fontMetrics().horizontalAdvance(w.text()) > w.width() - 8:
                problems.append(f"button text cut off: {w.text()!r} ({w.width()}px)")
        if isinstance(w, QAbstractButton) and (w.width() < 80 or w.height() < 80):
            problems.append(f"touch target too small: {w.text()!r} {w.width()}x{w.height()}")
    buttons = visible_buttons(window)
    for b in buttons:  # clipped by a parent too small for it (not by a scroll area: that scrolls)
        if not _inside_scroll(b) and b.visibleRegion().boundingRect().height() < b.height() - 2:
            problems.append(f"button cut off by its parent: {b.text()!r} "
                            f"({b.visibleRegion().boundingRect().height()} of {b.height()} px shown)")
    for i, a in enumerate(buttons):
        ra = shown_rect(a, window)
        for b in buttons[i + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            rb = shown_rect(b, window)
            if ra.intersects(rb):
                inter = ra.intersected(rb)
                if inter.width() > 2 and inter.height() > 2:
                    problems.append(f"buttons overlap: {a.text()!r} / {b.text()!r}")
    return problems


def shown_rect(w: QWidget, window: QWidget) -> QRect:
    """The part of `w` actually on screen: clipped by the viewports it scrolls in."""
    from PySide6.QtWidgets import QAbstractScrollArea

    rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
    p = w.parentWidget()
    while p is not None and p is not window:
        if isinstance(p, QAbstractScrollArea):
            vp = p.viewport()
            rect = rect.intersected(QRect(vp.mapTo(window, QPoint(0, 0)), vp.size()))
        p = p.parentWidget()
    return rect


def _inside_scroll(w: QWidget) -> bool:
    from PySide6.QtWidgets import QScrollArea

    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QScrollArea):
            return True
        p = p.parentWidget()
    return False
