"""The staff state database: open it, bring its schema up to date with Alembic, and
the tables the staff code queries (SQLAlchemy Core, mirroring the migrations).

    store = open_state()              # <data dir>/state.sqlite, upgraded to head
    store.get("pin_hash"); store.put("pin_hash", "...")

Every write is one SQLite transaction: it happens whole or not at all. A full disk
or a read-only file raises StateError (callers log it and keep going).

The file is 0600 and its folder 0700 whatever the umask (the PIN hash is in it). A
database at an Alembic revision this application does not know (written by a newer
release, then the application was rolled back) is opened read-only, never upgraded
or written: `store.read_only` is True and `store.newer_revision` names the revision.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, Text, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError

from kiosk import paths

log = logging.getLogger("kiosk.staff")

MIGRATIONS = Path(__file__).resolve().parent.parent / "db" / "migrations"
HEAD = "0003"
BUSY_TIMEOUT_MS = 5000  # a database locked longer than this counts as unreadable

metadata = MetaData()
settings = Table("settings", metadata, Column("key", String, primary_key=True), Column("value", Text))
catalogue_edits = Table(
    "catalogue_edits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String), Column("who", String), Column("source", String),
    Column("region", String), Column("service_id", String), Column("field", String),
    Column("old_value", Text), Column("old_was_base", Boolean), Column("new_value", Text), Column("summary", Text),
    Column("reverts", Integer), Column("reverted_by", Integer),
    # 0003: per-item edits (op replace|remove|add|field, fingerprint of the document item, the new item)
    Column("op", String), Column("base_fp", String), Column("item_value", Text),
)
usage_counts = Table(
    "usage_counts", metadata,
    Column("day", String, primary_key=True), Column("hour", Integer, primary_key=True),
    Column("region", String, primary_key=True), Column("service_id", String, primary_key=True),
    Column("metric", String, primary_key=True), Column("count", Integer),
)
checklist_times = Table(
    "checklist_times", metadata,
    Column("day", String, primary_key=True), Column("hour", Integer, primary_key=True),
    Column("region", String, primary_key=True), Column("service_id", String, primary_key=True),
    Column("seconds", Integer, primary_key=True), Column("count", Integer),
)


class StateError(Exception):
    """The state database could not be opened, upgraded or written."""


def state_db_path() -> Path:
    return paths.data_dir() / "state.sqlite"


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine, revision: str = "head") -> None:
    """Bring the database to `revision` (Alembic, in one transaction)."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def current_revision(engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def make_engine(path: Path, read_only: bool = False):
    from urllib.parse import quote

    url = f"sqlite:///file:{quote(str(path), safe='/')}?mode=ro&uri=true" if read_only else f"sqlite:///{path}"
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    return engine


FILE_MODE, DIR_MODE = 0o600, 0o700
SIDE_FILES = ("-journal", "-wal", "-shm")


def _restrict(path: Path, mode: int) -> None:
    """chmod a path we own (a folder owned by someone else, e.g. /tmp, is left alone)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_uid == os.geteuid() and st.st_mode & 0o7777 != mode:
        os.chmod(path, mode)


def secure_state_files(path: Path, create: bool = True) -> None:
    """The state folder 0700 and the database (and its journals) 0600, whatever the umask:
    the database is created 0600 before SQLite opens it (SQLite gives its journal files
    the database's mode)."""
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _restrict(path.parent, DIR_MODE)
    if create and not path.exists():
        fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        os.close(fd)
    for p in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        _restrict(p, FILE_MODE)


def known_revision(revision: str | None) -> bool:
    """A revision of this application's migrations (None: a new, empty database)."""
    if revision is None:
        return True
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises CommandError / ResolutionError kinds for unknown ids
        return False


class StateStore:
    """The open state database."""

    def __init__(self, path: Path | None = None, upgrade_schema: bool = True):
        self.path = Path(path) if path else state_db_path()
        self.read_only = False
        self.newer_revision: str | None = None
        try:
            secure_state_files(self.path)
            self.engine = make_engine(self.path)
            revision = current_revision(self.engine)
            if not known_revision(revision):
                self.engine.dispose()
                self.engine = make_engine(self.path, read_only=True)
                self.read_only, self.newer_revision = True, revision
                log.warning("%s is at revision %s, newer than this application (%s): staff state used "
                            "read-only; nothing is saved until the application is updated", self.path,
                            revision, HEAD)
            elif upgrade_schema:
                upgrade(self.engine)
            secure_state_files(self.path, create=False)
        except (SQLAlchemyError, OSError) as exc:
            raise StateError(f"{self.path}: cannot open the staff state ({exc})") from exc

    @property
    def warning(self) -> str | None:
        """For staff (Chinese), when the state cannot be saved."""
        if self.read_only:
            return (f"本机工作人员数据（版本 {self.newer_revision}）比当前程序新，可能是程序已回退："
                    "现在只能查看，修改、密码错误次数和统计都不会保存。请联系运维人员更新程序。")
        return None

    def close(self) -> None:
        self.engine.dispose()

    def lookup(self, key: str) -> str | None:
        """A setting, None if it is not set; raises StateError if it cannot be read
        (locked, damaged): 'missing' and 'unreadable' are different answers."""
        try:
            with self.engine.connect() as conn:
                return conn.scalar(select(settings.c.value).where(settings.c.key == key))
        except SQLAlchemyError as exc:
            raise StateError(f"{self.path}: cannot read {key} ({exc})") from exc

    # -- settings (key/value) --------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        try:
            with self.engine.connect() as conn:
                value = conn.scalar(select(settings.c.value).where(settings.c.key == key))
        except SQLAlchemyError as exc:
            log.error("reading setting %s failed: %s", key, exc)
            return default
        return default if value is None else value

    def put(self, key: str, value: str | None) -> None:
        self.put_many({key: value})

    def put_many(self, values: dict[str, str | None]) -> None:
        """Set (or, with None, delete) several settings in one transaction."""
        try:
            with self.engine.begin() as conn:
                for key, value in values.items():
                    conn.execute(settings.delete().where(settings.c.key == key))
                    if value is not None:
                        conn.execute(settings.insert().values(key=key, value=value))
        except (SQLAlchemyError, OSError) as exc:
            raise StateError(f"{self.path}: cannot save ({exc})") from exc


def open_state(path: Path | None = None) -> StateStore:
    return StateStore(path)
