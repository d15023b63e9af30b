"""SQLAlchemy 2 models of the built catalogue."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SCHEMA_VERSION = 2  # 2: per-region JSON snapshots read by the service layer


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DocumentRow(Base):
    __tablename__ = "documents"
    file: Mapped[str] = mapped_column(String, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String)
    date: Mapped[str | None] = mapped_column(String)
    date_note: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer)


class TopicRow(Base):
    __tablename__ = "topics"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str] = mapped_column(String)
    position: Mapped[int] = mapped_column(Integer)


class RegionRow(Base):
    __tablename__ = "regions"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    hotline_number: Mapped[str | None] = mapped_column(String)
    hotline_label: Mapped[str | None] = mapped_column(String)
    hotline_ref: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class HallRow(Base):
    __tablename__ = "halls"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    key: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String)
    directions: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String)
    position: Mapped[int] = mapped_column(Integer)


class ServiceRow(Base):
    __tablename__ = "services"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    key: Mapped[str] = mapped_column(String, index=True)
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String)
    topics: Mapped[list] = mapped_column(JSON)
    ref: Mapped[str] = mapped_column(String)
    sources: Mapped[list] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    time_limit_text: Mapped[str | None] = mapped_column(Text)
    time_limit_days: Mapped[int | None] = mapped_column(Integer)
    time_limit_ref: Mapped[str | None] = mapped_column(String)
    policy_topics: Mapped[list] = mapped_column(JSON, default=list)

    questions: Mapped[list["QuestionRow"]] = relationship(order_by="QuestionRow.position", lazy="selectin")
    materials: Mapped[list["MaterialRow"]] = relationship(order_by="MaterialRow.position", lazy="selectin")
    channels: Mapped[list["ChannelRow"]] = relationship(order_by="ChannelRow.position", lazy="selectin")
    text_items: Mapped[list["TextItemRow"]] = relationship(order_by="TextItemRow.position", lazy="selectin")
    phones: Mapped[list["PhoneRow"]] = relationship(order_by="PhoneRow.position", lazy="selectin")
    deferrable_items: Mapped[list["DeferrableItemRow"]] = relationship(
        order_by="DeferrableItemRow.position", lazy="selectin")


class QuestionRow(Base):
    __tablename__ = "questions"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_pk: Mapped[int] = mapped_column(ForeignKey("services.pk"), index=True)
    key: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)  # [{id, label}]
    position: Mapped[int] = mapped_column(Integer)


class MaterialRow(Base):
    __tablename__ = "materials"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_pk: Mapped[int] = mapped_column(ForeignKey("services.pk"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    original: Mapped[str | None] = mapped_column(String)
    requirement: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    form_title: Mapped[str | None] = mapped_column(Text)
    form_where: Mapped[str | None] = mapped_column(Text)
    form_url: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    condition: Mapped[dict | None] = mapped_column(JSON)
    ref: Mapped[str] = mapped_column(String)
    deferrable_deadline: Mapped[str | None] = mapped_column(String)
    deferrable_days: Mapped[int | None] = mapped_column(Integer)
    deferrable_ref: Mapped[str | None] = mapped_column(String)


class ChannelRow(Base):
    __tablename__ = "channels"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_pk: Mapped[int] = mapped_column(ForeignKey("services.pk"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    window: Mapped[str | None] = mapped_column(String)
    name: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String)
    app: Mapped[str | None] = mapped_column(String)
    path: Mapped[list] = mapped_column(JSON)
    email: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    condition: Mapped[dict | None] = mapped_column(JSON)
    ref: Mapped[str] = mapped_column(String)


class TextItemRow(Base):
    """intro, tip, note, refusal, step, legal_basis, older_note paragraphs of a service."""
    __tablename__ = "text_items"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_pk: Mapped[int] = mapped_column(ForeignKey("services.pk"), index=True)
    kind: Mapped[str] = mapped_column(String)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String)
    condition: Mapped[dict | None] = mapped_column(JSON)
    label: Mapped[str | None] = mapped_column(Text)


class PhoneRow(Base):
    __tablename__ = "phones"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_pk: Mapped[int] = mapped_column(ForeignKey("services.pk"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String)
    label: Mapped[str | None] = mapped_column(String)
    ref: Mapped[str] = mapped_column(String)


class DeferrableItemRow(Base):
    __tablename__ = "deferrable_items"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_pk: Mapped[int] = mapped_column(ForeignKey("services.pk"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[str | None] = mapped_column(String)
    deadline_days: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String)


class DifferenceRow(Base):
    __tablename__ = "differences"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String)  # service | hall
    subject: Mapped[str] = mapped_column(Text)  # service id or hall name
    field: Mapped[str] = mapped_column(String)
    older: Mapped[str] = mapped_column(Text)
    older_ref: Mapped[str | None] = mapped_column(String)
    newer: Mapped[str | None] = mapped_column(Text)
    newer_ref: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)


class PolicyTopicRow(Base):
    __tablename__ = "policy_topics"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[str] = mapped_column(String, index=True)
    key: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String)
    position: Mapped[int] = mapped_column(Integer)
    basis_text: Mapped[str | None] = mapped_column(Text)
    basis_ref: Mapped[str | None] = mapped_column(String)
    paragraphs: Mapped[list] = mapped_column(JSON)  # [{text, ref}]
    facts: Mapped[list] = mapped_column(JSON)  # [{label, value, ref, note}]
    tables: Mapped[list] = mapped_column(JSON)  # [{title, columns, rows, ref, notes:[{text, ref}]}]
    services: Mapped[list] = mapped_column(JSON)  # service keys


class SnapshotRow(Base):
    """One JSON document per region (and one for the whole catalogue, region "*"):
    what the kiosk's service layer reads at run time, with the standard library's
    sqlite3 and json only, so that start-up does not pay for the ORM. The tables above
    hold the same data relationally, for SQL queries and inspection."""
    __tablename__ = "snapshots"
    region: Mapped[str] = mapped_column(String, primary_key=True)
    data: Mapped[str] = mapped_column(Text)
