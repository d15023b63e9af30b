"""A hall's configuration, signed by the fleet service and merged into a terminal's
config.json (kiosk.hallconfig, kiosk.db.update.update_hall_config): only the published
keys change; a forged, unsigned, older or hostile configuration changes nothing."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kiosk import hallconfig
from kiosk.db import tufrepo
from kiosk.db.update import UpdateError, read_hall_status, update_hall_config
from tests.signing import make_repo

TARGET = "halls/shenyang/heping.json"
LOCAL = {"region": "shenyang", "hall": "heping", "update_url": "https://repo.example.cn/kiosk",
         "tap_settle_ms": 200, "idle_timeout": 90, "theme": "normal",
         "printer": {"kind": "cups", "queue": "hall-front", "address": "", "paper": "a4", "encoding": "gb18030",
                     "timeout": 8.0, "qr": "native"}}
PUBLISHED = {"idle_timeout": 120, "idle_countdown": 20, "orientation": "portrait", "text_size": "large",
             "theme": "contrast",
             "printer": {"kind": "escpos", "queue": "", "address": "tcp://10.0.0.7:9100", "paper": "80mm",
                         "encoding": "gb18030", "timeout": 10, "qr": "image"},
             "opening_hours": {"mon": ["08:30-11:30", "13:00-17:00"], "sat": ["09:00-12:00"]},
             "closed_dates": ["2027-01-01"], "night_blank": "22:00-06:00"}


@pytest.fixture
def terminal(tmp_path, monkeypatch):
    repo = make_repo(tmp_path, monkeypatch)
    config = tmp_path / "config" / "config.json"
    config.parent.mkdir()
    config.write_text(json.dumps(LOCAL, ensure_ascii=False, indent=2))
    db = tmp_path / "data" / "catalogue.sqlite"
    return repo, config, db


def sign(repo, doc: bytes | dict, version: int = 1) -> Path:
    """Sign `doc` (a document, or raw bytes a careless or compromised publisher made) as the hall's target."""
    data = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    tufrepo.add_file(repo.dir, repo.keys, TARGET, data, {"kind": "hall-config", "version": version})
    digest = tufrepo._load(repo.dir, "targets").signed.targets[TARGET].hashes["sha256"]
    return repo.dir / "targets" / "halls" / "shenyang" / f"{digest}.heping.json"


def doc(config: dict, version: int = 1, hall: str = "heping") -> dict:
    return {"kind": hallconfig.DOC_KIND, "region": "shenyang", "hall": hall, "version": version,
            "published_at": "2026-12-07T14:00:00+00:00", "config": config}


def test_published_keys_replace_and_local_keys_stay(terminal):
    repo, config, db = terminal
    sign(repo, hallconfig.make_document("shenyang", "heping", 1, PUBLISHED, "2026-12-07T14:00:00+00:00"))
    outcome, version, keys = update_hall_config(str(repo.dir), db, config)
    assert (outcome, version) == ("applied", 1)
    assert sorted(keys) == sorted(PUBLISHED)
    got = json.loads(config.read_text())
    # the published values, normalised as kiosk.config reads them (printer timeout a float)
    assert got["idle_timeout"] == 120 and got["idle_countdown"] == 20 and got["orientation"] == "portrait"
    assert got["text_size"] == "large" and got["theme"] == "contrast"
    assert got["printer"] == {"kind": "escpos", "queue": "", "address": "tcp://10.0.0.7:9100", "paper": "80mm",
                              "encoding": "gb18030", "timeout": 10.0, "qr": "image"}
    # days not given stay unlisted: a day not listed is closed once any day has hours
    assert got["opening_hours"] == {"mon": ["08:30-11:30", "13:00-17:00"], "sat": ["09:00-12:00"]}
    assert got["closed_dates"] == ["2027-01-01"] and got["night_blank"] == "22:00-06:00"
    # the terminal's own keys, as they were
    assert {k: got[k] for k in ("region", "hall", "update_url", "tap_settle_ms")} == {
        "region": "shenyang", "hall": "heping", "update_url": "https://repo.example.cn/kiosk", "tap_settle_ms": 200}
    st = read_hall_status(db)
    assert (st["region"], st["hall"], st["version"], st["ok"]) == ("shenyang", "heping", 1, True)
    # the same version again: nothing to do
    assert update_hall_config(str(repo.dir), db, config)[:2] == ("current", 1)


def test_a_hall_without_a_configuration_is_left_alone(terminal):
    repo, config, db = terminal
    # a document made for shenhe, signed under heping's name: refused as another hall's
    sign(repo, hallconfig.make_document("shenyang", "shenhe", 1, PUBLISHED, "2026-12-07T14:00:00+00:00"))
    before = config.read_bytes()
    with pytest.raises(UpdateError, match="not this terminal's shenyang/heping"):
        update_hall_config(str(repo.dir), db, config)
    assert config.read_bytes() == before
    config.write_text(json.dumps({**LOCAL, "hall": "dadong"}))
    assert update_hall_config(str(repo.dir), db, config) == ("none", None, [])


def test_a_forged_configuration_is_refused_and_config_kept(terminal, caplog):
    repo, config, db = terminal
    path = sign(repo, hallconfig.make_document("shenyang", "heping", 1, PUBLISHED, "2026-12-07T14:00:00+00:00"))
    # someone with access to the web server edits the signed file: same length, other content
    path.write_bytes(path.read_bytes().replace(b'"idle_timeout": 120', b'"idle_timeout": 999'))
    before = config.read_bytes()
    with caplog.at_level(logging.WARNING, logger="kiosk.update"), \
            pytest.raises(UpdateError, match="does not match its signed length/hash"):
        update_hall_config(str(repo.dir), db, config)
    assert config.read_bytes() == before
    assert any("hall configuration shenyang/heping refused" in r.getMessage() and "config.json unchanged"
               in r.getMessage() for r in caplog.records)
    assert read_hall_status(db)["ok"] is False and "version" not in read_hall_status(db)


def test_an_unsigned_configuration_is_refused(terminal, caplog):
    repo, config, db = terminal
    sign(repo, hallconfig.make_document("shenyang", "heping", 1, {"idle_timeout": 120},
                                        "2026-12-07T14:00:00+00:00"))
    # a target slipped into the metadata without the targets key: its signature no longer holds
    md = repo.dir / "metadata"
    targets = json.loads((md / "targets.json").read_text())
    forged = json.dumps(doc({"idle_timeout": 3600})).encode()
    import hashlib

    targets["signed"]["targets"][TARGET] = {"length": len(forged),
                                            "hashes": {"sha256": hashlib.sha256(forged).hexdigest()}}
    version = targets["signed"]["version"]
    for name in ("targets.json", f"{version}.targets.json"):
        (md / name).write_text(json.dumps(targets))
    (repo.dir / "targets" / "halls" / "shenyang" / f"{hashlib.sha256(forged).hexdigest()}.heping.json") \
        .write_bytes(forged)
    before = config.read_bytes()
    with caplog.at_level(logging.WARNING, logger="kiosk.update"), \
            pytest.raises(UpdateError, match="signature check failed"):
        update_hall_config(str(repo.dir), db, config)
    assert config.read_bytes() == before
    assert json.loads(config.read_text())["idle_timeout"] == 90
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_an_older_version_never_replaces_a_newer_one(terminal, caplog):
    repo, config, db = terminal
    sign(repo, doc({"idle_timeout": 300}, version=5), version=5)
    assert update_hall_config(str(repo.dir), db, config)[:2] == ("applied", 5)
    sign(repo, doc({"idle_timeout": 60}, version=4), version=4)  # an old version signed again
    with caplog.at_level(logging.WARNING, logger="kiosk.update"):
        assert update_hall_config(str(repo.dir), db, config)[:2] == ("current", 5)
    assert json.loads(config.read_text())["idle_timeout"] == 300
    assert any("older than the applied 5" in r.getMessage() for r in caplog.records)
    sign(repo, doc({"idle_timeout": 45}, version=6), version=6)
    assert update_hall_config(str(repo.dir), db, config)[:2] == ("applied", 6)
    assert json.loads(config.read_text())["idle_timeout"] == 45


@pytest.mark.parametrize("config_value, message", [
    ({"idle_timeout": "abc"}, "idle_timeout: expected a number of seconds 20..3600"),
    ({"idle_timeout": 10**30}, "idle_timeout: expected a number of seconds 20..3600"),
    ({"idle_countdown": True}, "idle_countdown: expected a number of seconds 5..120"),
    ({"theme": ["contrast"]}, "theme: expected one of normal, contrast"),
    ({"printer": "escpos"}, "printer: expected an object"),
    ({"printer": {**PUBLISHED["printer"], "timeout": 1e308}}, "printer.timeout: expected seconds 1..60"),
    ({"printer": {"kind": "cups"}}, "printer: missing queue, address"),
    ({"update_url": "https://evil.example/"}, "'update_url' cannot be published per hall"),
    ({"region": "fushun"}, "'region' cannot be published per hall"),
    ({"opening_hours": {"mon": ["08:30-11:30"] * 7}}, "opening_hours: mon: 7 spans; at most 6 a day"),
    ({"opening_hours": {"mon": ["17:00-08:00"]}}, "'17:00-08:00': the end is not after the start"),
    ({"opening_hours": {"mon": ["08:00-12:00", "11:00-13:00"]}}, "08:00-12:00 and 11:00-13:00 overlap"),
    ({"opening_hours": {"mon": ["25:00-26:00"]}}, "'25:00' is not a time of day"),
    ({"opening_hours": {"funday": []}}, "unknown day(s) 'funday'"),
    ({"opening_hours": ["08:00-12:00"]}, "opening_hours: expected an object"),
    ({"closed_dates": ["2027-02-30"]}, "closed_dates: '2027-02-30' is not a date in the calendar"),
    ({"closed_dates": "2027-01-01"}, "closed_dates: expected a list of dates"),
    ({"night_blank": 2200}, "night_blank: expected text 'HH:MM-HH:MM', got 2200"),
    ("idle_timeout=120", "config: expected an object"),
])
def test_hostile_values_are_refused_with_a_clear_message(terminal, config_value, message):
    repo, config, db = terminal
    sign(repo, doc(config_value))
    before = config.read_bytes()
    with pytest.raises(UpdateError) as exc:
        update_hall_config(str(repo.dir), db, config)
    assert message in str(exc.value)
    assert "Traceback" not in str(exc.value) and len(str(exc.value)) < 400
    assert config.read_bytes() == before
    assert read_hall_status(db)["ok"] is False


def test_ten_thousand_spans_are_refused_before_download_and_by_the_rules(terminal):
    repo, config, db = terminal
    spans = [f"{h % 24:02d}:00-{h % 24:02d}:30" for h in range(10_000)]
    sign(repo, doc({"opening_hours": {"mon": spans}}))
    before = config.read_bytes()
    with pytest.raises(UpdateError, match=r"bytes signed, more than the limit 65536"):
        update_hall_config(str(repo.dir), db, config)
    assert config.read_bytes() == before
    with pytest.raises(hallconfig.HallConfigError, match="10000 spans; at most 6 a day"):
        hallconfig.check_config({"opening_hours": {"mon": spans}})


@pytest.mark.parametrize("raw, message", [
    (b"\xff\xfe not json", "not a JSON document"),
    (b"[" * 100_000 + b"]" * 100_000, "bytes signed, more than the limit"),
    (json.dumps({**doc({}), "version": "7"}).encode(), "version: expected a whole number"),
    (json.dumps({**doc({}), "version": 10**12}).encode(), "version: expected a whole number"),
    (json.dumps({**doc({}), "kind": "catalogue"}).encode(), "not a hall configuration"),
])
def test_broken_documents_are_refused(terminal, raw, message):
    repo, config, db = terminal
    sign(repo, raw)
    before = config.read_bytes()
    with pytest.raises(UpdateError, match=message):
        update_hall_config(str(repo.dir), db, config)
    assert config.read_bytes() == before


def test_a_broken_config_json_is_not_overwritten(terminal):
    repo, config, db = terminal
    sign(repo, doc({"idle_timeout": 120}))
    config.write_text('{"region": "shenyang", "hall": "heping", ')  # half a file, for staff to fix
    with pytest.raises(UpdateError, match="not a readable configuration"):
        update_hall_config(str(repo.dir), db, config)
    assert config.read_text() == '{"region": "shenyang", "hall": "heping", '


def test_fleet_status_names_the_applied_version(terminal):
    from kiosk.fleet.client import hall_config_line

    repo, config, db = terminal
    assert hall_config_line(db.parent) == "大厅配置：未应用（管理服务未发布本大厅配置）"
    sign(repo, doc({"idle_timeout": 120}, version=3), version=3)
    update_hall_config(str(repo.dir), db, config)
    line = hall_config_line(db.parent)
    assert line.startswith("大厅配置：第 3 版（shenyang/heping，") and "拒绝" not in line


def test_console_and_terminal_share_the_hours_rules():
    """The fleet refuses exactly what the terminal would drop for its default, so a
    published value is never silently 'always open' on the terminal."""
    from kiosk.config import config_from_dict

    assert hallconfig.check_hours("night_blank", "") == ""
    assert hallconfig.check_hours("night_blank", "22:00-06:00") == "22:00-06:00"
    assert hallconfig.check_hours("closed_dates", ["2027-01-02", "2027-01-01", "2027-01-01"]) == [
        "2027-01-01", "2027-01-02"]
    assert hallconfig.check_hours("opening_hours", {"mon": ["13:00-17:00", "08:30-11:30"]}) == {
        "mon": ["08:30-11:30", "13:00-17:00"]}
    for key, bad in (("opening_hours", {"mon": ["08:30-08:30"]}), ("opening_hours", {"mon": ["08:60-09:00"]}),
                     ("opening_hours", {"mon": ["24:00-24:30"]}), ("night_blank", "08:30–17:00"),
                     ("night_blank", None), ("closed_dates", ["2027-02-29"])):
        with pytest.raises(hallconfig.HallConfigError):
            hallconfig.check_hours(key, bad)
        _, problems = config_from_dict({key: bad})
        assert problems and key in problems[0], (key, bad)  # the terminal refuses it too


def test_the_window_applies_the_live_keys_at_home(qtbot, catalogue_db):
    from PySide6.QtWidgets import QApplication

    from kiosk.config import KioskConfig, config_from_dict
    from kiosk.db.service import CatalogueService
    from kiosk.ui import theme
    from kiosk.ui.app import create_window
    from kiosk.ui.updates import apply_hall_config

    cat = CatalogueService(catalogue_db)
    w = create_window(cat, KioskConfig(region="shenyang", hall="heping", update_url="https://repo.example.cn/k"))
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    QApplication.processEvents()
    try:
        assert not w.ctx.portrait and w.ctx.sizes is theme.NORMAL
        merged, _ = config_from_dict({**LOCAL, **hallconfig.check_config(
            {k: v for k, v in PUBLISHED.items() if k in hallconfig.SETTINGS_KEYS})})
        changed = apply_hall_config(w, merged)
        assert sorted(changed) == ["idle_countdown", "idle_timeout", "orientation", "printer", "text_size", "theme"]
        assert w.ctx.portrait  # orientation portrait, though the screen is wide
        assert w.ctx.sizes is theme.LARGE and w.ctx.palette is theme.CONTRAST
        assert w.overlay.seconds == 20 and w.ctx.config.idle_timeout == 120
        assert w.ctx.config.printer.kind == "escpos"
        # the window's own keys are not taken from the file
        assert w.ctx.config.update_url == "https://repo.example.cn/k" and w.ctx.config.tap_settle_ms == 350
        assert apply_hall_config(w, merged) == []
    finally:
        w.close()
        cat.close()


def test_published_hours_close_the_hall_at_home_without_a_restart(qtbot, make_window):
    """A hall's hours published on a Monday evening: back at Home the kiosk shows the
    closed screen, the service tiles are gone; no restart."""
    from datetime import datetime

    from PySide6.QtWidgets import QApplication

    from kiosk.config import config_from_dict
    from kiosk.ui.updates import apply_hall_config
    from tests.ui_helpers import texts, visible_buttons

    w = make_window("shenyang", clock=lambda: datetime(2026, 12, 7, 19, 30))  # a Monday, 19:30
    assert visible_buttons(w, "topic:enrolment")  # no hours configured: open
    merged, problems = config_from_dict({**w.ctx.config.to_dict(), **hallconfig.check_config(
        {"opening_hours": {"mon": ["08:30-11:30", "13:00-17:00"]}})})
    assert problems == []
    assert apply_hall_config(w, merged) == ["opening_hours"]
    w.check_hours()
    QApplication.processEvents()
    assert "本厅已下班" in texts(w)
    assert not visible_buttons(w, "topic:enrolment")


def test_the_update_checker_applies_a_newly_merged_configuration(qtbot, catalogue_db, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from kiosk.config import KioskConfig
    from kiosk.db.service import CatalogueService
    from kiosk.ui.app import create_window
    from kiosk.ui.updates import UpdateChecker

    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(tmp_path / "config"))
    (tmp_path / "config").mkdir()
    db = tmp_path / "data" / "catalogue.sqlite"
    db.parent.mkdir()
    cat = CatalogueService(catalogue_db)
    w = create_window(cat, KioskConfig(region="shenyang", hall="heping"))
    qtbot.addWidget(w)
    w.show()
    QApplication.processEvents()
    try:
        checker = UpdateChecker(w, db, "https://repo.example.cn/k", 360, first_after=1e9)
        (tmp_path / "config" / "config.json").write_text(json.dumps({**LOCAL, "idle_timeout": 240}))
        assert checker.apply_new_hall_config() == []  # nothing merged since the start: a hand edit waits
        (db.parent / "hall-config-status.json").write_text(json.dumps(
            {"region": "shenyang", "hall": "heping", "version": 2, "applied_at": "2026-12-07T14:00:00+00:00"}))
        assert checker.at_home()
        checker._done()  # the child process finished, the kiosk idle at Home
        assert w.ctx.config.idle_timeout == 240 and w.ctx.config.printer.queue == "hall-front"
        assert checker.apply_new_hall_config() == []
    finally:
        w.close()
        cat.close()
