"""One built copy: the database holds exactly what the kiosk reads, under one schema
version, and the build's verification checks that very representation."""

import json
import shutil
import sqlite3

import pytest

from kiosk.catalogue.sources import load_seed
from kiosk.db.build import BuildError, verify_database
from kiosk.db.service import CatalogueService, CatalogueUnavailable
from tests.conftest import SEED
from tests.signing import reseal


def tables(db) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def test_built_database_holds_only_what_the_kiosk_reads(catalogue_db):
    assert tables(catalogue_db) == {"meta", "snapshots"}
    con = sqlite3.connect(catalogue_db)
    regions = {r[0] for r in con.execute("SELECT region FROM snapshots")}
    con.close()
    assert regions == {"*", "shenyang", "fushun", "kaiyuan"}


def test_one_schema_version_written_and_checked(catalogue_db):
    from kiosk.db import models, service

    assert models.SCHEMA_VERSION is service.SCHEMA_VERSION
    con = sqlite3.connect(catalogue_db)
    written = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    con.close()
    assert written == "3"


def with_meta(src, dst, value):
    shutil.copy(src, dst)
    con = sqlite3.connect(dst)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
    con.commit()
    con.close()
    return dst


@pytest.mark.parametrize("version", ["2", "4"])
def test_database_of_another_schema_version_is_rejected(catalogue_db, tmp_path, version):
    db = with_meta(catalogue_db, tmp_path / "other.sqlite", version)
    with pytest.raises(CatalogueUnavailable, match=f"catalogue schema '{version}', this program reads 3"):
        CatalogueService(db)
    same = with_meta(catalogue_db, tmp_path / "same.sqlite", "3")
    CatalogueService(same).close()


def replace_snapshot(src, dst, region, change):
    shutil.copy(src, dst)
    con = sqlite3.connect(dst)
    data = con.execute("SELECT data FROM snapshots WHERE region = ?", (region,)).fetchone()[0]
    con.execute("UPDATE snapshots SET data = ? WHERE region = ?", (change(data), region))
    # with the checksums a build would store for this content: what is tested is
    # verify_database's own reading, not the checksum that catches tampering first
    reseal(con)
    con.commit()
    con.close()
    return dst


@pytest.fixture(scope="module")
def seed_catalogue():
    cat, problems = load_seed(SEED)
    assert not problems
    return cat


def test_verify_accepts_the_built_database(catalogue_db, seed_catalogue):
    verify_database(catalogue_db, seed_catalogue)


def test_verify_rejects_a_region_without_services(catalogue_db, tmp_path, seed_catalogue):
    def empty(data):
        d = json.loads(data)
        d["services"] = []
        return json.dumps(d, ensure_ascii=False)

    db = replace_snapshot(catalogue_db, tmp_path / "c.sqlite", "kaiyuan", empty)
    with pytest.raises(BuildError, match="region kaiyuan holds 0 services, expected 33"):
        verify_database(db, seed_catalogue)


def test_verify_rejects_a_snapshot_that_does_not_parse(catalogue_db, tmp_path, seed_catalogue):
    db = replace_snapshot(catalogue_db, tmp_path / "c.sqlite", "fushun", lambda data: data[:-40])
    with pytest.raises(BuildError, match="fushun"):
        verify_database(db, seed_catalogue)


def test_verify_rejects_a_record_that_does_not_read_back(catalogue_db, tmp_path, seed_catalogue):
    def bad_field(data):
        d = json.loads(data)
        d["services"][0]["materials"][0]["colour"] = "red"  # not a field of Material
        return json.dumps(d, ensure_ascii=False)

    db = replace_snapshot(catalogue_db, tmp_path / "c.sqlite", "shenyang", bad_field)
    with pytest.raises(BuildError, match="does not parse back"):
        verify_database(db, seed_catalogue)
