"""Build the SQLite catalogue from `seed/`, atomically.

The new database is written to a temporary file beside the target, checked (it opens,
has every region and service of the sources), then moved over the target with
os.replace. The database it replaces is kept as `<name>.previous.sqlite`. Any
failure leaves the current database exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from kiosk.catalogue.model import Catalogue
from kiosk.catalogue.schema import Problem
from kiosk.catalogue.sources import load_seed
from kiosk.db import models as m


class BuildError(Exception):
    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def seed_digest(seed_dir: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(seed_dir.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".txt"):
            h.update(str(path.relative_to(seed_dir)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def write_catalogue(cat: Catalogue, db_path: Path, meta: dict[str, str]) -> None:
    engine = create_engine(f"sqlite:///{db_path}")
    m.Base.metadata.create_all(engine)
    with Session(engine) as s:
        for k, v in meta.items():
            s.add(m.Meta(key=k, value=v))
        for d in cat.documents:
            s.add(m.DocumentRow(file=d.file, title=d.title, issuer=d.issuer, region=d.region, date=d.date,
                                date_note=d.date_note, rank=d.rank))
        for i, t in enumerate(cat.topics):
            s.add(m.TopicRow(id=t.id, label=t.label, position=i))
        for i, r in enumerate(cat.regions):
            s.add(m.RegionRow(id=r.id, name=r.name, note=r.note, position=i,
                              hotline_number=r.hotline.number if r.hotline else None,
                              hotline_label=r.hotline.label if r.hotline else None,
                              hotline_ref=r.hotline.ref if r.hotline else None))
        for i, h in enumerate(cat.halls):
            s.add(m.HallRow(region_id=h.region, key=h.id, name=h.name, address=h.address, phone=h.phone,
                            directions=h.directions, note=h.note, ref=h.ref, position=i))
            for d in h.differences:
                s.add(_difference_row(h.region, "hall", d))
        for i, svc in enumerate(cat.services):
            row = m.ServiceRow(
                region_id=svc.region, key=svc.id, name=svc.name, category=svc.category, audience=svc.audience,
                topics=svc.topics, ref=svc.ref, sources=svc.sources, position=i,
                time_limit_text=svc.time_limit.text if svc.time_limit else None,
                time_limit_days=svc.time_limit.days if svc.time_limit else None,
                time_limit_ref=svc.time_limit.ref if svc.time_limit else None,
                policy_topics=svc.policy_topics,
            )
            row.questions = [m.QuestionRow(key=q.id, text=q.text, position=j,
                                           options=[{"id": o.id, "label": o.label} for o in q.options])
                             for j, q in enumerate(svc.questions)]
            row.materials = [m.MaterialRow(
                position=j, text=x.text, name=x.name, original=x.original, requirement=x.requirement,
                source=x.source, form_title=x.form.title if x.form else None,
                form_where=x.form.where if x.form else None, form_url=x.form.url if x.form else None,
                note=x.note, condition=x.condition, ref=x.ref, deferrable_deadline=x.deferrable_deadline,
                deferrable_days=x.deferrable_days, deferrable_ref=x.deferrable_ref)
                for j, x in enumerate(svc.materials)]
            row.channels = [m.ChannelRow(
                position=j, type=c.type, text=c.text, place=c.place, window=c.window, name=c.name, url=c.url,
                app=c.app, path=c.path, email=c.email, note=c.note, blank=c.blank, condition=c.condition,
                ref=c.ref) for j, c in enumerate(svc.channels)]
            items = []
            for kind, lst in (("intro", svc.intro), ("tip", svc.tips), ("note", svc.notes),
                              ("refusal", svc.refusals), ("step", svc.steps), ("legal_basis", svc.legal_basis),
                              ("older_note", svc.older_notes)):
                items += [m.TextItemRow(kind=kind, position=j, text=t.text, ref=t.ref, condition=t.condition,
                                        label=t.label) for j, t in enumerate(lst)]
            row.text_items = items
            row.phones = [m.PhoneRow(position=j, number=p.number, label=p.label, ref=p.ref)
                          for j, p in enumerate(svc.phones)]
            row.deferrable_items = [m.DeferrableItemRow(
                position=j, text=d.text, source=d.source, deadline=d.deadline, deadline_days=d.deadline_days,
                method=d.method, ref=d.ref) for j, d in enumerate(svc.deferrable_items)]
            s.add(row)
            for d in svc.differences:
                s.add(_difference_row(svc.region, "service", d))
        for region_id, doc in snapshots(cat).items():
            s.add(m.SnapshotRow(region=region_id, data=json.dumps(doc, ensure_ascii=False)))
        for i, t in enumerate(cat.policy_topics):
            s.add(m.PolicyTopicRow(
                region_id=t.region, key=t.id, title=t.title, ref=t.ref, position=i,
                basis_text=t.basis.text if t.basis else None, basis_ref=t.basis.ref if t.basis else None,
                paragraphs=[{"text": p.text, "ref": p.ref} for p in t.paragraphs],
                facts=[asdict(f) for f in t.facts],
                tables=[{"title": tb.title, "columns": tb.columns, "rows": tb.rows, "ref": tb.ref,
                         "notes": [{"text": n.text, "ref": n.ref} for n in tb.notes]} for tb in t.tables],
                services=t.services))
        s.commit()
    engine.dispose()


def snapshots(cat: Catalogue) -> dict[str, dict]:
    """The JSON documents the run-time service layer reads (see models.SnapshotRow)."""
    out: dict[str, dict] = {"*": {
        "regions": [asdict(r) for r in cat.regions],
        "topics": [asdict(t) for t in cat.topics],
        "documents": [asdict(d) for d in cat.documents],
    }}
    for r in cat.regions:
        out[r.id] = {
            "services": [asdict(s) for s in cat.services if s.region == r.id],
            "halls": [asdict(h) for h in cat.halls if h.region == r.id],
            "policy_topics": [asdict(t) for t in cat.policy_topics if t.region == r.id],
            # each difference names its region: service ids repeat across regions
            "differences": [asdict(d) for d in cat.differences if d.region == r.id],
        }
    return out


def _difference_row(region: str, kind: str, d) -> m.DifferenceRow:
    return m.DifferenceRow(region_id=region, kind=kind, subject=d.subject, field=d.field, older=d.older,
                           older_ref=d.older_ref, newer=d.newer, newer_ref=d.newer_ref, note=d.note)


def verify_database(db_path: Path, cat: Catalogue) -> None:
    """Re-open a freshly written database and compare it with what was meant."""
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with Session(engine) as s:
            n_services = s.scalar(select(func.count()).select_from(m.ServiceRow))
            n_regions = s.scalar(select(func.count()).select_from(m.RegionRow))
            integrity = s.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
    finally:
        engine.dispose()
    if integrity != "ok":
        raise BuildError(f"{db_path}: integrity check failed: {integrity}")
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    try:
        svc = CatalogueService(db_path)
        n_snap = sum(len(svc.services(r.id)) for r in svc.regions())
        svc.close()
    except CatalogueUnavailable as exc:
        raise BuildError(f"{db_path}: written catalogue does not read back: {exc}") from exc
    if n_snap != len(cat.services):
        raise BuildError(f"{db_path}: snapshots hold {n_snap} services, expected {len(cat.services)}")
    if n_services != len(cat.services) or n_regions != len(cat.regions):
        raise BuildError(f"{db_path}: wrote {n_services} services / {n_regions} regions, "
                         f"expected {len(cat.services)} / {len(cat.regions)}")


def build_catalogue(seed_dir: Path, db_path: Path, check_documents: bool = True) -> Catalogue:
    """Validate the sources and build the database atomically. Raises BuildError."""
    cat, problems = load_seed(seed_dir, check_documents=check_documents)
    if problems:
        raise BuildError(f"{len(problems)} problem(s) in {seed_dir}; the database was not changed", problems)
    if not cat.services:
        raise BuildError(f"no services found in {seed_dir}; the database was not changed")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in db_path.parent.glob(".catalogue-*.sqlite.tmp"):  # left by a killed build
        stale.unlink(missing_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".catalogue-", suffix=".sqlite.tmp", dir=db_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        meta = {
            "schema_version": str(m.SCHEMA_VERSION),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seed_sha256": seed_digest(seed_dir),
            "counts": json.dumps({r.id: sum(1 for s in cat.services if s.region == r.id) for r in cat.regions}),
        }
        write_catalogue(cat, tmp, meta)
        verify_database(tmp, cat)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        if db_path.exists():
            previous = db_path.with_name(db_path.stem + ".previous.sqlite")
            shutil.copy2(db_path, previous)
        os.replace(tmp, db_path)
        dir_fd = os.open(db_path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return cat
