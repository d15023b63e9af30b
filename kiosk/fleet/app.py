"""The fleet service: the terminals' API (/api/v1/...), the console (Chinese, server-rendered)
and the signed catalogue repository at /repo/ (static TUF files).

    app = create_app(Settings(db_url="postgresql://...", data_dir=Path(...)))
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import logging
import secrets
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from fastapi import Body, Depends, FastAPI, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk import hallconfig
from kiosk.fleet import auth, ingest
from kiosk.fleet.db import make_engine, upgrade
from kiosk.fleet.models import ROLES, Audit, Change, HallConfig, LoginAudit, Published, Terminal
from kiosk.fleet.publish import (
    Publisher,
    PublishError,
    check_value,
    current_value,
    documents,
    halls,
    services,
    with_provenance,
)
from kiosk.fleet.rows import ROW_FIELDS, rows_of, submitted_rows, value_from_rows
from kiosk.staff.edits import FIELD_LABELS

log = logging.getLogger("kiosk.fleet")
# the hall configuration form's choices, in Chinese (values as kiosk.config has them)
CHOICE_LABELS = {"auto": "自动（按屏幕）", "portrait": "竖屏", "landscape": "横屏", "normal": "标准", "large": "大字",
                 "contrast": "高对比", "none": "不打印", "cups": "CUPS 打印队列", "escpos": "ESC/POS 热敏打印机",
                 "native": "打印机指令", "image": "图像（打印机不支持二维码指令时）"}
COOKIE = "fleet_session"
LOGIN_COOKIE = "fleet_login_csrf"


@dataclass
class Settings:
    db_url: str
    data_dir: Path
    repo: Path | None = None
    repo_keys: Path | None = None
    catalogue: Path | None = None  # the catalogue first published from
    sources: Path | None = None  # the documents the catalogue cites (seed/sources)
    secure_cookies: bool = True
    pool_size: int = 10


class NotAllowed(Exception):
    pass


def _fmt_time(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "—"


def _pretty(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def create_app(settings: Settings) -> FastAPI:
    engine = make_engine(settings.db_url, settings.pool_size)
    upgrade(engine)
    Sessions = sessionmaker(engine, expire_on_commit=False)
    publisher = Publisher(settings.data_dir, settings.repo, settings.repo_keys, settings.catalogue)
    sources = settings.sources
    if sources is None:
        from kiosk.paths import seed_dir

        sources = seed_dir() / "sources"  # the official documents the catalogue cites
    templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
    templates.env.filters["t"] = _fmt_time
    def prune_forever():
        while True:
            try:
                with Sessions() as s:
                    ingest.prune(s)
            except Exception:  # noqa: BLE001 - retried in an hour
                log.exception("fleet: pruning old reports failed")
            time.sleep(3600)

    @asynccontextmanager
    async def lifespan(_app):
        threading.Thread(target=prune_forever, name="fleet-prune", daemon=True).start()
        yield

    app = FastAPI(title="医保自助终端 · 城市管理", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.engine, app.state.sessions, app.state.publisher = engine, Sessions, publisher
    if settings.repo is not None:
        settings.repo.mkdir(parents=True, exist_ok=True)
        app.mount("/repo", StaticFiles(directory=str(settings.repo), check_dir=False), name="repo")

    def db():
        s = Sessions()
        try:
            yield s
        finally:
            s.close()

    def addr(request: Request) -> str:
        return request.client.host if request.client else "?"

    # -- errors: never a traceback ------------------------------------------------------------------
    @app.exception_handler(NotAllowed)
    def _not_allowed(request: Request, exc: NotAllowed):
        return templates.TemplateResponse(request, "message.html", {"title": "无权操作", "message": str(exc),
                                                                    "user": None}, status_code=403)

    @app.exception_handler(Exception)
    def _crash(request: Request, exc: Exception):
        log.exception("console error on %s", request.url.path)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "internal error"}, status_code=500)
        return templates.TemplateResponse(request, "message.html", {"title": "出错了",
                                          "message": "服务内部错误，已记录。请稍后重试或联系管理员。", "user": None},
                                          status_code=500)

    # -- terminals' API ---------------------------------------------------------------------------
    def terminal(request: Request, s: Session = Depends(db)) -> Terminal:
        h = request.headers.get("authorization", "")
        t = ingest.terminal_of(s, h[7:] if h.lower().startswith("bearer ") else None)
        if t is None:
            raise HTTPException(401, "unknown terminal credential")
        return t

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    # sync handlers: FastAPI runs them in its thread pool, so a database wait blocks no one else
    @app.post("/api/v1/enrol")
    def api_enrol(body: dict = Body(...), s: Session = Depends(db)):
        try:
            tid, token, t = ingest.enrol(s, str(body.get("code", "")), str(body.get("name", "")))
        except ingest.ReportError as exc:
            return JSONResponse({"error": str(exc)}, status_code=403)
        s.add(Audit(at=time.time(), who=f"terminal:{tid}", action="enrol", subject=t.hall, new_value=t.name))
        s.commit()
        return {"terminal_id": tid, "token": token, "hall": t.hall, "region": t.region}

    @app.post("/api/v1/reports")
    def api_reports(body: dict = Body(...), s: Session = Depends(db), t: Terminal = Depends(terminal)):
        try:
            return ingest.ingest(s, t, body.get("reports"))
        except ingest.ReportError as exc:
            s.rollback()
            return JSONResponse({"error": str(exc)}, status_code=422)

    # -- console: sessions ----------------------------------------------------------------------------
    def current(request: Request, s: Session = Depends(db)):
        found = auth.session_of(s, request.cookies.get(COOKIE))
        if found is None:
            raise HTTPException(303, headers={"Location": "/login"})
        return found

    def require(found, *roles: str):
        if roles and found[1].role not in roles:
            raise NotAllowed("此操作需要角色：" + "、".join(ROLES[r] for r in roles))

    def check_csrf(found, token: str | None):
        if not auth.csrf_ok(found[0], token):
            raise NotAllowed("表单已过期（CSRF 校验失败），请刷新页面后重试")

    def page(request: Request, name: str, found, **ctx):
        return templates.TemplateResponse(request, name, {"user": found[1], "csrf": found[0].csrf, "roles": ROLES,
                                                          **ctx})

    @app.exception_handler(HTTPException)
    def _http(request: Request, exc: HTTPException):
        if exc.status_code == 303:
            assert exc.headers is not None  # every 303 raised here names its Location
            return RedirectResponse(exc.headers["Location"], status_code=303)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return templates.TemplateResponse(request, "message.html", {"title": "无法完成", "message": str(exc.detail),
                                                                    "user": None}, status_code=exc.status_code)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, error: str = ""):
        token = secrets.token_urlsafe(24)
        resp = templates.TemplateResponse(request, "login.html", {"user": None, "csrf": token, "error": error})
        resp.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies)
        return resp

    @app.post("/login")
    def login(request: Request, name: str = Form(...), password: str = Form(...), csrf: str = Form(""),
              s: Session = Depends(db)):
        expected = request.cookies.get(LOGIN_COOKIE) or ""
        if not expected or not secrets.compare_digest(expected, csrf):
            return login_form(request, "表单已过期，请重新登录")
        try:
            token, _user = auth.login(s, name.strip(), password, addr(request))
        except auth.AuthError as exc:
            resp = login_form(request, str(exc))
            resp.status_code = 401
            return resp
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies,
                        max_age=auth.SESSION_SECONDS)
        resp.delete_cookie(LOGIN_COOKIE)
        return resp

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form(""), found=Depends(current), s: Session = Depends(db)):
        check_csrf(found, csrf)
        auth.logout(s, request.cookies.get(COOKIE, ""), found[1].name, addr(request))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    # -- console: fleet ---------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def fleet_page(request: Request, found=Depends(current), s: Session = Depends(db), code: str = ""):
        rows = ingest.fleet(s, newest_version=publisher.newest_version())
        return page(request, "fleet.html", found, rows=rows, states=ingest.PRINTER_STATES, now=time.time(),
                    alerting=sum(1 for r in rows if r.alerts), code=code)

    @app.post("/enrol-codes", response_class=HTMLResponse)
    def make_code(request: Request, hall: str = Form(...), region: str = Form(...), csrf: str = Form(""),
                  found=Depends(current), s: Session = Depends(db)):
        check_csrf(found, csrf)
        require(found, "operator")
        code = ingest.new_enrol_code(s, hall.strip()[:128], region.strip()[:32], found[1].name)
        s.add(Audit(at=time.time(), who=found[1].name, action="enrol-code", subject=hall.strip()[:255]))
        s.commit()
        return fleet_page(request, found, s, code)

    # -- console: usage ----------------------------------------------------------------------------------
    def _since(days: int) -> str:
        return (date.today() - timedelta(days=max(1, days) - 1)).isoformat()

    @app.get("/usage", response_class=HTMLResponse)
    def usage_page(request: Request, group: str = "hall", days: int = 30, found=Depends(current),
                   s: Session = Depends(db)):
        group = group if group in ingest.GROUPS else "hall"
        since = _since(days)
        rows = ingest.usage(s, group, since=since)
        peak = max((r["session"] for r in rows), default=0) or 1
        names = {t.id: f"{t.name}（{t.hall}）" for t in s.scalars(select(Terminal))} if group == "terminal" else {}
        return page(request, "usage.html", found, rows=rows, group=group, groups=ingest.GROUPS, days=days, peak=peak,
                    names=names, median=ingest.city_median(s, since))

    @app.get("/usage.csv")
    def usage_csv(group: str = "day", days: int = 30, found=Depends(current), s: Session = Depends(db)):
        group = group if group in ingest.GROUPS else "day"
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow([group] + list(ingest.METRICS) + ["median_seconds_to_checklist"])
        for r in ingest.usage(s, group, since=_since(days)):
            med = r["median_seconds"]
            w.writerow([r["key"]] + [r[m] for m in ingest.METRICS] + ["" if med is None else f"{med:g}"])
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="usage-{group}.csv"'})

    # -- console: catalogue changes ------------------------------------------------------------------
    def _service_names() -> dict:
        return {(r, sid): name for r, sid, name in services(publisher.current)} if publisher.ready else {}

    @app.get("/changes", response_class=HTMLResponse)
    def changes_page(request: Request, found=Depends(current), s: Session = Depends(db)):
        rows = s.scalars(select(Change).order_by(Change.id.desc()).limit(200)).all()
        return page(request, "changes.html", found, rows=rows, fields=FIELD_LABELS, names=_service_names(),
                    version=publisher.newest_version())

    @app.get("/changes/new", response_class=HTMLResponse)
    def change_form(request: Request, service: str = "", field: str = "", found=Depends(current), error: str = "",
                    value: str = "", reason: str = "", document: str = "", excerpt: str = "",
                    rows: list | None = None, mode: str = ""):
        require(found, "editor")
        current_text = ""
        current_items = None
        if service and field in FIELD_LABELS and publisher.ready:
            region, _, sid = service.partition("/")
            try:
                current_items = current_value(publisher.current, region, sid, field)
                current_text = _pretty(current_items)
            except PublishError as exc:
                error = str(exc)
        if field in ROW_FIELDS and current_text and rows is None:
            rows = rows_of(field, current_items)
        resp = page(request, "change_new.html", found, names=_service_names(), fields=FIELD_LABELS, service=service,
                    field=field, current=current_text, value=value or current_text, error=error, reason=reason,
                    docs=documents(publisher.current) if publisher.ready else [], document=document,
                    excerpt=excerpt, rows=rows if field in ROW_FIELDS else None,
                    columns=ROW_FIELDS.get(field, []), mode=mode)
        if error:
            resp.status_code = 422
        return resp

    @app.post("/changes/new")
    async def propose(request: Request, found=Depends(current)):
        form = await request.form()
        return await run_in_threadpool(_propose, request, found, {k: form.get(k) for k in form})

    def _propose(request: Request, found, form: dict):
        check_csrf(found, form.get("csrf"))
        require(found, "editor")
        service, field = str(form.get("service", "")), str(form.get("field", ""))
        value, reason = str(form.get("value", "")), str(form.get("reason", ""))
        document, excerpt = str(form.get("document", "")), str(form.get("excerpt", ""))
        # rows: the structured form; json: the advanced fallback (and the only one for
        # channels and time limits)
        mode = "rows" if form.get("mode") == "rows" and field in ROW_FIELDS else "json"
        region, _, sid = service.partition("/")

        def again(error: str):
            return change_form(request, service, field, found, error, value, reason, document, excerpt,
                               submitted_rows(field, form) if mode == "rows" else None, mode)
        if not reason.strip() or not document.strip():
            return again("请填写修改理由并选择依据文件")
        try:
            old = current_value(publisher.current, region, sid, field)
            new = check_value(field, value_from_rows(field, form) if mode == "rows" else json.loads(value))
        except json.JSONDecodeError as exc:
            return again(f"内容不是有效的 JSON：第 {exc.lineno} 行")
        except RecursionError:
            return again("内容嵌套过深")
        except PublishError as exc:
            return again(str(exc))
        if new == old:
            return again("新内容与现有内容相同")
        with Sessions() as s:
            return _store_change(s, found, region, sid, service, field, old, new, reason, document, excerpt)

    def _store_change(s: Session, found, region: str, sid: str, service: str, field: str, old, new, reason: str,
                      document: str, excerpt: str):
        ch = Change(region=region, service_id=sid, field=field, old_value=json.dumps(old, ensure_ascii=False),
                    new_value=json.dumps(new, ensure_ascii=False), reason=reason.strip(), document=document.strip(),
                    excerpt=excerpt.strip(), proposed_by=found[1].name, proposed_at=time.time(), origin="console",
                    state="proposed", review_note="")
        s.add(ch)
        s.flush()
        s.add(Audit(at=time.time(), who=found[1].name, action="propose", subject=f"#{ch.id} {service} {field}",
                    old_value=ch.old_value, new_value=ch.new_value, document=ch.document))
        s.commit()
        return RedirectResponse(f"/changes/{ch.id}", status_code=303)

    def _document_text(name: str, excerpt: str) -> tuple[str, list[str]]:
        """The cited document's text: the paragraphs holding the excerpt, or its start."""
        path = (sources / Path(name).name) if name else None
        if not path or not path.is_file():
            return "", []
        text = path.read_text(encoding="utf-8", errors="replace")
        paras = [p.strip() for p in text.split("\n") if p.strip()]
        if excerpt:
            hits = [p for p in paras if excerpt in p]
            if hits:
                return text, hits[:5]
        return text, paras[:20]

    @app.get("/changes/{cid}", response_class=HTMLResponse)
    def change_page(request: Request, cid: int, found=Depends(current), s: Session = Depends(db)):
        ch = s.get(Change, cid)
        if ch is None:
            raise HTTPException(404, "没有这项修改")
        old, new = _pretty(json.loads(ch.old_value)), _pretty(json.loads(ch.new_value))
        diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "现行", "拟修改", lineterm="", n=2))
        _text, paras = _document_text(ch.document, ch.excerpt)
        doc = next((d for d in documents(publisher.current) if d.get("file") == ch.document), None) \
            if publisher.ready else None
        can_review = found[1].role == "reviewer" and found[1].name != ch.proposed_by and ch.state == "proposed"
        return page(request, "change.html", found, ch=ch, diff=diff[2:], paras=paras, doc=doc, fields=FIELD_LABELS,
                    names=_service_names(), can_review=can_review)

    @app.post("/changes/{cid}/review")
    def review(request: Request, cid: int, decision: str = Form(...), note: str = Form(""), csrf: str = Form(""),
               found=Depends(current), s: Session = Depends(db)):
        check_csrf(found, csrf)
        require(found, "reviewer")
        ch = s.get(Change, cid, with_for_update=True)
        if ch is None or ch.state != "proposed":
            raise NotAllowed("这项修改已审核过")
        if ch.proposed_by == found[1].name:
            raise NotAllowed("不能审核自己提出的修改")
        ch.reviewed_by, ch.reviewed_at, ch.review_note = found[1].name, time.time(), note.strip()
        subject = f"#{ch.id} {ch.region}/{ch.service_id} {ch.field}"
        if decision != "approve":
            ch.state = "rejected"
            s.add(Audit(at=time.time(), who=found[1].name, action="reject", subject=subject, old_value=ch.old_value,
                        new_value=ch.new_value, document=ch.document))
            s.commit()
            return RedirectResponse(f"/changes/{cid}", status_code=303)
        previous = s.scalar(select(Published.version).order_by(Published.at.desc()).limit(1))
        try:
            value = with_provenance(json.loads(ch.new_value), ch.document)
            version = publisher.publish([(ch.region, ch.service_id, ch.field, value)], previous)
        except PublishError as exc:
            s.rollback()
            raise NotAllowed(f"发布失败，修改保持待审：{exc}") from exc
        ch.state, ch.published_version = "published", version
        s.add(Published(version=version, at=time.time(), changes=json.dumps([ch.id]), current=True))
        s.add(Audit(at=time.time(), who=found[1].name, action="approve+publish", subject=f"{subject} → {version}",
                    old_value=ch.old_value, new_value=ch.new_value, document=ch.document))
        s.commit()
        return RedirectResponse(f"/changes/{cid}", status_code=303)

    # -- console: per-hall configuration (kiosk.hallconfig), signed like the catalogue ----------------------
    def _halls() -> dict:
        return {(r, h): name for r, h, name in halls(publisher.current)} if publisher.ready else {}

    def _latest(s: Session, region: str, hall: str) -> HallConfig | None:
        return s.scalar(select(HallConfig).where(HallConfig.region == region, HallConfig.hall == hall)
                        .order_by(HallConfig.version.desc()).limit(1))

    def _hall_of(region: str, hall: str) -> str:
        names = _halls()
        if names and (region, hall) not in names:
            raise HTTPException(404, "目录中没有这个大厅")
        try:
            hallconfig.target_path(region, hall)
        except hallconfig.HallConfigError as exc:
            raise HTTPException(404, "大厅编号无效") from exc
        return names.get((region, hall), hall)

    @app.get("/halls", response_class=HTMLResponse)
    def halls_page(request: Request, found=Depends(current), s: Session = Depends(db)):
        latest = {}
        for row in s.scalars(select(HallConfig).order_by(HallConfig.version)):
            latest[(row.region, row.hall)] = row
        rows = [(key, name, latest.get(key)) for key, name in _halls().items()]
        rows += [(key, key[1], row) for key, row in latest.items() if key not in _halls()]
        return page(request, "halls.html", found, rows=rows)

    def _form_values(cfg: dict) -> dict:
        from kiosk.config import KioskConfig, PrinterConfig

        base = KioskConfig()
        printer = {**asdict(PrinterConfig()), **(cfg.get("printer") or {})}
        hours = cfg.get("opening_hours") or {}
        out = {k: cfg.get(k, getattr(base, k)) for k in ("idle_timeout", "idle_countdown", "orientation",
                                                          "text_size", "theme")}
        out.update({f"printer_{k}": printer[k] for k in hallconfig.PRINTER_KEYS})
        out.update({f"hours_{d}": "，".join(hours.get(d, [])) for d in hallconfig.WEEKDAYS})
        out["closed_dates"] = "\n".join(cfg.get("closed_dates") or [])
        out["night_blank"] = cfg.get("night_blank", "")
        out["publish_printer"] = "printer" in cfg or not cfg
        out["publish_hours"] = any(k in cfg for k in hallconfig.HOURS_KEYS)
        return out

    def hall_form(request: Request, region: str, hall: str, found, s: Session, error: str = "",
                  values: dict | None = None, saved: int = 0):
        name = _hall_of(region, hall)
        row = _latest(s, region, hall)
        current_cfg = json.loads(row.config) if row else {}
        from kiosk.config import ENCODINGS, ORIENTATIONS, PAPERS, PRINTER_KINDS, QR_MODES, TEXT_SIZES, THEMES

        choices = {"orientation": ORIENTATIONS, "text_size": TEXT_SIZES, "theme": THEMES,
                   "printer_kind": PRINTER_KINDS, "printer_paper": PAPERS, "printer_encoding": ENCODINGS,
                   "printer_qr": QR_MODES}
        history = s.scalars(select(HallConfig).where(HallConfig.region == region, HallConfig.hall == hall)
                            .order_by(HallConfig.version.desc()).limit(20)).all()
        resp = page(request, "hall_config.html", found, region=region, hall=hall, hall_name=name, row=row,
                    v=values or _form_values(current_cfg), choices=choices, error=error, saved=saved,
                    weekdays=hallconfig.WEEKDAY_LABELS, history=history, labels=CHOICE_LABELS, pretty=_pretty(current_cfg) if row else "")
        if error:
            resp.status_code = 422
        return resp

    @app.get("/halls/{region}/{hall}", response_class=HTMLResponse)
    def hall_page(request: Request, region: str, hall: str, saved: int = 0, found=Depends(current),
                  s: Session = Depends(db)):
        return hall_form(request, region, hall, found, s, saved=saved)

    def _parse_hall_form(form) -> dict:
        """The form's fields as a configuration (kiosk.hallconfig keys); HallConfigError in Chinese
        for what the form itself can tell, the rest is kiosk.config's validation."""
        cfg: dict = {}
        for key, label in (("idle_timeout", "空闲提示前等待"), ("idle_countdown", "倒计时")):
            text = str(form.get(key, "")).strip()
            if not text.isdigit() or len(text) > 6:
                raise hallconfig.HallConfigError(f"{label}：请输入整数秒数，而不是“{text[:20]}”")
            cfg[key] = int(text)
        for key in ("orientation", "text_size", "theme"):
            cfg[key] = str(form.get(key, ""))
        if form.get("publish_printer"):
            printer: dict = {k: str(form.get(f"printer_{k}", "")).strip() for k in hallconfig.PRINTER_KEYS}
            try:
                printer["timeout"] = float(printer["timeout"])
            except ValueError:
                raise hallconfig.HallConfigError(f"打印超时：请输入秒数，而不是“{printer['timeout'][:20]}”") from None
            cfg["printer"] = printer
        if form.get("publish_hours"):
            import re

            cfg["opening_hours"] = {d: [x for x in re.split(r"[\s,，、;；]+", str(form.get(f"hours_{d}", ""))) if x]
                                    for d in hallconfig.WEEKDAYS}
            cfg["closed_dates"] = [x for x in re.split(r"[\s,，、;；]+", str(form.get("closed_dates", ""))) if x]
            cfg["night_blank"] = str(form.get("night_blank", "")).strip()
        return hallconfig.check_config(cfg)

    @app.post("/halls/{region}/{hall}")
    async def save_hall(request: Request, region: str, hall: str, found=Depends(current)):
        form = await request.form()
        return await run_in_threadpool(_save_hall, request, region, hall, found, dict(form))

    def _save_hall(request: Request, region: str, hall: str, found, form: dict):
        check_csrf(found, form.get("csrf"))
        require(found, "operator")
        with Sessions() as s:
            _hall_of(region, hall)
            values = {k: form.get(k, "") for k in form if k != "csrf"}
            values["publish_printer"] = bool(form.get("publish_printer"))
            values["publish_hours"] = bool(form.get("publish_hours"))
            try:
                new = _parse_hall_form(form)
            except hallconfig.HallConfigError as exc:
                return hall_form(request, region, hall, found, s, f"配置无效：{exc}", values)
            row = _latest(s, region, hall)
            old = json.loads(row.config) if row else {}
            if row is not None and new == old:
                return hall_form(request, region, hall, found, s, "新配置与现行配置相同，没有发布", values)
            signed = publisher.hall_config_version(region, hall)
            version = max(row.version if row else 0, signed) + 1
            now = time.time()
            text = json.dumps(new, ensure_ascii=False, sort_keys=True)
            s.add(HallConfig(region=region, hall=hall, version=version, config=text, saved_by=found[1].name,
                             saved_at=now))
            s.add(Audit(at=now, who=found[1].name, action="hall-config", subject=f"{region}/{hall} v{version}",
                        old_value=json.dumps(old, ensure_ascii=False, sort_keys=True) if row else "",
                        new_value=text))
            try:
                s.flush()
            except IntegrityError:
                s.rollback()
                return hall_form(request, region, hall, found, s, "另一位同事刚保存了这个大厅的配置，请查看后重试",
                                 values)
            try:
                publisher.publish_hall_config(region, hall, version, new)
            except PublishError as exc:
                s.rollback()
                return hall_form(request, region, hall, found, s, f"发布失败，配置没有保存：{exc}", values)
            s.commit()
        return RedirectResponse(f"/halls/{region}/{hall}?saved={version}", status_code=303)

    @app.get("/audit", response_class=HTMLResponse)
    def audit_page(request: Request, found=Depends(current), s: Session = Depends(db)):
        return page(request, "audit.html", found,
                    rows=s.scalars(select(Audit).order_by(Audit.id.desc()).limit(300)).all(),
                    logins=s.scalars(select(LoginAudit).order_by(LoginAudit.id.desc()).limit(100)).all())

    return app
