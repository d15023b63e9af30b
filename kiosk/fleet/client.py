"""The terminal's side of the fleet: enrolment, a local outbox, a background reporter.

Standard library only (the terminal does not install the service's stack).

    kiosk fleet enrol https://fleet.example:8443 3F2A1C-…   -> <data dir>/fleet.json (0600)
    reporter = start_reporter(window)  # from kiosk/ui/app.py; None when not enrolled

Every minute a heartbeat, every hour the usage counters of the last two days (absolute
per hour, so a re-sent hour replaces, never adds), each with its own idempotency key,
go into the outbox (<data dir>/fleet-outbox.sqlite) first; the reporter thread sends
the oldest batch when it can and deletes what the service acknowledged (accepted or
already seen). Nothing waits on the network but that thread; nothing personal is
sent: versions, states, counters, and histograms of seconds to checklist.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("kiosk.fleet")

HEARTBEAT_S = 60
USAGE_S = 3600
BATCH = 200
TIMEOUT_S = 10
MAX_OUTBOX = 20000  # about two weeks of heartbeats; the oldest heartbeats go first past that


class FleetError(Exception):
    pass


def credential_path(data_dir: Path | None = None) -> Path:
    from kiosk import paths

    return (data_dir or paths.data_dir()) / "fleet.json"


def outbox_path(data_dir: Path | None = None) -> Path:
    from kiosk import paths

    return (data_dir or paths.data_dir()) / "fleet-outbox.sqlite"


def load_credential(data_dir: Path | None = None) -> dict | None:
    try:
        data = json.loads(credential_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("token") and data.get("url") else None


def _context(ca: str | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    loop = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loop):
        raise FleetError(f"{url}: 只接受 https 地址")
    return url.rstrip("/")


def _post(url: str, body: dict, token: str | None, ca: str | None, timeout: float = TIMEOUT_S) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "User-Agent": "yibao-kiosk-fleet"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    kw: dict[str, Any] = {"context": _context(ca)} if url.startswith("https:") else {}
    with urllib.request.urlopen(req, timeout=timeout, **kw) as resp:  # noqa: S310 - scheme checked
        return json.loads(resp.read(1 << 20) or b"{}")


def enrol(url: str, code: str, name: str = "", ca: str | None = None, data_dir: Path | None = None) -> dict:
    """Trade a one-time code for this terminal's credential, stored 0600."""
    url = _check_url(url)
    if ca and not Path(ca).is_file():
        raise FleetError(f"{ca}: CA 证书文件不存在")
    try:
        got = _post(f"{url}/api/v1/enrol", {"code": code, "name": name or os.uname().nodename}, None, ca)
    except urllib.error.HTTPError as exc:
        raise FleetError("登记码无效、已使用或已过期" if exc.code == 403 else f"服务返回 {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FleetError(f"无法连接管理服务：{getattr(exc, 'reason', exc)}") from exc
    cred = {"url": url, "terminal_id": got["terminal_id"], "token": got["token"], "hall": got.get("hall", ""),
            "region": got.get("region", ""), "ca": str(Path(ca).resolve()) if ca else None,
            "enrolled_at": datetime.now().isoformat(timespec="seconds")}
    path = credential_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(cred, f, ensure_ascii=False)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return cred


# -- the outbox -------------------------------------------------------------------------------------------
class Outbox:
    """Reports waiting to be sent, in SQLite beside the other terminal data."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._con() as con:
            con.execute("CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, kind TEXT NOT NULL, "
                        "at REAL NOT NULL, data TEXT NOT NULL)")
            con.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")

    def _con(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=5)
        return con

    def put(self, kind: str, data: dict, at: float | None = None) -> str:
        key = uuid.uuid4().hex
        with self._lock, self._con() as con:
            con.execute("INSERT INTO outbox VALUES (?, ?, ?, ?)",
                        (key, kind, at or time.time(), json.dumps(data, ensure_ascii=False)))
            n = con.execute("SELECT count(*) FROM outbox").fetchone()[0]
            if n > MAX_OUTBOX:  # bounded: drop the oldest heartbeats, never usage
                con.execute("DELETE FROM outbox WHERE key IN (SELECT key FROM outbox WHERE kind = 'heartbeat' "
                            "ORDER BY at LIMIT ?)", (n - MAX_OUTBOX,))
        return key

    def oldest(self, n: int = BATCH) -> list[dict]:
        with self._lock, self._con() as con:
            rows = con.execute("SELECT key, kind, at, data FROM outbox ORDER BY at LIMIT ?", (n,)).fetchall()
        return [{"key": k, "kind": kind, "at": at, "data": json.loads(d)} for k, kind, at, d in rows]

    def remove(self, keys: list[str]) -> None:
        with self._lock, self._con() as con:
            con.executemany("DELETE FROM outbox WHERE key = ?", [(k,) for k in keys])

    def pending(self) -> int:
        with self._lock, self._con() as con:
            return con.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def get_meta(self, k: str) -> str | None:
        with self._lock, self._con() as con:
            row = con.execute("SELECT v FROM meta WHERE k = ?", (k,)).fetchone()
        return row[0] if row else None

    def set_meta(self, k: str, v: str) -> None:
        with self._lock, self._con() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, v))


def send_pending(outbox: Outbox, cred: dict, max_batches: int = 50) -> int:
    """Send what waits, oldest first; returns how many were acknowledged. FleetError
    when the service cannot be reached (everything stays queued)."""
    sent = 0
    for _ in range(max_batches):
        batch = outbox.oldest()
        if not batch:
            break
        try:
            got = _post(f"{cred['url']}/api/v1/reports", {"reports": batch}, cred["token"], cred.get("ca"))
        except urllib.error.HTTPError as exc:
            outbox.set_meta("last_failure", f"{time.time():.0f} HTTP {exc.code}")
            raise FleetError(f"管理服务拒绝上报：HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            outbox.set_meta("last_failure", f"{time.time():.0f} {getattr(exc, 'reason', exc)}")
            raise FleetError(f"无法连接管理服务：{getattr(exc, 'reason', exc)}") from exc
        done = list(got.get("accepted", [])) + list(got.get("duplicates", []))
        outbox.remove(done)
        outbox.set_meta("last_sent", f"{time.time():.0f}")
        sent += len(done)
        if len(done) < len(batch):
            break
    return sent


# -- what is reported ------------------------------------------------------------------------------------
def usage_report(state_db: Path, days: int = 2, today: datetime | None = None) -> dict | None:
    """Absolute hourly counters and histograms of the last `days` days from the staff
    state database (kiosk/staff/stats.py), summed over regions."""
    if not state_db.exists():
        return None
    since = ((today or datetime.now()) - timedelta(days=days - 1)).strftime("%Y-%m-%d")
    con = sqlite3.connect(f"file:{state_db}?mode=ro", uri=True, timeout=5)
    try:
        counts = con.execute("SELECT day, hour, service_id, metric, sum(count) FROM usage_counts WHERE day >= ? "
                             "GROUP BY day, hour, service_id, metric", (since,)).fetchall()
        times = con.execute("SELECT day, hour, service_id, seconds, sum(count) FROM checklist_times WHERE day >= ? "
                            "GROUP BY day, hour, service_id, seconds", (since,)).fetchall()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return {"counts": [{"day": d, "hour": h, "service_id": s, "metric": m, "count": n} for d, h, s, m, n in counts],
            "times": [{"day": d, "hour": h, "service_id": s, "seconds": x, "count": n} for d, h, s, x, n in times]}


def queue_new_edits(outbox: Outbox, state_db: Path) -> int:
    """Staff edits made on this terminal since the last call, queued for the service's
    review (each once: a cursor of the last edit id is kept in the outbox)."""
    if not state_db.exists():
        return 0
    cursor = int(outbox.get_meta("edit_cursor") or 0)
    con = sqlite3.connect(f"file:{state_db}?mode=ro", uri=True, timeout=5)
    try:
        rows = con.execute("SELECT id, at, who, region, service_id, field, old_value, new_value, summary "
                           "FROM catalogue_edits WHERE id > ? ORDER BY id", (cursor,)).fetchall()
    except sqlite3.Error:
        return 0
    finally:
        con.close()
    n = 0
    for eid, _at, who, region, sid, field, old, new, summary in rows:
        if new is not None:  # a revert to the built catalogue proposes nothing new
            outbox.put("edit", {"region": region, "service_id": sid, "field": field,
                                "old_value": json.loads(old) if old else None, "new_value": json.loads(new),
                                "who": who, "summary": summary})
            n += 1
        outbox.set_meta("edit_cursor", str(eid))
    return n


class ErrorCounter(logging.Handler):
    """Counts ERROR log records of the last hour and keeps the newest message (short)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.times: deque[float] = deque(maxlen=1000)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.times.append(time.time())
        try:
            self.last = f"{datetime.now():%m-%d %H:%M} {record.name}: {record.getMessage()}"[:200]
        except Exception:  # noqa: BLE001 - a broken log call must not break the kiosk
            self.last = record.name

    def last_hour(self) -> int:
        cut = time.time() - 3600
        return sum(1 for t in self.times if t >= cut)


def printer_state(config) -> tuple[str, str | None]:
    """(ok | paper_low | paper_out | offline | unknown, detail) of the configured printer."""
    p = getattr(config, "printer", None)
    if p is None or p.kind == "none":
        return "unknown", None
    if p.kind != "cups":
        return "unknown", None
    from kiosk.printing.cups import CupsFault, queue_state

    try:
        st = queue_state(p.queue)
    except CupsFault as exc:
        return "offline", str(exc)[:200]
    except Exception as exc:  # noqa: BLE001
        return "unknown", str(exc)[:200]
    reasons = st["reasons"]
    if any(r.startswith(("media-empty", "media-needed", "media-jam")) for r in reasons):
        return "paper_out", " ".join(reasons)
    if any(r.startswith("media-low") for r in reasons):
        return "paper_low", " ".join(reasons)
    if not st["enabled"] or any(r.startswith(("offline", "shutdown")) for r in reasons):
        return "offline", st["message"] or " ".join(reasons)
    return "ok", None


class Reporter:
    """The background thread. `heartbeat()` returns the heartbeat's data."""

    def __init__(self, cred: dict, outbox: Outbox, heartbeat: Callable[[], dict], state_db: Path | None,
                 heartbeat_s: float = HEARTBEAT_S, usage_s: float = USAGE_S):
        self.cred, self.outbox, self.heartbeat, self.state_db = cred, outbox, heartbeat, state_db
        self.heartbeat_s, self.usage_s = heartbeat_s, usage_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name="fleet-reporter", daemon=True)
        self.last_usage = 0.0

    def start(self) -> Reporter:
        self.thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(timeout)

    def tick(self) -> None:
        """One round: queue a heartbeat (and the usage when due), then try to send."""
        try:
            self.outbox.put("heartbeat", self.heartbeat())
            if self.state_db is not None:
                queue_new_edits(self.outbox, self.state_db)
            if self.state_db is not None and time.monotonic() - self.last_usage >= self.usage_s:
                report = usage_report(self.state_db)
                if report and (report["counts"] or report["times"]):
                    self.outbox.put("usage", report)
                self.last_usage = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - reporting never takes the kiosk down
            log.warning("fleet: could not queue a report: %s", exc)
        try:
            send_pending(self.outbox, self.cred)
        except FleetError as exc:
            log.info("fleet: reports kept for later (%s)", exc)
        except Exception as exc:  # noqa: BLE001
            log.warning("fleet: sending failed: %s", exc)

    def _run(self) -> None:
        self.last_usage = time.monotonic() - self.usage_s  # usage with the first heartbeat
        # a city's terminals switched on together (power back) spread over the minute
        self._wake.wait(random.uniform(0, self.heartbeat_s))
        while not self._stop.is_set():
            self.tick()
            self._wake.wait(self.heartbeat_s)
            self._wake.clear()


def heartbeat_of(window, errors: ErrorCounter, started: float) -> Callable[[], dict]:
    """The heartbeat of a running kiosk window (read in the reporter thread: plain
    attributes only, no Qt calls)."""
    import kiosk
    from kiosk.db.bundle import installed_version

    def beat() -> dict:
        db = getattr(window, "db_path", None)
        version, age = None, None
        if db is not None:
            version = installed_version(db) or "local"
            try:
                age = round((time.time() - Path(db).stat().st_mtime) / 86400, 2)
            except OSError:
                age = None
        state, fault = printer_state(window.ctx.config)
        return {"app_version": kiosk.__version__, "catalogue_version": version, "catalogue_age_days": age,
                "printer_state": state, "printer_fault": fault, "last_error": errors.last,
                "errors_last_hour": errors.last_hour(), "uptime_s": int(time.monotonic() - started),
                "orientation": window.ctx.config.orientation, "hall_config": hall_config_applied(db)}
    return beat


def hall_config_applied(db: Path | None) -> str | None:
    """'shenyang/heping v3': the signed hall configuration this terminal applied (None: none)."""
    from kiosk.db.update import read_hall_status

    if db is None:
        return None
    hs = read_hall_status(Path(db))
    return f"{hs.get('region')}/{hs.get('hall')} v{hs['version']}" if isinstance(hs.get("version"), int) else None


def start_reporter(window, data_dir: Path | None = None) -> Reporter | None:
    """Start reporting for an enrolled terminal (None when not enrolled). Never blocks."""
    cred = load_credential(data_dir)
    if cred is None:
        return None
    from kiosk import paths

    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    data = data_dir or paths.data_dir()
    rep = Reporter(cred, Outbox(outbox_path(data)), heartbeat_of(window, errors, time.monotonic()),
                   data / "state.sqlite")
    return rep.start()


def status(data_dir: Path | None = None) -> list[str]:
    """For `kiosk fleet status` (Chinese, one fact a line)."""
    cred = load_credential(data_dir)
    if cred is None:
        return ["未登记到管理服务（kiosk fleet enrol 地址 登记码）"]
    box = Outbox(outbox_path(data_dir))
    out = [f"管理服务：{cred['url']}", f"终端编号：{cred['terminal_id']}（{cred.get('hall', '')}）",
           f"待发送报告：{box.pending()} 条"]
    sent = box.get_meta("last_sent")
    out.append("最近发送：" + (datetime.fromtimestamp(float(sent)).strftime("%Y-%m-%d %H:%M:%S") if sent else "从未"))
    fail = box.get_meta("last_failure")
    if fail and (not sent or float(fail.split()[0]) > float(sent)):
        out.append("最近失败：" + fail.split(" ", 1)[1])
    out.append(hall_config_line(data_dir))
    return out


def hall_config_line(data_dir: Path | None = None) -> str:
    """The hall configuration applied from the signed repository (kiosk.db.update)."""
    from kiosk import paths
    from kiosk.db.update import read_hall_status

    hs = read_hall_status((data_dir or paths.data_dir()) / "catalogue.sqlite")
    version = hs.get("version")
    line = (f"大厅配置：第 {version} 版（{hs.get('region')}/{hs.get('hall')}，{hs.get('applied_at', '')} 应用）"
            if version else "大厅配置：未应用（管理服务未发布本大厅配置）")
    if hs and not hs.get("ok", True):
        line += f"；最近一次被拒绝：{hs.get('message', '')}"
    return line
