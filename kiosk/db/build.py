"""Build the SQLite catalogue from `seed/`, atomically.

The new database is written to a temporary file beside the target, checked (it opens,
has every region and service of the sources), then moved over the target with
os.replace. The database it replaces is kept as `<name>.previous.sqlite` if it still
reads back whole (kiosk.db.resilience.keep_as_previous: copy + fsync + rename, so a
damaged live catalogue never overwrites a good previous copy). Any failure leaves the
current database exactly as it was; one build or install runs at a time (a lock in
the data folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError
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
    """Write the catalogue's one representation: meta and the per-region snapshots."""
    engine = create_engine(f"sqlite:///{db_path}")
    m.Base.metadata.create_all(engine)
    with Session(engine) as s:
        for k, v in meta.items():
            s.add(m.Meta(key=k, value=v))
        digests = {}
        for region_id, doc in snapshots(cat).items():
            data = json.dumps(doc, ensure_ascii=False)
            digests[region_id] = hashlib.sha256(data.encode("utf-8")).hexdigest()
            s.add(m.SnapshotRow(region=region_id, data=data))
        # checked when the kiosk opens the catalogue (kiosk.db.service): a flipped byte
        # inside a snapshot's text is found, not shown to a citizen
        s.add(m.Meta(key="snapshot_sha256", value=json.dumps(digests, sort_keys=True)))
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


def snapshot_artefacts(cat: Catalogue) -> dict[str, str]:
    """`<region>.json` (`all-regions.json` for the shared part) -> the snapshot the kiosk
    reads, pretty-printed with sorted keys: the reviewed regression artefact of
    tests/artefacts/catalogue, where any change to what the seed loads shows up as a diff."""
    return {f"{'all-regions' if region == '*' else region}.json":
            json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            for region, doc in snapshots(cat).items()}


def verify_database(db_path: Path, cat: Catalogue) -> None:
    """Re-open a freshly written database the way the kiosk does and compare it with what
    was meant: its schema version, and every region's snapshot parses and holds that
    region's services, halls and differences."""
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BuildError(f"{db_path}: written catalogue does not open: {exc}") from exc
    if integrity != "ok":
        raise BuildError(f"{db_path}: integrity check failed: {integrity}")
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    try:
        svc = CatalogueService(db_path)
        try:
            got_regions = [r.id for r in svc.regions()]
            want_regions = [r.id for r in cat.regions]
            if got_regions != want_regions:
                raise BuildError(f"{db_path}: regions {got_regions}, expected {want_regions}")
            for r in cat.regions:
                want = [s.id for s in cat.services if s.region == r.id]
                got = [s.id for s in svc.services(r.id)]  # every record parses back
                if not got or got != want:
                    raise BuildError(f"{db_path}: region {r.id} holds {len(got)} services, expected {len(want)}")
                if len(svc.halls(r.id)) != sum(1 for h in cat.halls if h.region == r.id):
                    raise BuildError(f"{db_path}: region {r.id}: halls do not read back")
                if len(svc.differences(r.id)) != sum(1 for d in cat.differences if d.region == r.id):
                    raise BuildError(f"{db_path}: region {r.id}: differences do not read back")
                svc.policy_topics(r.id)
        finally:
            svc.close()
    except CatalogueUnavailable as exc:
        raise BuildError(f"{db_path}: written catalogue does not read back: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise BuildError(f"{db_path}: written catalogue does not parse back: {exc!r}") from exc


def build_catalogue(seed_dir: Path, db_path: Path, check_documents: bool = True) -> Catalogue:
    """Validate the sources and build the database atomically. Raises BuildError."""
    cat, problems = load_seed(seed_dir, check_documents=check_documents)
    if problems:
        raise BuildError(f"{len(problems)} problem(s) in {seed_dir}; the database was not changed", problems)
    if not cat.services:
        raise BuildError(f"no services found in {seed_dir}; the database was not changed")
    from kiosk.db.resilience import keep_as_previous
    from kiosk.fsutil import data_lock, fsync_dir, private_dir, remove_leftovers

    private_dir(db_path.parent)
    with data_lock(db_path.parent, what="a catalogue build or install"):
        remove_leftovers(db_path.parent)  # left by killed builds and installs
        fd, tmp_name = tempfile.mkstemp(prefix=".catalogue-", suffix=".sqlite.tmp", dir=db_path.parent)
        os.close(fd)  # an empty file is a new SQLite database, and it is already mode 0600
        tmp = Path(tmp_name)
        try:
            meta = {
                "schema_version": str(m.SCHEMA_VERSION),
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seed_sha256": seed_digest(seed_dir),
                "counts": json.dumps({r.id: sum(1 for s in cat.services if s.region == r.id) for r in cat.regions}),
            }
            try:
                write_catalogue(cat, tmp, meta)
                verify_database(tmp, cat)
            except SQLAlchemyError as exc:  # "database or disk is full", a read-only folder …
                raise BuildError(f"{db_path.parent}: cannot write the catalogue "
                                 f"({getattr(exc, 'orig', None) or exc}); the database was not changed") from exc
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            keep_as_previous(db_path)  # verified, copied, fsynced, renamed
            os.replace(tmp, db_path)
            fsync_dir(db_path.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return cat
