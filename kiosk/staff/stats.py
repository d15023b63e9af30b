"""Usage figures: aggregated counters only — no sessions, no answers, no personal data.

What is counted, per local day and hour, region and service:
    session        a citizen session ended (service "" when none was chosen)
    checklist      the session reached a checklist
    abandoned      a service was chosen but the session ended before its checklist
    print          a checklist was printed
    printer_fault  a print failed (no printer, offline, paper out …)
and a histogram of whole seconds from the start of a session to its checklist, from
which the median time to checklist is computed.

    recorder = UsageRecorder(store)
    session.on_finished(lambda stats, reason: recorder.session_finished(stats, reason, region))
    recorder.print_result(region, service_id, ok, fault)      # from the print flow

A write that fails (full disk, read-only file) is logged and dropped: the counters
keep their previous values and the kiosk goes on.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import SQLAlchemyError

from kiosk.staff.state import checklist_times, usage_counts

log = logging.getLogger("kiosk.staff")

METRICS = ("session", "checklist", "abandoned", "print", "printer_fault")
MAX_SECONDS = 3600


class UsageRecorder:
    def __init__(self, store, clock: Callable[[], datetime] = datetime.now,
                 monotonic: Callable[[], float] = time.monotonic):
        self.store = store
        self.clock = clock
        self.monotonic = monotonic

    def _bump(self, conn, when: datetime, region: str, service_id: str, metric: str, n: int = 1) -> None:
        stmt = insert(usage_counts).values(day=when.strftime("%Y-%m-%d"), hour=when.hour, region=region,
                                           service_id=service_id or "", metric=metric, count=n)
        conn.execute(stmt.on_conflict_do_update(index_elements=["day", "hour", "region", "service_id", "metric"],
                                                set_={"count": usage_counts.c.count + n}))

    def _write(self, what: str, fn) -> bool:
        try:
            with self.store.engine.begin() as conn:
                fn(conn)
            return True
        except (SQLAlchemyError, OSError) as exc:
            log.error("usage figures: %s not recorded (%s); previous figures kept", what, exc)
            return False

    def session_finished(self, stats, reason: str, region: str) -> bool:
        """One ended session (kiosk.session.SessionStats): counted by the hour it started."""
        started = self.clock() - timedelta(seconds=max(0.0, self.monotonic() - stats.started))
        sid = stats.service_id or ""

        def write(conn):
            self._bump(conn, started, region, sid, "session")
            if stats.checklist_at is not None:
                self._bump(conn, started, region, sid, "checklist")
                seconds = int(min(MAX_SECONDS, max(0.0, stats.checklist_at - stats.started)))
                stmt = insert(checklist_times).values(day=started.strftime("%Y-%m-%d"), hour=started.hour,
                                                      region=region, service_id=sid, seconds=seconds, count=1)
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=["day", "hour", "region", "service_id", "seconds"],
                    set_={"count": checklist_times.c.count + 1}))
            elif sid:
                self._bump(conn, started, region, sid, "abandoned")

        return self._write(f"session ({reason})", write)

    def print_result(self, region: str, service_id: str | None, ok: bool, fault: str | None = None) -> bool:
        metric = "print" if ok else "printer_fault"
        return self._write(metric, lambda conn: self._bump(conn, self.clock(), region, service_id or "", metric))


# -- reading ----------------------------------------------------------------------------------------------
@dataclass
class Figures:
    """Totals and breakdowns for the staff screen and the CSV."""
    totals: dict[str, int] = field(default_factory=dict)
    by_service: dict[str, dict[str, int]] = field(default_factory=dict)  # service -> metric -> n
    by_day: dict[str, dict[str, int]] = field(default_factory=dict)
    by_hour: dict[int, dict[str, int]] = field(default_factory=dict)
    median_seconds: float | None = None
    median_by_service: dict[str, float | None] = field(default_factory=dict)


def median_of(histogram: dict[int, int]) -> float | None:
    n = sum(histogram.values())
    if not n:
        return None
    ordered = sorted(histogram.items())

    def nth(k):  # k-th value (0-based) of the expanded list
        seen = 0
        for value, count in ordered:
            seen += count
            if k < seen:
                return value
        return ordered[-1][0]

    return nth(n // 2) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2


def read_figures(store, region: str | None = None, since: str | None = None) -> Figures:
    """All figures (of one region, from day `since` YYYY-MM-DD on, when given)."""
    f = Figures(totals={m: 0 for m in METRICS})
    q = select(usage_counts)
    h = select(checklist_times)
    if region:
        q, h = q.where(usage_counts.c.region == region), h.where(checklist_times.c.region == region)
    if since:
        q, h = q.where(usage_counts.c.day >= since), h.where(checklist_times.c.day >= since)
    with store.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
        times = conn.execute(h).mappings().all()
    for r in rows:
        m, n = r["metric"], r["count"]
        f.totals[m] = f.totals.get(m, 0) + n
        for key, table in ((r["service_id"], f.by_service), (r["day"], f.by_day), (r["hour"], f.by_hour)):
            bucket = table.setdefault(key, {})
            bucket[m] = bucket.get(m, 0) + n
    overall: dict[int, int] = {}
    per_service: dict[str, dict[int, int]] = {}
    for t in times:
        overall[t["seconds"]] = overall.get(t["seconds"], 0) + t["count"]
        hist = per_service.setdefault(t["service_id"], {})
        hist[t["seconds"]] = hist.get(t["seconds"], 0) + t["count"]
    f.median_seconds = median_of(overall)
    f.median_by_service = {s: median_of(hist) for s, hist in per_service.items()}
    return f


CSV_COLUMNS = ["day", "hour", "region", "service_id", "service_name", "sessions", "checklists", "abandoned",
               "prints", "printer_faults", "median_seconds_to_checklist"]


def figures_csv(store, names: dict[tuple[str, str], str] | None = None) -> str:
    """One row per day, hour, region and service, oldest first (the `kiosk stats --csv` format)."""
    names = names or {}
    rows: dict[tuple, dict[str, int]] = {}
    hist: dict[tuple, dict[int, int]] = {}
    with store.engine.connect() as conn:
        for r in conn.execute(select(usage_counts)).mappings():
            key = (r["day"], r["hour"], r["region"], r["service_id"])
            rows.setdefault(key, {})[r["metric"]] = r["count"]
        for t in conn.execute(select(checklist_times)).mappings():
            key = (t["day"], t["hour"], t["region"], t["service_id"])
            hist.setdefault(key, {})[t["seconds"]] = t["count"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for key in sorted(rows):
        day, hour, region, sid = key
        c = rows[key]
        med = median_of(hist.get(key, {}))
        w.writerow([day, hour, region, sid, names.get((region, sid), ""), c.get("session", 0), c.get("checklist", 0),
                    c.get("abandoned", 0), c.get("print", 0), c.get("printer_fault", 0),
                    "" if med is None else f"{med:g}"])
    return out.getvalue()


def total_count(store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.coalesce(func.sum(usage_counts.c.count), 0))))
