"""The staff state database: open it, bring its schema up to date with Alembic, and
the tables the staff code queries (SQLAlchemy Core, mirroring the migrations).

    store = open_state()              # <data dir>/state.sqlite, upgraded to head
    store.get("pin_hash"); store.put("pin_hash", "...")

Every write is one SQLite transaction: it happens whole or not at all. A full disk
or a read-only file raises StateError (callers log it and keep going).
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, Text, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError

from kiosk import paths

log = logging.getLogger("kiosk.staff")

MIGRATIONS = Path(__file__).resolve().parent.parent / "db" / "migrations"
HEAD = "0003"

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


def make_engine(path: Path):
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    return engine


class StateStore:
    """The open state database."""

    def __init__(self, path: Path | None = None, upgrade_schema: bool = True):
        self.path = Path(path) if path else state_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = make_engine(self.path)
            if upgrade_schema:
                upgrade(self.engine)
        except (SQLAlchemyError, OSError) as exc:
            raise StateError(f"{self.path}: cannot open the staff state ({exc})") from exc

    def close(self) -> None:
        self.engine.dispose()

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
