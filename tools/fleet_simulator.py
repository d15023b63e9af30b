#!/usr/bin/env python3
"""A fleet of simulated terminals against a real `kiosk-fleet serve` on PostgreSQL.

    .venv/bin/python tools/fleet_simulator.py --pg postgresql://postgres@127.0.0.1:5432/postgres \
        [--terminals 1000] [--rounds 5] [--offline 0.1] [--backlog-hours 2] [--year] [--out benchmarks/fleet.json]

Makes a new database on the cluster (dropped at the end), starts the service on a
free 127.0.0.1 port, enrols N terminals with one-time codes, then:
  heartbeats   `rounds` minutes of one heartbeat per online terminal (compressed in time:
               each round is sent as fast as 16 client threads allow)
  usage        one hourly usage report per terminal (20 services, histograms)
  catch-up     the `offline` share of terminals were down for `backlog-hours` and send
               their queued heartbeats in batches of 200, as the outbox does
  dashboard    with --year: a year of hourly usage for every terminal (open hours,
               weekdays) written straight into the database, then the console pages
               timed: fleet table, usage by hall (30 d), by day over 365 d, CSV.
Reports p50/p95 latency, the service's and PostgreSQL's CPU seconds per 1,000
heartbeats, and the dashboard timings. Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError, ValueError):
            pass
    return total


def pg_pids(pg_data: Path | None) -> list[int]:
    """The postmaster of the cluster and its children (the backends doing our work)."""
    if pg_data is None:
        return []
    try:
        master = int((pg_data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    out = [master]
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    out.append(int(p.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


class Client(threading.local):
    def __init__(self, port: int):
        self.port = port
        self.conn = None

    def post(self, path: str, body: dict, token: str | None = None) -> tuple[int, dict, float]:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            t0 = time.perf_counter()
            try:
                self.conn.request("POST", path, data, headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, json.loads(raw or b"{}"), time.perf_counter() - t0
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")


def heartbeat(at: float, i: int) -> dict:
    return {"key": uuid.uuid4().hex, "kind": "heartbeat", "at": at,
            "data": {"app_version": "0.1.0", "catalogue_version": "2026-11-25.1", "catalogue_age_days": 3.2,
                     "printer_state": "paper_out" if i % 97 == 0 else "ok", "printer_fault": None,
                     "last_error": None, "errors_last_hour": 0, "uptime_s": 86400, "orientation": "portrait"}}


def usage(day: str, hour: int, i: int) -> dict:
    counts, times = [], []
    for s in range(20):
        n = (i + s) % 5
        if n:
            counts += [{"day": day, "hour": hour, "service_id": f"svc-{s:02d}", "metric": "session", "count": n},
                       {"day": day, "hour": hour, "service_id": f"svc-{s:02d}", "metric": "checklist", "count": n}]
            times.append({"day": day, "hour": hour, "service_id": f"svc-{s:02d}", "seconds": 30 + s * 3, "count": n})
    return {"key": uuid.uuid4().hex, "kind": "usage", "at": time.time(), "data": {"counts": counts, "times": times}}


def run(args) -> dict:
    import psycopg

    name = "fleet_sim_" + secrets.token_hex(3)
    with psycopg.connect(args.pg, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
        pg_data = Path(c.execute("SHOW data_directory").fetchone()[0])
    db_url = args.pg.rsplit("/", 1)[0] + "/" + name
    work = Path(tempfile.mkdtemp(prefix="fleet-sim-"))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    serve = subprocess.Popen([str(BIN / "kiosk-fleet"), "--db", db_url, "--data", str(work), "serve", "--port",
                              str(port), "--pool", "16"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict = {"terminals": args.terminals, "rounds": args.rounds, "cores": os.cpu_count(),
                     "postgresql": None}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                if serve.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("kiosk-fleet serve did not start") from None
                time.sleep(0.2)
        from sqlalchemy.orm import Session

        from kiosk.fleet import auth, ingest
        from kiosk.fleet.db import make_engine
        engine = make_engine(db_url, 2)
        with engine.connect() as c:
            results["postgresql"] = c.exec_driver_sql("SHOW server_version").scalar()
        with Session(engine) as db:
            codes = [ingest.new_enrol_code(db, f"大厅{i % 15:02d}", "shenyang", "sim") for i in range(args.terminals)]
            auth.create_user(db, "sim", "operator", "simulator-password")
            db.commit()
        cl = Client(port)
        pool = ThreadPoolExecutor(args.threads, initializer=lambda: None)
        t0 = time.perf_counter()
        tokens = list(pool.map(lambda c: cl.post("/api/v1/enrol", {"code": c, "name": c[:6]})[1]["token"], codes))
        results["enrol_s"] = round(time.perf_counter() - t0, 2)
        offline = set(range(0, args.terminals, max(1, int(1 / args.offline)))) if args.offline else set()

        # -- heartbeats ----------------------------------------------------------------------------
        lat: list[float] = []
        srv = [serve.pid]
        cpu0, pg0, wall0 = cpu_of(srv), cpu_of(pg_pids(pg_data)), time.perf_counter()
        sent = 0
        for _round in range(args.rounds):
            at = time.time()
            online = [i for i in range(args.terminals) if i not in offline]
            for status, _body, dt in pool.map(lambda i, at=at: cl.post("/api/v1/reports", {"reports": [heartbeat(at, i)]},
                                                                  tokens[i]), online):
                assert status == 200, status
                lat.append(dt)
            sent += len(online)
        cpu1, pg1, wall1 = cpu_of(srv), cpu_of(pg_pids(pg_data)), time.perf_counter()
        results["heartbeats"] = {
            "count": sent, "p50_ms": round(1000 * pct(lat, 0.5), 1), "p95_ms": round(1000 * pct(lat, 0.95), 1),
            "per_s": round(sent / (wall1 - wall0), 1),
            "service_cpu_s_per_1000": round(1000 * (cpu1 - cpu0) / sent, 2),
            "postgresql_cpu_s_per_1000": round(1000 * (pg1 - pg0) / sent, 2)}
        print('"heartbeats"', results["heartbeats"], file=sys.stderr, flush=True)

        # -- hourly usage --------------------------------------------------------------------------
        day, hour = time.strftime("%Y-%m-%d"), time.localtime().tm_hour
        ulat = [dt for status, _b, dt in pool.map(
            lambda i: cl.post("/api/v1/reports", {"reports": [usage(day, hour, i)]}, tokens[i]),
            range(args.terminals))]
        results["usage_reports"] = {"count": len(ulat), "p50_ms": round(1000 * pct(ulat, 0.5), 1),
                                    "p95_ms": round(1000 * pct(ulat, 0.95), 1)}
        print('"usage_reports"', results["usage_reports"], file=sys.stderr, flush=True)

        # -- catch-up after hours offline ----------------------------------------------------------
        backlog = int(args.backlog_hours * 60)
        blat: list[float] = []
        now = time.time()

        def catch_up(i: int) -> list[float]:
            reports = [heartbeat(now - 60 * (backlog - k), i) for k in range(backlog)]
            out = []
            for b in range(0, len(reports), 200):
                status, body, dt = cl.post("/api/v1/reports", {"reports": reports[b:b + 200]}, tokens[i])
                assert status == 200 and len(body["accepted"]) == len(reports[b:b + 200])
                out.append(dt)
            # the last batch again, as after a lost answer: all duplicates
            status, body, _ = cl.post("/api/v1/reports", {"reports": reports[-10:]}, tokens[i])
            assert body["accepted"] == [] and len(body["duplicates"]) == 10
            return out
        for got in pool.map(catch_up, sorted(offline)):
            blat += got
        results["catch_up"] = {"terminals": len(offline), "heartbeats_each": backlog,
                               "batches": len(blat), "batch_p50_ms": round(1000 * pct(blat, 0.5), 1),
                               "batch_p95_ms": round(1000 * pct(blat, 0.95), 1)}
        print('"catch_up"', results["catch_up"], file=sys.stderr, flush=True)

        # -- a year of hourly data, then the dashboard ---------------------------------------------
        if args.year:
            t0 = time.perf_counter()
            with psycopg.connect(db_url, autocommit=True) as c:
                # bulk load: indexes dropped while filling, rebuilt after (as a restore would)
                c.execute("ALTER TABLE usage_counts DROP CONSTRAINT usage_counts_pkey")
                c.execute("ALTER TABLE usage_times DROP CONSTRAINT usage_times_pkey")
                c.execute("DROP INDEX ix_usage_counts_day")
                c.execute("DROP INDEX ix_usage_times_day")
                # every terminal, open hours 8-16 on weekdays of the past 365 days, 3 services per hour
                c.execute("""
                  INSERT INTO usage_counts (terminal_id, day, hour, service_id, metric, hall, region, count)
                  SELECT t.id, to_char(d, 'YYYY-MM-DD'), h, 'svc-' || lpad(((h + s) % 20)::text, 2, '0'), m,
                         t.hall, t.region, 1 + (h + s) % 4
                  FROM terminals t, generate_series(current_date - 365, current_date - 1, '1 day') d,
                       generate_series(8, 16) h, generate_series(0, 2) s, unnest(ARRAY['session', 'checklist']) m
                  WHERE extract(isodow FROM d) < 6""")
                c.execute("""
                  INSERT INTO usage_times (terminal_id, day, hour, service_id, seconds, hall, region, count)
                  SELECT t.id, to_char(d, 'YYYY-MM-DD'), h, 'svc-' || lpad(((h + s) % 20)::text, 2, '0'),
                         20 + (h * 7 + s * 13) % 90, t.hall, t.region, 1 + (h + s) % 4
                  FROM terminals t, generate_series(current_date - 365, current_date - 1, '1 day') d,
                       generate_series(8, 16) h, generate_series(0, 2) s
                  WHERE extract(isodow FROM d) < 6""")
                # the hall sums the service keeps in step at ingestion (migration 0002)
                c.execute("DELETE FROM usage_hall_counts")
                c.execute("DELETE FROM usage_hall_times")
                c.execute("INSERT INTO usage_hall_counts SELECT hall, day, hour, service_id, metric, sum(count) "
                          "FROM usage_counts GROUP BY hall, day, hour, service_id, metric")
                c.execute("INSERT INTO usage_hall_times SELECT hall, day, hour, service_id, seconds, sum(count) "
                          "FROM usage_times GROUP BY hall, day, hour, service_id, seconds")
                c.execute("ALTER TABLE usage_counts ADD PRIMARY KEY (terminal_id, day, hour, service_id, metric)")
                c.execute("ALTER TABLE usage_times ADD PRIMARY KEY (terminal_id, day, hour, service_id, seconds)")
                c.execute("CREATE INDEX ix_usage_counts_day ON usage_counts (day)")
                c.execute("CREATE INDEX ix_usage_times_day ON usage_times (day)")
                c.execute("VACUUM ANALYZE")
                rows = c.execute("SELECT (SELECT count(*) FROM usage_counts), (SELECT count(*) FROM usage_times), "
                                 "(SELECT count(*) FROM usage_hall_counts), (SELECT count(*) FROM usage_hall_times), "
                                 "pg_database_size(current_database())").fetchone()
            results["year"] = {"usage_count_rows": rows[0], "histogram_rows": rows[1], "hall_count_rows": rows[2],
                               "hall_histogram_rows": rows[3], "database_mb": round(rows[4] / 2**20),
                               "fill_s": round(time.perf_counter() - t0, 1)}
            print('"year"', results["year"], file=sys.stderr, flush=True)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", "/login")
            resp = conn.getresponse()
            page = resp.read().decode()
            cookie = resp.getheader("set-cookie").split(";")[0]
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            from urllib.parse import urlencode
            conn.request("POST", "/login", urlencode({"name": "sim", "password": "simulator-password", "csrf": csrf}),
                         {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            resp = conn.getresponse()
            resp.read()
            session = resp.getheader("set-cookie").split(";")[0]
            timings = {}
            for label, path in (("fleet_table", "/"), ("usage_by_hall_30d", "/usage?group=hall&days=30"),
                                ("usage_by_service_30d", "/usage?group=service&days=30"),
                                ("usage_by_day_365d", "/usage?group=day&days=365"),
                                ("usage_by_hour_365d", "/usage?group=hour&days=365"),
                                ("csv_by_day_365d", "/usage.csv?group=day&days=365")):
                best = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    conn.request("GET", path, headers={"Cookie": session})
                    resp = conn.getresponse()
                    resp.read()
                    assert resp.status == 200, (path, resp.status)
                    best.append(time.perf_counter() - t0)
                timings[label] = {"median_ms": round(1000 * statistics.median(best), 1)}
            results["dashboard"] = timings
        pool.shutdown()
        engine.dispose()
    finally:
        serve.terminate()
        serve.wait(10)
        with psycopg.connect(args.pg, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG_URL"), help="a PostgreSQL cluster (superuser URL)")
    p.add_argument("--terminals", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5, help="minutes of heartbeats")
    p.add_argument("--offline", type=float, default=0.1, help="share of terminals offline, then catching up")
    p.add_argument("--backlog-hours", type=float, default=2)
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--year", action="store_true", help="also a year of hourly data and the dashboard timings")
    p.add_argument("--out", help="write the results here (JSON)")
    args = p.parse_args()
    if not args.pg:
        p.error("--pg or KIOSK_TEST_PG_URL is needed")
    res = run(args)
    text = json.dumps(res, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
