"""The benchmark runs (with tiny counts). It times nothing here: no timed assertions."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_quick(tmp_path, catalogue_db):
    out = tmp_path / "results.json"
    env = dict(os.environ, KIOSK_DATA_DIR=str(catalogue_db.parent), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--out", str(out)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    results = json.loads(out.read_text())
    for key in ("startup_ratio", "touch_p95_ms", "search_p95_ms", "pdf_ms", "memory_growth_mb", "memory_growth_mib",
                "rss_home_mib", "startup_exit_s", "search_key_p95_ms"):
        assert isinstance(results[key], (int, float)), key
    assert set(results["meets_targets"]) == {"startup_ratio", "touch_p95_ms", "search_p95_ms", "pdf_ms",
                                             "memory_growth_mb", "search_key_p95_ms"}
