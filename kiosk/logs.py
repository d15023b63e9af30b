"""Structured, rotating logs in the platform's log directory.

One JSON object per line (time, level, logger, message, and any `extra` context),
rotated at 1 MB, 5 files kept. Nothing about a citizen is ever logged: screens log
which screen and which service failed, never answers.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from kiosk.paths import user_dir

CONTEXT_KEYS = ("screen", "service", "region", "event", "detail")


def log_dir() -> Path:
    return user_dir("KIOSK_LOG_DIR", "log")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
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


def setup_logging(level: int = logging.INFO, rotate_later: bool = False) -> Path | None:
    """Log to <log dir>/kiosk.log (JSON lines, rotating) and to stderr.

    `rotate_later`: open the file with a plain FileHandler (appending) and let
    `start_rotation()` put the rotating handler in its place once the kiosk is up:
    logging.handlers imports socket, pickle, queue … (~9 ms of start-up).
    Returns the log file, or None when the directory cannot be written (then only
    stderr: a read-only or full disk must not stop the kiosk).
    """
    root = logging.getLogger()
    root.setLevel(level)
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False):
            root.removeHandler(h)
    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(console)
    path = log_dir() / "kiosk.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8") if rotate_later else _rotating_handler(path)
    except OSError as exc:
        root.warning("cannot write logs to %s (%s); logging to stderr only", path, exc)
        return None
    handler.setFormatter(JsonFormatter())
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path


def start_rotation() -> None:
    """Replace the start-up FileHandler of `setup_logging(rotate_later=True)` with the
    rotating handler on the same file (which rolls over at its next record if the file
    is already over 1 MB)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False) and type(h) is logging.FileHandler:
            try:
                rotating = _rotating_handler(Path(h.baseFilename))
            except OSError as exc:
                root.warning("cannot rotate %s (%s); it keeps growing", h.baseFilename, exc)
                return
            rotating.setFormatter(h.formatter)
            rotating._kiosk = True  # type: ignore[attr-defined]
            with h.lock:  # a record being written finishes first; later ones find the new handler
                root.handlers[root.handlers.index(h)] = rotating  # one step: no record written twice or lost
            h.close()


def _rotating_handler(path: Path) -> logging.Handler:
    import logging.handlers

    return logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
