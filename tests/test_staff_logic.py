"""Staff mode without Qt: PIN, edits and their audit trail, xlsx, usage figures,
the state database's migrations, and the `kiosk config` / `kiosk stats` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.session import SessionStats
from kiosk.staff.edits import PROVENANCE, EditError, EditStore
from kiosk.staff.pin import LOCK_SECONDS, PinGate, hash_pin, verify_pin
from kiosk.staff.state import StateStore, current_revision, make_engine, upgrade
from kiosk.staff.stats import UsageRecorder, figures_csv, median_of, read_figures


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def store(tmp_path):
    s = StateStore(tmp_path / "state.sqlite")
    yield s
    s.close()


@pytest.fixture
def edited(catalogue_db, store):
    """A catalogue service layer of its own, with an edit overlay on a private state."""
    from kiosk.db.service import CatalogueService

    edits = EditStore(store, clock=lambda: datetime(2026, 3, 1, 9, 30))
    cat = CatalogueService(catalogue_db, overlay=edits)
    yield cat, edits
    cat.close()


# -- PIN ---------------------------------------------------------------------------------------------
def test_pin_is_stored_as_a_salted_scrypt_hash(store):
    gate = PinGate(store)
    assert not gate.configured
    gate.set_pin("258046")
    stored = store.get("pin_hash")
    assert stored.startswith("scrypt$") and "258046" not in stored
    assert hash_pin("258046") != hash_pin("258046")  # salted
    assert verify_pin("258046", stored) and not verify_pin("258047", stored)
    for bad in ("111111", "12a456", "2580", "25804", "2580461357913"):  # same digits, letters, 4/5/13 digits
        with pytest.raises(ValueError):
            gate.set_pin(bad)


def test_five_wrong_tries_lock_for_five_minutes(store):
    clock = Clock()
    gate = PinGate(store, clock=clock)
    gate.set_pin("258046")
    for left in (4, 3, 2, 1):
        a = gate.check("000000")
        assert not a.ok and a.tries_left == left
    a = gate.check("000000")
    assert not a.ok and a.locked_for == LOCK_SECONDS
    assert not gate.check("258046").ok  # even the right PIN, while locked
    clock.t += LOCK_SECONDS - 1
    assert gate.locked_for() == 1 and not gate.check("258046").ok
    clock.t += 1
    assert gate.check("258046").ok
    # the lockout survives a restart: it is in the state database
    gate.set_pin("258046")
    for _ in range(5):
        gate.check("999999")
    assert PinGate(StateStore(store.path), clock=clock).locked_for() == LOCK_SECONDS


# -- edits ---------------------------------------------------------------------------------------------
def test_edit_carries_provenance_and_revert_restores_the_document(edited):
    cat, edits = edited
    before = cat.service("shenyang", "flexible-enrol")
    old_name, old_ref = before.materials[0].display_name, before.materials[0].ref
    e = edits.set_item(before, "materials", 0, {"name": "本人身份证原件", "original": "原件"}, who="王丽")
    svc = cat.service("shenyang", "flexible-enrol")
    m = svc.materials[0]
    assert m.display_name == "本人身份证原件" and m.original == "原件"
    assert m.ref == f"{PROVENANCE} · 王丽 · 2026-03-01 09:30"
    assert svc.materials[1].ref == before.materials[1].ref  # untouched items keep the document's ref
    assert svc.sources[-1].startswith(PROVENANCE)
    [row] = edits.history("shenyang", "flexible-enrol")
    assert row.who == "王丽" and row.old_value[0]["text"] == before.materials[0].text and row.old_was_base
    edits.revert(e.id, who="王丽")
    svc = cat.service("shenyang", "flexible-enrol")
    assert svc.materials[0].display_name == old_name and svc.materials[0].ref == old_ref
    assert not any(s.startswith(PROVENANCE) for s in svc.sources)
    assert [h.source for h in edits.history()] == ["revert", "staff edit"]


def test_only_the_newest_edit_of_a_field_reverts(edited):
    cat, edits = edited
    svc = cat.service("fushun", "unit-registration")
    first = edits.set_item(svc, "tips", 0, {"text": "第一次修改"}, who="a")
    second = edits.set_item(cat.service("fushun", "unit-registration"), "tips", 0, {"text": "第二次修改"}, who="b")
    with pytest.raises(EditError, match="请先撤销较新的修改"):
        edits.revert(first.id, who="a")
    edits.revert(second.id, who="b")
    assert cat.service("fushun", "unit-registration").tips[0].text == "第一次修改"
    edits.revert(first.id, who="a")
    assert cat.service("fushun", "unit-registration").tips[0].text == svc.tips[0].text


def test_edits_survive_a_catalogue_rebuild(tmp_path, store):
    from kiosk.db.build import build_catalogue
    from kiosk.db.service import CatalogueService

    db = tmp_path / "catalogue.sqlite"
    build_catalogue(Path(__file__).parent.parent / "seed", db)
    edits = EditStore(store)
    cat = CatalogueService(db, overlay=edits)
    edits.set_item(cat.service("kaiyuan", cat.services("kaiyuan")[0].id), "time_limit", None,
                   {"text": "3 个工作日", "days": "3"}, who="z")
    sid = cat.services("kaiyuan")[0].id
    cat.close()
    build_catalogue(Path(__file__).parent.parent / "seed", db)  # swapped atomically
    again = CatalogueService(db, overlay=EditStore(StateStore(store.path)))
    assert again.service("kaiyuan", sid).time_limit.text == "3 个工作日"
    again.close()


def test_invalid_edit_and_full_disk_change_nothing(edited, monkeypatch):
    from sqlalchemy.exc import OperationalError

    cat, edits = edited
    svc = cat.service("shenyang", "flexible-enrol")
    with pytest.raises(EditError, match="原件/复印件"):
        edits.set_item(svc, "materials", 0, {"original": "随便"}, who="a")

    def full(*_a, **_k):
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(edits.store.engine, "begin", full)
    with pytest.raises(EditError, match="保存失败"):
        edits.set_item(svc, "materials", 0, {"name": "x"}, who="a")
    assert cat.service("shenyang", "flexible-enrol").materials[0].display_name == svc.materials[0].display_name
    assert edits.history() == []


# -- xlsx ------------------------------------------------------------------------------------------------
def test_xlsx_round_trip(edited, tmp_path):
    from openpyxl import load_workbook

    from kiosk.staff.xlsx import apply_import, export_workbook, plan_import

    cat, edits = edited
    path = tmp_path / "catalogue.xlsx"
    assert export_workbook(cat, path) == sum(len(cat.services(r.id)) for r in cat.regions())
    plan = plan_import(path, cat)
    assert plan.ok and plan.changes == []  # unchanged workbook: nothing to do
    wb = load_workbook(path)
    ws = wb["材料"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "shenyang" and r[1].value == "flexible-enrol"
               and r[3].value == 2)
    row[4].value = "居住证（有效期内）"
    tl = next(r for r in wb["办理时限"].iter_rows(min_row=2) if r[0].value == "kaiyuan")
    tl[3].value, tl[4].value, kaiyuan_sid = "2个工作日", 2, tl[1].value
    wb.save(path)
    plan = plan_import(path, cat)
    assert plan.ok, plan.errors
    assert {(c.region, c.service.id, c.field) for c in plan.changes} == {
        ("shenyang", "flexible-enrol", "materials"), ("kaiyuan", kaiyuan_sid, "time_limit")}
    assert any("居住证（有效期内）" in c.summary for c in plan.changes)
    apply_import(plan, edits, who="office")
    svc = cat.service("shenyang", "flexible-enrol")
    assert svc.materials[1].display_name == "居住证（有效期内）"
    assert svc.materials[1].ref.startswith(PROVENANCE + " · office")
    assert svc.materials[0].ref.startswith("000_")
    assert cat.service("kaiyuan", kaiyuan_sid).time_limit.days == 2
    assert {e.source for e in edits.history()} == {"xlsx import"}
    # exported again, the edit is in the workbook
    export_workbook(cat, tmp_path / "again.xlsx")
    assert plan_import(tmp_path / "again.xlsx", cat).changes == []


def test_broken_xlsx_changes_nothing(edited, tmp_path):
    from openpyxl import load_workbook

    from kiosk.staff.xlsx import export_workbook, plan_import

    cat, edits = edited
    path = tmp_path / "catalogue.xlsx"
    export_workbook(cat, path)
    wb = load_workbook(path)
    ws = wb["材料"]
    ws["E2"] = "一个正确的修改"
    ws["F12"] = "复印两份"
    ws["D13"] = "第三"
    wb["办理渠道"]["B5"] = "no-such-service"
    wb.save(path)
    plan = plan_import(path, cat)
    assert not plan.ok and plan.changes == []
    assert any(e.startswith("材料!F12: ") and "原件/复印件" in e for e in plan.errors), plan.errors
    assert any(e.startswith("材料!D13: ") for e in plan.errors)
    assert any(e.startswith("办理渠道!B5: ") for e in plan.errors)
    with pytest.raises(ValueError):
        from kiosk.staff.xlsx import apply_import
        apply_import(plan, edits, "x")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 truncated")
    assert plan_import(junk, cat).errors == ["junk.xlsx: 不是有效的 xlsx 文件（BadZipFile）"]
    assert edits.history() == []


# -- usage figures ----------------------------------------------------------------------------------------
def test_usage_figures_are_aggregated(store):
    mono = Clock(500.0)
    rec = UsageRecorder(store, clock=lambda: datetime(2026, 3, 2, 10, 15), monotonic=mono)
    rec.session_finished(SessionStats(started=400.0, service_id="a", checklist_at=430.0), "home", "shenyang")
    rec.session_finished(SessionStats(started=450.0, service_id="a", checklist_at=460.0), "idle", "shenyang")
    rec.session_finished(SessionStats(started=480.0, service_id="b"), "idle", "shenyang")
    rec.session_finished(SessionStats(started=499.0), "home", "shenyang")
    rec.print_result("shenyang", "a", True)
    rec.print_result("shenyang", "a", False, "paper-out")
    f = read_figures(store)
    assert f.totals == {"session": 4, "checklist": 2, "abandoned": 1, "print": 1, "printer_fault": 1}
    assert f.by_service["a"]["checklist"] == 2 and f.by_service["b"]["abandoned"] == 1
    assert f.by_hour[10]["session"] == 4 and f.by_day["2026-03-02"]["session"] == 4
    assert f.median_seconds == 20  # (30 + 10) / 2
    with store.engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert tables == {"alembic_version", "settings", "catalogue_edits", "usage_counts", "checklist_times"}
    assert median_of({5: 1, 9: 2}) == 9 and median_of({}) is None
    assert figures_csv(store).splitlines()[1].startswith("2026-03-02,10,shenyang,,")


def test_a_full_disk_keeps_the_previous_figures(store, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    rec = UsageRecorder(store)
    rec.session_finished(SessionStats(started=time.monotonic(), service_id="a"), "idle", "fushun")

    def full(*_a, **_k):
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(store.engine, "begin", full)
    assert rec.session_finished(SessionStats(started=time.monotonic(), service_id="a"), "idle", "fushun") is False
    assert "previous figures kept" in caplog.text
    monkeypatch.undo()
    assert read_figures(store).totals["session"] == 1


# -- migrations ------------------------------------------------------------------------------------------------
def test_upgrade_from_the_first_schema(tmp_path, catalogue_db):
    """A state database of revision 0001 (PIN and an edit, no usage tables) upgrades in place."""
    from kiosk.db.service import CatalogueService

    path = tmp_path / "state.sqlite"
    engine = make_engine(path)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    svc = CatalogueService(catalogue_db).service("shenyang", "flexible-enrol")
    old = [{"text": t.text, "ref": t.ref, "condition": t.condition, "label": t.label} for t in svc.tips]
    new = [{"text": "旧版本写下的提示", "ref": "staff edit · 老张 · 2026-01-05 08:00", "condition": None, "label": None}]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings VALUES ('pin_hash', :h)"), {"h": hash_pin("258046")})
        conn.execute(text(
            "INSERT INTO catalogue_edits (at, who, source, region, service_id, field, old_value, old_was_base,"
            " new_value, summary) VALUES ('2026-01-05 08:00', '老张', 'staff edit', 'shenyang', 'flexible-enrol',"
            " 'tips', :old, 1, :new, '温馨提示 第 1 项')"), {"old": json.dumps(old), "new": json.dumps(new)})
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert "usage_counts" not in tables
    engine.dispose()

    store = StateStore(path)  # upgrades to head, as the kiosk does at start-up
    assert current_revision(store.engine) == "0003"
    assert PinGate(store).check("258046").ok
    edits = EditStore(store)
    cat = CatalogueService(catalogue_db, overlay=edits)
    assert cat.service("shenyang", "flexible-enrol").tips[0].text == "旧版本写下的提示"
    assert UsageRecorder(store).session_finished(SessionStats(service_id="flexible-enrol"), "idle", "shenyang")
    assert read_figures(store).totals["session"] == 1
    edits.revert(edits.history()[0].id, who="新来的")
    assert cat.service("shenyang", "flexible-enrol").tips[0].text == svc.tips[0].text


# -- CLI ------------------------------------------------------------------------------------------------------------
@pytest.fixture
def kiosk_env(catalogue_db, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    os.symlink(catalogue_db, data / "catalogue.sqlite")
    env = dict(os.environ, KIOSK_DATA_DIR=str(data), KIOSK_CONFIG_DIR=str(tmp_path / "config"))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env,
                              timeout=120)

    run.data, run.config = data, tmp_path / "config"
    return run


def test_cli_config_show_and_set(kiosk_env):
    r = kiosk_env("config", "show")
    assert r.returncode == 0 and "printer.kind = none" in r.stdout and "region = shenyang" in r.stdout
    r = kiosk_env("config", "set", "printer.kind", "escpos")
    assert r.returncode == 0 and r.stdout.strip() == "printer.kind = escpos"
    assert kiosk_env("config", "set", "printer.address", "tcp://127.0.0.1:9100").returncode == 0
    assert kiosk_env("config", "set", "hall", "tiexi").returncode == 0
    data = json.loads(kiosk_env("config", "show", "--json").stdout)
    assert data["printer"]["kind"] == "escpos" and data["hall"] == "tiexi"
    for args, expect in ((["idle_timeout", "5"], "20..3600"), (["printer.kind", "laser"], "none, cups, escpos"),
                         (["colour", "red"], "unknown setting 'colour'"), (["hall", "mars"], "valid: shizhongxin"),
                         (["region", "dalian"], "valid:")):
        r = kiosk_env("config", "set", *args)
        assert r.returncode == 2 and expect in r.stderr, (args, r.stderr)
    assert json.loads((kiosk_env.config / "config.json").read_text())["hall"] == "tiexi"  # unchanged
    r = kiosk_env("config", "set", "region", "fushun")
    assert r.returncode == 0 and json.loads((kiosk_env.config / "config.json").read_text())["hall"] == ""


def test_cli_stats_csv(kiosk_env):
    store = StateStore(kiosk_env.data / "state.sqlite")
    rec = UsageRecorder(store, clock=lambda: datetime(2026, 3, 2, 10, 15), monotonic=lambda: 100.0)
    rec.session_finished(SessionStats(started=40.0, service_id="flexible-enrol", checklist_at=70.0), "home",
                         "shenyang")
    rec.print_result("shenyang", "flexible-enrol", False, "offline")
    store.close()
    r = kiosk_env("stats", "--csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == ("day,hour,region,service_id,service_name,sessions,checklists,abandoned,prints,"
                        "printer_faults,median_seconds_to_checklist")
    assert lines[1:] == ["2026-03-02,10,shenyang,flexible-enrol,灵活就业人员参保登记-参保登记,1,1,0,0,1,30"]
    r = kiosk_env("stats")
    assert r.returncode == 0 and "median time to checklist: 30 s" in r.stdout


def test_cli_reads_show_the_staff_edits(kiosk_env, catalogue_db):
    from kiosk.db.service import CatalogueService

    before = kiosk_env("show", "--region", "fushun", "--service", "unit-registration")
    assert before.returncode == 0 and "staff edit" not in before.stdout
    store = StateStore(kiosk_env.data / "state.sqlite")
    edits = EditStore(store)
    cat = CatalogueService(catalogue_db, overlay=edits)
    edits.set_item(cat.service("fushun", "unit-registration"), "tips", None, {"text": "周三下午不办理此业务"}, who="li")
    cat.close()
    store.close()
    after = kiosk_env("show", "--region", "fushun", "--service", "unit-registration")
    assert after.returncode == 0 and "周三下午不办理此业务" in after.stdout
