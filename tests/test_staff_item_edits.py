"""Staff edits are stored per item, with a fingerprint of the document value they
replaced: a rebuild that corrects another item shows the correction, and one that
corrects the edited item itself flags the edit for review instead of masking it."""

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime

import pytest

from kiosk.db.build import build_catalogue
from kiosk.db.service import CatalogueService
from kiosk.staff.edits import EditStore
from kiosk.staff.state import StateStore
from tests.conftest import SEED
from tests.test_catalogue_check import replace_in

FS = "fushun/services-003.yaml"
FORM_ORIGINAL = '''        name: 基本医疗保险单位参保信息登记表
        original: null
'''
THIRD_ORIGINAL = '''        name: 单位批准成立、合并、分户、注销、缴费状态变更等证明材料
        original: null
'''


@pytest.fixture
def world(tmp_path):
    """A seed copy, its catalogue and a state database in one data directory."""
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    data = tmp_path / "data"
    data.mkdir()
    db = data / "catalogue.sqlite"
    build_catalogue(seed, db)
    store = StateStore(data / "state.sqlite")
    edits = EditStore(store, clock=lambda: datetime(2026, 12, 1, 9, 0))
    cat = CatalogueService(db, overlay=edits)
    # a clerk renames the first material (the form) of Fushun's 单位参保登记
    e = edits.set_item(cat.service("fushun", "unit-registration"), "materials", 0,
                       {"name": "单位参保信息登记表（窗口领取）"}, who="李")
    cat.close()
    yield seed, data, db, store, e
    store.close()


def reopen(data, db, store):
    edits = EditStore(StateStore(store.path))
    return CatalogueService(db, overlay=edits), edits


def test_edit_is_stored_against_one_item_with_its_documents_fingerprint(world):
    *_, e = world
    assert e.op == "replace" and len(e.base_fp) == 16
    assert e.item_value["name"] == "单位参保信息登记表（窗口领取）"


def test_correction_of_another_item_is_shown_not_masked(world):
    seed, data, db, store, _ = world
    replace_in(seed / FS, THIRD_ORIGINAL, THIRD_ORIGINAL.replace("original: null", "original: 原件"))
    build_catalogue(seed, db)  # the document's correction arrives with a rebuild
    cat, edits = reopen(data, db, store)
    m = cat.service("fushun", "unit-registration").materials
    assert m[0].display_name == "单位参保信息登记表（窗口领取）"  # the clerk's edit still applies
    assert m[2].original == "原件"  # and the rebuilt catalogue's correction shows
    assert edits.stale("fushun") == []
    cat.close()


def test_correction_of_the_edited_item_flags_the_edit(world):
    seed, data, db, store, e = world
    replace_in(seed / FS, FORM_ORIGINAL, FORM_ORIGINAL.replace("original: null", "original: 原件"))
    build_catalogue(seed, db)
    cat, edits = reopen(data, db, store)
    m = cat.service("fushun", "unit-registration").materials
    assert m[0].display_name == "基本医疗保险单位参保信息登记表" and m[0].original == "原件"  # the document's
    [(flagged, why)] = edits.stale("fushun")
    assert flagged.id == e.id and "已更正" in why
    diffs = edits.stale_as_differences(cat, "fushun")
    assert [d.kind for d in diffs] == ["staff-edit"] and diffs[0].subject == "unit-registration"
    cat.close()
    # `kiosk differences` names it for review
    env = dict(os.environ, KIOSK_DATA_DIR=str(data))
    r = subprocess.run([sys.executable, "-m", "kiosk", "differences", "--region", "fushun"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert f"工作人员修改 #{e.id}（李 · 2026-12-01 09:00）" in r.stdout
    assert "此修改暂停使用，请复核" in r.stdout
    data_json = json.loads(subprocess.run([sys.executable, "-m", "kiosk", "differences", "--region", "fushun",
                                           "--json"], capture_output=True, text=True, env=env).stdout)
    assert [d["kind"] for d in data_json] == ["staff-edit"]


def test_without_a_rebuild_nothing_is_flagged(world):
    _, data, db, store, _ = world
    cat, edits = reopen(data, db, store)
    assert cat.service("fushun", "unit-registration").materials[0].display_name == "单位参保信息登记表（窗口领取）"
    assert edits.stale() == []
    cat.close()
