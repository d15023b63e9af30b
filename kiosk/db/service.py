"""The catalogue service layer: the only place that queries the database.

Screens, the CLI and printing ask this layer for plain data classes
(kiosk.catalogue.model) and never build SQL themselves.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from kiosk.catalogue.model import (
    Channel, DeferrableItem, Difference, Document, Form, Hall, Material, Option, Phone, PolicyFact,
    PolicyTable, PolicyTopic, Question, Region, Service, TextItem, TimeLimit, Topic,
)
from kiosk.db import models as m


class CatalogueUnavailable(Exception):
    """The database is missing, unreadable or not a catalogue."""


class UnknownRegion(LookupError):
    def __init__(self, region: str, valid: list[str]):
        super().__init__(f"unknown region {region!r}; valid: {', '.join(valid)}")
        self.region, self.valid = region, valid


class UnknownService(LookupError):
    def __init__(self, region: str, service: str, valid: list[str]):
        super().__init__(f"unknown service {service!r} in region {region!r}; valid: {', '.join(valid)}")
        self.region, self.service, self.valid = region, service, valid


class CatalogueService:
    def __init__(self, db_path: Path, overlay=None):
        self.db_path = Path(db_path)
        # Staff edits (kiosk.staff.edits.EditStore) live in their own database and are
        # applied to every service as it is read; the built catalogue is never written.
        self.overlay = None
        if not self.db_path.exists():
            raise CatalogueUnavailable(f"{self.db_path}: catalogue database not found "
                                       "(run 'kiosk catalogue build')")
        uri = f"file:{self.db_path}?mode=ro"
        self.engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True,
                                                                                  check_same_thread=False))
        self._cache: dict[tuple[str, str], Service] = {}
        try:
            with Session(self.engine) as s:
                self.meta = {row.key: row.value for row in s.scalars(select(m.Meta))}
                self._regions = [self._region(r) for r in s.scalars(select(m.RegionRow).order_by(m.RegionRow.position))]
        except (DatabaseError, OperationalError) as exc:
            self.engine.dispose()
            raise CatalogueUnavailable(f"{self.db_path}: not a readable catalogue database ({exc.orig})") from exc
        if str(self.meta.get("schema_version")) != str(m.SCHEMA_VERSION):
            self.engine.dispose()
            raise CatalogueUnavailable(f"{self.db_path}: catalogue schema {self.meta.get('schema_version')!r}, "
                                       f"this program reads {m.SCHEMA_VERSION} (rebuild it)")
        if overlay is not None:
            self.set_overlay(overlay)

    def set_overlay(self, overlay) -> None:
        """Apply `overlay.apply(service) -> service` to every service read from now on
        (None: the catalogue as built). An overlay with `subscribe(fn(region, service_id))`
        tells the layer which cached service to read again after a change."""
        self.overlay = overlay
        self._cache.clear()
        if overlay is not None and hasattr(overlay, "subscribe"):
            overlay.subscribe(lambda region, service_id: self._cache.pop((region, service_id), None))

    def close(self) -> None:
        self.engine.dispose()

    # -- regions, halls, topics ------------------------------------------------------
    @staticmethod
    def _region(r: m.RegionRow) -> Region:
        hotline = Phone(r.hotline_number, r.hotline_label, r.hotline_ref) if r.hotline_number else None
        return Region(r.id, r.name, hotline, r.note)

    def regions(self) -> list[Region]:
        return list(self._regions)

    def region(self, region_id: str) -> Region:
        for r in self._regions:
            if r.id == region_id:
                return r
        raise UnknownRegion(region_id, [r.id for r in self._regions])

    def topics(self) -> list[Topic]:
        with Session(self.engine) as s:
            return [Topic(t.id, t.label) for t in s.scalars(select(m.TopicRow).order_by(m.TopicRow.position))]

    def documents(self) -> list[Document]:
        with Session(self.engine) as s:
            return [Document(d.file, d.title, d.issuer, d.region, d.date, d.rank, d.date_note)
                    for d in s.scalars(select(m.DocumentRow).order_by(m.DocumentRow.file))]

    def halls(self, region_id: str) -> list[Hall]:
        self.region(region_id)
        with Session(self.engine) as s:
            rows = s.scalars(select(m.HallRow).where(m.HallRow.region_id == region_id).order_by(m.HallRow.position))
            diffs = self.differences(region_id, kind="hall")
            return [Hall(region_id, h.key, h.name, h.ref, h.address, h.phone, h.directions, h.note,
                         [d for d in diffs if d.subject == h.name]) for h in rows]

    # -- services --------------------------------------------------------------------
    def services(self, region_id: str) -> list[Service]:
        """All services of a region (full records, cached: the catalogue is read-only)."""
        self.region(region_id)
        with Session(self.engine) as s:
            keys = list(s.scalars(select(m.ServiceRow.key).where(m.ServiceRow.region_id == region_id)
                                  .order_by(m.ServiceRow.position)))
        missing = [k for k in keys if (region_id, k) not in self._cache]
        if missing:
            self._load(region_id, missing)
        return [self._cache[(region_id, k)] for k in keys]

    def service(self, region_id: str, service_id: str) -> Service:
        self.region(region_id)
        if (region_id, service_id) not in self._cache:
            self._load(region_id, [service_id])
        svc = self._cache.get((region_id, service_id))
        if svc is None:
            with Session(self.engine) as s:
                valid = list(s.scalars(select(m.ServiceRow.key).where(m.ServiceRow.region_id == region_id)
                                       .order_by(m.ServiceRow.position)))
            raise UnknownService(region_id, service_id, valid)
        return svc

    def _load(self, region_id: str, keys: list[str]) -> None:
        diffs = self.differences(region_id, kind="service")
        with Session(self.engine) as s:
            rows = s.scalars(select(m.ServiceRow).where(m.ServiceRow.region_id == region_id,
                                                        m.ServiceRow.key.in_(keys)))
            for r in rows:
                svc = _service_from_row(r)
                svc.differences = [d for d in diffs if d.subject == r.key]
                if self.overlay is not None:
                    svc = self.overlay.apply(svc)
                self._cache[(region_id, r.key)] = svc

    def differences(self, region_id: str, kind: str | None = None) -> list[Difference]:
        with Session(self.engine) as s:
            q = select(m.DifferenceRow).where(m.DifferenceRow.region_id == region_id)
            if kind:
                q = q.where(m.DifferenceRow.kind == kind)
            return [Difference(d.field, d.older, d.older_ref, d.newer, d.newer_ref, d.note, d.subject)
                    for d in s.scalars(q.order_by(m.DifferenceRow.pk))]

    # -- policy reference ------------------------------------------------------------
    def policy_topics(self, region_id: str, service_id: str | None = None) -> list[PolicyTopic]:
        self.region(region_id)
        with Session(self.engine) as s:
            rows = s.scalars(select(m.PolicyTopicRow).where(m.PolicyTopicRow.region_id == region_id)
                             .order_by(m.PolicyTopicRow.position))
            out = []
            for t in rows:
                if service_id and service_id not in (t.services or []):
                    continue
                out.append(PolicyTopic(
                    region_id, t.key, t.title, t.ref,
                    TextItem(t.basis_text, t.basis_ref) if t.basis_text else None,
                    [TextItem(p["text"], p["ref"]) for p in t.paragraphs],
                    [PolicyFact(**f) for f in t.facts],
                    [PolicyTable(tb["title"], tb["columns"], tb["rows"], tb["ref"],
                                 [TextItem(n["text"], n["ref"]) for n in tb.get("notes", [])]) for tb in t.tables],
                    list(t.services)))
            return out


def _service_from_row(r: m.ServiceRow) -> Service:
    svc = Service(region=r.region_id, id=r.key, name=r.name, category=r.category, audience=r.audience,
                  topics=list(r.topics), ref=r.ref, sources=list(r.sources),
                  policy_topics=list(r.policy_topics or []))
    svc.questions = [Question(q.key, q.text, [Option(o["id"], o["label"]) for o in q.options]) for q in r.questions]
    svc.materials = [Material(
        text=x.text, ref=x.ref, name=x.name, original=x.original, requirement=x.requirement, source=x.source,
        form=Form(x.form_title, x.form_where, x.form_url) if (x.form_title or x.form_where or x.form_url) else None, note=x.note,
        condition=x.condition, deferrable_deadline=x.deferrable_deadline, deferrable_days=x.deferrable_days,
        deferrable_ref=x.deferrable_ref) for x in r.materials]
    svc.channels = [Channel(type=c.type, text=c.text, ref=c.ref, place=c.place, window=c.window, name=c.name,
                            url=c.url, app=c.app, path=list(c.path or []), email=c.email, note=c.note,
                            blank=bool(c.blank), condition=c.condition) for c in r.channels]
    if r.time_limit_text:
        svc.time_limit = TimeLimit(r.time_limit_text, r.time_limit_days, r.time_limit_ref)
    kinds = {"intro": svc.intro, "tip": svc.tips, "note": svc.notes, "refusal": svc.refusals,
             "step": svc.steps, "legal_basis": svc.legal_basis, "older_note": svc.older_notes}
    for t in r.text_items:
        kinds[t.kind].append(TextItem(t.text, t.ref, t.condition, t.label))
    svc.phones = [Phone(p.number, p.label, p.ref) for p in r.phones]
    svc.deferrable_items = [DeferrableItem(d.text, d.ref, d.source, d.deadline, d.deadline_days, d.method)
                            for d in r.deferrable_items]
    return svc
