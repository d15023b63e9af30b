"""Writing and verifying a catalogue database (kiosk/db/build.py) with a small hand-made
catalogue: what each region's snapshot holds and lacks, the checksums, and each way the
verification refuses a database that does not read back. No seed, no build: fast."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace

import pytest

from kiosk.catalogue.model import (
    Catalogue,
    Difference,
    Document,
    Hall,
    PolicyTopic,
    Region,
    Topic,
)
from kiosk.db.build import BuildError, build_catalogue, seed_digest, snapshots, verify_database, write_catalogue
from kiosk.db.service import CatalogueService
from tests.catalogue_support import svc


def small() -> Catalogue:
    return Catalogue(
        documents=[Document("a.txt", "甲市指南", "甲市医保局", "a", "2025-12", 1)],
        topics=[Topic("t", "参保")],
        regions=[Region("a", "甲市"), Region("b", "乙市")],
        halls=[Hall("a", "ha", "甲大厅", "§1"), Hall("b", "hb1", "乙大厅一", "§1"), Hall("b", "hb2", "乙大厅二", "§1")],
        services=[svc("a", "s1"), svc("b", "s1"), svc("b", "s2")],
        policy_topics=[PolicyTopic("b", "rates", "缴费", "§1")],
        differences=[Difference("phone", "1", None, "2", None, None, subject="s1", region="a", kind="service")],
    )


def test_each_region_holds_its_own_records_only():
    snap = snapshots(small())
    assert set(snap) == {"*", "a", "b"}
    assert [r["id"] for r in snap["*"]["regions"]] == ["a", "b"] and snap["*"]["topics"] == [
        {"id": "t", "label": "参保"}]
    assert [d["file"] for d in snap["*"]["documents"]] == ["a.txt"]
    assert [s["name"] for s in snap["a"]["services"]] == ["a-s1"]
    assert [s["name"] for s in snap["b"]["services"]] == ["b-s1", "b-s2"]
    assert [h["id"] for h in snap["a"]["halls"]] == ["ha"] and [h["id"] for h in snap["b"]["halls"]] == ["hb1", "hb2"]
    assert snap["a"]["policy_topics"] == [] and [t["id"] for t in snap["b"]["policy_topics"]] == ["rates"]
    assert [d["subject"] for d in snap["a"]["differences"]] == ["s1"] and snap["b"]["differences"] == []


def test_written_database_reads_back_with_its_checksums(tmp_path):
    db = tmp_path / "c.sqlite"
    write_catalogue(small(), db, {"schema_version": "3", "seed_sha256": "abc"})
    con = sqlite3.connect(db)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    rows = dict(con.execute("SELECT region, data FROM snapshots"))
    con.close()
    assert set(meta) == {"schema_version", "seed_sha256", "snapshot_sha256"} and meta["seed_sha256"] == "abc"
    assert set(rows) == {"*", "a", "b"}
    assert json.loads(meta["snapshot_sha256"]) == {k: hashlib.sha256(v.encode()).hexdigest() for k, v in rows.items()}
    assert "甲市" in rows["*"]  # Chinese as it is, not \u escapes
    assert list(json.loads(meta["snapshot_sha256"])) == ["*", "a", "b"]  # sorted keys
    verify_database(db, small())
    s = CatalogueService(db)
    try:
        assert [x.name for x in s.services("b")] == ["b-s1", "b-s2"] and len(s.halls("b")) == 2
    finally:
        s.close()


def written(tmp_path):
    db = tmp_path / "c.sqlite"
    write_catalogue(small(), db, {"schema_version": "3"})
    return db


def test_verify_refuses_what_does_not_read_back(tmp_path):
    db = written(tmp_path)
    cat = small()
    with pytest.raises(BuildError) as e:
        verify_database(db, replace(cat, regions=[*cat.regions, Region("c", "丙市")]))
    assert str(e.value) == f"{db}: regions ['a', 'b'], expected ['a', 'b', 'c']"
    with pytest.raises(BuildError) as e:
        verify_database(db, replace(cat, services=[*cat.services, svc("b", "s3")]))
    assert str(e.value) == f"{db}: region b holds 2 services, expected 3"
    with pytest.raises(BuildError) as e:
        verify_database(db, replace(cat, services=[svc("a", "s1"), svc("b", "s2"), svc("b", "s1")]))
    assert str(e.value) == f"{db}: region b holds 2 services, expected 2"  # the same ids, not in that order
    with pytest.raises(BuildError) as e:
        verify_database(db, replace(cat, halls=cat.halls[:2]))
    assert str(e.value) == f"{db}: region b: halls do not read back"
    with pytest.raises(BuildError) as e:
        verify_database(db, replace(cat, differences=[*cat.differences, replace(cat.differences[0], region="b")]))
    assert str(e.value) == f"{db}: region b: differences do not read back"


def test_verify_refuses_a_region_without_services(tmp_path):
    cat = replace(small(), services=[svc("a", "s1")])
    db = tmp_path / "c.sqlite"
    write_catalogue(cat, db, {"schema_version": "3"})
    with pytest.raises(BuildError) as e:
        verify_database(db, cat)
    assert str(e.value) == f"{db}: region b holds 0 services, expected 0"


def test_verify_refuses_a_database_that_does_not_open_or_read(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BuildError, match=r"junk.sqlite: written catalogue does not open: "):
        verify_database(junk, small())
    db = tmp_path / "old.sqlite"
    write_catalogue(small(), db, {"schema_version": "2"})
    with pytest.raises(BuildError, match=r"old.sqlite: written catalogue does not read back: .*schema '2'"):
        verify_database(db, small())


def test_verify_refuses_a_record_that_does_not_parse(tmp_path):
    db = written(tmp_path)
    con = sqlite3.connect(db)
    data = json.loads(con.execute("SELECT data FROM snapshots WHERE region = 'a'").fetchone()[0])
    data["services"][0]["colour"] = "red"
    text = json.dumps(data, ensure_ascii=False)
    sums = json.loads(con.execute("SELECT value FROM meta WHERE key = 'snapshot_sha256'").fetchone()[0])
    sums["a"] = hashlib.sha256(text.encode()).hexdigest()
    con.execute("UPDATE snapshots SET data = ? WHERE region = 'a'", (text,))
    con.execute("UPDATE meta SET value = ? WHERE key = 'snapshot_sha256'", (json.dumps(sums),))
    con.commit()
    con.close()
    with pytest.raises(BuildError, match=r"c.sqlite: written catalogue does not parse back: TypeError\("):
        verify_database(db, small())


def test_seed_digest_covers_the_yaml_and_text_files_and_their_names(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_bytes(b"x: 1\n")
    (tmp_path / "b.txt").write_bytes("文本".encode())
    (tmp_path / "sub" / "d.yaml").write_bytes(b"y: 2\n")
    (tmp_path / "notes.md").write_bytes(b"ignored")
    want = hashlib.sha256(b"a.yaml" + b"x: 1\n" + b"b.txt" + "文本".encode() + b"sub/d.yaml" + b"y: 2\n").hexdigest()
    assert seed_digest(tmp_path) == want
    (tmp_path / "notes.md").write_bytes(b"changed")
    assert seed_digest(tmp_path) == want
    (tmp_path / "b.txt").rename(tmp_path / "c.txt")
    assert seed_digest(tmp_path) != want


def test_a_seed_with_problems_changes_nothing(tmp_path):
    seed = tmp_path / "seed"
    seed.mkdir()
    db = tmp_path / "data" / "catalogue.sqlite"
    with pytest.raises(BuildError) as e:
        build_catalogue(seed, db)
    assert str(e.value) == f"2 problem(s) in {seed}; the database was not changed"
    assert [p.message for p in e.value.problems] == ["cannot read: No such file or directory"] * 2
    assert not db.exists()
    assert BuildError("x").problems == []


def test_snapshot_checksums_are_stored_with_sorted_keys(tmp_path):
    db = tmp_path / "c.sqlite"
    cat = small()
    write_catalogue(replace(cat, regions=cat.regions[::-1]), db, {"schema_version": "3"})
    con = sqlite3.connect(db)
    text = con.execute("SELECT value FROM meta WHERE key = 'snapshot_sha256'").fetchone()[0]
    con.close()
    assert list(json.loads(text)) == ["*", "a", "b"]  # regions written b, a


# -- build_catalogue: the whole seed (without comparing the documents: 1-2 s) -----------------

def test_a_build_writes_the_seed_atomically_and_keeps_the_previous_one(tmp_path):
    from datetime import datetime

    from tests.conftest import SEED

    db = tmp_path / "data" / "catalogue.sqlite"
    cat = build_catalogue(SEED, db, check_documents=False)
    con = sqlite3.connect(db)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    con.close()
    assert set(meta) == {"schema_version", "built_at", "seed_sha256", "counts", "snapshot_sha256"}
    assert meta["schema_version"] == "3" and meta["seed_sha256"] == seed_digest(SEED)
    built = datetime.fromisoformat(meta["built_at"])
    assert built.utcoffset().total_seconds() == 0 and built.microsecond == 0
    counts = json.loads(meta["counts"])
    assert sorted(counts) == ["fushun", "kaiyuan", "shenyang"] and counts["kaiyuan"] == 33
    s = CatalogueService(db)
    try:
        assert counts == {r: len(s.services(r)) for r in counts}
    finally:
        s.close()
    assert len(cat.services) == sum(counts.values())
    assert oct(db.stat().st_mode & 0o777) == oct(0o600)
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")] == []
    build_catalogue(SEED, db, check_documents=False)
    assert (db.parent / "catalogue.previous.sqlite").exists()  # the one replaced, kept whole


def fake_seed(monkeypatch, cat, problems=()):
    import kiosk.db.build

    asked = []

    def load_seed(seed_dir, check_documents=True):
        asked.append(check_documents)
        return cat, list(problems)

    monkeypatch.setattr(kiosk.db.build, "load_seed", load_seed)
    return asked


def test_the_documents_are_compared_unless_told_not_to(tmp_path, monkeypatch):
    asked = fake_seed(monkeypatch, small())
    build_catalogue(tmp_path / "seed", tmp_path / "data" / "c.sqlite")
    build_catalogue(tmp_path / "seed", tmp_path / "data" / "c.sqlite", check_documents=False)
    assert asked == [True, False]


def test_a_seed_without_services_changes_nothing(tmp_path, monkeypatch):
    fake_seed(monkeypatch, replace(small(), services=[]))
    db = tmp_path / "data" / "c.sqlite"
    with pytest.raises(BuildError) as e:
        build_catalogue(tmp_path / "seed", db)
    assert str(e.value) == f"no services found in {tmp_path / 'seed'}; the database was not changed"
    assert not db.exists()


def test_a_failed_write_or_verification_leaves_the_live_database_and_no_temporary_file(tmp_path, monkeypatch):
    from sqlalchemy.exc import SQLAlchemyError

    import kiosk.db.build

    fake_seed(monkeypatch, small())
    db = tmp_path / "data" / "c.sqlite"
    build_catalogue(tmp_path / "seed", db)
    before = db.read_bytes()

    def full(*args):
        raise SQLAlchemyError("database or disk is full")

    monkeypatch.setattr(kiosk.db.build, "write_catalogue", full)
    with pytest.raises(BuildError) as e:
        build_catalogue(tmp_path / "seed", db)
    assert str(e.value) == (f"{db.parent}: cannot write the catalogue (database or disk is full); "
                            "the database was not changed")
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")] == []

    def refused(*args):
        raise BuildError("does not read back")

    monkeypatch.setattr(kiosk.db.build, "write_catalogue", write_catalogue)
    monkeypatch.setattr(kiosk.db.build, "verify_database", refused)
    with pytest.raises(BuildError, match="^does not read back$"):
        build_catalogue(tmp_path / "seed", db)
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_the_temporary_file_sits_beside_the_database_under_a_known_name(tmp_path, monkeypatch):
    """remove_leftovers finds a killed build's file by its name, and os.replace needs
    the same file system: '.catalogue-*.sqlite.tmp' in the database's folder."""
    import kiosk.db.build

    fake_seed(monkeypatch, small())
    seen = []

    def verify(path, cat):
        seen.append(path)

    monkeypatch.setattr(kiosk.db.build, "verify_database", verify)
    db = tmp_path / "data" / "c.sqlite"
    build_catalogue(tmp_path / "seed", db)
    assert seen[0].parent == db.parent
    assert seen[0].name.startswith(".catalogue-") and seen[0].name.endswith(".sqlite.tmp")


def test_a_disk_error_names_sqlites_own_words(tmp_path, monkeypatch):
    import sqlite3 as sqlite

    from sqlalchemy.exc import OperationalError

    import kiosk.db.build

    fake_seed(monkeypatch, small())

    def full(*args):
        raise OperationalError("INSERT INTO meta", {}, sqlite.OperationalError("database or disk is full"))

    monkeypatch.setattr(kiosk.db.build, "write_catalogue", full)
    db = tmp_path / "data" / "c.sqlite"
    with pytest.raises(BuildError) as e:
        build_catalogue(tmp_path / "seed", db)
    assert str(e.value) == (f"{db.parent}: cannot write the catalogue (database or disk is full); "
                            "the database was not changed")


def test_a_failure_after_the_swap_is_reported_as_itself(tmp_path, monkeypatch):
    import kiosk.fsutil

    fake_seed(monkeypatch, small())

    def fsync_dir(folder):
        raise OSError("fsync failed")

    monkeypatch.setattr(kiosk.fsutil, "fsync_dir", fsync_dir)
    with pytest.raises(OSError, match="^fsync failed$"):  # not a FileNotFoundError of the moved file
        build_catalogue(tmp_path / "seed", tmp_path / "data" / "c.sqlite")


def test_a_second_build_at_once_is_told_what_is_running(tmp_path, monkeypatch):
    import subprocess
    import sys

    from kiosk.fsutil import Busy

    fake_seed(monkeypatch, small())
    folder = tmp_path / "data"
    folder.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)", str(folder / ".kiosk.lock")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(Busy) as e:
            build_catalogue(tmp_path / "seed", folder / "c.sqlite")
        assert str(e.value) == (f"{folder}: a catalogue build or install is already running (lock .kiosk.lock); "
                                "try again when it has finished")
    finally:
        holder.kill()
        holder.wait()
