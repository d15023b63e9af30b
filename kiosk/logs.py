"""Structured, rotating logs in the platform's log directory.

One JSON object per line (time, level, logger, message, and any `extra` context),
rotated at 1 MB, 5 files kept. Nothing about a citizen is ever logged: screens log
which screen and which service failed, never answers.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from kiosk.fsutil import FILE_MODE, private_dir
from kiosk.paths import user_dir

MAX_BYTES, BACKUPS = 1_000_000, 5

CONTEXT_KEYS = ("screen", "service", "region", "event", "detail")


def log_dir() -> Path:
    return user_dir("KIOSK_LOG_DIR", "log")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class OneLineFormatter(logging.Formatter):
    """The console gets one line per record, never a traceback: the file has the detail."""

    def format(self, record: logging.LogRecord) -> str:
        lines = f"{record.levelname} {record.name}: {record.getMessage()}".splitlines()
        text = lines[0] if lines else ""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            detail = (str(exc).splitlines() or [""])[0][:200]
            text += f" ({type(exc).__name__}: {detail}; details in the log file)"
        return text


class RotatingFile(logging.FileHandler):
    """A log file that never grows past `max_bytes`: before a record would take it over
    the limit, kiosk.log becomes kiosk.log.1 (.1 becomes .2 …, `backups` kept). Bounded
    from the first line of a start; written with mode 0600. The standard library's
    RotatingFileHandler does the same but logging.handlers imports socket, pickle,
    queue … (~9 ms of start-up)."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS):
        self.max_bytes, self.backups = max_bytes, backups
        super().__init__(path, mode="a", encoding="utf-8")

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is None:
                self.stream = self._open()
            size = len(self.format(record).encode("utf-8", "replace")) + 1
            # the file's size, not this stream's position: other processes append too
            if os.fstat(self.stream.fileno()).st_size + size > self.max_bytes:
                self.rollover()
        except Exception:  # noqa: BLE001 - a log that cannot roll must not stop the kiosk
            self.handleError(record)
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging API
        """A full or read-only disk: one line on stderr, once (not logging's traceback per record)."""
        if not getattr(self, "_complained", False):
            self._complained = True
            import sys

            exc = sys.exc_info()[1]
            print(f"kiosk: cannot write {self.baseFilename} ({exc}); logging to the console only",
                  file=sys.stderr)

    def rollover(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        for i in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()


def setup_logging(level: int = logging.INFO, rotate_later: bool = False) -> Path | None:
    """Log to <log dir>/kiosk.log (JSON lines, rotating at 1 MB from the first line, 5
    kept, mode 0600 in a 0700 folder) and to stderr (one line per record).

    `rotate_later` is accepted for callers of the former two-phase set-up and changes
    nothing: the file is bounded from the start.
    Returns the log file, or None when the directory cannot be written (then only
    stderr: a read-only or full disk must not stop the kiosk).
    """
    root = logging.getLogger()
    root.setLevel(level)
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False):
            root.removeHandler(h)
            h.close()
    console = logging.StreamHandler()
    console.setFormatter(OneLineFormatter())
    console._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(console)
    path = log_dir() / "kiosk.log"
    try:
        private_dir(path.parent)
        handler = RotatingFile(path)
        handler.stream = handler._open()  # fail here, not at the first record
    except OSError as exc:
        root.warning("cannot write logs to %s (%s); logging to stderr only", path, exc)
        return None
    handler.setFormatter(JsonFormatter())
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path


def start_rotation() -> None:
    """Kept for callers of the former two-phase set-up: the log rotates from the start."""


def log_file_only(logger: logging.Logger, message: str, *args, **kwargs) -> None:
    """A record (with its traceback) for the log file, not the console."""
    import sys

    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    exc_info = kwargs.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    record = logger.makeRecord(logger.name, logging.ERROR, "(kiosk)", 0, message, args,
                               exc_info, extra=kwargs.get("extra"))
    for h in handlers:
        if record.levelno >= h.level:
            h.handle(record)
