"""Structured, rotating logs in the platform's log directory.

One JSON object per line (time, level, logger, message, and any `extra` context),
rotated at 1 MB, 5 files kept. Nothing about a citizen is ever logged: screens log
which screen and which service failed, never answers.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

from kiosk.paths import APP_NAME

CONTEXT_KEYS = ("screen", "service", "region", "event", "detail")


def log_dir() -> Path:
    return Path(os.environ.get("KIOSK_LOG_DIR") or platformdirs.user_log_dir(APP_NAME))


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


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to <log dir>/kiosk.log (JSON lines, rotating) and to stderr.

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
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        root.warning("cannot write logs to %s (%s); logging to stderr only", path, exc)
        return None
    handler.setFormatter(JsonFormatter())
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path
