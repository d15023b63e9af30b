"""Whether this terminal has ever been set up: a mark outside the state database.

A lost PIN record (state.sqlite deleted, emptied, its PIN row gone, or locked) must
never open the first-run screen to whoever stands at the kiosk. So the first run, the
installer (packaging/install.sh) and `kiosk staff reset-pin` leave a small file,
`<config dir>/provisioned` (0600, no secret in it). With the mark and no readable PIN,
staff mode shows the locked 需要重置 screen; only `kiosk staff reset-pin`, run as
root on the terminal, sets a new PIN.

    is_provisioned()                       # the mark exists (or cannot be checked)
    mark_provisioned("first run")          # written atomically, 0600
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("kiosk.staff")

MARK_NAME = "provisioned"


def mark_path(config_dir: Path | None = None) -> Path:
    if config_dir is None:
        from kiosk.config import config_dir as default_config_dir

        config_dir = default_config_dir()
    return Path(config_dir) / MARK_NAME


def is_provisioned(path: Path | None = None) -> bool:
    """True when the mark exists. A mark that cannot be checked (a permission error)
    counts as set: staff mode stays locked rather than open to anyone."""
    path = path or mark_path()
    try:
        path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.error("cannot check %s (%s): treating the terminal as set up", path, exc)
        return True
    return True


def mark_provisioned(how: str, path: Path | None = None) -> Path:
    """Write the mark (atomically, 0600, its folder created 0700). Raises OSError."""
    path = path or mark_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(f"set up by {how} at {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info("terminal marked as set up (%s): %s", how, path)
    return path
