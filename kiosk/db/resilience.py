"""Opening the catalogue so that a kiosk always comes up, and never crash-loops.

Order of trust: the live database, opened and checked whole (every region's data
parsed, checksummed and made into services: CatalogueService.check); if it fails, the
last good copy (`catalogue.previous.sqlite`), checked the same way and put back in
place (the broken file is kept as `catalogue.corrupt-<time>.sqlite` for inspection, the
newest few only); then a fresh build from the seed sources that ship with the
application. Each fallback leaves a warning for staff. Only when all fail does the
caller show 系统维护中 with the hall's remembered phone.

A start that never reaches a painted screen (a crash, a hang killed by the watchdog)
is counted in `start-attempts.json`; after MAX_FAILED_STARTS of them within
FAILED_START_WINDOW seconds the kiosk shows 系统维护中 instead of trying again, so
systemd's restarts end.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.db.service import CatalogueService, CatalogueUnavailable

log = logging.getLogger("kiosk.db")

KEEP_CORRUPT = 3  # damaged catalogues kept for inspection (a disk must not fill with them)
MAX_FAILED_STARTS = 3
FAILED_START_WINDOW = 600.0  # seconds
START_FILE = "start-attempts.json"
LOCK_WAIT = 30.0  # seconds a start waits for a running build or install before repairing


@dataclass
class OpenResult:
    catalogue: CatalogueService | None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def previous_path(db: Path) -> Path:
    return db.with_name(db.stem + ".previous.sqlite")  # kiosk.db.bundle.previous_path


def verify_catalogue(db: Path, regions: tuple[str, ...] = ()) -> CatalogueService:
    """The catalogue at `db`, opened and checked whole; `regions`: ids it must hold.
    Raises CatalogueUnavailable."""
    cat = CatalogueService(db)
    try:
        cat.check()
        ids = {r.id for r in cat.regions()}
        missing = [r for r in regions if r not in ids]
        if missing:
            raise CatalogueUnavailable(f"{db}: no region {', '.join(missing)} (holds {', '.join(sorted(ids))})")
    except BaseException:
        cat.close()
        raise
    return cat


def is_usable(db: Path) -> str | None:
    """None if the catalogue at `db` opens and checks whole, else why not."""
    try:
        verify_catalogue(db).close()
    except CatalogueUnavailable as exc:
        return str(exc)
    return None


def keep_as_previous(db: Path) -> bool:
    """Before `db` is replaced: make it the previous copy, by copy + fsync + rename, but
    only if it checks whole: a silently damaged live catalogue must never overwrite a
    good previous copy. Needs the data lock. Returns whether it was kept."""
    from kiosk.fsutil import atomic_copy

    if not db.exists():
        return False
    why = is_usable(db)
    if why is not None:
        log.warning("the catalogue being replaced is damaged; the previous copy is kept: %s", why,
                    extra={"event": "catalogue-previous-kept"})
        return False
    atomic_copy(db, previous_path(db))
    return True


def _move_aside(db: Path) -> None:
    broken = db.with_name(f"catalogue.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.sqlite")
    try:
        os.replace(db, broken)
    except OSError as exc:
        log.error("cannot move aside %s: %s", db, exc)
        try:
            db.unlink()
        except OSError:
            pass
    for old in sorted(db.parent.glob("catalogue.corrupt-*.sqlite"), key=lambda p: p.stat().st_mtime)[:-KEEP_CORRUPT]:
        try:
            old.unlink()
        except OSError:
            pass


def open_catalogue(db: Path, seed_dir: Path) -> OpenResult:
    """The catalogue to show, checked whole, falling back as the module says. Never
    raises for a damaged file, a full disk or a running build."""
    from kiosk.fsutil import Busy, data_lock, remove_leftovers

    warnings: list[str] = []
    if db.parent.is_dir():
        remove_leftovers(db.parent)  # left by killed builds and installs
    if db.exists():
        try:
            return OpenResult(verify_catalogue(db))
        except CatalogueUnavailable as exc:
            log.error("catalogue unreadable: %s", exc, extra={"event": "catalogue-corrupt"})
            warnings.append(f"目录数据库损坏：{exc}")
    try:
        with data_lock(db.parent, wait=LOCK_WAIT):
            return _repair(db, seed_dir, warnings)
    except Busy as exc:
        log.error("catalogue cannot be repaired now: %s", exc, extra={"event": "catalogue-unavailable"})
        return OpenResult(None, warnings, str(exc))
    except OSError as exc:  # a full or read-only disk
        log.error("catalogue cannot be repaired: %s", exc, extra={"event": "catalogue-unavailable"})
        return OpenResult(None, warnings, f"{exc.filename or db}: {exc.strerror or exc}")


def _repair(db: Path, seed_dir: Path, warnings: list[str]) -> OpenResult:
    from kiosk.fsutil import atomic_copy

    if db.exists():  # (another process may have repaired it while this one waited for the lock)
        if is_usable(db) is None:
            return OpenResult(verify_catalogue(db), warnings)
        _move_aside(db)
    prev = previous_path(db)
    if prev.exists():
        why = is_usable(prev)
        if why is None:
            try:
                atomic_copy(prev, db)
                warnings.append("已改用上一个正常的目录数据库（catalogue.previous.sqlite）")
                log.warning("fell back to the previous catalogue", extra={"event": "catalogue-fallback"})
                return OpenResult(verify_catalogue(db), warnings)
            except (CatalogueUnavailable, OSError) as exc:
                why = str(exc)
                db.unlink(missing_ok=True)
        warnings.append(f"上一个目录数据库也不可用：{why}")
        log.error("previous catalogue unusable: %s", why, extra={"event": "catalogue-previous-corrupt"})
    from kiosk.db.build import BuildError, build_catalogue  # the ORM: only when rebuilding

    try:
        build_catalogue(seed_dir, db)
        if warnings:
            warnings.append("已从随程序提供的目录源文件重新生成目录数据库")
        log.warning("catalogue rebuilt from the shipped seed", extra={"event": "catalogue-rebuilt"})
        return OpenResult(verify_catalogue(db), warnings)
    except (BuildError, CatalogueUnavailable, OSError) as exc:
        log.error("catalogue cannot be built: %s", exc, extra={"event": "catalogue-unavailable"})
        return OpenResult(None, warnings, str(exc))


# -- no restarting for ever ---------------------------------------------------------------------
def _read_starts(path: Path) -> list[float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [float(t) for t in data["starts"]][-50:]
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return []


def note_start(data_dir: Path, now: float | None = None) -> int:
    """Count this start; returns how many starts within FAILED_START_WINDOW (this one
    included) never reached a painted screen. A disk that cannot be written counts 1."""
    from kiosk.fsutil import atomic_write_text

    now = time.time() if now is None else now
    path = data_dir / START_FILE
    starts = [t for t in _read_starts(path) if 0 <= now - t < FAILED_START_WINDOW] + [now]
    try:
        atomic_write_text(path, json.dumps({"starts": starts}), fsync=False)
    except OSError as exc:
        log.warning("cannot write %s: %s", path, exc)
    return len(starts)


def start_succeeded(data_dir: Path) -> None:
    """A screen was painted: this start did not fail."""
    try:
        (data_dir / START_FILE).unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("cannot clear %s: %s", data_dir / START_FILE, exc)


def contact_file(db: Path) -> Path:
    return db.with_name("contact.json")


def remember_contact(db: Path, hall_name: str | None, phone: str | None) -> None:
    """Keep the hall's phone where the 系统维护中 screen can find it without a catalogue."""
    from kiosk.config import atomic_write_text

    text = json.dumps({"hall": hall_name, "phone": phone}, ensure_ascii=False)
    try:
        if contact_file(db).read_text(encoding="utf-8") == text:
            return  # as remembered: no write (and fsync) at every start
    except (OSError, UnicodeDecodeError):
        pass
    try:
        atomic_write_text(contact_file(db), text)
    except OSError as exc:  # a full disk must not stop the kiosk
        log.warning("cannot write %s: %s", contact_file(db), exc)


def remembered_phone(db: Path) -> str | None:
    try:
        return json.loads(contact_file(db).read_text(encoding="utf-8")).get("phone")
    except (OSError, ValueError, AttributeError):
        return None
