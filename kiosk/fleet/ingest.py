"""What terminals send, and what the console reads: enrolment, reports (deduplicated
by idempotency key), alerts and mergeable usage figures."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.fleet.auth import sha256
from kiosk.fleet.models import (
    EnrolCode,
    HallCount,
    HallTime,
    Heartbeat,
    ReceivedReport,
    Terminal,
    UsageCount,
    UsageTime,
)

ENROL_CODE_SECONDS = 7 * 86400
SILENT_AFTER_S = 10 * 60
STALE_CATALOGUE_DAYS = 30
REPEATED_ERRORS = 3  # errors within an hour that make an alert
PRINTER_STATES = {"ok": "正常", "paper_low": "纸将用尽", "paper_out": "缺纸", "offline": "离线", "unknown": "未知"}
METRICS = ("session", "checklist", "abandoned", "print", "printer_fault")
MAX_BATCH = 500
# Retention: heartbeat history a week (the fleet table reads only the terminals' latest
# state); idempotency keys 30 days, longer than a terminal's outbox holds reports (~14 days).
HEARTBEAT_DAYS = 7
KEY_DAYS = 30


class ReportError(ValueError):
    pass


def _insert(db: Session):
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert
    from sqlalchemy.dialects.sqlite import insert
    return insert


# -- enrolment ---------------------------------------------------------------------------------------
def new_enrol_code(db: Session, hall: str, region: str, who: str, now: float | None = None) -> str:
    code = "-".join(secrets.token_hex(3).upper() for _ in range(3))  # e.g. 3F2A1C-…, read over the phone
    db.add(EnrolCode(code_hash=sha256(code), hall=hall, region=region, created_by=who,
                     expires=(now or time.time()) + ENROL_CODE_SECONDS))
    db.commit()
    return code


def enrol(db: Session, code: str, name: str, now: float | None = None) -> tuple[str, str, Terminal]:
    """A one-time code -> (terminal id, token). The token is stored hashed only."""
    now = now or time.time()
    row = db.get(EnrolCode, sha256(code.strip().upper()))
    if row is None or row.used_by is not None or row.expires < now:
        raise ReportError("enrolment code unknown, used or expired")
    tid = "t-" + secrets.token_hex(6)
    token = secrets.token_urlsafe(32)
    term = Terminal(id=tid, token_hash=sha256(token), name=(name or tid)[:128], hall=row.hall, region=row.region,
                    enrolled_at=now, errors_last_hour=0)
    row.used_by = tid
    db.add(term)
    db.commit()
    return tid, token, term


def terminal_of(db: Session, token: str | None) -> Terminal | None:
    if not token:
        return None
    return db.scalar(select(Terminal).where(Terminal.token_hash == sha256(token)))


# -- reports -----------------------------------------------------------------------------------------
def _str(v, n: int) -> str | None:
    return None if v is None else str(v)[:n]


def _apply_heartbeat(db: Session, term: Terminal, data: dict, at: float) -> None:
    if term.last_seen is not None and at < term.last_seen:
        # an old heartbeat arriving late (the outbox catching up): history only
        db.add(Heartbeat(terminal_id=term.id, at=at, printer_state=_str(data.get("printer_state"), 16)))
        return
    term.last_seen = at
    term.app_version = _str(data.get("app_version"), 32)
    term.catalogue_version = _str(data.get("catalogue_version"), 64)
    age = data.get("catalogue_age_days")
    term.catalogue_age_days = float(age) if isinstance(age, (int, float)) else None
    state = data.get("printer_state")
    term.printer_state = state if state in PRINTER_STATES else "unknown"
    term.printer_fault = _str(data.get("printer_fault"), 500)
    term.last_error = _str(data.get("last_error"), 500)
    errs = data.get("errors_last_hour")
    term.errors_last_hour = int(errs) if isinstance(errs, int) and errs >= 0 else 0
    up = data.get("uptime_s")
    term.uptime_s = int(up) if isinstance(up, (int, float)) else None
    term.orientation = _str(data.get("orientation"), 16)
    term.hall_config = _str(data.get("hall_config"), 128)
    db.add(Heartbeat(terminal_id=term.id, at=at, printer_state=term.printer_state))


def _valid_hour(r: dict) -> tuple[str, int, str]:
    day, hour, sid = r.get("day"), r.get("hour"), r.get("service_id") or ""
    if not (isinstance(day, str) and len(day) == 10 and isinstance(hour, int) and 0 <= hour < 24):
        raise ReportError("usage row without a valid day/hour")
    return day, hour, str(sid)[:64]


def _apply_usage(db: Session, term: Terminal, data: dict) -> None:
    insert = _insert(db)
    counts, times = [], []
    for r in data.get("counts") or []:
        day, hour, sid = _valid_hour(r)
        if r.get("metric") not in METRICS or not isinstance(r.get("count"), int) or r["count"] < 0:
            raise ReportError("usage row with an unknown metric or count")
        counts.append(dict(terminal_id=term.id, day=day, hour=hour, service_id=sid, metric=r["metric"],
                           hall=term.hall, region=term.region, count=r["count"]))
    for r in data.get("times") or []:
        day, hour, sid = _valid_hour(r)
        if not isinstance(r.get("seconds"), int) or not isinstance(r.get("count"), int) or r["count"] < 0:
            raise ReportError("histogram row without seconds/count")
        times.append(dict(terminal_id=term.id, day=day, hour=hour, service_id=sid, seconds=r["seconds"],
                          hall=term.hall, region=term.region, count=r["count"]))
    # absolute counts for the hour: a later report of the same hour replaces the earlier one;
    # the hall's sums move by the difference (the terminal's rows are locked meanwhile, so two
    # reports of one terminal cannot both add the same difference)
    for rows, table, hall_table, kind in ((counts, UsageCount.__table__, HallCount.__table__, "metric"),
                                          (times, UsageTime.__table__, HallTime.__table__, "seconds")):
        if not rows:
            continue
        rows = list({(r["day"], r["hour"], r["service_id"], r[kind]): r for r in rows}.values())  # once each
        c = table.c
        days = sorted({r["day"] for r in rows})
        old = {(d, h, sid, k): n for d, h, sid, k, n in db.execute(
            select(c.day, c.hour, c.service_id, c[kind], c.count)
            .where(c.terminal_id == term.id, c.day.in_(days)).with_for_update())}
        stmt = insert(table)
        db.execute(stmt.on_conflict_do_update(
            index_elements=["terminal_id", "day", "hour", "service_id", kind], set_={"count": stmt.excluded.count}),
            rows)
        deltas = []
        for r in rows:
            d = r["count"] - old.get((r["day"], r["hour"], r["service_id"], r[kind]), 0)
            if d:
                deltas.append({"hall": term.hall, "day": r["day"], "hour": r["hour"], "service_id": r["service_id"],
                               kind: r[kind], "count": d})
        if deltas:
            hs = insert(hall_table)
            db.execute(hs.on_conflict_do_update(
                index_elements=["hall", "day", "hour", "service_id", kind],
                set_={"count": hall_table.c.count + hs.excluded.count}), deltas)


def _apply_edit(db: Session, term: Terminal, data: dict, key: str, at: float) -> None:
    """A staff edit made on the terminal: proposed for review like an editor's change."""
    import json

    from kiosk.fleet.models import Audit, Change
    from kiosk.fleet.publish import PublishError, check_value

    field = str(data.get("field", ""))
    try:
        value = check_value(field, data.get("new_value"))
    except PublishError as exc:
        raise ReportError(f"edit: {exc}") from exc
    ch = Change(region=str(data.get("region") or term.region)[:32], service_id=str(data.get("service_id", ""))[:64],
                field=field, old_value=json.dumps(data.get("old_value"), ensure_ascii=False),
                new_value=json.dumps(value, ensure_ascii=False),
                reason=str(data.get("summary") or "终端现场修改")[:2000], document="", excerpt="",
                proposed_by=f"{str(data.get('who') or '工作人员')[:40]}@{term.name}"[:64], proposed_at=at,
                origin=f"terminal:{term.id}", origin_key=key, state="proposed", review_note="")
    db.add(ch)
    db.flush()
    db.add(Audit(at=at, who=ch.proposed_by, action="propose", subject=f"#{ch.id} {ch.region}/{ch.service_id} "
                 f"{field} ({ch.origin})", old_value=ch.old_value, new_value=ch.new_value))


def ingest(db: Session, term: Terminal, reports: object, now: float | None = None) -> dict:
    """Apply a batch; returns {"accepted": [keys], "duplicates": [keys]}. All or nothing."""
    now = now or time.time()
    if not isinstance(reports, list) or len(reports) > MAX_BATCH:
        raise ReportError(f"reports must be a list of at most {MAX_BATCH}")
    keys = []
    for r in reports:
        if not isinstance(r, dict) or not isinstance(r.get("key"), str) or not 8 <= len(r["key"]) <= 64:
            raise ReportError("every report needs a key of 8-64 characters")
        keys.append(r["key"])
    seen = set(db.scalars(select(ReceivedReport.key).where(ReceivedReport.terminal_id == term.id,
                                                           ReceivedReport.key.in_(keys))))
    accepted, duplicates = [], []
    for r in sorted(reports, key=lambda r: r.get("at") or 0):
        if r["key"] in seen:
            duplicates.append(r["key"])
            continue
        seen.add(r["key"])
        at = r.get("at")
        at = min(float(at), now) if isinstance(at, (int, float)) else now
        data = r.get("data") if isinstance(r.get("data"), dict) else {}
        if r.get("kind") == "heartbeat":
            _apply_heartbeat(db, term, data, at)
        elif r.get("kind") == "usage":
            _apply_usage(db, term, data)
        elif r.get("kind") == "edit":
            _apply_edit(db, term, data, r["key"], at)
        else:
            raise ReportError(f"unknown report kind {r.get('kind')!r}")
        db.add(ReceivedReport(terminal_id=term.id, key=r["key"], at=now))
        accepted.append(r["key"])
    db.commit()
    return {"accepted": accepted, "duplicates": duplicates}


def prune(db: Session, now: float | None = None) -> tuple[int, int]:
    """Delete heartbeat history and idempotency keys past retention; (heartbeats, keys) deleted."""
    from sqlalchemy import delete

    now = now or time.time()
    # stubs: execute() is typed as Result, but a DELETE gives a CursorResult (with rowcount)
    hb = db.execute(delete(Heartbeat).where(Heartbeat.at < now - HEARTBEAT_DAYS * 86400)).rowcount  # type: ignore[attr-defined]
    keys = db.execute(delete(ReceivedReport).where(ReceivedReport.at < now - KEY_DAYS * 86400)).rowcount  # type: ignore[attr-defined]
    db.commit()
    return hb, keys


# -- the fleet table ------------------------------------------------------------------------------------
@dataclass
class Row:
    terminal: Terminal
    alerts: list[str]


def alerts_of(t: Terminal, now: float, newest_version: str | None) -> list[str]:
    from kiosk.db.bundle import version_key

    out = []
    if t.last_seen is None:
        out.append("尚未上报")
    elif now - t.last_seen > SILENT_AFTER_S:
        out.append(f"已 {int((now - t.last_seen) // 60)} 分钟无心跳")
    if t.printer_state == "paper_out":
        out.append("打印机缺纸")
    elif t.printer_state == "offline":
        out.append("打印机离线")
    elif t.printer_state == "paper_low":
        out.append("打印机纸将用尽")
    if t.catalogue_age_days is not None and t.catalogue_age_days > STALE_CATALOGUE_DAYS:
        out.append(f"目录已 {t.catalogue_age_days:.0f} 天未更新")
    if newest_version and t.catalogue_version == "local":  # built on the terminal, not a signed version
        out.append(f"目录非签名版本（最新 {newest_version}）")
    elif newest_version and t.catalogue_version and version_key(t.catalogue_version) < version_key(newest_version):
        out.append(f"目录落后（{t.catalogue_version} < {newest_version}）")
    if (t.errors_last_hour or 0) >= REPEATED_ERRORS:
        out.append(f"一小时内 {t.errors_last_hour} 次错误")
    return out


def fleet(db: Session, now: float | None = None, newest_version: str | None = None) -> list[Row]:
    now = now or time.time()
    terms = db.scalars(select(Terminal).order_by(Terminal.hall, Terminal.name)).all()
    rows = [Row(t, alerts_of(t, now, newest_version)) for t in terms]
    rows.sort(key=lambda r: (not r.alerts, r.terminal.hall, r.terminal.name))
    return rows


# -- usage ------------------------------------------------------------------------------------------------
GROUPS = {"hall": "大厅", "terminal": "终端", "service": "事项", "day": "日期", "hour": "时段"}
_COLS = {"hall": "hall", "terminal": "terminal_id", "service": "service_id", "day": "day", "hour": "hour"}


def median_of(hist: dict[int, int]) -> float | None:
    from kiosk.staff.stats import median_of as m

    return m(hist)


def usage(db: Session, group: str, since: str | None = None, until: str | None = None,
          hall: str | None = None) -> list[dict]:
    """Totals per metric and the median seconds to checklist, grouped by hall, terminal,
    service, day or hour; medians come from the merged histograms."""
    if group not in _COLS:
        raise ValueError(group)
    # per terminal: the terminals' own rows; otherwise the hall sums (far fewer rows)
    if group == "terminal":
        uc, ut = UsageCount.__table__.c, UsageTime.__table__.c
    else:
        uc, ut = HallCount.__table__.c, HallTime.__table__.c
    q = select(uc[_COLS[group]].label("g"), uc.metric, func.sum(uc.count)).group_by("g", uc.metric)
    h = select(ut[_COLS[group]].label("g"), ut.seconds, func.sum(ut.count)).group_by("g", ut.seconds)
    conds = []
    if since:
        conds.append((uc.day >= since, ut.day >= since))
    if until:
        conds.append((uc.day <= until, ut.day <= until))
    if hall:
        conds.append((uc.hall == hall, ut.hall == hall))
    for cond_c, cond_t in conds:
        q, h = q.where(cond_c), h.where(cond_t)
    out: dict = {}
    for g, metric, n in db.execute(q):
        out.setdefault(g, {m: 0 for m in METRICS})[metric] = int(n)
    hists: dict = {}
    for g, seconds, n in db.execute(h):
        hists.setdefault(g, {})[seconds] = int(n)
    return [{"key": g, **out.get(g, {m: 0 for m in METRICS}), "median_seconds": median_of(hists.get(g, {}))}
            for g in sorted(set(out) | set(hists), key=lambda x: (str(type(x)), x))]


def city_median(db: Session, since: str | None = None) -> float | None:
    ut = HallTime.__table__.c
    q = select(ut.seconds, func.sum(ut.count)).group_by(ut.seconds)
    if since:
        q = q.where(ut.day >= since)
    return median_of({s: int(n) for s, n in db.execute(q)})
