"""Staff mode: a hidden gesture on the citizen screens (five taps in the top-left
corner within 3 s) opens the PIN pad; then the staff screens — configuration,
catalogue maintenance, xlsx import/export, usage figures. Staff mode leaves by itself
after 2 minutes without a touch. When no PIN is set on a terminal that was never set
up, the first-run screen comes instead of the PIN pad; a terminal that was set up
(kiosk/staff/provision.py) and has lost its PIN record shows the locked 需要重置
screen until `kiosk staff reset-pin` is run as root.

Hooked into the window (kiosk/ui/app.py) by `install_staff_mode(window, state)`:
the staff area is one more page of the window's stack; while it shows,
`window.staff_active` is True and the window leaves the stack and its idle timer alone.
The non-Qt logic is kiosk/staff/.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from kiosk.config import KioskConfig, save_config
from kiosk.search import SearchIndex
from kiosk.ui import theme
from kiosk.ui.widgets import button, label

if TYPE_CHECKING:  # the state modules import SQLAlchemy (and pin hashlib): loaded with the state, after Home
    from kiosk.staff.edits import EditStore
    from kiosk.staff.pin import PinGate
    from kiosk.staff.state import StateStore
    from kiosk.staff.stats import UsageRecorder
    from kiosk.ui.staff.catalogue import CatalogueScreen
    from kiosk.ui.staff.config import ConfigScreen
    from kiosk.ui.staff.stats import StatsScreen
    from kiosk.ui.staff.xlsx import XlsxScreen

log = logging.getLogger("kiosk.ui")

CORNER = 120  # px: the square in the window's top-left corner that counts taps
TAPS = 5
TAP_WINDOW = 3.0  # seconds
STAFF_IDLE_MS = 2 * 60 * 1000


class CornerTaps(QObject):
    """Counts taps in the top-left corner; five within 3 s call `on_gesture`. Taps reach
    the screens as usual (a filter on the window's QWindow that never eats an event).
    While staff mode is active every press calls `on_activity` instead."""

    def __init__(self, window, on_gesture, on_activity=lambda: None, clock=time.monotonic):
        super().__init__(window)  # destroyed with the window, which removes the filter
        self.window = window
        self.on_gesture = on_gesture
        self.on_activity = on_activity
        self.clock = clock
        self.taps: list[float] = []
        self._last = None

    def _ours(self, obj) -> bool:
        """A press in the kiosk window itself (the filter also watches the print preview)."""
        return obj is self.window.windowHandle()

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            return False
        if self.window.staff_active:
            self.on_activity()
            return False
        if kind == QEvent.Type.KeyPress or not self._ours(obj):
            return False
        if kind == QEvent.Type.TouchBegin:
            points = event.points()
            if not points:
                return False
            pos = points[0].globalPosition()
        else:
            pos = event.globalPosition()
        tap = (event.timestamp(), round(pos.x()), round(pos.y()))
        if tap == self._last:  # a touch screen's TouchBegin, then the mouse press Qt makes from it: one tap
            return False
        self._last = tap
        local = self.window.mapFromGlobal(QPointF(pos)).toPoint()
        if QRect(0, 0, CORNER, CORNER).contains(local):
            now = self.clock()
            self.taps = [t for t in self.taps if now - t <= TAP_WINDOW] + [now]
            if len(self.taps) >= TAPS:
                self.taps = []
                QTimer.singleShot(0, self.on_gesture)
        else:
            self.taps = []
        return False


def hall_title(ctx) -> str:
    """The header's text; the same as KioskWindow._header() builds."""
    title = ctx.hall.name if ctx.hall else f"{ctx.region.name}医保服务大厅"
    phone = ctx.region.hotline.number if ctx.region.hotline else (ctx.hall.phone if ctx.hall else None)
    return title + (f"    ☎ {phone}" if phone else "")


STATE_DELAY_MS = 800  # open the staff state after Home is painted: start-up does not pay for it


class StaffController:
    """Staff mode of one kiosk window. With `state` None the state database of the data
    directory is opened shortly after start-up (Alembic and SQLAlchemy cost ~0.3 s),
    or at the gesture if that comes first; the staff pages are built when first shown."""

    def __init__(self, window, state: StateStore | None = None, clock=time.time, config_path=None):
        self.window = window
        self.ctx = window.ctx
        self.clock = clock
        self.config_path = config_path
        self.state: StateStore | None = None
        self.pin: PinGate | None = None
        self.edits: EditStore | None = None
        self.usage: UsageRecorder | None = None
        self.who = ""
        self._corpus: str | None = None
        self._area: StaffArea | None = None
        self._failed = False
        self._first_run_pending = False
        window.staff_active = False
        self.gesture = CornerTaps(window, self.open, self.note_activity)
        window.add_input_filter(self.gesture)
        self.idle = QTimer(window)
        self.idle.setSingleShot(True)
        self.idle.setInterval(STAFF_IDLE_MS)
        self.idle.timeout.connect(self.leave)
        if state is not None:
            self._attach(state)
        else:
            self._later = QTimer(window)
            self._later.setSingleShot(True)
            self._later.timeout.connect(self._deferred)
            self._later.start(STATE_DELAY_MS)

    def _attach(self, state: StateStore) -> None:
        from kiosk.staff.edits import EditStore
        from kiosk.staff.pin import PinGate
        from kiosk.staff.stats import UsageRecorder

        self.state = state
        self.pin = PinGate(state, self.clock)
        self.edits = EditStore(state)
        self.usage = UsageRecorder(state)
        if hasattr(self.ctx.catalogue, "set_overlay"):
            self.ctx.catalogue.set_overlay(self.edits)
        self.ctx.usage = self.usage
        self.ctx.session.on_finished(self._session_finished)
        if state.warning:
            self.ctx.warnings.append(state.warning)
        self._check_mark()

    def mark(self):
        """Where the set-up mark lives: beside config.json."""
        from pathlib import Path

        from kiosk.staff.provision import mark_path

        return mark_path(Path(self.config_path).parent if self.config_path else None)

    def provisioned(self) -> bool:
        from kiosk.staff.provision import is_provisioned

        return is_provisioned(self.mark())

    def mark_set_up(self, how: str) -> None:
        from kiosk.staff.provision import mark_provisioned

        try:
            mark_provisioned(how, self.mark())
        except OSError as exc:
            log.error("could not mark the terminal as set up: %s", exc)

    def _check_mark(self) -> None:
        """A terminal with a PIN but no mark (set up before marks existed) gets one; a
        set-up terminal without its PIN record is reported for the operator."""
        assert self.pin is not None  # loaded with the state, just before this runs
        status = self.pin.status()
        if status == "set" and not self.provisioned():
            self.mark_set_up("an existing staff PIN")
        elif status != "set" and self.provisioned():
            log.warning("staff PIN record %s on a terminal that was set up: staff mode is locked until "
                        "'kiosk staff reset-pin' is run as root", status)

    def entry_page(self) -> str:
        """What the gesture opens: the PIN pad, the first run (never set up), or 需要重置."""
        assert self.pin is not None  # callers check ready(): the state is loaded
        status = self.pin.status()
        if status == "set":
            return "pin"
        if status == "missing" and not self.provisioned():
            return "firstrun"
        log.warning("staff mode locked (需要重置): PIN record %s on a terminal that was set up", status)
        return "reset"

    def ready(self) -> bool:
        """The state database is open (opening it now if need be); False if it cannot be."""
        if self.state is not None:
            return True
        if self._failed:
            return False
        from kiosk.staff.state import StateError, StateStore

        try:
            self._attach(StateStore())
        except StateError as exc:
            log.error("staff mode unavailable: %s", exc)
            self._failed = True
            return False
        return True

    def _deferred(self) -> None:
        if self.ready() and self._first_run_pending and not self.active:
            self._first_run_pending = False
            self.first_run_if_needed()

    @property
    def area(self) -> StaffArea:
        if self._area is None:
            self._area = StaffArea(self)
            # The staff pages must not make the citizen window taller than the screen.
            self._area.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self.window.stack.addWidget(self._area)
        return self._area

    def _session_finished(self, stats, reason: str) -> None:
        if reason in ("staff", "config"):
            return  # not a citizen's session ending
        assert self.usage is not None  # registered right after it is set
        self.usage.session_finished(stats, reason, self.ctx.session.region)

    def corpus(self) -> str:
        """The catalogue's own words, for ranking the keyboard's pinyin candidates."""
        if self._corpus is None:
            parts = []
            cat = self.ctx.catalogue
            for r in cat.regions():
                for s in cat.services(r.id):
                    parts += [s.name, *(m.text for m in s.materials), *(c.text for c in s.channels),
                              *(t.text for t in s.tips), *(t.text for t in s.refusals)]
            self._corpus = "\n".join(parts)
        return self._corpus

    def close(self) -> None:
        handle = self.window.windowHandle()
        if handle is not None:
            handle.removeEventFilter(self.gesture)
        self.idle.stop()

    # -- entering and leaving -------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.window.staff_active

    def open(self) -> None:
        """The gesture: PIN pad (or first run) over the citizen screens."""
        if self.active:
            return
        self._failed = False  # a gesture tries the state database again (it may have been locked)
        if self.ready():
            page = self.entry_page()
        elif self.provisioned():
            page = "reset"  # set up, but the state database cannot be opened
        else:
            return
        w = self.window
        self.ctx.session.reset("staff")
        w.staff_active = True
        w.idle_timer.stop()
        w.overlay.cancel()
        self.header().hide()
        self.show_page(page)
        w.stack.setCurrentWidget(self.area)
        self.idle.start()

    def first_run_if_needed(self) -> bool:
        """No PIN set: show the first-run screen (once the state is open, if it is not yet)."""
        if self.state is None and not self._failed:
            self._first_run_pending = True
            return False
        if not self.ready() or self.entry_page() != "firstrun":
            return False
        self.open()
        return True

    def leave(self) -> None:
        if not self.active:
            return
        self.idle.stop()
        self.who = ""
        if self._area is not None:
            self.area.pin.reset()
        self.window.staff_active = False
        self.header().show()
        self.ctx.session.reset("staff")  # Home, a fresh session; show_current runs

    def header(self) -> QWidget:
        return self.window.title_label.parentWidget()

    def note_activity(self) -> None:
        if self.active:
            self.idle.start()

    def show_page(self, name: str) -> None:
        self.area.show_page(name)

    def logged_in(self) -> None:
        self.show_page("name")

    def start_work(self, who: str) -> None:
        self.who = who
        self.show_page("shell")

    # -- configuration ------------------------------------------------------------------------------------
    def save_config(self, cfg: KioskConfig) -> str | None:
        """Write the configuration atomically and apply it; a Chinese error, or None."""
        try:
            save_config(cfg, self.config_path)
        except OSError as exc:
            log.error("saving the configuration failed; the previous one stays: %s", exc)
            return "设置没有保存（存储空间不足或无法写入），仍使用原来的设置。"
        self.apply_config(cfg)
        return None

    def apply_config(self, cfg: KioskConfig) -> None:
        w, ctx = self.window, self.ctx
        cat = ctx.catalogue
        region = cat.region(cfg.region)
        halls = cat.halls(region.id)
        ctx.config = cfg
        if region.id != ctx.region.id or ctx.session.search_index is None:
            ctx.session.search_index = SearchIndex(cat.services(region.id))
        ctx.region = region
        ctx.hall = next((h for h in halls if h.id == cfg.hall), halls[0] if halls else None)
        ctx.session.region = region.id
        ctx.sizes = theme.LARGE if cfg.text_size == "large" else theme.NORMAL
        ctx.palette = theme.CONTRAST if cfg.theme == "contrast" else theme.LIGHT
        ctx.portrait = w._portrait()
        w.overlay.seconds = cfg.idle_countdown
        w.title_label.setText(hall_title(ctx))
        w.apply_theme()
        ctx.session.reset("config")


class StaffArea(QWidget):
    """The staff pages: login (PIN, name, first run) and the shell with the tools."""

    def __init__(self, controller):
        super().__init__()
        from kiosk.ui.staff.pin import FirstRunScreen, NameScreen, PinScreen, ResetScreen

        self.setObjectName("staffArea")
        self.c = controller
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages)
        self.pin = PinScreen(controller)
        self.name = NameScreen(controller)
        self.firstrun = FirstRunScreen(controller)
        self.shell = StaffShell(controller)
        self.locked = ResetScreen(controller)
        self._pages: dict[str, PinScreen | NameScreen | FirstRunScreen | StaffShell | ResetScreen] = {"pin": self.pin, "name": self.name, "firstrun": self.firstrun, "shell": self.shell,
                       "reset": self.locked}
        for p in self._pages.values():
            self.pages.addWidget(p)

    def show_page(self, name: str) -> None:
        page = self._pages[name]
        page.reset()
        self.pages.setCurrentWidget(page)


TOOLS = (("config", "本机设置"), ("catalogue", "业务资料"), ("xlsx", "表格导入导出"), ("stats", "使用统计"))


def staff_header_warnings(controller) -> list[str]:
    """What staff must see on entering: the staff state's own warning, every warning the
    kiosk collected for staff (catalogue fallback, failed or stale signed updates, config
    problems), and the catalogue's version and age, each once."""
    from kiosk.db.update import catalogue_age_line

    out: list[str] = []
    state = controller.state
    for w in ([state.warning] if state is not None and state.warning else []) + list(controller.ctx.warnings):
        if w and w not in out:
            out.append(w)
    db_path = getattr(controller.window, "db_path", None)
    if db_path is not None:
        line = catalogue_age_line(db_path)
        if line:
            out.append(line)
    return out


class StaffShell(QWidget):
    """A bar with the tools and 退出, and the current tool below."""

    def __init__(self, controller):
        super().__init__()
        self.c = controller
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar = QFrame()
        bar.setProperty("role", "header")
        top = QVBoxLayout(bar)
        top.setContentsMargins(24, 12, 24, 12)
        top.setSpacing(10)
        self.who = label("", role="h2", name="staffWho")
        top.addWidget(self.who)
        self.warning = label("", role="strong", name="staffWarning")
        self.warning.hide()
        top.addWidget(self.warning)
        row = QHBoxLayout()
        row.setSpacing(12)
        self.tab_buttons = {}
        for key, text in TOOLS:
            b = button(text, (lambda k=key: self.show_tool(k)), role="nav", name=f"staffTab:{key}")
            b.setCheckable(True)
            self.tab_buttons[key] = b
            row.addWidget(b)
        row.addWidget(button("退出", controller.leave, role="nav", name="staffExit"))
        top.addLayout(row)
        lay.addWidget(bar)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.tools: dict[str, ConfigScreen | CatalogueScreen | XlsxScreen | StatsScreen] = {}
        self.current = "config"

    def _tool(self, key: str) -> ConfigScreen | CatalogueScreen | XlsxScreen | StatsScreen:
        if key not in self.tools:
            cls: type[ConfigScreen | CatalogueScreen | XlsxScreen | StatsScreen]
            if key == "config":
                from kiosk.ui.staff.config import ConfigScreen as cls
            elif key == "catalogue":
                from kiosk.ui.staff.catalogue import CatalogueScreen as cls
            elif key == "xlsx":
                from kiosk.ui.staff.xlsx import XlsxScreen as cls
            else:
                from kiosk.ui.staff.stats import StatsScreen as cls
            self.tools[key] = cls(self.c)
            self.stack.addWidget(self.tools[key])
        return self.tools[key]

    def reset(self) -> None:
        self.who.setText(f"工作人员模式 · {self.c.who}    （2 分钟无操作自动退出）")
        warnings = staff_header_warnings(self.c)
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.show_tool("config")

    def show_tool(self, key: str) -> None:
        self.current = key
        for k, b in self.tab_buttons.items():
            b.setChecked(k == key)
        tool = self._tool(key)
        tool.refresh()
        self.stack.setCurrentWidget(tool)


def install_staff_mode(window, state: StateStore | None = None, config_path=None) -> StaffController:
    """Attach staff mode to a kiosk window (`window.staff`). Without a usable state
    database the kiosk runs on for citizens and the gesture does nothing (logged)."""
    controller = StaffController(window, state, config_path=config_path)
    window.staff = controller
    return controller


__all__ = ["CornerTaps", "StaffController", "install_staff_mode", "hall_title"]
