"""Issue 12: a damaged catalogue, a bad config, a full disk, a second build or a
killed one never stop a kiosk start, never crash-loop it, never print a traceback;
every file the kiosk writes is private whatever the umask."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.db.bundle import BundleError, install_bundle, make_bundle, previous_path, rollback
from kiosk.db.resilience import MAX_FAILED_STARTS, START_FILE, note_start, open_catalogue, start_succeeded
from kiosk.db.service import CatalogueService, CatalogueUnavailable
from kiosk.fsutil import data_lock, remove_leftovers
from tests.conftest import SEED
from tests.signing import make_repo, reseal

KIOSK = [sys.executable, "-m", "kiosk"]
SHENYANG_SERVICES = 36  # counted by hand in seed/shenyang/services/ (README: 36 + 24 + 33 = 93)


@pytest.fixture
def live_db(tmp_path, catalogue_db):
    db = tmp_path / "data" / "catalogue.sqlite"
    db.parent.mkdir()
    shutil.copy2(catalogue_db, db)
    return db


def env_for(tmp_path: Path, data: Path | None = None, **extra) -> dict:
    return dict(os.environ, KIOSK_DATA_DIR=str(data or tmp_path / "data"), KIOSK_CONFIG_DIR=str(tmp_path / "cfg"),
                KIOSK_LOG_DIR=str(tmp_path / "log"), QT_QPA_PLATFORM="offscreen", **extra)


def drop_kiosk_log_handlers() -> None:
    """After an in-process run_kiosk or cli.main: the log handlers they added go."""
    import logging

    for h in list(logging.getLogger().handlers):
        if getattr(h, "_kiosk", False):
            logging.getLogger().removeHandler(h)
            h.close()


def sql(db: Path, statement: str, *params) -> None:
    con = sqlite3.connect(db)
    con.execute(statement, params)
    con.commit()
    con.close()


def snapshot_text(db: Path, region: str) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT data FROM snapshots WHERE region = ?", (region,)).fetchone()[0]
    finally:
        con.close()


# -- a damaged region snapshot ---------------------------------------------------------------------
def test_issue_repro_broken_snapshot_starts_on_the_previous_copy(tmp_path, live_db):
    shutil.copy2(live_db, previous_path(live_db))
    good = snapshot_text(live_db, "shenyang")
    sql(live_db, "UPDATE snapshots SET data='{' WHERE region='shenyang'")
    r = subprocess.run([*KIOSK, "run", "--smoke"], env=env_for(tmp_path), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr  # Home, not 系统维护中, not a crash
    assert "Traceback" not in r.stderr
    assert "catalogue data for 'shenyang' is damaged" in r.stderr
    assert snapshot_text(live_db, "shenyang") == good, "the previous copy is back in place"
    kept = list(live_db.parent.glob("catalogue.corrupt-*.sqlite"))
    assert len(kept) == 1 and snapshot_text(kept[0], "shenyang") == "{"
    assert not (live_db.parent / START_FILE).exists(), "a painted start is not counted as failed"


def test_a_flipped_character_inside_valid_json_is_found_by_the_checksum(live_db):
    text = snapshot_text(live_db, "kaiyuan")
    assert "024" in text or "0" in text
    changed = text.replace("0", "8", 1)  # a phone digit, say: still valid JSON
    json.loads(changed)
    sql(live_db, "UPDATE snapshots SET data=? WHERE region='kaiyuan'", changed)
    with pytest.raises(CatalogueUnavailable, match="'kaiyuan'.*checksum mismatch"):
        CatalogueService(live_db).check()
    other = CatalogueService(live_db)
    assert len(other.services("shenyang")) == SHENYANG_SERVICES, "other regions still read"
    other.close()


@pytest.mark.parametrize("data", [
    '{"services": 1, "halls": [], "policy_topics": [], "differences": []}',
    '{"services": [{"name": "x"}], "halls": [], "policy_topics": [], "differences": []}',
    '{"services": [], "halls": [], "policy_topics": [], "differences": []}',
    '[]', '"text"',
])
def test_shape_is_checked_not_just_json(live_db, data):
    sql(live_db, "DELETE FROM meta WHERE key='snapshot_sha256'")  # as a catalogue built before checksums
    CatalogueService(live_db).check()  # unchanged: passes
    sql(live_db, "UPDATE snapshots SET data=? WHERE region='fushun'", data)
    cat = CatalogueService(live_db)  # opening reads only the region list
    with pytest.raises(CatalogueUnavailable, match="fushun"):
        cat.check()
    cat.close()


def test_no_previous_copy_rebuilds_from_the_seed(live_db):
    sql(live_db, "UPDATE snapshots SET data='{' WHERE region='fushun'")
    result = open_catalogue(live_db, SEED)
    assert result.catalogue is not None
    assert len(result.catalogue.services("fushun")) == 24
    assert any("重新生成" in w for w in result.warnings)
    assert not previous_path(live_db).exists(), "the damaged one did not become the previous copy"
    result.catalogue.close()


def test_everything_damaged_gives_maintenance_not_an_exception(live_db, seed_copy):
    sql(live_db, "UPDATE snapshots SET data='{' WHERE region='fushun'")
    shutil.copy2(live_db, previous_path(live_db))
    (seed_copy / "documents.yaml").write_text("documents: [unclosed", encoding="utf-8")
    result = open_catalogue(live_db, seed_copy)
    assert result.catalogue is None and result.error
    assert any("上一个目录数据库也不可用" in w for w in result.warnings)


# -- the previous copy ------------------------------------------------------------------------------
def test_a_build_over_a_silently_damaged_catalogue_keeps_the_good_previous(live_db):
    from kiosk.db.build import build_catalogue

    shutil.copy2(live_db, previous_path(live_db))
    good_previous = previous_path(live_db).read_bytes()
    sql(live_db, "UPDATE snapshots SET data='{' WHERE region='shenyang'")  # integrity_check still says ok
    build_catalogue(SEED, live_db)
    assert previous_path(live_db).read_bytes() == good_previous
    CatalogueService(live_db).check()


def test_a_build_over_a_good_catalogue_makes_it_the_previous(live_db):
    from kiosk.db.build import build_catalogue

    previous_path(live_db).write_bytes(b"old previous")
    live = live_db.read_bytes()
    build_catalogue(SEED, live_db)
    assert previous_path(live_db).read_bytes() == live
    assert stat.S_IMODE(previous_path(live_db).stat().st_mode) == 0o600


def test_previous_copy_is_never_written_in_place(live_db, monkeypatch):
    """A failure (or kill) while the previous copy is written leaves the old one whole."""
    from kiosk.db.build import build_catalogue

    previous_path(live_db).write_bytes(b"the old previous copy")

    def no_space(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", no_space)
    before = live_db.read_bytes()
    with pytest.raises(OSError):
        build_catalogue(SEED, live_db)
    assert previous_path(live_db).read_bytes() == b"the old previous copy"
    assert live_db.read_bytes() == before
    assert sorted(p.name for p in live_db.parent.iterdir()) == [
        ".kiosk.lock", "catalogue.previous.sqlite", "catalogue.sqlite"], "no temporary file left"


def test_rollback_over_a_damaged_live_keeps_the_previous(live_db):
    shutil.copy2(live_db, previous_path(live_db))
    sql(live_db, "UPDATE snapshots SET data='{' WHERE region='kaiyuan'")
    rollback(live_db)
    CatalogueService(live_db).check()
    CatalogueService(previous_path(live_db)).check()  # the damaged one did not become the previous


def test_install_without_the_configured_region_is_refused(tmp_path, live_db, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(tmp_path / "cfg"))
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.json").write_text('{"region": "kaiyuan"}', encoding="utf-8")
    hollow = tmp_path / "hollow.sqlite"
    shutil.copy2(live_db, hollow)
    con = sqlite3.connect(hollow)
    con.execute("DELETE FROM snapshots WHERE region='kaiyuan'")
    reseal(con)  # as built without Kaiyuan, and signed by a careless publisher
    con.commit()
    con.close()
    repo = make_repo(tmp_path, monkeypatch)
    signed = repo.publish_unchecked(make_bundle(tmp_path / "h.tar.gz", "v2", db_path=hollow), monkeypatch)
    before = live_db.read_bytes()
    with pytest.raises(BundleError, match="kaiyuan"):
        install_bundle(str(signed), live_db)
    assert live_db.read_bytes() == before and not previous_path(live_db).exists()
    assert [p.name for p in live_db.parent.iterdir() if p.name.startswith(".bundle-")] == []


# -- one build or install at a time; leftovers ----------------------------------------------------------
@pytest.mark.parametrize("command", [["catalogue", "build"], ["catalogue", "rollback"],
                                     ["catalogue", "install", "BUNDLE"]])
def test_a_second_build_or_install_gets_one_line_and_exit_1(tmp_path, live_db, command, monkeypatch):
    shutil.copy2(live_db, previous_path(live_db))
    bundle = make_repo(tmp_path, monkeypatch).publish(make_bundle(tmp_path / "b.tar.gz", "v2", db_path=live_db))
    command = [str(bundle) if c == "BUNDLE" else c for c in command]
    before = live_db.read_bytes()
    with data_lock(live_db.parent):  # a build running in another process
        r = subprocess.run([*KIOSK, *command], env=env_for(tmp_path), capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "already running" in lines[0], r.stderr
    assert live_db.read_bytes() == before
    r = subprocess.run([*KIOSK, *command], env=env_for(tmp_path), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr  # the lock is gone with its holder


def test_lock_is_exclusive_between_processes_and_reentrant_within_one(tmp_path):
    with data_lock(tmp_path):
        with data_lock(tmp_path):  # build_catalogue inside install_bundle, say
            pass
        code = ("import sys; from kiosk.fsutil import Busy, data_lock\n"
                f"try:\n    data_lock({str(tmp_path)!r}).__enter__()\nexcept Busy:\n    sys.exit(7)\n")
        assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 7
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_leftovers_of_killed_builds_and_installs_are_removed_at_start(live_db):
    data = live_db.parent
    (data / ".catalogue-abc123.sqlite.tmp").write_bytes(b"half a build")
    (data / ".bundle-xyz").mkdir()
    (data / ".bundle-xyz" / "catalogue.sqlite").write_bytes(b"half an install")
    (data / ".rollback.tmp").write_bytes(b"half a rollback")
    (data / ".catalogue.previous.sqlite.q1w2.tmp").write_bytes(b"half a previous copy")
    old, fresh = data / ".contact.json.old1.tmp", data / ".contact.json.new1.tmp"
    old.write_text("{}")
    fresh.write_text("{}")  # another process may be writing it right now
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    (data / "notes.txt").write_text("not ours to remove")
    result = open_catalogue(live_db, SEED)
    result.catalogue.close()
    assert sorted(p.name for p in data.iterdir()) == [
        ".contact.json.new1.tmp", ".kiosk.lock", "catalogue.sqlite", "notes.txt"]


def test_config_folder_leftovers_are_removed_at_start(tmp_path, live_db):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "config.json").write_text('{"region": "fushun"}')
    old, fresh = cfg / ".config.json.k1ll3d.tmp", cfg / ".config.json.wr1t1ng.tmp"
    old.write_text("{")
    fresh.write_text("{")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    r = subprocess.run([*KIOSK, "run", "--smoke"], env=env_for(tmp_path), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in cfg.iterdir()) == [".config.json.wr1t1ng.tmp", "config.json"]


def test_leftovers_of_a_running_build_are_not_touched(live_db):
    (live_db.parent / ".catalogue-running.sqlite.tmp").write_bytes(b"in progress")
    code = ("import time; from kiosk.fsutil import data_lock\n"
            f"with data_lock({str(live_db.parent)!r}):\n    print('held', flush=True); time.sleep(30)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert remove_leftovers(live_db.parent) == []
        assert (live_db.parent / ".catalogue-running.sqlite.tmp").exists()
    finally:
        holder.kill()
        holder.wait()
    assert [p.name for p in remove_leftovers(live_db.parent)] == [".catalogue-running.sqlite.tmp"]


# -- no crash loop -------------------------------------------------------------------------------------
def test_start_counter(tmp_path):
    now = 1_000_000.0
    assert note_start(tmp_path, now) == 1
    assert note_start(tmp_path, now + 5) == 2
    assert note_start(tmp_path, now + 10) == 3
    assert note_start(tmp_path, now + 10 + 3600) == 1, "old failures age out of the window"
    start_succeeded(tmp_path)
    assert not (tmp_path / START_FILE).exists()
    (tmp_path / START_FILE).write_bytes(b"\xff garbage")
    assert note_start(tmp_path, now) == 1, "a damaged counter counts from scratch"


@pytest.mark.parametrize("failed_before, expect_home", [(MAX_FAILED_STARTS - 1, True), (MAX_FAILED_STARTS, False)])
def test_repeated_failed_starts_show_maintenance(tmp_path, live_db, failed_before, expect_home):
    now = time.time()
    (live_db.parent / START_FILE).write_text(json.dumps({"starts": [now - 30 - i for i in range(failed_before)]}))
    (live_db.parent / "contact.json").write_text(json.dumps({"hall": "大厅", "phone": "024-12345"}))
    r = subprocess.run([*KIOSK, "run", "--smoke"], env=env_for(tmp_path), capture_output=True, text=True,
                       timeout=120)
    assert "Traceback" not in r.stderr
    assert (r.returncode == 0) is expect_home, r.stderr
    if not expect_home:
        assert f"{MAX_FAILED_STARTS} starts in a row did not reach Home" in r.stderr
    assert not (live_db.parent / START_FILE).exists(), "a painted screen (Home or 系统维护中) clears the count"


def test_a_bug_while_building_the_window_gives_maintenance(qtbot, live_db, monkeypatch, tmp_path):
    """Not a crash (and a systemd restart loop): 系统维护中 with the phone."""
    import kiosk.ui.app as app_module
    from kiosk.ui.citizen.maintenance import MaintenanceScreen

    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "log"))
    (live_db.parent / "contact.json").write_text(json.dumps({"hall": "大厅", "phone": "024-12345"}))
    shown = []

    def broken(*_a, **_k):
        raise KeyError("a bug")

    monkeypatch.setattr(app_module, "create_window", broken)
    monkeypatch.setattr(MaintenanceScreen, "close", lambda self: shown.append(self) or True)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_kiosk installs its own: restored after
    try:
        assert app_module.run_kiosk(smoke=True, size="800x600", db=live_db) == 1
    finally:
        drop_kiosk_log_handlers()
    from tests.ui_helpers import texts

    assert "系统维护中" in texts(shown[0]) and "024-12345" in texts(shown[0])


# -- config ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, region, message", [
    ('{"region": "fushun", "printer": {"queue": "一楼打印机"}}\n'.encode("gbk"), "fushun", "read as GBK"),
    ('{"hall": "抚顺大厅", "region": "fushun"}'.encode("gbk"), "fushun", "read as GBK"),
    (b"\xef\xbb\xbf" + b'{"region": "kaiyuan"}', "kaiyuan", None),
    ('{"region": "kaiyuan"}'.encode("utf-16"), "kaiyuan", "UTF-16"),
    (b"[" * 5000 + b"]" * 5000, "shenyang", "nested too deeply"),
    (b'{"region": ' + b"[" * 900 + b"]" * 900 + b"}", "shenyang", "region: expected text"),
    (b'{"idle_timeout": ' + b"9" * 5000 + b"}", "shenyang", "not a usable JSON value"),
    (b'{"region": "fushun",\n"idle_timeout": 1e999}', "fushun", ":2: idle_timeout: expected a number"),
    (b'{"region": "Fushun "}', "fushun", ":1: region: read 'Fushun ' as 'fushun'"),
    (b"\x81\x00\xff\xfe\x00", "shenyang", "not UTF-8 or GBK"),
    (b"x" * 1_000_001, "shenyang", "larger than"),
    (b'{"region": 42}', "shenyang", "region: expected text, got 42"),
    (b'{"region": "a\\nb"}', "shenyang", "expected one line"),
])
def test_any_bytes_in_config_give_defaults_and_a_message(tmp_path, raw, region, message):
    path = tmp_path / "config.json"
    path.write_bytes(raw)
    cfg, problems = load_config(path)
    assert cfg.region == region
    if message is None:
        assert problems == []
    else:
        assert len(problems) == 1 and message in problems[0] and str(path) in problems[0], problems
    assert path.read_bytes() == raw, "the file is kept for inspection"


def test_config_problem_names_file_line_and_key(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{\n  "region": "fushun",\n  "printer": {\n    "kind": "cups",\n    "paper": "A5"\n  }\n}\n',
                    encoding="utf-8")
    cfg, problems = load_config(path)
    assert problems == [f"{path}:5: printer.paper: expected one of a4, 80mm, 58mm, got 'A5'"]
    assert cfg.printer.kind == "cups" and cfg.printer.paper == "80mm"


def test_many_unknown_keys_are_one_message(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({f"key{i}": i for i in range(5000)} | {"region": "kaiyuan"}), encoding="utf-8")
    cfg, problems = load_config(path)
    assert cfg.region == "kaiyuan"
    assert len(problems) == 1 and "key0, key1" in problems[0] and "(+4990 more)" in problems[0]
    # bounded: ten unknown keys named, then the valid settings (a list that grows with features)
    assert "key11" not in problems[0] and len(problems[0]) < 800


def test_config_show_reports_problems_and_valid_region_ids(tmp_path, live_db):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.json").write_bytes('{"region": "shenyng", "theme": "粉"}'.encode("gbk"))
    r = subprocess.run([*KIOSK, "config", "show"], env=env_for(tmp_path), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "read as GBK" in r.stderr
    assert "config.json:1: theme: expected one of normal, contrast, got '粉'" in r.stderr
    assert "region: 'shenyng' is not in the catalogue; valid: fushun, kaiyuan, shenyang" in r.stderr
    assert "theme = normal" in r.stdout


def test_unknown_keys_are_logged_once_per_start(tmp_path, live_db):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.json").write_text(json.dumps({f"k{i}": "v" * 50 for i in range(3000)}))
    for _ in range(2):
        r = subprocess.run([*KIOSK, "run", "--smoke"], env=env_for(tmp_path), capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stderr
    log = (tmp_path / "log" / "kiosk.log").read_text(encoding="utf-8")
    assert log.count("unknown setting") == 2, "one line per start"
    assert len(log) < 20_000


# -- one line, exit 1, never a traceback --------------------------------------------------------------
def test_unexpected_errors_are_one_line_with_the_detail_in_the_log(tmp_path, monkeypatch, capsys):
    import kiosk.cli as cli

    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "log"))

    def full(_args):
        raise OSError(errno.ENOSPC, "No space left on device", "/data/catalogue.sqlite")

    monkeypatch.setattr(cli, "cmd_halls", full)
    try:
        assert cli.main(["halls", "--region", "fushun"]) == 1
    finally:
        drop_kiosk_log_handlers()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "kiosk: error: halls failed: /data/catalogue.sqlite: No space left on device (the disk is full" in err
    assert "Traceback" in (tmp_path / "log" / "kiosk.log").read_text(encoding="utf-8")


def test_reading_a_damaged_region_from_the_cli_is_one_line(tmp_path, live_db):
    sql(live_db, "UPDATE snapshots SET data='{' WHERE region='kaiyuan'")
    r = subprocess.run([*KIOSK, "services", "--region", "kaiyuan"], env=env_for(tmp_path), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("kiosk: error: ") and "catalogue data for 'kaiyuan' is damaged" in r.stderr
    assert "run 'kiosk catalogue build'" in r.stderr and "CatalogueUnavailable" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = subprocess.run([*KIOSK, "services", "--region", "fushun"], env=env_for(tmp_path), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 24, "other regions still read"


def test_malformed_manifest_and_bad_http_reply_are_one_line(tmp_path, live_db):
    import io
    import tarfile
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        for name, data in (("bundle.json", b'["not", "an", "object"]'), ("catalogue.sqlite", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    class Garbage(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"<html>oops")

        def log_message(self, *_a):
            pass

    server = HTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    before = live_db.read_bytes()
    try:
        for source in (str(bad), f"http://127.0.0.1:{server.server_port}/b.tar.gz"):
            r = subprocess.run([*KIOSK, "catalogue", "install", source], env=env_for(tmp_path), capture_output=True,
                               text=True, timeout=60)
            assert r.returncode == 1 and "Traceback" not in r.stderr
            assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("install failed: "), r.stderr
            assert live_db.read_bytes() == before
    finally:
        server.shutdown()


def test_full_disk_during_build_install_rollback_is_one_line(tmp_path, live_db):
    """RLIMIT_FSIZE: every write past 512 KiB fails with EFBIG, as a full disk would."""
    import resource

    shutil.copy2(live_db, previous_path(live_db))
    bundle = make_bundle(tmp_path / "b.tar.gz", "v2", seed_dir=SEED)
    before, prev_before = live_db.read_bytes(), previous_path(live_db).read_bytes()

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024, 512 * 1024))

    for command in (["catalogue", "build"], ["catalogue", "install", str(bundle)], ["catalogue", "rollback"]):
        r = subprocess.run([*KIOSK, *command], env=env_for(tmp_path), capture_output=True, text=True, timeout=180,
                           preexec_fn=limit)
        assert r.returncode == 1, (command, r.stderr)
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert live_db.read_bytes() == before and previous_path(live_db).read_bytes() == prev_before
        assert [p.name for p in live_db.parent.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".bundle")] \
            == []


# -- file modes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_file_and_folder_the_kiosk_writes_is_private(tmp_path, umask):
    env = env_for(tmp_path, data=tmp_path / "data" / "nested")
    steps = [["catalogue", "build"], ["catalogue", "build"], ["config", "set", "region", "fushun"],
             ["run", "--smoke"], ["stats"], ["print", "--region", "fushun", "--service",
                                             "resident-enrol", "--pdf", str(tmp_path / "out" / "c.pdf")]]
    for step in steps:
        r = subprocess.run([*KIOSK, *step], env=env, capture_output=True, text=True, timeout=180,
                           preexec_fn=lambda: os.umask(umask))
        assert r.returncode == 0, (step, r.stderr)
    seen = {"files": set(), "dirs": set()}
    for top in ("data", "cfg", "log"):
        for p in [tmp_path / top, *(tmp_path / top).rglob("*")]:
            mode = stat.S_IMODE(p.lstat().st_mode)
            if p.is_dir():
                seen["dirs"].add(p.name)
                assert mode == 0o700, (p, oct(mode))
            else:
                seen["files"].add(p.name)
                assert mode == 0o600, (p, oct(mode))
    assert {"catalogue.sqlite", "catalogue.previous.sqlite", "contact.json", "config.json", "kiosk.log",
            "state.sqlite", "print-serial.json"} <= seen["files"], seen
    assert {"data", "nested", "cfg", "log"} <= seen["dirs"]


def test_writing_into_a_shared_folder_leaves_its_mode_alone(tmp_path):
    """`--pdf /tmp/c.pdf` or `--db /tmp/x.sqlite` as root once set /tmp to 0700: every
    other user of /tmp (PostgreSQL's initdb among them) then failed with 'Permission denied'."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp
    env = env_for(tmp_path)
    r = subprocess.run([*KIOSK, "print", "--region", "fushun", "--service", "resident-enrol", "--pdf",
                        str(shared / "c.pdf")], env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    r = subprocess.run([*KIOSK, "--db", str(shared / "x.sqlite"), "catalogue", "build"], env=env,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777  # was 0o700 before
    assert stat.S_IMODE((shared / "x.sqlite").stat().st_mode) == 0o600  # the catalogue itself is private
    from kiosk.fsutil import private_dir

    private_dir(shared / "new" / "deeper")  # what the kiosk creates inside is private
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "new").stat().st_mode) == 0o700
    own = tmp_path / "own"
    own.mkdir(mode=0o755)
    private_dir(own)  # the kiosk's own folder, loosened by hand, is tightened again
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
