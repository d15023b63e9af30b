"""SQLAlchemy 2 models of the fleet service (PostgreSQL for a city, SQLite for a trial).

Schema changes go through kiosk/fleet/migrations (Alembic), never create_all at run time.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = {"operator": "运维人员", "editor": "目录编辑", "reviewer": "审核人"}


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float | None] = mapped_column(Float, nullable=True)  # epoch seconds


class WebSession(Base):
    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    expires: Mapped[float] = mapped_column(Float)


class LoginAudit(Base):
    __tablename__ = "login_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float)
    name: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # ok, bad-password, locked, unknown, logout
    address: Mapped[str] = mapped_column(String(64))


class EnrolCode(Base):
    __tablename__ = "enrol_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    hall: Mapped[str] = mapped_column(String(128))
    region: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    expires: Mapped[float] = mapped_column(Float)
    used_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Terminal(Base):
    """One terminal and its latest heartbeat (the fleet table reads only this)."""
    __tablename__ = "terminals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    hall: Mapped[str] = mapped_column(String(128), index=True)
    region: Mapped[str] = mapped_column(String(32))
    enrolled_at: Mapped[float] = mapped_column(Float)
    last_seen: Mapped[float | None] = mapped_column(Float, nullable=True)
    app_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    catalogue_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    catalogue_age_days: Mapped[float | None] = mapped_column(Float, nullable=True)
    printer_state: Mapped[str | None] = mapped_column(String(16), nullable=True)  # ok paper_low paper_out offline
    printer_fault: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    errors_last_hour: Mapped[int] = mapped_column(Integer, default=0)
    uptime_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    orientation: Mapped[str | None] = mapped_column(String(16), nullable=True)
    hall_config: Mapped[str | None] = mapped_column(String(128), nullable=True)  # "shenyang/heping v3" applied


class Heartbeat(Base):
    """Every heartbeat, for the ingestion history (kept short by retention, not read by the dashboard)."""
    __tablename__ = "heartbeats"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id", ondelete="CASCADE"))
    at: Mapped[float] = mapped_column(Float)
    printer_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    __table_args__ = (Index("ix_heartbeats_terminal_at", "terminal_id", "at"),)


class ReceivedReport(Base):
    """Idempotency keys: a report re-sent after a lost answer is acknowledged, not applied twice."""
    __tablename__ = "received_reports"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[float] = mapped_column(Float)


class UsageCount(Base):
    """Hourly counters of one terminal (absolute values for that hour: a re-sent hour replaces)."""
    __tablename__ = "usage_counts"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, the terminal's local day
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    hall: Mapped[str] = mapped_column(String(128))
    region: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_usage_counts_day", "day"),)


class UsageTime(Base):
    """Histogram of whole seconds to checklist: buckets add up across terminals, medians don't."""
    __tablename__ = "usage_times"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(128))
    region: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_usage_times_day", "day"),)


class HallCount(Base):
    """UsageCount summed over a hall's terminals, kept in step at ingestion (by the change
    of each terminal's hourly count): the dashboard reads this, 1/terminals-per-hall the rows."""
    __tablename__ = "usage_hall_counts"
    hall: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_usage_hall_counts_day", "day"),)


class HallTime(Base):
    """UsageTime summed over a hall's terminals (histogram buckets add up)."""
    __tablename__ = "usage_hall_times"
    hall: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_usage_hall_times_day", "day"),)


class Change(Base):
    """A proposed catalogue change: one field of one service, with its reason and document."""
    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    service_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str] = mapped_column(Text)  # JSON
    new_value: Mapped[str] = mapped_column(Text)  # JSON
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(String(255))  # a document file of the catalogue
    excerpt: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[float] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(64), default="console")  # or terminal:<id>
    origin_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="proposed")  # approved rejected published
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    published_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    __table_args__ = (UniqueConstraint("origin", "origin_key", name="uq_changes_origin_key"),)


class Audit(Base):
    """Every change to the catalogue or the fleet: who, when, what, old, new, document."""
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float)
    who: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str] = mapped_column(String(255), default="")


class Published(Base):
    """The catalogue versions this service signed."""
    __tablename__ = "published"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[float] = mapped_column(Float)
    changes: Mapped[str] = mapped_column(Text)  # JSON list of change ids
    current: Mapped[bool] = mapped_column(Boolean, default=True)


class HallConfig(Base):
    """Every saved version of a hall's configuration (kiosk.hallconfig): the newest of a
    hall is what is signed at halls/<region>/<hall>.json; older rows are its history."""
    __tablename__ = "hall_configs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    hall: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    config: Mapped[str] = mapped_column(Text)  # JSON: the published keys
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (UniqueConstraint("region", "hall", "version", name="uq_hall_configs_version"),)
