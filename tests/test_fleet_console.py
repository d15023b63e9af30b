"""The fleet service's rules, in process on its SQLite default (fast): accounts,
CSRF, lockout, login audit, roles, terminal credentials, alerts, the migration."""

from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from kiosk.fleet import auth, ingest  # noqa: E402
from kiosk.fleet.app import Settings, create_app  # noqa: E402
from kiosk.fleet.models import LoginAudit, Terminal, User  # noqa: E402

PASSWORD = "correct-horse-42"


@pytest.fixture
def app(tmp_path, catalogue_db):
    app = create_app(Settings(db_url=str(tmp_path / "fleet.sqlite"), data_dir=tmp_path, catalogue=catalogue_db))
    with app.state.sessions() as s:
        for name, role in (("op", "operator"), ("editor", "editor"), ("reviewer", "reviewer")):
            auth.create_user(s, name, role, PASSWORD)
        s.commit()
    return app


def client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def login(c: TestClient, name: str, password: str = PASSWORD):
    page = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return c.post("/login", data={"name": name, "password": password, "csrf": csrf})


def csrf_of(c: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get("/").text).group(1)


def test_passwords_are_argon2_hashes(app):
    with app.state.sessions() as s:
        h = s.query(User).filter_by(name="op").one().password_hash
    assert h.startswith("$argon2id$") and PASSWORD not in h


def test_login_needs_its_form_token_and_pages_need_a_session(app):
    c = client(app)
    assert c.get("/").status_code == 303
    c.get("/login")
    r = c.post("/login", data={"name": "op", "password": PASSWORD, "csrf": "forged"})
    assert "fleet_session" not in r.cookies and "表单已过期" in r.text
    assert login(c, "op").status_code == 303
    assert "终端" in c.get("/").text


def test_posts_without_the_csrf_token_are_refused(app):
    c = client(app)
    login(c, "op")
    r = c.post("/enrol-codes", data={"hall": "大厅", "region": "shenyang", "csrf": "wrong"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post("/enrol-codes", data={"hall": "大厅", "region": "shenyang", "csrf": csrf_of(c)})
    assert r.status_code == 200 and re.search(r'id="enrol-code">[0-9A-F-]{20}<', r.text)


def test_lockout_after_five_failures_and_every_attempt_audited(app):
    c = client(app)
    for _ in range(auth.MAX_FAILED):
        assert login(c, "editor", "wrong-password").status_code == 401
    r = login(c, "editor")  # the right password, but locked
    assert r.status_code == 401 and "锁定" in r.text
    login(c, "nobody", "whatever")
    with app.state.sessions() as s:
        outcomes = [a.outcome for a in s.query(LoginAudit).order_by(LoginAudit.id)]
    assert outcomes == ["bad-password"] * 4 + ["locked-now", "locked", "unknown"]


def test_roles(app):
    c = client(app)
    login(c, "op")
    assert c.get("/changes/new").status_code == 403  # only editors propose
    c2 = client(app)
    login(c2, "editor")
    assert c2.post("/enrol-codes", data={"hall": "x", "region": "y", "csrf": csrf_of(c2)}).status_code == 403


def test_terminal_credentials(app):
    c = client(app)
    assert c.post("/api/v1/reports", json={"reports": []}).status_code == 401
    assert c.post("/api/v1/reports", json={"reports": []},
                  headers={"Authorization": "Bearer nope"}).status_code == 401
    with app.state.sessions() as s:
        code = ingest.new_enrol_code(s, "大厅", "shenyang", "op")
    got = c.post("/api/v1/enrol", json={"code": code, "name": "t"}).json()
    assert c.post("/api/v1/enrol", json={"code": code}).status_code == 403  # one time only
    h = {"Authorization": f"Bearer {got['token']}"}
    r = c.post("/api/v1/reports", headers=h, json={"reports": [
        {"key": "k" * 10, "kind": "heartbeat", "at": time.time(), "data": {"printer_state": "offline"}}]})
    assert r.json() == {"accepted": ["k" * 10], "duplicates": []}
    with app.state.sessions() as s:
        t = s.get(Terminal, got["terminal_id"])
        assert t.printer_state == "offline" and t.token_hash != got["token"]


def _terminal(**kw) -> Terminal:
    base = dict(id="t", name="t", hall="h", region="r", token_hash="x", enrolled_at=0, last_seen=1000.0,
                printer_state="ok", errors_last_hour=0, catalogue_version="2026-11-01.1", catalogue_age_days=1.0)
    return Terminal(**(base | kw))


@pytest.mark.parametrize("kw,now,newest,expect", [
    ({}, 1000 + 9 * 60, "2026-11-01.1", []),
    ({}, 1000 + 11 * 60, None, ["已 11 分钟无心跳"]),
    ({"printer_state": "paper_out"}, 1000, None, ["打印机缺纸"]),
    ({"catalogue_age_days": 45.0}, 1000, None, ["目录已 45 天未更新"]),
    ({}, 1000, "2026-11-01.10", ["目录落后（2026-11-01.1 < 2026-11-01.10）"]),
    ({"catalogue_version": "local"}, 1000, "2026-11-01.2", ["目录非签名版本（最新 2026-11-01.2）"]),
    ({"errors_last_hour": 3}, 1000, None, ["一小时内 3 次错误"]),
])
def test_alerts(kw, now, newest, expect):
    assert ingest.alerts_of(_terminal(**kw), now, newest) == expect


@pytest.mark.parametrize("state,expect", [
    ({"enabled": True, "reasons": ["media-empty-error"], "message": ""}, "paper_out"),
    ({"enabled": True, "reasons": ["media-low-report"], "message": ""}, "paper_low"),
    ({"enabled": False, "reasons": ["paused"], "message": "stopped"}, "offline"),
    ({"enabled": True, "reasons": [], "message": ""}, "ok"),
])
def test_printer_state_from_cups(monkeypatch, state, expect):
    from kiosk.config import KioskConfig, PrinterConfig
    from kiosk.fleet import client as fc
    from kiosk.printing import cups

    monkeypatch.setattr(cups, "queue_state", lambda q, timeout=3.0: state | {"printing": None})
    cfg = KioskConfig(printer=PrinterConfig(kind="cups", queue="q"))
    assert fc.printer_state(cfg)[0] == expect


def test_migration_matches_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kiosk.fleet.db import make_engine, upgrade
    from kiosk.fleet.models import Base

    engine = make_engine(str(tmp_path / "m.sqlite"))
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_a_terminal_staff_edit_becomes_one_proposal(app, tmp_path, catalogue):
    from kiosk.fleet import client as fc
    from kiosk.fleet.models import Change
    from kiosk.staff.edits import EditStore
    from kiosk.staff.state import StateStore

    store = StateStore(tmp_path / "state.sqlite")
    svc = next(s for s in catalogue.services("shenyang") if s.tips)
    EditStore(store).set_item(svc, "tips", None, {"text": "现场新增提示"}, who="张三")
    store.engine.dispose()
    box = fc.Outbox(tmp_path / "outbox.sqlite")
    assert fc.queue_new_edits(box, tmp_path / "state.sqlite") == 1
    assert fc.queue_new_edits(box, tmp_path / "state.sqlite") == 0  # the cursor: queued once
    c = client(app)
    with app.state.sessions() as s:
        code = ingest.new_enrol_code(s, "大厅", "shenyang", "op")
    token = c.post("/api/v1/enrol", json={"code": code, "name": "终端甲"}).json()["token"]
    batch = box.oldest()
    for _ in range(2):  # sent again after a lost answer
        assert c.post("/api/v1/reports", json={"reports": batch},
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with app.state.sessions() as s:
        changes = s.query(Change).all()
    assert len(changes) == 1
    ch = changes[0]
    assert (ch.service_id, ch.field, ch.state, ch.proposed_by) == (svc.id, "tips", "proposed", "张三@终端甲")
    assert "现场新增提示" in ch.new_value and ch.origin.startswith("terminal:")


def test_old_heartbeats_and_keys_are_pruned(app):
    from kiosk.fleet.models import Heartbeat, ReceivedReport

    now = time.time()
    with app.state.sessions() as s:
        code = ingest.new_enrol_code(s, "大厅", "shenyang", "op")
        _tid, _tok, t = ingest.enrol(s, code, "t")
        old, new = now - 8 * 86400, now - 6 * 86400
        ingest.ingest(s, t, [{"key": "old-key-1", "kind": "heartbeat", "at": old, "data": {}},
                             {"key": "new-key-1", "kind": "heartbeat", "at": new, "data": {}}], now=now)
        s.query(ReceivedReport).filter_by(key="old-key-1").update({"at": now - 31 * 86400})
        s.commit()
        assert ingest.prune(s, now) == (1, 1)
        assert [h.at for h in s.query(Heartbeat)] == [new]
        assert [r.key for r in s.query(ReceivedReport)] == ["new-key-1"]


def test_hall_sums_follow_replaced_hourly_counts(app):
    from sqlalchemy import func, select

    from kiosk.fleet.models import HallCount, UsageCount

    def report(n: int, seconds: int) -> dict:
        return {"key": f"usage-{n}-{seconds}-{time.time_ns()}", "kind": "usage", "data": {
            "counts": [{"day": "2026-11-30", "hour": 9, "service_id": "s1", "metric": "session", "count": n}],
            "times": [{"day": "2026-11-30", "hour": 9, "service_id": "s1", "seconds": seconds, "count": n}]}}

    with app.state.sessions() as s:
        terms = [ingest.enrol(s, ingest.new_enrol_code(s, "同一大厅", "shenyang", "op"), f"t{i}")[2] for i in (1, 2)]
        ingest.ingest(s, terms[0], [report(2, 10)])
        ingest.ingest(s, terms[1], [report(3, 40)])
        ingest.ingest(s, terms[0], [report(5, 10)])  # the same hour again, counted further: replaces 2
        (row,) = ingest.usage(s, "hall")
        assert (row["key"], row["session"]) == ("同一大厅", 8)
        assert row["median_seconds"] == 10  # 5 x 10 s, 3 x 40 s
        assert ingest.city_median(s) == 10
        raw = s.scalar(select(func.sum(UsageCount.count)))
        assert s.scalar(select(func.sum(HallCount.count))) == raw == 8


# -- per-hall configuration (kiosk.hallconfig) ------------------------------------------------------------
HALL_FORM = {"idle_timeout": "120", "idle_countdown": "20", "orientation": "portrait", "text_size": "large",
             "theme": "contrast", "publish_printer": "1", "printer_kind": "escpos", "printer_queue": "",
             "printer_address": "tcp://10.0.0.7:9100", "printer_paper": "80mm", "printer_encoding": "gb18030",
             "printer_timeout": "10", "printer_qr": "native", "publish_hours": "1",
             "hours_mon": "08:30-11:30，13:00-17:00", "hours_tue": "", "hours_wed": "", "hours_thu": "",
             "hours_fri": "", "hours_sat": "09:00-12:00", "hours_sun": "", "closed_dates": "2027-01-01\n",
             "night_blank": "22:00-06:00"}


@pytest.fixture
def signing_app(tmp_path, catalogue_db):
    from kiosk.db import tufrepo

    tufrepo.init_repo(tmp_path / "repo", tmp_path / "keys", root_keys=1, threshold=1)
    app = create_app(Settings(db_url=str(tmp_path / "fleet.sqlite"), data_dir=tmp_path, catalogue=catalogue_db,
                              repo=tmp_path / "repo", repo_keys=tmp_path / "keys"))
    with app.state.sessions() as s:
        for name, role in (("op", "operator"), ("editor", "editor")):
            auth.create_user(s, name, role, PASSWORD)
        s.commit()
    return app, tmp_path / "repo"


def test_a_hall_configuration_is_saved_audited_and_signed(signing_app):
    import json

    from kiosk.db import tufrepo
    from kiosk.fleet.models import Audit, HallConfig

    app, repo = signing_app
    c = client(app)
    login(c, "op")
    assert "沈阳市医疗保障事务服务中心和平分中心" in c.get("/halls").text
    r = c.post("/halls/shenyang/heping", data={**HALL_FORM, "csrf": csrf_of(c)})
    assert r.status_code == 303 and r.headers["location"] == "/halls/shenyang/heping?saved=1"
    signed = tufrepo._load(repo, "targets").signed
    info = signed.targets["halls/shenyang/heping.json"]
    assert info.unrecognized_fields["custom"] == {"kind": "hall-config", "version": 1}
    assert tufrepo._load(repo, "snapshot").signed.meta["targets.json"].version == signed.version
    doc = json.loads((repo / "targets" / "halls" / "shenyang" / f"{info.hashes['sha256']}.heping.json").read_text())
    assert (doc["region"], doc["hall"], doc["version"]) == ("shenyang", "heping", 1)
    assert doc["config"]["opening_hours"]["mon"] == ["08:30-11:30", "13:00-17:00"]
    assert doc["config"]["printer"]["address"] == "tcp://10.0.0.7:9100" and doc["config"]["idle_timeout"] == 120
    # a second save: version 2, audited with the old and the new value
    r = c.post("/halls/shenyang/heping", data={**HALL_FORM, "idle_timeout": "150", "csrf": csrf_of(c)})
    assert r.headers["location"].endswith("saved=2")
    with app.state.sessions() as s:
        assert [h.version for h in s.query(HallConfig).order_by(HallConfig.id)] == [1, 2]
        a = s.query(Audit).filter_by(action="hall-config").order_by(Audit.id).all()
    assert [(x.who, x.subject) for x in a] == [("op", "shenyang/heping v1"), ("op", "shenyang/heping v2")]
    assert a[0].old_value == "" and json.loads(a[1].old_value)["idle_timeout"] == 120
    assert json.loads(a[1].new_value)["idle_timeout"] == 150
    assert tufrepo._load(repo, "targets").signed.targets["halls/shenyang/heping.json"] \
        .unrecognized_fields["custom"]["version"] == 2


@pytest.mark.parametrize("change, message", [
    ({"idle_timeout": "abc"}, "请输入整数秒数"),
    ({"idle_timeout": "5"}, "idle_timeout: expected a number of seconds 20..3600"),
    ({"idle_countdown": "9" * 5000}, "请输入整数秒数"),
    ({"theme": "purple"}, "theme: expected one of normal, contrast"),
    ({"printer_timeout": "1e999"}, "printer.timeout: expected seconds 1..60"),
    ({"hours_mon": "08:30-17:00，12:00-13:00"}, "08:30-17:00 and 12:00-13:00 overlap"),
    ({"hours_tue": " ".join(["08:00-08:30"] * 10_000)}, "10000 spans; at most 6 a day"),
    ({"closed_dates": "2027-13-01"}, "2027-13-01&#39; is not a date in the calendar"),
    ({"night_blank": "dusk"}, "night_blank: &#39;dusk&#39; is not a span"),
])
def test_a_bad_hall_configuration_is_refused_and_nothing_published(signing_app, change, message):
    from kiosk.db import tufrepo
    from kiosk.fleet.models import Audit, HallConfig

    app, repo = signing_app
    c = client(app)
    login(c, "op")
    before = tufrepo._load(repo, "targets").signed.version
    r = c.post("/halls/shenyang/heping", data={**HALL_FORM, **change, "csrf": csrf_of(c)})
    assert r.status_code == 422 and message in r.text and "Traceback" not in r.text
    assert 'id="version">未发布' in r.text
    assert tufrepo._load(repo, "targets").signed.version == before
    with app.state.sessions() as s:
        assert s.query(HallConfig).count() == 0 and s.query(Audit).filter_by(action="hall-config").count() == 0


def test_only_operators_save_hall_configurations(signing_app):
    from kiosk.fleet.models import HallConfig

    app, _repo = signing_app
    c = client(app)
    login(c, "editor")
    page = c.get("/halls/shenyang/heping")
    assert page.status_code == 200 and 'id="save"' not in page.text
    r = c.post("/halls/shenyang/heping", data={**HALL_FORM, "csrf": csrf_of(c)})
    assert r.status_code == 403 and "运维人员" in r.text
    login(c, "op")
    assert c.post("/halls/shenyang/heping", data={**HALL_FORM, "csrf": "forged"}).status_code == 403
    assert c.get("/halls/shenyang/nowhere").status_code == 404
    assert c.post("/halls/shenyang/nowhere", data={**HALL_FORM, "csrf": csrf_of(c)}).status_code == 404
    with app.state.sessions() as s:
        assert s.query(HallConfig).count() == 0


# -- the change form's rows (kiosk/fleet/rows.py) ------------------------------------------------------------
def form_fields(html: str) -> dict:
    """The POST form's fields as a browser would send them (inputs, textareas, ticked boxes)."""
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields, self.in_post, self.textarea = {}, False, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.in_post = a.get("method") == "post" and a.get("action") == "/changes/new"
            elif self.in_post and tag == "input" and a.get("name"):
                if a.get("type") != "checkbox" or "checked" in a:
                    self.fields[a["name"]] = a.get("value") or ""
            elif self.in_post and tag == "textarea":
                self.textarea = a["name"]
                self.fields[self.textarea] = ""
            elif self.in_post and tag == "select":
                self.fields[a["name"]] = ""

        def handle_data(self, data):
            if self.textarea:
                self.fields[self.textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            elif tag == "form":
                self.in_post = False

    p = P()
    p.feed(html)
    return p.fields


def _service_with(db, field: str, n: int = 2):
    from kiosk.fleet.publish import current_value, services

    return next(s for s in services(db) if s[0] == "shenyang" and len(current_value(db, s[0], s[1], field) or []) >= n)


def _proposal(app):
    import json

    from kiosk.fleet.models import Change

    with app.state.sessions() as s:
        ch = s.query(Change).order_by(Change.id.desc()).first()
        return json.loads(ch.old_value), json.loads(ch.new_value)


BASICS = {"reason": "依据文件修改", "document": "some-guide.txt", "excerpt": ""}


def test_change_rows_add_a_tip_and_keep_the_others_as_they_are(app, catalogue_db):
    from kiosk.fleet.publish import current_value

    region, sid, _name = _service_with(catalogue_db, "tips")
    tips = current_value(catalogue_db, region, sid, "tips")
    c = client(app)
    login(c, "editor")
    page = c.get(f"/changes/new?service={region}/{sid}&field=tips")
    assert page.status_code == 200 and 'id="rows"' in page.text
    fields = form_fields(page.text)
    assert fields[f"item-{len(tips)}-text"] == "" and f"item-{len(tips)}-base" in fields  # an empty new row
    fields.update(BASICS, mode="rows")
    fields[f"item-{len(tips)}-text"] = "测试提示：请携带社保卡原件。"
    r = c.post("/changes/new", data=fields)
    assert r.status_code == 303, r.text[:2000]
    old, new = _proposal(app)
    assert old == tips
    assert new == tips + [{"text": "测试提示：请携带社保卡原件。", "ref": "", "condition": None, "label": None}]


def test_change_rows_delete_and_edit_materials_keeping_hidden_attributes(app, catalogue_db):
    from kiosk.fleet.publish import current_value

    region, sid, _name = _service_with(catalogue_db, "materials", 2)
    materials = current_value(catalogue_db, region, sid, "materials")
    c = client(app)
    login(c, "editor")
    fields = form_fields(c.get(f"/changes/new?service={region}/{sid}&field=materials").text)
    fields.update(BASICS, mode="rows")
    fields["item-0-delete"] = "1"
    fields["item-1-source"] = "社区卫生服务中心"
    fields["item-1-form.title"] = "异地就医备案表"
    assert c.post("/changes/new", data=fields).status_code == 303
    _old, new = _proposal(app)
    assert len(new) == len(materials) - 1
    edited = dict(materials[1], source="社区卫生服务中心",
                  form={**(materials[1].get("form") or {"where": None, "url": None}), "title": "异地就医备案表"})
    assert new[0] == edited  # ref, condition, evidence ... as they were
    assert new[1:] == materials[2:]


@pytest.mark.parametrize("change, message", [
    ({"item-0-text": "  "}, "第 1 行：请填写"),
    ({"item-0-base": "{not json"}, "第 1 行的原始内容已损坏"),
    ({"item-0-text": "第一行\n第二行"}, "请只填一行文字"),
    ({}, "新内容与现有内容相同"),
])
def test_change_rows_refused_with_the_row_named(app, catalogue_db, change, message):
    from kiosk.fleet.models import Change

    region, sid, _name = _service_with(catalogue_db, "refusals", 1)
    c = client(app)
    login(c, "editor")
    fields = form_fields(c.get(f"/changes/new?service={region}/{sid}&field=refusals").text)
    fields.update(BASICS, mode="rows", **change)
    r = c.post("/changes/new", data=fields)
    assert r.status_code == 422 and message in r.text and "Traceback" not in r.text
    assert 'id="rows"' in r.text  # the rows come back as typed
    with app.state.sessions() as s:
        assert s.query(Change).count() == 0


def test_change_json_stays_as_the_advanced_fallback(app, catalogue_db):
    import json

    from kiosk.fleet.publish import current_value

    region, sid, _name = _service_with(catalogue_db, "tips")
    tips = current_value(catalogue_db, region, sid, "tips")
    c = client(app)
    login(c, "editor")
    fields = form_fields(c.get(f"/changes/new?service={region}/{sid}&field=tips").text)
    new_tips = tips[:1]
    fields.update(BASICS, mode="json", value=json.dumps(new_tips, ensure_ascii=False))
    fields[f"item-{len(tips)}-text"] = "被忽略的行"  # the JSON wins when its button is used
    assert c.post("/changes/new", data=fields).status_code == 303
    assert _proposal(app)[1] == new_tips
