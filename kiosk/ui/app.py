"""The kiosk window: header, the screens in a stack, idle handling, themes.

The window observes the KioskSession and shows the screen the session is on; screens
call the session's methods when tapped. Nothing here decides what a citizen sees of
the catalogue: that is the session, the guide and the service layer.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import paths
from kiosk.catalogue.model import Hall, Region, Topic
from kiosk.config import KioskConfig, load_config
from kiosk.search import SearchIndex
from kiosk.session import KioskSession, Screen
from kiosk.speech import Speaker
from kiosk.ui import theme
from kiosk.ui.citizen.idle import IdleOverlay
from kiosk.ui.tap_guard import STATE_DUMP_ENV, TapGuard, dump_view
from kiosk.ui.widgets import PagedScroll, button, label

if TYPE_CHECKING:  # for the annotations only: none of these is loaded at start-up
    from kiosk.db.service import CatalogueService
    from kiosk.fleet.client import Reporter as FleetReporter
    from kiosk.hours import Hours
    from kiosk.staff.stats import UsageRecorder
    from kiosk.ui.citizen.closed import ClosedScreen
    from kiosk.ui.citizen.night import NightBlank
    from kiosk.ui.staff.mode import StaffController
    from kiosk.ui.updates import UpdateChecker

log = logging.getLogger("kiosk.ui")


@dataclass
class AppContext:
    """Everything the screens share."""
    catalogue: CatalogueService
    config: KioskConfig
    region: Region
    hall: Hall | None
    topics: list[Topic]
    session: KioskSession
    sizes: theme.Sizes = theme.NORMAL
    palette: theme.Palette = theme.LIGHT
    portrait: bool = True
    printing: LazyPrinting | None = None  # set when printing is available
    # Usage figures, set by staff mode (kiosk/ui/staff/mode.py): a kiosk.staff.stats.UsageRecorder.
    # Printing reports each result with ctx.usage.print_result(region, service_id, ok, fault).
    usage: UsageRecorder | None = None
    warnings: list[str] = field(default_factory=list)  # for staff: fallbacks taken, config problems
    # Set by the window: watch_input(dialog) lets a dialog's taps count as activity (KioskWindow.watch_input).
    watch_input: Callable[[QWidget], None] | None = None
    speaker: Speaker = field(default_factory=Speaker)
    # the local wall-clock time the opening hours are compared with (tests set their own)
    clock: Callable[[], datetime] = datetime.now


def build_context(catalogue, config: KioskConfig) -> AppContext:
    region = catalogue.region(config.region)
    halls = catalogue.halls(region.id)
    hall = next((h for h in halls if h.id == config.hall), halls[0] if halls else None)
    index = SearchIndex(catalogue.services(region.id))
    session = KioskSession(catalogue, region.id, index)
    return AppContext(catalogue=catalogue, config=config, region=region, hall=hall, topics=catalogue.topics(),
                      session=session,
                      sizes=theme.LARGE if config.text_size == "large" else theme.NORMAL,
                      palette=theme.CONTRAST if config.theme == "contrast" else theme.LIGHT)


# One module per screen; imported when the screen is first built (start-up imports Home's only).
SCREEN_CLASSES = {
    Screen.HOME: "kiosk.ui.citizen.home:HomeScreen", Screen.SERVICES: "kiosk.ui.citizen.services:ServiceListScreen",
    Screen.SEARCH: "kiosk.ui.citizen.search:SearchScreen", Screen.QUESTION: "kiosk.ui.citizen.question:QuestionScreen",
    Screen.CHECKLIST: "kiosk.ui.citizen.checklist:ChecklistScreen", Screen.HALLS: "kiosk.ui.citizen.halls:HallsScreen",
    Screen.POLICY: "kiosk.ui.citizen.policy:PolicyScreen",
}


def screen_class(key: Screen) -> type:
    module, name = SCREEN_CLASSES[key].split(":")
    return getattr(importlib.import_module(module), name)


class _Screens(dict):
    """The screens, each made the first time it is needed (start-up builds only Home)."""

    def __init__(self, ctx, stack: QStackedWidget):
        super().__init__()
        self.ctx, self.stack = ctx, stack

    def __missing__(self, key: Screen):
        screen = screen_class(key)(self.ctx)
        # a screen never makes the window taller than the display (1280x720 terminals):
        # what does not fit scrolls inside the screen
        screen.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.stack.addWidget(screen)
        self[key] = screen
        return screen


class LazyPrinting:
    """Printing, loaded the first time a citizen taps 打印清单 (or while the kiosk idles):
    start-up does not pay for reportlab and the print dialog."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._impl = None

    def load(self):
        if self._impl is None:
            from kiosk.ui.citizen.print_preview import PrintController

            self._impl = PrintController(self.ctx)
        return self._impl

    def start(self, session, parent=None):
        self.ctx.speaker.stop()  # printing: the voice gives way
        return self.load().start(session, parent)

    def close(self) -> None:
        if self._impl is not None:
            self._impl.close()


class _ActivityFilter(QObject):
    """Any touch, click or key in the kiosk's windows counts as activity."""

    def __init__(self, on_activity):
        super().__init__()
        self.on_activity = on_activity

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.on_activity()
        return False


class KioskWindow(QWidget):
    def __init__(self, ctx: AppContext, font_family: str):
        super().__init__()
        self.ctx = ctx
        self.font_family = font_family
        self.setObjectName("kioskRoot")
        self.setWindowTitle("医保自助服务")
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._header())
        self.stack = QStackedWidget()
        root.addWidget(self.stack, 1)
        self.screens = _Screens(ctx, self.stack)
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle)
        self.overlay = IdleOverlay(self, ctx.config.idle_countdown)
        self.overlay.expired.connect(lambda: ctx.session.reset("idle"))
        self.activity = _ActivityFilter(self.note_activity)
        # a tap acts only on the screen the person saw (kiosk/ui/tap_guard.py); first in the
        # list = called last: ignored taps still count as activity and for the staff gesture
        self.tap_guard = TapGuard(self, ctx.config.tap_settle_ms)
        self.tap_guard.watch(self)
        self.input_filters: list[QObject] = [self.tap_guard, self.activity]  # staff mode adds its corner-tap gesture
        self._place: tuple | None = None  # the session's place last shown: speech stops when it changes
        self.speech_poll = QTimer(self)
        self.speech_poll.setInterval(300)
        self.speech_poll.timeout.connect(self._update_speak_button)
        ctx.session.on_finished(lambda *_: self.stop_speech())  # never outlives the session
        ctx.session.subscribe(lambda _s: self.show_current())
        ctx.session.on_finished(lambda *_: self.restore_default_look())
        self.kiosk_mode = False  # full-screen kiosk: the window refuses to close
        self.db_path: Path | None = None  # set by run_kiosk: watched for a new catalogue
        self._db_stamp = None
        self._warmed = False
        self.updates: UpdateChecker | None = None  # signed catalogue updates, when update_url is set
        self.staff_active = False  # staff mode (kiosk/ui/staff/mode.py) has the screen
        self.staff: StaffController | None = None  # set by install_staff_mode
        self.fleet: FleetReporter | None = None  # reports to the city's fleet service, once enrolled
        # opening hours (kiosk/hours.py): outside them Home is the closed screen, blanked at night
        self._closed_screen: ClosedScreen | None = None
        self._blank: NightBlank | None = None
        self.hours_mode = "open"  # what Home last showed: open | closed | night
        self.hours_timer = QTimer(self)  # the hours are looked at again while the kiosk waits at Home
        self.hours_timer.setInterval(HOURS_CHECK_MS)
        self.hours_timer.timeout.connect(self.check_hours)
        self.hours_timer.start()
        self.wake_timer = QTimer(self)  # woken at night: the closed screen for the idle timeout, then black
        self.wake_timer.setSingleShot(True)
        self.wake_timer.timeout.connect(self._wake_over)
        self.apply_theme()

    # -- header -------------------------------------------------------------------------------
    def _header(self) -> QFrame:
        ctx = self.ctx
        f = QFrame()
        f.setProperty("role", "header")
        self.header_layout = QGridLayout(f)
        self.header_layout.setContentsMargins(24, 12, 24, 12)
        self.header_layout.setHorizontalSpacing(16)
        self.header_layout.setVerticalSpacing(10)
        title = ctx.hall.name if ctx.hall else f"{ctx.region.name}医保服务大厅"
        phone = ctx.region.hotline.number if ctx.region.hotline else (ctx.hall.phone if ctx.hall else None)
        # (a no-break space: ☎ is never left alone at the end of a line)
        self.title_label = label(title + (f"    ☎\u00a0{phone}" if phone else ""), role="h2", name="hallTitle")
        self.back_button = button("◀ 返回", self.ctx.session.back, role="nav", name="backButton")
        self.home_button = button("⌂ 首页", lambda: self.ctx.session.go_home(), role="nav", name="homeButton")
        self.speak_button = button("朗读", self.read_aloud, role="nav", name="speakButton")
        self.large_button = button("大字", self.toggle_large, role="nav", name="largeTextButton")
        self.large_button.setCheckable(True)
        self.contrast_button = button("高对比", self.toggle_contrast, role="nav", name="contrastButton")
        self.contrast_button.setCheckable(True)
        self.nav_buttons = [self.back_button, self.home_button, self.speak_button, self.large_button,
                            self.contrast_button]
        self._header_portrait: bool | None = None
        return f

    def _layout_header(self) -> None:
        """Portrait: the hall's name above the buttons; landscape: all in one row."""
        if self._header_portrait == self.ctx.portrait:
            return
        self._header_portrait = self.ctx.portrait
        g = self.header_layout
        for w in [self.title_label, *self.nav_buttons]:
            g.removeWidget(w)
        for c in range(g.columnCount()):
            g.setColumnStretch(c, 0)
        if self.ctx.portrait:
            g.addWidget(self.title_label, 0, 0, 1, len(self.nav_buttons))
            for i, b in enumerate(self.nav_buttons):
                g.addWidget(b, 1, i)
                g.setColumnStretch(i, 1)
        else:
            g.addWidget(self.title_label, 0, 0)
            g.setColumnStretch(0, 3)
            for i, b in enumerate(self.nav_buttons, 1):
                g.addWidget(b, 0, i)
                g.setColumnStretch(i, 1)

    # -- theme ----------------------------------------------------------------------------------
    def apply_theme(self) -> None:
        ctx = self.ctx
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # widgets exist, so a QApplication does
        app.setStyleSheet(theme.stylesheet(ctx.sizes, ctx.palette, self.font_family))
        self.large_button.setChecked(ctx.sizes is theme.LARGE)
        self.contrast_button.setChecked(ctx.palette is theme.CONTRAST)
        self.show_current()

    def _default_look(self) -> tuple[theme.Sizes, theme.Palette]:
        cfg = self.ctx.config
        return (theme.LARGE if cfg.text_size == "large" else theme.NORMAL,
                theme.CONTRAST if cfg.theme == "contrast" else theme.LIGHT)

    def restore_default_look(self) -> None:
        """A session ended (首页, idle, error): 大字 and 高对比 go back to what the kiosk
        is configured with, so the next person does not inherit them."""
        if (self.ctx.sizes, self.ctx.palette) != self._default_look():
            self.ctx.sizes, self.ctx.palette = self._default_look()
            self.apply_theme()

    def toggle_large(self) -> None:
        self.ctx.sizes = theme.NORMAL if self.ctx.sizes is theme.LARGE else theme.LARGE
        self.apply_theme()

    def toggle_contrast(self) -> None:
        self.ctx.palette = theme.LIGHT if self.ctx.palette is theme.CONTRAST else theme.CONTRAST
        self.apply_theme()

    def read_aloud(self) -> None:
        """朗读, or 停止 while speaking."""
        if self.ctx.speaker.speaking:
            self.stop_speech()
            return
        from kiosk.speech_text import screen_script

        screen = self.shown_screen()
        if self.ctx.speaker.speak(screen_script(self.ctx, screen)):
            self.speech_poll.start()
        self._update_speak_button()

    def stop_speech(self) -> None:
        self.ctx.speaker.stop()
        self.speech_poll.stop()
        self._update_speak_button()

    # -- screens ----------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        portrait = self._portrait()
        if portrait != self.ctx.portrait:
            self.ctx.portrait = portrait
            self.show_current()
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())
        if self._blank is not None:  # also while the window is not shown yet: blanked before its
            self._blank.setGeometry(self.rect())  # first resize, it covered only 640x480 of it

    def _portrait(self) -> bool:
        o = self.ctx.config.orientation
        if o in ("portrait", "landscape"):
            return o == "portrait"
        return self.height() >= self.width()

    def show_current(self) -> None:
        if self.staff_active:
            return  # staff mode owns the stack until it leaves (kiosk/ui/staff/mode.py)
        self._layout_header()
        s = self.ctx.session
        if s.screen is Screen.HOME and not s.can_go_back:
            self.reload_catalogue_if_changed()
        screen = self.screens[s.screen]
        mode = self.current_hours_mode() if s.screen is Screen.HOME else "open"
        if s.screen is Screen.HOME:
            self.hours_mode = mode
        if mode != "open":
            screen = self.closed_screen
            self.closed_screen.hours = self.hours()
            self.closed_screen.now = self.ctx.clock()
        try:
            screen.refresh()
        except Exception:  # a broken screen must never strand a citizen
            log.exception("screen %s failed to draw (service=%s); session wiped", s.screen.value,
                          s.step.service_id)
            if s.screen is not Screen.HOME:
                s.reset("error")
                return
            raise
        self.stack.setCurrentWidget(screen)
        # Home has nowhere to go back to: 返回 and 首页 are not shown there (not merely disabled)
        at_home = s.screen is Screen.HOME
        self.back_button.setVisible(not at_home and s.can_go_back)
        self.home_button.setVisible(not at_home)
        if s.screen is Screen.HOME and not self._warmed:
            self._warmed = True
            QTimer.singleShot(1500, self.warm_up)
        place = (s.step.screen, s.step.service_id, s.step.answers, s.step.audience, s.step.topic,
                 s.step.policy_topic, s.can_go_back)
        if place != self._place:  # another screen (typing a search is not): what was read is gone
            self._place = place
            self.ctx.speaker.stop()
        self._update_speak_button()
        if mode == "night" and not self.wake_timer.isActive():
            self.night_blank.blank()
        elif self._blank is not None:
            self._blank.hide()
        self.tap_guard.check()
        if os.environ.get(STATE_DUMP_ENV):  # tests driving the kiosk from outside (X, xdotool)
            QTimer.singleShot(250, lambda: dump_view(self))
        self.note_activity()

    def shown_screen(self) -> QWidget:
        """The citizen screen on show: the session's, or the closed screen in place of Home."""
        if self.ctx.session.screen is Screen.HOME and self.hours_mode != "open":
            return self.closed_screen
        return self.screens[self.ctx.session.screen]

    # -- opening hours ------------------------------------------------------------------------------
    def hours(self) -> Hours:
        """The configured hours (the configuration was validated; a value that is not, as
        from code, counts as no hours: the kiosk stays open rather than closing wrongly)."""
        from kiosk.hours import Hours, HoursError

        try:
            return Hours.from_config(self.ctx.config)
        except HoursError as exc:
            log.error("opening hours not usable, the kiosk stays open: %s", exc)
            return Hours()

    def current_hours_mode(self) -> str:
        return self.hours().mode(self.ctx.clock())

    @property
    def closed_screen(self) -> ClosedScreen:
        if self._closed_screen is None:
            from kiosk.ui.citizen.closed import ClosedScreen

            self._closed_screen = ClosedScreen(self.ctx)
            self._closed_screen.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            self.stack.addWidget(self._closed_screen)
        return self._closed_screen

    def blanked(self) -> bool:
        """Is the night's black screen up? (The tap guard counts black and woken as two
        views: the taps of a double tap that woke it must not reach the screen below.)"""
        return self._blank is not None and self._blank.isVisible()

    @property
    def night_blank(self) -> NightBlank:
        if self._blank is None:
            from kiosk.ui.citizen.night import NightBlank

            self._blank = NightBlank(self)
            self._blank.woken.connect(self.wake)
        return self._blank

    def waiting_at_home(self) -> bool:
        """Nobody is using the kiosk: Home (or the closed screen), nothing switched on."""
        s = self.ctx.session
        return (not self.staff_active and s.screen is Screen.HOME and not s.can_go_back
                and not self.overlay.isVisible() and (self.ctx.sizes, self.ctx.palette) == self._default_look())

    def check_hours(self) -> None:
        """The hours timer (and the end of a night wake): Home becomes the closed screen at
        closing time, the closed screen Home at opening time, black at night — only while
        the kiosk waits at Home: a citizen's session is never cut short."""
        if not self.waiting_at_home():
            return
        mode = self.current_hours_mode()
        blank_due = mode == "night" and not self.wake_timer.isActive() and not self.night_blank.isVisible()
        if mode != self.hours_mode or blank_due:
            self.show_current()

    def wake(self) -> None:
        """A tap on the black screen: the closed screen until the idle timeout passes untouched."""
        self.wake_timer.start(self.ctx.config.idle_timeout * 1000)
        self.tap_guard.check()

    def _wake_over(self) -> None:
        self.wake_timer.stop()  # (over: also when the timeout is signalled by hand)
        self.check_hours()

    def _update_speak_button(self) -> None:
        from kiosk.speech_text import has_script

        screen = self.shown_screen()
        speaker = self.ctx.speaker
        speaking = speaker.speaking
        if not speaking:
            self.speech_poll.stop()
        self.speak_button.setText("■ 停止" if speaking else "朗读")
        self.speak_button.setProperty("speaking", speaking)
        self.speak_button.setVisible(speaker.checked and speaker.available
                                     and (speaking or has_script(self.ctx, screen)))

    # -- input: presses and keys where they enter a window ---------------------------------------------
    def add_input_filter(self, f: QObject) -> None:
        self.input_filters.append(f)
        self.watch_input(self)

    def watch_input(self, top: QWidget) -> None:
        """Let the input filters (activity, staff gesture) see the presses and keys of `top`:
        this window, or a dialog over it (the print preview). They sit on the top-level's
        QWindow, where a touch enters once, not on the application: a Python filter there
        is called for every event of every widget (paints, layouts …), which cost ~30 ms
        at start-up and more on every screen change."""
        handle = top.windowHandle()
        if handle is not None:
            for f in self.input_filters:
                handle.installEventFilter(f)  # installing again only moves it to the front
        self.tap_guard.watch(top)
        self.tap_guard.check()  # a dialog that opened is a new screen

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.watch_input(self)  # the QWindow exists from the first show (and is new after setWindowFlags)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """In kiosk mode nothing closes the window (Alt+F4 …); otherwise stop listening."""
        if self.kiosk_mode:
            event.ignore()
            return
        handle = self.windowHandle()
        if handle is not None:
            for f in self.input_filters:
                handle.removeEventFilter(f)
        self.idle_timer.stop()
        self.overlay.timer.stop()
        self.hours_timer.stop()
        self.wake_timer.stop()
        self.stop_speech()
        super().closeEvent(event)

    def warm_up(self) -> None:
        """While the kiosk waits at Home: build what the first search, checklist and
        print would otherwise build in front of a citizen."""
        ctx = self.ctx
        self.setProperty(PagedScroll.GESTURES_PROPERTY, True)
        for scroll in self.findChildren(PagedScroll):
            scroll.enable_gestures()
        ctx.speaker.available  # noqa: B018 - looks for the voice once, off the start-up path
        self._update_speak_button()
        if ctx.session.search_index is not None:
            ctx.session.search_index.warm_up_in_background()  # jieba loads off the UI thread
        for key in (Screen.SEARCH, Screen.QUESTION, Screen.CHECKLIST, Screen.SERVICES):
            self.screens[key]
        if isinstance(ctx.printing, LazyPrinting):
            try:
                ctx.printing.load()
            except Exception:  # noqa: BLE001 - printing trouble shows when printing, not here
                log.exception("printing could not be loaded")

    # -- catalogue updates -------------------------------------------------------------------------
    def _stamp(self):
        if self.db_path is None:
            return None
        try:
            st = self.db_path.stat()
            return st.st_ino, st.st_mtime_ns, st.st_size
        except (OSError, AttributeError):
            return None

    def reload_catalogue_if_changed(self) -> bool:
        """A new catalogue (installed, rolled back, rebuilt) is picked up at Home, never
        mid-session. A catalogue that cannot be read keeps the current one in use."""
        from kiosk.db.service import CatalogueService, CatalogueUnavailable

        if self.db_path is None:
            return False
        stamp = self._stamp()
        if self._db_stamp is None:
            self._db_stamp = stamp
            return False
        if stamp == self._db_stamp or stamp is None:
            return False
        self._db_stamp = stamp
        try:
            catalogue = CatalogueService(self.db_path)
            catalogue.set_overlay(getattr(self.ctx.catalogue, "overlay", None))  # staff edits stay applied
            region = catalogue.region(self.ctx.config.region)
        except (CatalogueUnavailable, LookupError) as exc:
            log.error("new catalogue not usable, keeping the current one: %s", exc,
                      extra={"event": "catalogue-reload-failed"})
            return False
        old = self.ctx.catalogue
        halls = catalogue.halls(region.id)
        ctx = self.ctx
        ctx.catalogue, ctx.region = catalogue, region
        ctx.hall = next((h for h in halls if h.id == ctx.config.hall), halls[0] if halls else None)
        ctx.topics = catalogue.topics()
        ctx.session.catalogue = catalogue
        ctx.session.search_index = SearchIndex(catalogue.services(region.id))
        self._warmed = False  # warm the new index up again while at Home
        log.info("catalogue reloaded", extra={"event": "catalogue-reloaded", "detail": catalogue.meta.get("built_at")})
        try:
            old.close()
        except Exception:  # noqa: BLE001
            pass
        return True

    # -- idle -----------------------------------------------------------------------------------------
    def note_activity(self) -> None:
        if self.staff_active:
            self.idle_timer.stop()  # staff mode has its own 2-minute timeout
            return
        if self.wake_timer.isActive():  # woken at night: a touch keeps the closed screen up
            self.wake_timer.start(self.ctx.config.idle_timeout * 1000)
        s = self.ctx.session
        if s.screen is Screen.HOME and not s.can_go_back and \
                (self.ctx.sizes, self.ctx.palette) == self._default_look():
            self.idle_timer.stop()  # (大字/高对比 switched at Home: the idle reset switches them back)
            return
        if not self.overlay.isVisible():
            self.idle_timer.start(self.ctx.config.idle_timeout * 1000)

    def _idle(self) -> None:
        # The countdown must be seen: a print preview left open over the window would hide
        # it (and taps there could not cancel it). It is closed; the checklist stays.
        if self.ctx.printing is not None:
            self.ctx.printing.close()
        self.overlay.start()
        self.tap_guard.check()


def create_window(catalogue, config: KioskConfig, state=None,
                  clock: Callable[[], datetime] | None = None) -> KioskWindow:
    """The kiosk window; `state`: the staff state database (default: the data directory's);
    `clock`: the local time the opening hours are compared with (default: datetime.now)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)  # a window needs a QApplication
    family = theme.load_cjk_font()
    ctx = build_context(catalogue, config)
    if clock is not None:
        ctx.clock = clock
    ctx.printing = LazyPrinting(ctx) if importlib.util.find_spec("kiosk.ui.citizen.print_preview") else None
    app.setFont(app.font().__class__(family, ctx.sizes.body))
    window = KioskWindow(ctx, family)
    ctx.watch_input = window.watch_input
    from kiosk.ui.staff.mode import install_staff_mode  # hidden gesture -> PIN pad -> staff screens

    install_staff_mode(window, state)
    return window


def run_kiosk(smoke: bool = False, size: str | None = None, windowed: bool = False, db: Path | None = None,
              screenshot: Path | None = None) -> int:
    """Start the kiosk. `smoke`: show Home, paint it, exit 0 (for checks/benchmarks).

    Whatever is wrong (catalogue, config, a bug while building the window), this shows
    Home or 系统维护中, never a traceback; a start that does not reach a painted screen is
    counted, and after MAX_FAILED_STARTS of them the kiosk shows 系统维护中 at once."""
    from kiosk.db.resilience import (
        MAX_FAILED_STARTS,
        note_start,
        open_catalogue,
        remember_contact,
        remembered_phone,
        start_succeeded,
    )
    from kiosk.logs import setup_logging

    setup_logging()
    install_startup_hook()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # the kiosk never makes a bare QCoreApplication
    config, problems = load_config()  # once per start: each problem logged once
    for p in problems:
        log.warning("config: %s", p, extra={"event": "config-problem"})
    from kiosk.config import config_dir
    from kiosk.fsutil import remove_leftovers

    remove_leftovers(config_dir(), lock=False)  # .config.json.*.tmp of a killed 'config set'
    db = db or paths.catalogue_db_path()
    failed_starts = note_start(db.parent)
    window: QWidget
    try:
        if failed_starts > MAX_FAILED_STARTS:
            raise LookupError(f"{failed_starts - 1} starts in a row did not reach Home; "
                              "not trying again until staff restart the kiosk")
        opened = open_catalogue(db, paths.seed_dir())
        if opened.catalogue is None:
            raise LookupError(opened.error)
        try:
            opened.catalogue.region(config.region)
        except LookupError as exc:  # names the valid ids
            opened.catalogue.close()
            raise LookupError(f"config region: {exc}") from exc
        window = create_window(opened.catalogue, config)
        from kiosk.db.update import catalogue_age_warnings

        window.ctx.warnings = opened.warnings + list(problems) + catalogue_age_warnings(
            db, config.catalogue_age_warning_days)
        window.db_path = db
        hall = window.ctx.hall
        phone = window.ctx.region.hotline.number if window.ctx.region.hotline else (hall.phone if hall else None)
        remember_contact(db, hall.name if hall else None, phone)
        install_exception_hook(window)
        if not (smoke or screenshot) and (staff := getattr(window, "staff", None)) is not None:
            staff.first_run_if_needed()  # no PIN yet: the first-run screen sets PIN and hall
    except Exception as exc:  # noqa: BLE001 - no catalogue, region not in it, or a bug: never a crash loop
        if isinstance(exc, LookupError):
            log.error("kiosk cannot start normally: %s", exc, extra={"event": "maintenance"})
        else:
            log.error("kiosk cannot start normally", exc_info=True, extra={"event": "maintenance"})
        family = theme.load_cjk_font()
        app.setStyleSheet(theme.stylesheet(theme.NORMAL, theme.LIGHT, family))
        from kiosk.ui.citizen.maintenance import MaintenanceScreen

        window = MaintenanceScreen(remembered_phone(db))
    if size:
        w, h = (int(x) for x in size.lower().split("x"))
        window.resize(w, h)
        window.show()
    elif windowed:
        window.resize(1080, 1920)
        window.show()
    else:
        if isinstance(window, KioskWindow):
            window.kiosk_mode = True
        window.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        window.showFullScreen()
    if smoke or screenshot:
        app.processEvents()
        if not (size or windowed):
            wait_for_full_screen(window)
        window.repaint()
        app.processEvents()
        if os.environ.get("KIOSK_REPORT_PAINTED"):  # for benchmarks/run.py: when Home was painted
            print(f"painted {time.monotonic():.6f}", file=sys.stderr, flush=True)
        if screenshot:
            window.grab().save(str(screenshot))
        ok = isinstance(window, KioskWindow) and window.ctx.session.screen is Screen.HOME
        if isinstance(window, KioskWindow):
            window.kiosk_mode = False
        start_succeeded(db.parent)
        window.close()
        return 0 if ok else 1
    QTimer.singleShot(START_SUCCEEDED_AFTER_MS, lambda: start_succeeded(db.parent))  # once a screen is up
    if isinstance(window, KioskWindow):
        from kiosk.fleet.client import start_reporter  # background thread; None unless enrolled

        window.fleet = start_reporter(window)
    if isinstance(window, KioskWindow) and config.update_url:
        from kiosk.ui.updates import UpdateChecker  # signed updates in a child process, at Home only

        window.updates = UpdateChecker(window, db, config.update_url, config.update_interval)
    return app.exec()


START_SUCCEEDED_AFTER_MS = 2000
HOURS_CHECK_MS = 30_000  # how often the opening hours are looked at again (at Home only)


def install_startup_hook() -> None:
    """Until the window's own hook (install_exception_hook): an exception escaping a Qt
    slot is logged (traceback in the file, one line on the console), not printed."""

    def hook(exc_type, exc, tb):
        log.error("unhandled exception during start-up", exc_info=(exc_type, exc, tb),
                  extra={"event": "unhandled"})

    sys.excepthook = hook


def wait_for_full_screen(window: QWidget, timeout: float = 3.0) -> bool:
    """A compositor (cage, Wayland) sizes a full-screen window asynchronously: wait until
    the window covers its screen (or `timeout` passes) before painting a smoke screenshot."""
    from PySide6.QtCore import QEventLoop

    app = QApplication.instance()
    assert app is not None  # `window` exists
    deadline = time.monotonic() + timeout
    while True:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        screen = window.screen()
        if screen is not None and window.size() == screen.geometry().size():
            return True
        if time.monotonic() >= deadline:
            log.warning("the window did not cover the screen within %.1f s (%s, screen %s)", timeout,
                        window.size().toTuple(), screen.geometry().size().toTuple() if screen else None)
            return False
        time.sleep(0.02)


def install_exception_hook(window: KioskWindow) -> None:
    """An exception escaping a Qt slot: log it with context, wipe the session, go Home."""

    def hook(exc_type, exc, tb):
        s = window.ctx.session
        log.error("unhandled exception", exc_info=(exc_type, exc, tb),
                  extra={"screen": s.screen.value, "service": s.step.service_id, "event": "unhandled"})
        try:
            s.reset("error")
        except Exception:  # noqa: BLE001 - the hook must never raise
            log.exception("reset after an unhandled exception failed")

    sys.excepthook = hook
