"""SQLAlchemy 2 models of the built catalogue: the one representation the kiosk reads.

The build writes two tables: `meta` (schema version, build time, seed digest, counts)
and `snapshots`, one JSON document per region (and one, region "*", for the regions,
topics and documents). The run-time service layer (kiosk.db.service) reads exactly
these with the standard library's sqlite3 and json, so that start-up does not pay for
the ORM. There is no second, relational copy to drift from them (issue 15: the old
relational tables were written and never read).
"""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kiosk.db.service import SCHEMA_VERSION  # the one version: written here, checked there

__all__ = ["Base", "Meta", "SnapshotRow", "SCHEMA_VERSION"]


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SnapshotRow(Base):
    """One JSON document per region (and one for the whole catalogue, region "*"):
    services, halls, policy topics and differences of the region, as
    kiosk.db.build.snapshots() writes them and kiosk.catalogue.model reads them back."""
    __tablename__ = "snapshots"
    region: Mapped[str] = mapped_column(String, primary_key=True)
    data: Mapped[str] = mapped_column(Text)
