"""Crafted catalogue bundles and repositories against a real server.

A signed TUF repository is published into the directory Debian's nginx serves on
127.0.0.1 (started by scripts/test-services.sh: KIOSK_TEST_NGINX_ROOT, _URL), and a
terminal runs `kiosk catalogue update` / `install` against it. Every attack below is
refused with one line on stderr, exit status 1, and the live catalogue byte-for-byte
as it was: tampered target, downgraded version, rolled-back metadata, expired
timestamp, wrong-key signature, a root below its threshold, a hollow bundle, tar bombs
(size and member count), a slow-drip server, a redirect to another host, plain http.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import uuid
from datetime import UTC
from pathlib import Path

import pytest

from kiosk.db import tufrepo
from kiosk.db.bundle import make_bundle, previous_path
from kiosk.db.service import CatalogueService
from tests.signing import make_repo, reseal

KIOSK = [sys.executable, "-m", "kiosk"]
NGINX_ROOT = os.environ.get("KIOSK_TEST_NGINX_ROOT")
NGINX_URL = os.environ.get("KIOSK_TEST_NGINX_URL")
needs_nginx = pytest.mark.skipif(not (NGINX_ROOT and NGINX_URL),
                                 reason="nginx not started (source scripts/test-services.sh)")


@pytest.fixture
def terminal(tmp_path, catalogue_db, monkeypatch):
    """A terminal's data and config directories with the shipped catalogue built."""
    data = tmp_path / "terminal"
    data.mkdir()
    db = data / "catalogue.sqlite"
    shutil.copy2(catalogue_db, db)
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "log"))
    return db


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A fresh signed repository inside nginx's directory: (repo, its URL)."""
    if not (NGINX_ROOT and NGINX_URL):
        pytest.skip("nginx not started (source scripts/test-services.sh)")
    name = f"r-{uuid.uuid4().hex[:10]}"
    repo = make_repo(tmp_path, monkeypatch, repo_dir=Path(NGINX_ROOT) / name)
    yield repo, f"{NGINX_URL}/{name}"
    shutil.rmtree(repo.dir, ignore_errors=True)


def db_bundle(tmp_path: Path, catalogue_db: Path, version: str, mutate=None) -> Path:
    """A database bundle of the shipped catalogue (optionally changed by `mutate(db)`)."""
    work = tmp_path / f"src-{version}-{uuid.uuid4().hex[:6]}"
    work.mkdir()
    db = work / "catalogue.sqlite"
    shutil.copy2(catalogue_db, db)
    if mutate:
        import sqlite3

        con = sqlite3.connect(db)
        mutate(con)
        reseal(con)
        con.commit()
        con.close()
    return make_bundle(work / f"catalogue-{version}.tar.gz", version, db_path=db)


def kiosk(*args, timeout=90):
    t0 = time.monotonic()
    r = subprocess.run([*KIOSK, *args], capture_output=True, text=True, timeout=timeout)
    r.elapsed = time.monotonic() - t0
    return r


def refused(r, *words):
    """Exit 1, no traceback, one line on stderr naming the cause."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], lines[0]
    assert "not changed" in lines[0]
    return lines[0]


def version_of(db: Path) -> str | None:
    svc = CatalogueService(db)
    try:
        return svc.meta.get("bundle_version")
    finally:
        svc.close()


# -- the good path ------------------------------------------------------------------------------------
@needs_nginx
def test_update_over_nginx_installs_the_newest_signed_catalogue(tmp_path, catalogue_db, terminal, served):
    repo, url = served
    repo.publish(db_bundle(tmp_path, catalogue_db, "2026-12-01.1"))
    repo.publish(db_bundle(tmp_path, catalogue_db, "2026-12-01.10"))  # after .9, not before .2
    before = terminal.read_bytes()
    r = kiosk("catalogue", "update", url)
    assert r.returncode == 0, r.stderr
    assert "installed signed catalogue 2026-12-01.10" in r.stdout
    assert version_of(terminal) == "2026-12-01.10"
    assert previous_path(terminal).read_bytes() == before
    r = kiosk("catalogue", "update", f"{url}/")  # again: nothing new (a trailing slash is the same)
    assert r.returncode == 0 and "2026-12-01.10 is up to date" in r.stdout
    # a redirect within the same host is followed
    repo.publish(db_bundle(tmp_path, catalogue_db, "2026-12-02.1"))
    r = kiosk("catalogue", "update", f"{NGINX_URL}/same/{repo.dir.name}")
    assert r.returncode == 0, r.stderr
    assert version_of(terminal) == "2026-12-02.1"
    status = json.loads((terminal.parent / "update-status.json").read_text(encoding="utf-8"))
    assert status["ok"] is True and status["message"] == "installed 2026-12-02.1"


@needs_nginx
def test_update_url_comes_from_the_configuration(tmp_path, catalogue_db, terminal, served):
    repo, url = served
    repo.publish(db_bundle(tmp_path, catalogue_db, "7"))
    r = kiosk("catalogue", "update")
    assert r.returncode == 2 and "update_url" in r.stderr  # none configured: a usage error
    assert kiosk("config", "set", "update_url", url).returncode == 0
    r = kiosk("catalogue", "update")
    assert r.returncode == 0, r.stderr
    assert version_of(terminal) == "7"


# -- attacks on the bundle ----------------------------------------------------------------------------
@needs_nginx
def test_tampered_target_is_refused(tmp_path, catalogue_db, terminal, served):
    repo, url = served
    published = repo.publish(db_bundle(tmp_path, catalogue_db, "2"))
    evil = db_bundle(tmp_path, catalogue_db, "2", mutate=lambda con: con.execute(
        "UPDATE snapshots SET data = replace(data, 'http', 'hxxp')"))
    before = terminal.read_bytes()
    for payload in (evil.read_bytes(), published.read_bytes()[:-10] + b"0123456789"):
        published.write_bytes(payload)
        refused(kiosk("catalogue", "update", url), "tampered")
        assert terminal.read_bytes() == before
    # the tampered file by hand, from the repository copy it sits in: not a signed target
    refused(kiosk("catalogue", "install", str(published)), "not a signed catalogue")
    assert terminal.read_bytes() == before


@needs_nginx
def test_hollow_bundle_is_refused(tmp_path, catalogue_db, terminal, served, monkeypatch):
    """Signed (a careless publisher), but without region data: never installed."""
    repo, url = served

    def hollow(con):
        con.execute("DELETE FROM snapshots WHERE region != '*'")

    bundle = db_bundle(tmp_path, catalogue_db, "3", mutate=hollow)
    with pytest.raises(tufrepo.RepoError, match="no catalogue data"):
        repo.publish(bundle)  # publishing checks it first
    repo.publish_unchecked(bundle, monkeypatch)
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "update", url), "no catalogue data")
    assert terminal.read_bytes() == before


@needs_nginx
def test_bundle_without_the_configured_region_is_refused(tmp_path, catalogue_db, terminal, served, monkeypatch):
    repo, url = served

    def drop_fushun(con):
        everything = json.loads(con.execute("SELECT data FROM snapshots WHERE region = '*'").fetchone()[0])
        everything["regions"] = [r for r in everything["regions"] if r["id"] != "fushun"]
        con.execute("UPDATE snapshots SET data = ? WHERE region = '*'", (json.dumps(everything),))
        con.execute("DELETE FROM snapshots WHERE region = 'fushun'")

    repo.publish_unchecked(db_bundle(tmp_path, catalogue_db, "4", mutate=drop_fushun), monkeypatch)
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "update", url), "fushun missing")
    assert terminal.read_bytes() == before


@needs_nginx
def test_tar_bombs_are_refused(tmp_path, terminal, served, monkeypatch):
    repo, url = served
    manifest = {"format": 1, "kind": "database", "version": "5", "files": {"catalogue.sqlite": "0" * 64}}

    def bomb(path: Path, members) -> Path:
        with tarfile.open(path, "w:gz", compresslevel=1) as tar:
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo("bundle.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            members(tar)
        return path

    def big(tar):  # 260 MiB of zeros: about 260 KB packed
        info = tarfile.TarInfo("catalogue.sqlite")
        info.size = 260 << 20

        class Zeros:
            def read(self, n=-1):
                return bytes(n)

        tar.addfile(info, Zeros())

    def many(tar):
        for i in range(2001):
            info = tarfile.TarInfo(f"f{i}")
            tar.addfile(info, io.BytesIO(b""))

    size_bomb = bomb(tmp_path / "size.tar.gz", big)
    assert size_bomb.stat().st_size < 2 << 20
    repo.publish_unchecked(size_bomb, monkeypatch)
    before = terminal.read_bytes()
    r = refused(kiosk("catalogue", "update", url), "expands to more than 256 MiB")
    assert terminal.read_bytes() == before
    assert r
    manifest["version"] = "6"
    repo.publish_unchecked(bomb(tmp_path / "many.tar.gz", many), monkeypatch)
    refused(kiosk("catalogue", "update", url), "more than 2000 members")
    assert terminal.read_bytes() == before
    assert not list(terminal.parent.glob(".update-*")), "no temporary folder left"


@needs_nginx
def test_downgrades_are_refused(tmp_path, catalogue_db, terminal, served):
    repo, url = served
    old = repo.publish(db_bundle(tmp_path, catalogue_db, "2026-11-01.1"))
    metadata_v1 = tmp_path / "metadata-then"
    shutil.copytree(repo.dir / "metadata", metadata_v1)
    repo.publish(db_bundle(tmp_path, catalogue_db, "2026-12-01.1"))
    assert kiosk("catalogue", "update", url).returncode == 0
    assert version_of(terminal) == "2026-12-01.1"
    before = terminal.read_bytes()
    # a signed but older bundle, by hand
    refused(kiosk("catalogue", "install", str(old)), "older than the installed 2026-12-01.1")
    # a publisher cannot sign an older version after a newer one
    with pytest.raises(tufrepo.RepoError, match="not newer"):
        repo.publish(db_bundle(tmp_path, catalogue_db, "2026-10-01.1"))
    # a server (or mirror) replaying the older, validly signed metadata: a rollback
    shutil.rmtree(repo.dir / "metadata")
    shutil.copytree(metadata_v1, repo.dir / "metadata")
    refused(kiosk("catalogue", "update", url), "rollback refused")
    assert terminal.read_bytes() == before


# -- attacks on the metadata ------------------------------------------------------------------------------
@needs_nginx
def test_expired_timestamp_keeps_the_catalogue_and_tells_staff(tmp_path, catalogue_db, terminal, served):
    repo, url = served
    repo.publish(db_bundle(tmp_path, catalogue_db, "8"), timestamp_days=-1)
    before = terminal.read_bytes()
    line = refused(kiosk("catalogue", "update", url), "expired", "stale or frozen")
    assert "timestamp" in line
    assert terminal.read_bytes() == before
    r = kiosk("catalogue", "update", "--status")
    assert r.returncode == 0
    assert "目录更新失败" in r.stdout and "继续使用当前目录" in r.stdout and "天" in r.stdout
    log = (tmp_path / "log" / "kiosk.log").read_text(encoding="utf-8")
    assert any(json.loads(x).get("event") == "catalogue-update-failed" for x in log.splitlines())
    # the publisher re-signs the timestamp: updates flow again, the warning is gone
    tufrepo.refresh_timestamp(repo.dir, repo.keys)
    assert kiosk("catalogue", "update", url).returncode == 0
    r = kiosk("catalogue", "update", "--status")
    assert "目录更新失败" not in r.stdout and "warning" not in r.stdout


@needs_nginx
def test_wrong_key_signature_is_refused(tmp_path, catalogue_db, terminal, served):
    from securesystemslib.signer import CryptoSigner
    from tuf.api.metadata import Metadata

    repo, url = served
    repo.publish(db_bundle(tmp_path, catalogue_db, "9"))
    path = repo.dir / "metadata" / "timestamp.json"
    md = Metadata.from_file(str(path))
    md.signed.version += 1
    md.sign(CryptoSigner.generate_ed25519())  # not the repository's timestamp key
    md.to_file(str(path))
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "update", url), "signature check failed")
    assert terminal.read_bytes() == before


@needs_nginx
def test_root_below_threshold_is_refused(tmp_path, catalogue_db, terminal, served):
    """A new root signed by one root key where two are required (a stolen key)."""
    from securesystemslib.signer import CryptoSigner
    from tuf.api.metadata import Metadata

    repo, url = served
    md = Metadata.from_file(str(repo.dir / "metadata" / "root.json"))
    attacker = CryptoSigner.generate_ed25519()
    for keyid in list(md.signed.roles["targets"].keyids):
        md.signed.revoke_key(keyid, "targets")
    md.signed.add_key(attacker.public_key, "targets")
    md.signed.version = 2
    md.sign(tufrepo.load_key(repo.keys / "root-1.pem"))  # 1 of the 2 needed
    md.to_file(str(repo.dir / "metadata" / "2.root.json"))
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "update", url), "signature check failed", "root")
    assert terminal.read_bytes() == before


@needs_nginx
def test_key_rotation_reaches_the_terminal(tmp_path, catalogue_db, terminal, served):
    """A rotated (revoked) targets key: the terminal follows the new root; the old key
    can no longer sign for it."""
    repo, url = served
    repo.publish(db_bundle(tmp_path, catalogue_db, "10"))
    assert kiosk("catalogue", "update", url).returncode == 0
    old_targets = tufrepo.load_key(repo.keys / "targets.pem")
    r = kiosk("catalogue", "repo", "rotate-key", str(repo.dir), "--keys", str(repo.keys), "--role", "targets")
    assert r.returncode == 0, r.stderr
    assert "root version 2" in r.stdout
    assert list(repo.keys.glob("targets.revoked-*.pem"))
    repo.publish(db_bundle(tmp_path, catalogue_db, "11"))
    assert kiosk("catalogue", "update", url).returncode == 0
    assert version_of(terminal) == "11"
    assert (terminal.parent / "tuf" / "root_history" / "2.root.json").exists()
    # the revoked key signs a new targets: refused
    from tuf.api.metadata import Metadata

    md = Metadata.from_file(str(repo.dir / "metadata" / "targets.json"))
    md.signed.version += 1
    md.sign(old_targets)
    md.to_file(str(repo.dir / "metadata" / f"{md.signed.version}.targets.json"))
    snap = Metadata.from_file(str(repo.dir / "metadata" / "snapshot.json"))
    snap.signed.meta["targets.json"].version = md.signed.version
    snap.signed.version += 1
    snap.sign(tufrepo.load_key(repo.keys / "snapshot.pem"))
    snap.to_file(str(repo.dir / "metadata" / f"{snap.signed.version}.snapshot.json"))
    tufrepo.refresh_timestamp(repo.dir, repo.keys, snapshot_version=snap.signed.version)
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "update", url), "signature check failed", "targets")
    assert terminal.read_bytes() == before


def test_root_rotation_needs_the_old_threshold(tmp_path, monkeypatch):
    repo = make_repo(tmp_path, monkeypatch)
    (repo.keys / "root-2.pem").rename(tmp_path / "offline-root-2.pem")
    (repo.keys / "root-3.pem").rename(tmp_path / "offline-root-3.pem")
    with pytest.raises(tufrepo.RepoError, match="1 root key.*2 needed"):
        tufrepo.rotate_key(repo.dir, repo.keys, "root", replace="root-1.pem")
    assert not list(repo.keys.glob("*.revoked-*")), "nothing retired when nothing was signed"
    shutil.copy2(tmp_path / "offline-root-2.pem", repo.keys / "root-2.pem")
    summary = tufrepo.rotate_key(repo.dir, repo.keys, "root", replace="root-1.pem")
    assert "root version 2" in summary
    from tuf.api.metadata import Metadata

    v1 = Metadata.from_file(str(repo.dir / "metadata" / "1.root.json"))
    v2 = Metadata.from_file(str(repo.dir / "metadata" / "2.root.json"))
    v1.signed.verify_delegate("root", v2.signed_bytes, v2.signatures)  # old threshold signed it
    v2.signed.verify_delegate("root", v2.signed_bytes, v2.signatures)  # and the new one
    assert len(set(v1.signed.roles["root"].keyids) - set(v2.signed.roles["root"].keyids)) == 1


# -- attacks on the transport -------------------------------------------------------------------------------
@needs_nginx
def test_slow_drip_server_is_cut_off(tmp_path, catalogue_db, terminal, served):
    repo, url = served
    repo.publish(db_bundle(tmp_path, catalogue_db, "12"))  # ~300 KB at 1 KB/s: minutes
    before = terminal.read_bytes()
    r = kiosk("catalogue", "update", f"{NGINX_URL}/slow/{repo.dir.name}", "--timeout", "6")
    refused(r, "longer than 6 s")
    assert r.elapsed < 6 + 20, r.elapsed  # the deadline plus the start of a Python process on a busy machine
    assert terminal.read_bytes() == before


@needs_nginx
def test_a_download_cut_by_the_watchdog_is_the_deadline(tmp_path, catalogue_db, served):
    """The watchdog shuts the socket at the deadline; the server's answer then ends
    early. That end is the deadline, never a short (tampered-looking) download."""
    from kiosk.db.update import DownloadRefused, LimitedFetcher

    repo, url = served
    published = repo.publish(db_bundle(tmp_path, catalogue_db, "12"))
    fetcher = LimitedFetcher(deadline=60)
    chunks = fetcher.fetch_limited(f"{NGINX_URL}/slow/{repo.dir.name}/targets/{published.name}", None)
    next(chunks)  # the server is sending, slowly: the next read waits
    import threading

    threading.Timer(0.3, fetcher._cut, args=(None,)).start()  # the watchdog, during that read
    with pytest.raises(DownloadRefused, match="longer than 60 s"):
        for _ in chunks:
            pass


@needs_nginx
def test_redirect_to_another_host_is_refused(tmp_path, catalogue_db, terminal, served):
    repo, url = served
    repo.publish(db_bundle(tmp_path, catalogue_db, "13"))
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "update", f"{NGINX_URL}/away/{repo.dir.name}"),
            "redirect to another host (localhost) refused")
    assert terminal.read_bytes() == before


def test_plain_http_to_another_machine_is_refused_before_connecting(terminal, signed_repo_env, monkeypatch):
    import http.client

    import kiosk.db.update as update

    def no_connection(*a, **k):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(http.client, "HTTPConnection", no_connection)
    monkeypatch.setattr(socket_module(), "create_connection", no_connection)
    before = terminal.read_bytes()
    with pytest.raises(update.UpdateError, match="plain http is refused"):
        update.update_catalogue("http://update.example.invalid/repo", terminal)
    monkeypatch.setenv("KIOSK_UPDATE_ALLOW_HTTP", "1")  # the explicit test override lets it through
    with pytest.raises(AssertionError, match="connection was attempted"):
        update.update_catalogue("http://update.example.invalid/repo", terminal)
    monkeypatch.undo()
    assert terminal.read_bytes() == before


def socket_module():
    import socket

    return socket


def test_plain_http_refused_by_the_commands(terminal, signed_repo_env):
    # refused by the URL alone: nothing is sent anywhere
    r = kiosk("catalogue", "update", "http://update.example.invalid/repo")
    refused(r, "plain http is refused")
    r = kiosk("catalogue", "install", "http://update.example.invalid/repo/targets/x.tar.gz")
    refused(r, "plain http is refused")


@pytest.fixture
def signed_repo_env(tmp_path, monkeypatch):
    return make_repo(tmp_path, monkeypatch)


def test_download_limit_applies_before_downloading(tmp_path, catalogue_db, terminal, signed_repo_env,
                                                    monkeypatch):
    import kiosk.db.update as update

    repo = signed_repo_env
    repo.publish(db_bundle(tmp_path, catalogue_db, "14"))
    before = terminal.read_bytes()
    monkeypatch.setattr(update, "MAX_BUNDLE_BYTES", 1000)
    with pytest.raises(update.UpdateError, match="more than the limit 1000"):
        update.update_catalogue(str(repo.dir), terminal)
    assert terminal.read_bytes() == before
    monkeypatch.undo()


def test_a_stray_file_needs_a_repository_to_be_verified(tmp_path, catalogue_db, terminal, signed_repo_env):
    repo = signed_repo_env
    bundle = db_bundle(tmp_path, catalogue_db, "15")
    published = repo.publish(bundle)
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "install", str(bundle)), "cannot verify its signature")
    assert terminal.read_bytes() == before
    # the same bytes, checked against the repository named on the command line
    r = kiosk("catalogue", "install", str(bundle), "--repo", str(repo.dir))
    assert r.returncode == 0, r.stderr
    assert version_of(terminal) == "15"
    assert published.read_bytes() == bundle.read_bytes()


def test_local_repository_copy_updates_an_offline_terminal(tmp_path, catalogue_db, terminal, signed_repo_env):
    repo = signed_repo_env
    repo.publish(db_bundle(tmp_path, catalogue_db, "16"))
    usb = tmp_path / "usb" / "repo"
    shutil.copytree(repo.dir, usb)
    r = kiosk("catalogue", "update", str(usb))
    assert r.returncode == 0, r.stderr
    assert version_of(terminal) == "16"


def test_no_trusted_root_refuses_everything(tmp_path, catalogue_db, terminal, signed_repo_env, monkeypatch):
    repo = signed_repo_env
    published = repo.publish(db_bundle(tmp_path, catalogue_db, "17"))
    monkeypatch.setenv("KIOSK_TRUST_ROOT", str(tmp_path / "missing-root.json"))
    before = terminal.read_bytes()
    refused(kiosk("catalogue", "install", str(published)), "no trusted root metadata")
    refused(kiosk("catalogue", "update", str(repo.dir)), "no trusted root metadata")
    assert terminal.read_bytes() == before


# -- the kiosk checks by itself, at Home --------------------------------------------------------------------
def test_kiosk_updates_at_home_in_a_child_process(qtbot, tmp_path, catalogue_db, terminal, signed_repo_env):
    from kiosk.config import KioskConfig
    from kiosk.session import Screen
    from kiosk.ui.app import create_window
    from kiosk.ui.updates import UpdateChecker
    from tests.ui_helpers import tap

    repo = signed_repo_env
    repo.publish(db_bundle(tmp_path, catalogue_db, "2026-12-20.1"))
    catalogue = CatalogueService(terminal)
    w = create_window(catalogue, KioskConfig(region="fushun"))
    w.db_path = terminal
    qtbot.addWidget(w)
    w.resize(1080, 1920)
    w.show()
    w.reload_catalogue_if_changed()  # remembers the file
    checker = UpdateChecker(w, terminal, str(repo.dir), 60, first_after=0, tick_ms=3_600_000)
    tap(qtbot, w, "topic:query")
    assert checker.tick() is False, "never while a citizen is using the kiosk"
    tap(qtbot, w, "homeButton")
    assert checker.tick() is True
    assert checker.process is not None  # running on its own: the screen is not held
    assert w.ctx.catalogue is catalogue
    qtbot.waitUntil(lambda: checker.process is None, timeout=60_000)
    assert w.ctx.session.screen is Screen.HOME
    assert w.ctx.catalogue is not catalogue and w.ctx.catalogue.meta["bundle_version"] == "2026-12-20.1"
    assert checker.tick() is False, "the next check waits for the interval"
    assert not [x for x in w.ctx.warnings if "目录" in x]
    # a frozen server: the timestamp expires; the catalogue stays, staff are told its age
    repo.publish(db_bundle(tmp_path, catalogue_db, "2026-12-21.1"), timestamp_days=-1)
    checker.next_due = 0
    assert checker.tick() is True
    qtbot.waitUntil(lambda: checker.process is None, timeout=60_000)
    assert w.ctx.catalogue.meta["bundle_version"] == "2026-12-20.1"
    failed = [x for x in w.ctx.warnings if x.startswith("目录更新失败")]
    assert len(failed) == 1 and "expired" in failed[0] and "版本 2026-12-20.1" in failed[0] and "天" in failed[0]
    qtbot.wait(1700)  # the warm-up Home schedules (1.5 s) runs here, not in a later test's window count
    w.close()


def test_staff_are_told_when_updates_stop(tmp_path, catalogue_db, terminal):
    from datetime import datetime, timedelta

    from kiosk.db.update import staff_warnings, status_path

    assert staff_warnings(terminal) == [], "no updates configured: nothing to say"
    now = datetime(2026, 12, 20, tzinfo=UTC)
    status_path(terminal).write_text(json.dumps({
        "checked_at": "2026-12-19T00:00:00+00:00", "ok": True, "message": "up to date (v1)",
        "verified_at": "2026-12-19T00:00:00+00:00"}), encoding="utf-8")
    assert staff_warnings(terminal, now) == []
    status_path(terminal).write_text(json.dumps({
        "checked_at": "2026-12-19T00:00:00+00:00", "ok": True, "message": "up to date (v1)",
        "verified_at": "2026-12-09T00:00:00+00:00"}), encoding="utf-8")
    (w,) = staff_warnings(terminal, now + timedelta(hours=1))
    assert w.startswith("目录已 11 天未从更新服务器验证成功；继续使用当前目录（版本 本机生成")


def test_repo_commands(tmp_path):
    repo, keys = tmp_path / "repo", tmp_path / "keys"
    r = kiosk("catalogue", "repo", "init", str(repo), "--keys", str(keys), "--root-keys", "4", "--threshold", "3")
    assert r.returncode == 0 and "root threshold 3 of 4 keys" in r.stdout, r.stderr
    assert sorted(p.name for p in keys.iterdir()) == ["root-1.pem", "root-2.pem", "root-3.pem", "root-4.pem",
                                                      "snapshot.pem", "targets.pem", "timestamp.pem"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in keys.iterdir()) and keys.stat().st_mode & 0o077 == 0
    r = kiosk("catalogue", "repo", "status", str(repo))
    assert r.returncode == 0
    assert "root: version 1" in r.stdout and "root threshold 3 of 4" in r.stdout
    assert "timestamp: version 1" in r.stdout and "(valid)" in r.stdout and "EXPIRED" not in r.stdout
    assert "newest catalogue: (none published)" in r.stdout
    r = kiosk("catalogue", "repo", "refresh-timestamp", str(repo), "--keys", str(keys), "--days", "-1")
    assert r.returncode == 0 and "expires" in r.stdout
    r = kiosk("catalogue", "repo", "status", str(repo))
    assert "timestamp: version 2" in r.stdout and "(EXPIRED)" in r.stdout
    for args, words in (
        (["refresh-timestamp", str(repo), "--keys", str(tmp_path / "empty")], "no timestamp key"),
        (["init", str(repo), "--keys", str(keys)], "already a repository"),
        (["init", str(tmp_path / "r2"), "--keys", str(keys), "--threshold", "4"], "threshold 4 must be"),
        (["status", str(tmp_path / "nowhere")], "no root.json"),
    ):
        r = kiosk("catalogue", "repo", *args)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        (line,) = r.stderr.splitlines()
        assert words in line and "nothing was published" in line
