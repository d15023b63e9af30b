"""A tap acts only on the screen the person saw.

A hand with a tremor taps twice; a machine that is busy for a moment queues a tap.
Screen changes are instant, so without a guard the second tap lands on the next screen,
one the person never saw (a double tap on 城乡居民参保登记 would also answer its first
question). The guard sits where touches and clicks enter the kiosk's windows (their
QWindow, next to the activity filter, see KioskWindow.watch_input) and:

- after any change of what is shown (another screen, a page turned, the print preview
  opening or closing, the idle countdown appearing or going) ignores presses until the
  new view has been painted *and* `settle_ms` (config `tap_settle_ms`, 350 ms) has passed
  since that paint;
- lets a release act only on the view its press was made on: a release after a change
  is turned into one far outside any button, which un-presses the button without
  clicking it;
- judges Qt's double-click event (how widgets get a quick second tap) as the press it is.

A tap queued while the kiosk builds the next screen is handled before that screen is
painted, so it is ignored too.

What counts as "the view" is `view_signature(window)`: the session's place (not the
search text — typing is not a change of screen), the top-level windows shown, the idle
countdown, the theme, and the position of every visible scrolling page. It is compared
after every tap and before every press, so a change nobody announced is still noticed.
Ignored taps still count as activity (the activity filter sees them first).
"""

from __future__ import annotations

import logging
import time
import weakref

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, QTimer
from PySide6.QtGui import QMouseEvent, QWindow
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

log = logging.getLogger("kiosk.ui")

DEFAULT_SETTLE_MS = 350
PAINT_WAIT_MAX_S = 2.0  # a view never painted (window not exposed) does not lock the kiosk for good
_FAR = QPointF(-100000.0, -100000.0)

_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)


def view_signature(window) -> tuple:
    """What the person sees, coarsely: equal signatures = the same screen, same page."""
    ctx = window.ctx
    s = ctx.session
    step = s.step
    place = (step.screen, step.audience, step.topic, step.service_id, step.answers, step.policy_topic,
             len(getattr(s, "_history", ())))
    tops = tuple(sorted(id(t) for t in QApplication.topLevelWidgets() if t.isVisible() and t.isWindow()))
    scrolls = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        for area in top.findChildren(QAbstractScrollArea):
            if area.isVisible():
                scrolls.append((id(area), area.verticalScrollBar().value()))
    overlay = getattr(window, "overlay", None)
    return (place, tops, overlay is not None and overlay.isVisible(), id(ctx.sizes), id(ctx.palette),
            ctx.portrait, window.staff_active, tuple(scrolls), window.blanked())


class TapGuard(QObject):
    """Install on the QWindows (input) and watch() the top-level widgets (painting).

    guard = TapGuard(window, settle_ms=350)
    guard.watch(top)        # a top-level widget: the kiosk window or a dialog over it
    guard.check()           # compare the view now with the last one; a change closes the guard
    guard.is_open()         # would a press be taken now?
    """

    def __init__(self, window, settle_ms: int = DEFAULT_SETTLE_MS, signature=view_signature):
        super().__init__()
        self.window = window
        self.settle = max(0, settle_ms) / 1000.0
        self._signature = signature
        self._sig: tuple | None = None
        self.epoch = 0  # one more for every change of view
        self._changed_at = time.monotonic()
        self._painted_at: float | None = None  # None: the change is not painted yet
        self._press_ok: bool | None = None  # the current press: taken, ignored, or none
        self._press_epoch = 0
        self._touch_ignored = False
        self._passing = False
        self._tops: list[weakref.ref] = []
        self.ignored = 0  # presses ignored so far (log and tests)

    # -- what is shown ----------------------------------------------------------------------
    def watch(self, top: QWidget) -> None:
        """Know when `top` (a top-level widget) paints."""
        if not any(r() is top for r in self._tops):
            self._tops = [r for r in self._tops if r() is not None]
            self._tops.append(weakref.ref(top))
            top.installEventFilter(self)

    def active(self) -> bool:
        return not self.window.staff_active  # staff screens have their own rules

    def check(self) -> bool:
        """Has the view changed since last looked at? Then close until painted and settled."""
        try:
            sig = self._signature(self.window)
        except RuntimeError:  # a window being torn down
            return False
        changed = self._sig is not None and sig != self._sig
        if changed:
            log.debug("view changed: %s", [i for i, (a, b) in enumerate(zip(sig, self._sig or (), strict=False)) if a != b])
        self._sig = sig
        if changed:
            self.view_changed()
        return changed

    def view_changed(self) -> None:
        self.epoch += 1
        self._changed_at = time.monotonic()
        self._painted_at = None
        for ref in self._tops:  # make sure a paint follows the change, even one no widget asked for
            top = ref()
            if top is not None and top.isVisible():
                top.update(0, 0, 1, 1)

    def is_open(self, when: float | None = None) -> bool:
        """Is a press made at `when` (the kiosk's clock; default now) taken?"""
        if not self.active():
            return True
        now = time.monotonic()
        when = now if when is None else when
        if self._painted_at is None:
            if now - self._changed_at < PAINT_WAIT_MAX_S:
                return False
            log.warning("view not painted within %.1f s; taps taken again", PAINT_WAIT_MAX_S)
            self._painted_at = self._changed_at
        return when - self._painted_at >= self.settle

    def _painted(self) -> None:
        if self._painted_at is None:
            self._painted_at = time.monotonic()

    # -- input ------------------------------------------------------------------------------------
    def _take_press(self, event=None) -> bool:
        self.check()
        ok = self.is_open()
        if not ok:
            self.ignored += 1
            log.debug("tap ignored: the screen changed %.0f ms ago", (time.monotonic() - self._changed_at) * 1000)
        return ok

    def _after_tap(self) -> None:
        self.check()

    def _neutralize(self, window: QWindow, event) -> None:
        """The press was made on another view: release it far away (no click, nothing stays pressed)."""
        fake = QMouseEvent(QEvent.Type.MouseButtonRelease, _FAR, _FAR, event.button(), event.buttons(),
                           event.modifiers())
        self._passing = True
        try:
            QCoreApplication.sendEvent(window, fake)
        finally:
            self._passing = False

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        t = event.type()
        if isinstance(obj, QWidget):  # a watched top-level widget: painting
            if t == QEvent.Type.UpdateRequest and obj.isVisible():
                handle = obj.windowHandle()
                if handle is not None and handle.isExposed():
                    self._painted()
            return False
        if not isinstance(obj, QWindow):
            return False
        if t == QEvent.Type.Expose and obj.isExposed():
            self._painted()  # an expose paints the window synchronously, before the next input
            return False
        if self._passing or not self.active():
            return False
        if t == QEvent.Type.TouchBegin:
            self._touch_ignored = not self._take_press(event)
            return self._touch_ignored
        if t in (QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            ignored = self._touch_ignored
            if t != QEvent.Type.TouchUpdate:
                self._touch_ignored = False
            return ignored
        if t in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            # a quick second tap reaches widgets as a double-click event: judged as the press it is
            self._press_ok = self._take_press(event)
            self._press_epoch = self.epoch
            return not self._press_ok
        if t == QEvent.Type.MouseMove:
            return self._press_ok is False
        if t == QEvent.Type.MouseButtonRelease:
            ok, self._press_ok = self._press_ok, None
            if not ok:
                return True  # its press was ignored (or never seen): nothing to release
            self.check()
            if self.epoch != self._press_epoch:
                log.debug("release on another screen than its press: no click")
                self._neutralize(obj, event)
                return True
            QTimer.singleShot(0, self._after_tap)  # the tap may have turned a page, opened a dialog …
            return False
        return False


def guard_of(top: QWidget) -> TapGuard | None:
    """The guard watching `top` (the kiosk window or a dialog over it), if any."""
    for obj in QApplication.topLevelWidgets():
        guard = getattr(obj, "tap_guard", None)
        if isinstance(guard, TapGuard) and any(r() is top for r in guard._tops):
            return guard
    return None


def wait_until_open(top: QWidget, timeout: float = 5.0) -> bool:
    """For tests and tools: process events until a tap on `top` would be taken (a person
    looks at a new screen before tapping it). True at once where there is no guard."""
    guard = guard_of(top)
    if guard is None:
        return True
    app = QApplication.instance()
    assert app is not None  # a guard exists, so does the application
    deadline = time.monotonic() + timeout
    app.processEvents()
    guard.check()
    while not guard.is_open():
        if time.monotonic() >= deadline:
            return False
        app.processEvents()
        time.sleep(0.005)
        guard.check()
    return True


# -- a test-only view of the kiosk for tests driving it from outside (tests/test_tap_guard_x11.py) ----
STATE_DUMP_ENV = "KIOSK_STATE_DUMP"


def dump_view(window) -> None:
    """With KIOSK_STATE_DUMP=<file>: write where the session is and where the visible named
    buttons are (window coordinates), one JSON line per screen shown. The number of answers
    is written, never the answers: nothing of a citizen leaves the session."""
    import json
    import os

    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QAbstractButton

    path = os.environ.get(STATE_DUMP_ENV)
    if not path:
        return
    s = window.ctx.session
    buttons: dict[str, list[int]] = {}
    for b in window.findChildren(QAbstractButton):
        if b.objectName() and b.isVisible() and b.isEnabled():
            p = b.mapTo(window, QPoint(0, 0))
            buttons.setdefault(b.objectName(), [p.x(), p.y(), b.width(), b.height()])
    line = {"screen": s.screen.value, "service": s.step.service_id, "answers": len(s.step.answers),
            "back": s.can_go_back, "ignored": getattr(window.tap_guard, "ignored", 0), "buttons": buttons}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")
