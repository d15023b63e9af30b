"""Signed catalogue updates while the kiosk waits at Home.

`kiosk catalogue update` runs in a child process (QProcess): a citizen never waits on
the network, and a hung or crashing download cannot touch the screen. It is started
only while Home shows with no session under way, every `update_interval` minutes
(config), and killed if it outlives its own deadline. The new catalogue is installed
on disk by the child (atomically); the window picks it up at Home. A failed or stale
update keeps the current catalogue and leaves a warning for staff (ctx.warnings, with
the catalogue's age) and in the log.

The same child fetches the hall's signed configuration (kiosk.hallconfig) and merges it
into config.json; back at Home the window applies every published key
(hallconfig.PUBLISHED_KEYS: idle timeout and countdown, orientation, text size, theme,
printer, opening hours) with `apply_hall_config`, without a restart.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer

from kiosk.session import Screen

log = logging.getLogger("kiosk.update")

DEADLINE = 300  # seconds the child may take (its --timeout); killed 60 s after that
FIRST_CHECK_AFTER = 60.0  # seconds after start: start-up is not slowed down


class UpdateChecker(QObject):
    def __init__(self, window, db_path: Path, url: str, interval_minutes: int,
                 first_after: float = FIRST_CHECK_AFTER, tick_ms: int = 60_000):
        super().__init__(window)
        self.window, self.db_path, self.url = window, Path(db_path), url
        self.interval = max(5, int(interval_minutes)) * 60
        self.next_due = time.monotonic() + first_after
        self.process: QProcess | None = None
        self.shown: list[str] = []  # the warnings this checker put into ctx.warnings
        self.runs = 0
        self.hall_seen = self._hall_stamp()  # the hall configuration the window started with
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(tick_ms)
        self.refresh_warnings()

    def at_home(self) -> bool:
        w = self.window
        s = w.ctx.session
        return s.screen is Screen.HOME and not s.can_go_back and not w.staff_active

    def tick(self) -> bool:
        """Start a check when one is due and the kiosk is idle at Home."""
        if not self.url or self.process is not None or time.monotonic() < self.next_due or not self.at_home():
            return False
        self.next_due = time.monotonic() + self.interval
        p = QProcess(self)
        p.setProgram(sys.executable)
        p.setArguments(["-m", "kiosk", "--db", str(self.db_path), "catalogue", "update", self.url,
                        "--timeout", str(DEADLINE)])
        p.finished.connect(self._finished)
        p.errorOccurred.connect(self._error)
        self.process = p
        self.runs += 1
        p.start()
        QTimer.singleShot((DEADLINE + 60) * 1000, lambda proc=p: self._kill(proc))
        return True

    def _kill(self, proc: QProcess) -> None:
        if self.process is proc and proc.state() != QProcess.ProcessState.NotRunning:
            log.error("catalogue update outlived its deadline; stopped", extra={"event": "catalogue-update-killed"})
            proc.kill()

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.error("catalogue update could not start", extra={"event": "catalogue-update-failed"})
            self._done()

    def _finished(self, code: int, _status) -> None:
        out = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace").strip() if self.process else ""
        if code != 0 and out:
            log.warning("catalogue update: %s", out.splitlines()[-1], extra={"event": "catalogue-update-failed"})
        self._done()

    def _done(self) -> None:
        if self.process is not None:
            self.process.deleteLater()
        self.process = None
        self.refresh_warnings()
        if self.at_home():
            self.apply_new_hall_config()
            self.window.show_current()  # picks a newly installed catalogue up, redraws Home

    def _hall_stamp(self):
        from kiosk.db.update import read_hall_status

        hs = read_hall_status(self.db_path)
        return (hs.get("region"), hs.get("hall"), hs.get("version"), hs.get("applied_at"))

    def apply_new_hall_config(self) -> list[str]:
        """At Home, after a check: a hall configuration merged since the last one is applied."""
        stamp = self._hall_stamp()
        if stamp == self.hall_seen:
            return []
        self.hall_seen = stamp
        from kiosk.config import load_config

        cfg, problems = load_config()
        for p in problems:
            log.warning("config: %s", p)
        return apply_hall_config(self.window, cfg)

    def refresh_warnings(self) -> None:
        from kiosk.db.update import catalogue_age_warnings, staff_warnings

        ctx = self.window.ctx
        new = staff_warnings(self.db_path) + catalogue_age_warnings(
            self.db_path, ctx.config.catalogue_age_warning_days)
        ctx.warnings = [w for w in ctx.warnings if w not in self.shown] + new
        self.shown = new


def apply_hall_config(window, cfg) -> list[str]:
    """Take the published keys of `cfg` into the running window (at Home): the idle timer
    and countdown, the look (theme, text size), orientation, the printer and the opening
    hours (the hours timer then shows the closed screen if the hall is closed now). Returns the
    keys that changed; local keys (region, hall, update_url, ...) are not looked at."""
    from dataclasses import replace

    from kiosk.hallconfig import PUBLISHED_KEYS

    ctx = window.ctx
    changed = [k for k in PUBLISHED_KEYS if getattr(cfg, k) != getattr(ctx.config, k)]
    if not changed:
        return []
    ctx.config = replace(ctx.config, **{k: getattr(cfg, k) for k in changed})
    ctx.sizes, ctx.palette = window._default_look()
    ctx.portrait = window._portrait()
    window.overlay.seconds = ctx.config.idle_countdown
    window.apply_theme()  # redraws the current screen (Home) with the new look and layout
    log.info("hall configuration applied at Home: %s", ", ".join(changed), extra={"event": "hall-config-live"})
    return changed
