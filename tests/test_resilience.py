"""Faults the kiosk survives: corrupt catalogue, broken config, full disk, a failing
screen, a killed process, a bad catalogue bundle."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_config, save_config
from kiosk.db.bundle import BundleError, install_bundle, make_bundle, previous_path, rollback
from kiosk.db.resilience import open_catalogue, remember_contact, remembered_phone
from kiosk.db.service import CatalogueService
from tests.conftest import SEED
from tests.signing import make_repo

KIOSK = [sys.executable, "-m", "kiosk"]


@pytest.fixture
def live_db(tmp_path, catalogue_db):
    db = tmp_path / "data" / "catalogue.sqlite"
    db.parent.mkdir()
    shutil.copy2(catalogue_db, db)
    return db


def corrupt(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(b"not a database" + data[100:2000])


def test_corrupt_database_falls_back_to_the_previous_copy(live_db):
    shutil.copy2(live_db, previous_path(live_db))
    corrupt(live_db)
    result = open_catalogue(live_db, SEED)
    assert result.catalogue is not None
    assert len(result.catalogue.services("fushun")) == 24
    assert any("损坏" in w for w in result.warnings) and any("上一个" in w for w in result.warnings)
    assert list(live_db.parent.glob("catalogue.corrupt-*.sqlite")), "the broken file is kept for inspection"
    result.catalogue.close()


def test_truncated_database_without_a_previous_copy_is_rebuilt_from_seed(live_db):
    with open(live_db, "r+b") as f:
        f.truncate(4096)
    result = open_catalogue(live_db, SEED)
    assert result.catalogue is not None and result.warnings
    assert len(result.catalogue.services("kaiyuan")) == 33
    result.catalogue.close()


def test_nothing_usable_gives_maintenance_with_the_remembered_phone(tmp_path, seed_copy, qtbot):
    db = tmp_path / "catalogue.sqlite"
    db.write_bytes(b"garbage")
    (seed_copy / "documents.yaml").write_text("documents: [unclosed", encoding="utf-8")
    remember_contact(db, "沈阳市医疗保障事务服务中心", "024-12345-1-7")
    result = open_catalogue(db, seed_copy)
    assert result.catalogue is None and result.error
    assert remembered_phone(db) == "024-12345-1-7"
    from kiosk.ui.citizen.maintenance import MaintenanceScreen
    from tests.ui_helpers import texts

    w = MaintenanceScreen(remembered_phone(db))
    qtbot.addWidget(w)
    w.show()
    assert "系统维护中" in texts(w) and "024-12345-1-7" in texts(w)


def test_run_shows_maintenance_not_a_traceback(tmp_path, seed_copy):
    data = tmp_path / "data"
    data.mkdir()
    (data / "catalogue.sqlite").write_bytes(b"garbage")
    (seed_copy / "vocabulary.yaml").write_text(": : :", encoding="utf-8")
    env = dict(os.environ, KIOSK_DATA_DIR=str(data), KIOSK_SEED_DIR=str(seed_copy), QT_QPA_PLATFORM="offscreen",
               KIOSK_CONFIG_DIR=str(tmp_path / "cfg"), KIOSK_LOG_DIR=str(tmp_path / "log"))
    r = subprocess.run([*KIOSK, "run", "--smoke"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1  # not Home: the maintenance screen
    assert "Traceback" not in r.stderr
    log = (tmp_path / "log" / "kiosk.log").read_text(encoding="utf-8")
    assert all(json.loads(line)["level"] for line in log.splitlines())  # structured
    assert "maintenance" in log


def test_broken_and_missing_config(tmp_path):
    path = tmp_path / "config.json"
    cfg, problems = load_config(path)
    assert cfg == KioskConfig() and problems == []
    path.write_text('{"region": "fushun", "idle_timeout": "abc", "theme": "pink"', encoding="utf-8")
    cfg, problems = load_config(path)
    assert cfg == KioskConfig() and "not valid JSON" in problems[0]
    assert path.read_text(encoding="utf-8").startswith('{"region"'), "the broken file is kept"
    path.write_text('{"region": "fushun", "idle_timeout": "abc", "theme": "pink"}', encoding="utf-8")
    cfg, problems = load_config(path)
    assert cfg.region == "fushun" and cfg.idle_timeout == 90 and cfg.theme == "normal"
    assert any("idle_timeout" in p for p in problems) and any("theme" in p for p in problems)


def test_full_disk_keeps_the_previous_config(tmp_path, monkeypatch):
    path = tmp_path / "config.json"
    save_config(KioskConfig(region="kaiyuan"), path)

    def no_space(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OSError):
        save_config(KioskConfig(region="fushun"), path)
    monkeypatch.undo()
    assert load_config(path)[0].region == "kaiyuan"
    assert not list(tmp_path.glob(".config.json.*")), "no half-written temporary file left"
    monkeypatch.setattr(os, "replace", no_space)
    remember_contact(tmp_path / "catalogue.sqlite", "x", "1")  # logs, does not raise


def test_contact_is_written_only_when_it_changes(tmp_path, monkeypatch):
    db = tmp_path / "catalogue.sqlite"
    remember_contact(db, "大厅", "024-1")
    assert remembered_phone(db) == "024-1"
    writes = []
    monkeypatch.setattr(os, "replace", lambda *a: writes.append(a))
    remember_contact(db, "大厅", "024-1")  # every start: the same hall and phone
    assert writes == []
    monkeypatch.undo()
    remember_contact(db, "大厅", "024-2")
    assert remembered_phone(db) == "024-2"


def test_log_file_is_bounded_from_the_first_line(tmp_path, monkeypatch):
    import logging

    from kiosk.logs import setup_logging

    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path))
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        path = setup_logging()
        path.write_text("x" * 1_100_000 + "\n", encoding="utf-8")  # over the 1 MB limit already
        logging.getLogger("kiosk.test").warning("first line", extra={"event": "e"})
        assert (tmp_path / "kiosk.log.1").stat().st_size == 1_100_001, "the full file rolled over at once"
        line = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
        assert line["message"] == "first line" and line["event"] == "e"
        for i in range(7000):  # ~1.3 MB of records: rolls again, never past 1 MB
            logging.getLogger("kiosk.test").warning("unknown key %05d %s", i, "y" * 100)
        sizes = sorted(p.name for p in tmp_path.iterdir())
        assert sizes == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
        assert path.stat().st_size <= 1_000_000 and (tmp_path / "kiosk.log.1").stat().st_size <= 1_000_000
        assert sum(getattr(h, "_kiosk", False) and isinstance(h, logging.FileHandler) for h in root.handlers) == 1
    finally:
        for h in list(root.handlers):
            if h not in saved:
                root.removeHandler(h)
                h.close()


def test_a_failing_screen_wipes_the_session_and_shows_home(qtbot, catalogue, monkeypatch):
    from kiosk.session import Screen
    from kiosk.ui.app import create_window
    from kiosk.ui.citizen.checklist import ChecklistScreen
    from tests.ui_helpers import tap

    w = create_window(catalogue, KioskConfig(region="shenyang", tap_settle_ms=40))
    qtbot.addWidget(w)
    w.resize(1080, 1920)
    w.show()

    def broken(self, keep_scroll=False):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(ChecklistScreen, "refresh", broken)
    tap(qtbot, w, "topic:social-card")
    tap(qtbot, w, "service:social-card-loss")
    assert w.ctx.session.screen is Screen.HOME
    assert w.ctx.session.answers == {} and not w.ctx.session.can_go_back
    w.close()


def test_killed_build_never_leaves_a_half_written_catalogue(tmp_path, live_db):
    env = dict(os.environ, KIOSK_DATA_DIR=str(live_db.parent))
    before = live_db.read_bytes()
    for delay in (0.05, 0.3, 0.8, 1.5):
        p = subprocess.Popen([*KIOSK, "catalogue", "build"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        svc = CatalogueService(live_db)  # old or new, never half
        assert len(svc.services("shenyang")) == 36
        svc.close()
    r = subprocess.run([*KIOSK, "catalogue", "build"], env=env, capture_output=True, text=True)
    assert r.returncode == 0
    assert not list(live_db.parent.glob(".catalogue-*.tmp")), "stale temporary files are cleaned up"
    assert before  # the original was a valid catalogue too


@pytest.fixture
def signed_repo(tmp_path, monkeypatch):
    """A signed catalogue repository the terminal trusts (bundles install only when signed)."""
    return make_repo(tmp_path, monkeypatch)


@pytest.fixture
def http_dir(signed_repo):
    """A signed repository served over http (bundles are installed only when signed)."""
    root = signed_repo.dir
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    server = HTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield signed_repo, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_install_a_bundle_over_http_and_roll_back(tmp_path, live_db, http_dir):
    repo, base = http_dir
    published = repo.publish(make_bundle(tmp_path / "seed.tar.gz", "2026-11-25.1", seed_dir=SEED))
    manifest = install_bundle(f"{base}/targets/{published.name}", live_db)
    assert manifest["version"] == "2026-11-25.1"
    svc = CatalogueService(live_db)
    assert svc.meta["bundle_version"] == "2026-11-25.1"
    svc.close()
    assert previous_path(live_db).exists()
    rollback(live_db)
    assert "bundle_version" not in CatalogueService(live_db).meta


def test_a_bad_bundle_changes_nothing(tmp_path, live_db, http_dir):
    repo, base = http_dir
    before = live_db.read_bytes()
    good = repo.publish(make_bundle(tmp_path / "db.tar.gz", "v2", db_path=live_db))
    import tarfile

    # tamper: same manifest, different database bytes, put where the signed file was
    tampered = tmp_path / "tampered.tar.gz"
    work = tmp_path / "t"
    with tarfile.open(good) as tar:
        # Debian 12's Python 3.11.2 has no extractall(filter=...); the bundle is ours
        for member in tar.getmembers():
            assert member.isfile() and "/" not in member.name
        tar.extractall(work)
    (work / "catalogue.sqlite").write_bytes(b"x" * 1000)
    with tarfile.open(tampered, "w:gz") as tar:
        tar.add(work / "bundle.json", arcname="bundle.json")
        tar.add(work / "catalogue.sqlite", arcname="catalogue.sqlite")
    shutil.copy2(tampered, good)
    for source in (str(good), f"{base}/targets/{good.name}", f"{base}/missing.tar.gz", f"{base}/targets/missing.tar.gz",
                   str(tmp_path / "nope.tar.gz"), str(tampered)):
        with pytest.raises(BundleError):
            install_bundle(source, live_db)
        assert live_db.read_bytes() == before
    r = subprocess.run([*KIOSK, "catalogue", "install", str(good)], capture_output=True, text=True,
                       env=dict(os.environ, KIOSK_DATA_DIR=str(live_db.parent)))
    assert r.returncode == 1 and "not a signed catalogue" in r.stderr
    assert live_db.read_bytes() == before


def test_new_catalogue_is_picked_up_at_home_not_mid_session(qtbot, live_db, tmp_path, signed_repo):
    from kiosk.session import Screen
    from kiosk.ui.app import create_window
    from tests.ui_helpers import tap

    catalogue = CatalogueService(live_db)
    w = create_window(catalogue, KioskConfig(region="fushun", tap_settle_ms=40))
    w.db_path = live_db
    qtbot.addWidget(w)
    w.resize(1080, 1920)
    w.show()
    w.reload_catalogue_if_changed()  # first look: remembers the file
    tap(qtbot, w, "topic:query")
    install_bundle(str(signed_repo.publish(make_bundle(tmp_path / "b.tar.gz", "v9", seed_dir=SEED))), live_db)
    tap(qtbot, w, "service:personal-record-query")
    assert w.ctx.catalogue is catalogue, "never mid-session"
    tap(qtbot, w, "homeButton")
    assert w.ctx.session.screen is Screen.HOME
    assert w.ctx.catalogue is not catalogue
    assert w.ctx.catalogue.meta["bundle_version"] == "v9"
    w.close()


def test_soak_script_runs_clean(tmp_path, catalogue_db):
    out = tmp_path / "soak.json"
    r = subprocess.run([sys.executable, "tools/soak.py", "--sessions", "60", "--json", str(out)],
                       env=dict(os.environ, KIOSK_DATA_DIR=str(catalogue_db.parent)), capture_output=True,
                       text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(out.read_text())
    assert report["errors"] == 0 and sum(report["outcomes"].values()) == 60
