"""Ticket serial numbers: a per-day counter kept in the data directory.

`next_serial()` returns '20261125-0007' for the seventh checklist of that day. The
counter file is replaced atomically (kiosk.config.atomic_write_text), under a lock
file so that two processes never hand out the same number; a damaged or unreadable
counter starts the day again at 1 rather than stopping a print.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from datetime import date, datetime
from pathlib import Path

from kiosk import paths
from kiosk.config import atomic_write_text
from kiosk.fsutil import private_dir

log = logging.getLogger("kiosk.printing")

COUNTER_FILE = "print-serial.json"


def next_serial(now: datetime | date | None = None, directory: Path | None = None) -> str:
    day = (now or datetime.now())
    day = day.date() if isinstance(day, datetime) else day
    directory = Path(directory) if directory else paths.data_dir()
    path = directory / COUNTER_FILE
    try:
        private_dir(directory)
        with open(os.open(directory / f".{COUNTER_FILE}.lock", os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            last = 0
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("date") == day.isoformat():
                    last = int(data.get("last", 0))
            except FileNotFoundError:
                pass
            except (OSError, ValueError, TypeError, AttributeError) as exc:
                log.warning("serial counter %s unreadable (%s); starting the day at 1", path, exc)
            number = last + 1
            atomic_write_text(path, json.dumps({"date": day.isoformat(), "last": number}) + "\n")
    except OSError as exc:
        # A read-only or full data directory must not stop the print: a time-based number.
        log.warning("serial counter %s not writable (%s); using a time-based number", path, exc)
        t = now if isinstance(now, datetime) else datetime.now()
        return f"{day:%Y%m%d}-T{t:%H%M%S}"
    return f"{day:%Y%m%d}-{number:04d}"
