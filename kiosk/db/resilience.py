"""Opening the catalogue so that a kiosk always comes up.

Order of trust: the live database; if it is corrupt or truncated, the last good copy
(`catalogue.previous.sqlite`), which is put back in place (the broken file is kept as
`catalogue.corrupt-<time>.sqlite` for inspection); then a fresh build from the seed
sources that ship with the application. Each fallback leaves a warning for staff.
Only when all fail does the caller show 系统维护中.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.db.service import CatalogueService, CatalogueUnavailable

log = logging.getLogger("kiosk.db")


@dataclass
class OpenResult:
    catalogue: CatalogueService | None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def open_catalogue(db: Path, seed_dir: Path) -> OpenResult:
    warnings: list[str] = []
    if db.exists():
        try:
            return OpenResult(CatalogueService(db))
        except CatalogueUnavailable as exc:
            log.error("catalogue unreadable: %s", exc, extra={"event": "catalogue-corrupt"})
            warnings.append(f"目录数据库损坏：{exc}")
            broken = db.with_name(f"catalogue.corrupt-{time.strftime('%Y%m%d-%H%M%S')}.sqlite")
            try:
                shutil.move(db, broken)
            except OSError as move_exc:
                log.error("cannot move aside %s: %s", db, move_exc)
    prev = db.with_name(db.stem + ".previous.sqlite")  # kiosk.db.bundle.previous_path
    if prev.exists():
        try:
            CatalogueService(prev).close()
            shutil.copy2(prev, db)
            warnings.append("已改用上一个正常的目录数据库（catalogue.previous.sqlite）")
            log.warning("fell back to the previous catalogue", extra={"event": "catalogue-fallback"})
            return OpenResult(CatalogueService(db), warnings)
        except (CatalogueUnavailable, OSError) as exc:
            warnings.append(f"上一个目录数据库也不可用：{exc}")
    from kiosk.db.build import BuildError, build_catalogue  # the ORM: only when rebuilding

    try:
        build_catalogue(seed_dir, db)
        if warnings:
            warnings.append("已从随程序提供的目录源文件重新生成目录数据库")
        return OpenResult(CatalogueService(db), warnings)
    except (BuildError, CatalogueUnavailable, OSError) as exc:
        log.error("catalogue cannot be built: %s", exc, extra={"event": "catalogue-unavailable"})
        return OpenResult(None, warnings, str(exc))


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
