"""Soak: drive many simulated citizen sessions through the session object and the
service layer, and report memory growth and errors.

    .venv/bin/python tools/soak.py [--sessions 10000] [--seed 1] [--json OUT]

Each session picks a region, reaches a service by topic, audience or a search query
(Chinese, pinyin or initials), answers every question with a random option, builds
the checklist, sometimes goes back or abandons, and ends with a reset (as the idle
timeout does). Memory is the process's resident set (from /proc) and Python's traced
allocations, measured after a warm-up of 200 sessions so that one-time caches do not
count as growth.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

from kiosk import paths
from kiosk.db.build import build_catalogue
from kiosk.db.service import CatalogueService
from kiosk.search import SearchIndex, pinyin_keys
from kiosk.session import KioskSession, Screen

REGIONS = ("shenyang", "fushun", "kaiyuan")
WARMUP = 200


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def one_session(rng: random.Random, sessions: dict[str, KioskSession]) -> str:
    region = rng.choice(REGIONS)
    s = sessions[region]
    services = s.catalogue.services(region)
    target = rng.choice(services)
    how = rng.random()
    if how < 0.4:
        s.choose_topic(rng.choice(target.topics))
        assert target in s.listed_services()
    elif how < 0.6:
        s.choose_audience(target.audience)
    else:
        full, initials = pinyin_keys(target.name)
        query = rng.choice([target.name[:2], full[: rng.randint(2, 6)], initials[:3]])
        for i in range(1, len(query) + 1):
            s.set_query(query[:i])
            s.search_results()
    s.choose_service(target.id)
    while s.screen is Screen.QUESTION:
        if rng.random() < 0.05:
            s.back()
            if s.screen is not Screen.QUESTION:
                break
            continue
        s.answer(rng.choice(s.question.options).id)
    outcome = "abandoned"
    if s.screen is Screen.CHECKLIST:
        guide = s.guide
        assert guide.complete, (region, target.id, s.answers)
        for m in guide.materials:
            assert m.text and m.ref
        outcome = "checklist"
        if rng.random() < 0.2:
            s.open_policy()
            s.back()
    s.reset("idle" if rng.random() < 0.3 else "home")
    assert s.answers == {} and not s.can_go_back
    return outcome


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json")
    args = ap.parse_args()
    db = paths.catalogue_db_path()
    if not db.exists():
        build_catalogue(paths.seed_dir(), db)
    catalogue = CatalogueService(db)
    sessions = {r: KioskSession(catalogue, r, SearchIndex(catalogue.services(r))) for r in REGIONS}
    rng = random.Random(args.seed)
    errors: list[str] = []
    outcomes: dict[str, int] = {}
    for s in sessions.values():  # built once per region (jieba's dictionary) before memory is traced
        s.search_index.warm_up()
    tracemalloc.start()
    t0 = time.perf_counter()
    rss_start = py_start = None
    for i in range(args.sessions):
        if i == min(WARMUP, args.sessions // 2):
            gc.collect()
            rss_start, py_start = rss_kib(), tracemalloc.get_traced_memory()[0]
        try:
            out = one_session(rng, sessions)
            outcomes[out] = outcomes.get(out, 0) + 1
        except Exception as exc:  # noqa: BLE001 - a soak counts every failure
            errors.append(f"session {i}: {type(exc).__name__}: {exc}")
            for s in sessions.values():
                s.reset("error")
    gc.collect()
    elapsed = time.perf_counter() - t0
    rss_end, py_end = rss_kib(), tracemalloc.get_traced_memory()[0]
    report = {
        "sessions": args.sessions, "seed": args.seed, "seconds": round(elapsed, 2),
        "sessions_per_second": round(args.sessions / elapsed, 1), "outcomes": outcomes,
        "errors": len(errors), "first_errors": errors[:10],
        "rss_kib_after_warmup": rss_start, "rss_kib_end": rss_end,
        "rss_growth_kib": rss_end - (rss_start or rss_end),
        "python_heap_growth_kib": round((py_end - (py_start or py_end)) / 1024, 1),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
