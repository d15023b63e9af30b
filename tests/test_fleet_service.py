"""The fleet service end to end, against the test PostgreSQL cluster and a real
browser (Debian's chromium through chromium-driver): two terminals on this machine
enrol over HTTPS (a CA made here), report, show in the console; a printer fault is
an alert at once; a change proposed and approved is signed and reaches both
terminals; usage merges by histogram; reports queued offline arrive exactly once."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import ssl
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from tests.fleet_support import BIN, PROJECT, Service, make_ca, pg_database  # noqa: E402

PASSWORD = "correct-horse-42"
# KIOSK_FLEET_SCREENSHOTS=1 refreshes the console screenshots in docs/fleet/
SHOTS = PROJECT / "docs" / "fleet" if os.environ.get("KIOSK_FLEET_SCREENSHOTS") == "1" else None


@pytest.fixture(scope="module")
def world(tmp_path_factory, catalogue_db):
    from kiosk.db import tufrepo

    base = tmp_path_factory.mktemp("fleet")
    ca, cert, key = make_ca(base / "tls")
    url, drop = pg_database()
    data = base / "service"
    tufrepo.init_repo(data / "repo", data / "keys", root_keys=3, threshold=2)
    trusted = base / "trusted-root.json"
    shutil.copy2(data / "repo" / "metadata" / "1.root.json", trusted)
    svc = Service(url, data, catalogue_db, ca, cert, key)
    for name, role in (("op", "operator"), ("editor", "editor"), ("reviewer", "reviewer")):
        svc.cli("create-user", name, "--role", role, stdin=PASSWORD + "\n")
    terminals = {}
    for name in ("A", "B"):
        d = base / f"terminal-{name}"
        d.mkdir()
        shutil.copy2(catalogue_db, d / "catalogue.sqlite")
        terminals[name] = d
    yield {"svc": svc, "ca": ca, "pg": url, "trusted": trusted, "terminals": terminals, "base": base}
    svc.stop()
    drop()


def kiosk(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_DATA_DIR": str(data)}
    return subprocess.run([str(BIN / "kiosk"), *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="module")
def enrolled(world):
    svc = world["svc"]
    creds = {}
    for name, d in world["terminals"].items():
        code = svc.cli("enrol-code", "--hall", f"沈阳市医保服务中心{name}厅", "--region", "shenyang")
        # without the CA the service's certificate is refused: nothing is sent in clear
        bad = kiosk(d, "fleet", "enrol", svc.url, code)
        assert bad.returncode != 0 and "Traceback" not in bad.stderr
        ok = kiosk(d, "fleet", "enrol", svc.url, code, "--ca", str(world["ca"]), "--name", f"终端{name}")
        assert ok.returncode == 0, ok.stderr
        again = kiosk(d, "fleet", "enrol", svc.url, code, "--ca", str(world["ca"]))
        assert again.returncode != 0 and "登记码无效" in again.stderr  # one-time
        path = d / "fleet.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        creds[name] = json.loads(path.read_text())
    return creds


class FakeWindow:
    """What the heartbeat reads from a kiosk window (no Qt needed here)."""

    def __init__(self, db: Path):
        from kiosk.config import KioskConfig

        self.db_path = db
        self.ctx = type("Ctx", (), {"config": KioskConfig()})()


def reporter(world, enrolled, name: str, printer: dict):
    from kiosk.fleet import client

    d = world["terminals"][name]
    errors = client.ErrorCounter()
    beat = client.heartbeat_of(FakeWindow(d / "catalogue.sqlite"), errors, time.monotonic())

    def heartbeat():
        data = beat()
        data.update(printer)
        return data
    return client.Reporter(enrolled[name], client.Outbox(client.outbox_path(d)), heartbeat, d / "state.sqlite")


def record_sessions(data: Path, seconds: list[int]) -> None:
    """Real usage figures through the kiosk's own recorder (kiosk/staff/stats.py)."""
    from kiosk.staff.state import StateStore
    from kiosk.staff.stats import UsageRecorder

    store = StateStore(data / "state.sqlite")
    now = [1000.0]
    rec = UsageRecorder(store, monotonic=lambda: now[0])
    for s in seconds:
        stats = type("Stats", (), {"started": now[0] - s, "checklist_at": now[0], "service_id": "svc-x"})()
        rec.session_finished(stats, "home", "shenyang")
    store.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium not installed (scripts/setup.sh --test installs it)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
              "--window-size=1400,900", "--ignore-certificate-errors", "--lang=zh-CN"):
        opts.add_argument(a)
    drv = webdriver.Chrome(service=DriverService("/usr/bin/chromedriver"), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


def login(drv, url: str, name: str, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By

    drv.delete_all_cookies()
    drv.get(f"{url}/login")
    drv.find_element(By.ID, "name").send_keys(name)
    drv.find_element(By.ID, "password").send_keys(password)
    submit(drv, "login")


def submit(drv, button_id: str, timeout: float = 60) -> None:
    """Click a form's button and wait until the browser has left the page.

    A click returns before the next page has loaded; on a busy 2-core CI machine the next
    find_element ran against the old page (no #state there) and failed. Waiting for the old
    document to go stale makes the next lookup see the server's answer.
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    old = drv.find_element(By.TAG_NAME, "html")
    drv.find_element(By.ID, button_id).click()
    WebDriverWait(drv, timeout).until(EC.staleness_of(old))
    WebDriverWait(drv, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")


def element(drv, element_id: str):
    """The element with this id, or a failure that shows the page the server sent instead."""
    from selenium.webdriver.common.by import By

    found = drv.find_elements(By.ID, element_id)
    assert found, f"no #{element_id} on {drv.current_url}: {drv.find_element(By.TAG_NAME, 'body').text[:500]}"
    return found[0]


def shot(drv, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        drv.save_screenshot(str(SHOTS / f"{name}.png"))


# -- the tests ------------------------------------------------------------------------------------------
def test_two_terminals_report_and_a_printer_fault_is_an_alert(world, enrolled, browser):
    from selenium.webdriver.common.by import By

    url = world["svc"].url
    printers = {"A": {"printer_state": "ok", "printer_fault": None}, "B": {"printer_state": "ok"}}
    reps = {n: reporter(world, enrolled, n, printers[n]) for n in ("A", "B")}
    for r in reps.values():
        r.tick()
        assert r.outbox.pending() == 0
    login(browser, url, "op")
    table = browser.find_element(By.ID, "fleet").text
    assert "终端A" in table and "终端B" in table
    assert browser.find_element(By.ID, "alerting").text == "0 台告警"
    # the fault, at the next heartbeat (every 60 s): on the console at once
    printers["A"].update(printer_state="paper_out", printer_fault="media-empty-error")
    t0 = time.monotonic()
    reps["A"].tick()
    browser.get(url + "/")
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-terminal="{enrolled["A"]["terminal_id"]}"]').text
    assert "打印机缺纸" in row and time.monotonic() - t0 < 60
    assert browser.find_element(By.ID, "alerting").text == "1 台告警"
    rowb = browser.find_element(By.CSS_SELECTOR, f'tr[data-terminal="{enrolled["B"]["terminal_id"]}"]').text
    assert "正常" in rowb
    shot(browser, "fleet")
    st = kiosk(world["terminals"]["A"], "fleet", "status")
    assert "待发送报告：0 条" in st.stdout and enrolled["A"]["terminal_id"] in st.stdout


def test_reporter_thread_sends_on_its_own(world, enrolled):
    from kiosk.fleet import client

    rep = reporter(world, enrolled, "B", {"printer_state": "paper_low"})
    rep.heartbeat_s = 0.2
    rep.start()
    try:
        deadline = time.monotonic() + 20
        while client.Outbox(client.outbox_path(world["terminals"]["B"])).get_meta("last_sent") is None:
            assert time.monotonic() < deadline, "the reporter thread sent nothing"
            time.sleep(0.1)
    finally:
        rep.stop()
    assert not rep.thread.is_alive()


def test_offline_reports_arrive_exactly_once(world, enrolled):
    import psycopg

    from kiosk.fleet import client

    d = world["terminals"]["B"]
    cred = dict(enrolled["B"], url="https://127.0.0.1:9")  # nothing listens: the network is down
    box = client.Outbox(client.outbox_path(d))
    rep = client.Reporter(cred, box, lambda: {"printer_state": "ok"}, None)
    before = box.pending()
    t0 = time.monotonic()
    for _ in range(3):
        rep.tick()  # queued, never raised, never waited long
    assert time.monotonic() - t0 < 5
    assert box.pending() == before + 3
    batch = box.oldest()
    # the answer to the first send is lost: the terminal sends the same batch again
    first = client._post(f"{world['svc'].url}/api/v1/reports", {"reports": batch}, cred["token"], cred["ca"])
    second = client._post(f"{world['svc'].url}/api/v1/reports", {"reports": batch}, cred["token"], cred["ca"])
    assert len(first["accepted"]) == len(batch) and second["accepted"] == []
    assert sorted(second["duplicates"]) == sorted(r["key"] for r in batch)
    assert client.send_pending(box, enrolled["B"]) == len(batch)
    assert box.pending() == 0
    keys = [r["key"] for r in batch]
    with psycopg.connect(world["pg"]) as c:
        n = c.execute("SELECT count(*) FROM received_reports WHERE key = ANY(%s)", (keys,)).fetchone()[0]
    assert n == len(batch)


def test_usage_merges_as_histograms(world, enrolled, browser):
    from selenium.webdriver.common.by import By

    # A: 10 20 30 s (median 20), B: 40 50 s (median 45); city-wide 30 (not 32.5, the mean of medians)
    record_sessions(world["terminals"]["A"], [10, 20, 30])
    record_sessions(world["terminals"]["B"], [40, 50])
    for n in ("A", "B"):
        r = reporter(world, enrolled, n, {})
        r.tick()
        r.tick()  # a second usage report of the same hours replaces, never adds
        r.last_usage = 0
        r.usage_s = 0
        r.tick()
    login(browser, world["svc"].url, "op")
    browser.get(world["svc"].url + "/usage?group=terminal&days=7")
    assert browser.find_element(By.ID, "city-median").text == "30 秒"
    text = browser.find_element(By.ID, "usage").text
    assert "终端A" in text and "终端B" in text
    shot(browser, "usage")
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    req = urllib.request.Request(world["svc"].url + "/usage.csv?group=terminal&days=7",
                                 headers={"Cookie": f"fleet_session={cookies['fleet_session']}"})
    with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=str(world["ca"]))) as resp:
        rows = list(csv.DictReader(io.StringIO(resp.read().decode("utf-8-sig"))))
    by = {r["terminal"]: r for r in rows}
    a, b = by[enrolled["A"]["terminal_id"]], by[enrolled["B"]["terminal_id"]]
    assert (a["session"], a["checklist"], a["median_seconds_to_checklist"]) == ("3", "3", "20")
    assert (b["session"], b["median_seconds_to_checklist"]) == ("2", "45")


def test_change_reviewed_signed_and_installed_on_both_terminals(world, enrolled, browser, monkeypatch):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from kiosk.db.service import CatalogueService
    from kiosk.db.update import update_catalogue
    from kiosk.fleet.publish import current_value, documents, services

    url = world["svc"].url
    db = world["terminals"]["A"] / "catalogue.sqlite"
    region, sid, name = next(s for s in services(db) if s[0] == "shenyang" and current_value(db, *s[:2], "tips"))
    doc = next(d for d in documents(db) if (PROJECT / "seed" / "sources" / d["file"]).is_file())
    line = next(ln.strip() for ln in (PROJECT / "seed" / "sources" / doc["file"]).read_text().splitlines()
                if len(ln.strip()) > 20)
    excerpt = line[:15]
    tips = current_value(db, region, sid, "tips")

    login(browser, url, "editor")
    browser.get(f"{url}/changes/new?service={region}/{sid}&field=tips")
    # one row per tip, then empty rows: the new tip goes into the first empty one
    assert element(browser, "item-0-text").get_attribute("value") == tips[0]["text"]
    assert element(browser, f"item-{len(tips)}-text").get_attribute("value") == ""
    element(browser, f"item-{len(tips)}-text").send_keys("测试提示：请携带社保卡原件。")
    browser.find_element(By.ID, "reason").send_keys("依据新文件增加提示")
    Select(browser.find_element(By.ID, "document")).select_by_value(doc["file"])
    browser.find_element(By.ID, "excerpt").send_keys(excerpt)
    shot(browser, "change-rows")
    submit(browser, "submit")
    assert element(browser, "state").text == "待审核"
    assert not browser.find_elements(By.ID, "approve")  # an editor cannot approve
    change_url = browser.current_url

    login(browser, url, "reviewer")
    browser.get(change_url)
    assert excerpt in browser.find_element(By.ID, "document").text  # the cited text, seen by the reviewer
    assert "+" in browser.find_element(By.ID, "diff").text and "测试提示" in browser.find_element(By.ID, "diff").text
    shot(browser, "review")
    browser.find_element(By.ID, "note").send_keys("与文件一致")
    submit(browser, "approve")
    version = element(browser, "published").text
    assert element(browser, "state").text == "已发布"

    monkeypatch.setenv("KIOSK_TRUST_ROOT", str(world["trusted"]))
    monkeypatch.setenv("SSL_CERT_FILE", str(world["ca"]))
    for n, d in world["terminals"].items():
        outcome, got = update_catalogue(f"{url}/repo", d / "catalogue.sqlite")
        assert (outcome, got) == ("installed", version), n
        svc = CatalogueService(d / "catalogue.sqlite")
        try:
            tips = {t.text: t.ref for t in svc.service(region, sid).tips}
        finally:
            svc.close()
        assert tips.get("测试提示：请携带社保卡原件。") == doc["file"], n  # cites the change's document
    browser.get(f"{url}/audit")
    audit = browser.find_element(By.ID, "audit").text
    assert "approve+publish" in audit and version in audit and "reviewer" in audit and doc["file"] in audit
    shot(browser, "audit")
    # the terminals now report the new version: not "behind"
    browser.get(f"{url}/changes")
    shot(browser, "changes")


def test_migrations_upgrade_on_postgresql():
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from kiosk.fleet.db import MIGRATIONS, make_engine, upgrade
    from kiosk.fleet.models import Base

    url, drop = pg_database()
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert "hall_configs" in inspect(engine).get_table_names()
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:  # 0003 goes down and up again cleanly
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
        assert "hall_configs" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "hall_configs" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
        drop()


def fill(drv, element_id: str, text: str) -> None:
    box = element(drv, element_id)
    box.clear()
    box.send_keys(text)


def test_hall_configuration_is_signed_and_applied_on_both_terminals(world, enrolled, browser, monkeypatch):
    import psycopg
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url = world["svc"].url
    # editors see the hall's configuration but cannot save it
    login(browser, url, "editor")
    browser.get(f"{url}/halls/shenyang/heping")
    assert element(browser, "version").text == "未发布" and not browser.find_elements(By.ID, "save")

    login(browser, url, "op")
    browser.get(f"{url}/halls")
    assert "沈阳市医疗保障事务服务中心和平分中心" in element(browser, "halls").text
    browser.find_element(By.CSS_SELECTOR, 'tr[data-hall="shenyang/heping"] a').click()
    fill(browser, "idle_timeout", "十秒")
    submit(browser, "save")
    assert "请输入整数秒数" in element(browser, "error").text and element(browser, "version").text == "未发布"
    fill(browser, "idle_timeout", "120")
    fill(browser, "idle_countdown", "20")
    Select(element(browser, "orientation")).select_by_value("portrait")
    Select(element(browser, "text_size")).select_by_value("large")
    Select(element(browser, "theme")).select_by_value("contrast")
    Select(element(browser, "printer_kind")).select_by_value("escpos")
    Select(element(browser, "printer_paper")).select_by_value("80mm")
    fill(browser, "printer_address", "tcp://10.0.0.7:9100")
    if not element(browser, "publish_hours").is_selected():
        element(browser, "publish_hours").click()
    fill(browser, "hours_mon", "08:30-11:30，13:00-17:00")
    fill(browser, "hours_sat", "09:00-12:00")
    fill(browser, "closed_dates", "2027-01-01")
    fill(browser, "night_blank", "22:00-06:00")
    submit(browser, "save")
    assert "第 1 版" in element(browser, "saved").text and element(browser, "version").text == "第 1 版"
    browser.set_window_size(1400, 1500)  # the whole form in the screenshot
    shot(browser, "hall-config")
    browser.set_window_size(1400, 900)
    with psycopg.connect(world["pg"]) as c:
        rows = c.execute("SELECT version, saved_by FROM hall_configs WHERE region = 'shenyang' "
                         "AND hall = 'heping'").fetchall()
        audit = c.execute("SELECT who, subject FROM audit WHERE action = 'hall-config'").fetchall()
    assert rows == [(1, "op")] and audit == [("op", "shenyang/heping v1")]

    # both terminals (hall heping) take it at their next check, through the signed repository
    monkeypatch.setenv("KIOSK_TRUST_ROOT", str(world["trusted"]))
    monkeypatch.setenv("SSL_CERT_FILE", str(world["ca"]))
    local = {"region": "shenyang", "hall": "heping", "update_url": f"{url}/repo", "tap_settle_ms": 200}
    for name, d in world["terminals"].items():
        (d / "config").mkdir(exist_ok=True)
        (d / "config" / "config.json").write_text(json.dumps(local))
        monkeypatch.setenv("KIOSK_CONFIG_DIR", str(d / "config"))
        out = kiosk(d, "--db", str(d / "catalogue.sqlite"), "catalogue", "update", f"{url}/repo")
        # (the catalogue part may have nothing to install when this test runs alone)
        assert "applied signed hall configuration version 1" in out.stdout, (name, out.stderr)
        assert "Traceback" not in out.stderr
        got = json.loads((d / "config" / "config.json").read_text())
        assert (got["idle_timeout"], got["idle_countdown"], got["theme"], got["text_size"], got["orientation"]) \
            == (120, 20, "contrast", "large", "portrait"), name
        assert got["printer"]["kind"] == "escpos" and got["printer"]["address"] == "tcp://10.0.0.7:9100"
        assert got["opening_hours"]["mon"] == ["08:30-11:30", "13:00-17:00"] and got["opening_hours"]["tue"] == []
        assert got["closed_dates"] == ["2027-01-01"] and got["night_blank"] == "22:00-06:00"
        assert {k: got[k] for k in local} == local, name  # the terminal's own keys, untouched
        st = kiosk(d, "fleet", "status")
        assert "大厅配置：第 1 版（shenyang/heping" in st.stdout, name
    # their next heartbeats tell the console which version each applied
    for name in ("A", "B"):
        reporter(world, enrolled, name, {}).tick()
    browser.get(url + "/")
    for name in ("A", "B"):
        cell = browser.find_element(By.CSS_SELECTOR, f'tr[data-terminal="{enrolled[name]["terminal_id"]}"] td.hall-config')
        assert cell.text == "shenyang/heping v1", name

    # a second save: version 2 reaches terminal A; the audit has both, old and new
    browser.get(f"{url}/halls/shenyang/heping")
    fill(browser, "idle_timeout", "150")
    submit(browser, "save")
    assert element(browser, "version").text == "第 2 版"
    d = world["terminals"]["A"]
    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(d / "config"))
    out = kiosk(d, "--db", str(d / "catalogue.sqlite"), "catalogue", "update", f"{url}/repo")
    assert "applied signed hall configuration version 2: idle_timeout" in out.stdout, out.stderr
    assert json.loads((d / "config" / "config.json").read_text())["idle_timeout"] == 150
    browser.get(f"{url}/audit")
    audit_text = element(browser, "audit").text
    assert "shenyang/heping v2" in audit_text and "shenyang/heping v1" in audit_text and "hall-config" in audit_text
    shot(browser, "hall-audit")
