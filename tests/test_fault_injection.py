"""The fault-injection suite (tools/fault_injection.py, issue 12) in CI: seeded, bounded
to a few minutes. Every class must be survived whole: no traceback, no hang, nothing
lost, the previous state intact (what each case checks is in the tool's docstring)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# The counts of issue 12; the full disk: one round of five commands per free-space level.
FLIPS, KILLS, CONFIGS, SMOKES, FREE_LEVELS = 100, 50, 500, 6, (0, 512)


def test_fault_injection_suite(tmp_path):
    out, md = tmp_path / "report.json", tmp_path / "reliability.md"
    r = subprocess.run(
        [sys.executable, "tools/fault_injection.py", "--seed", "12", "--flips", str(FLIPS), "--kills", str(KILLS),
         "--configs", str(CONFIGS), "--smokes", str(SMOKES), "--free", ",".join(map(str, FREE_LEVELS)),
         "--json", str(out), "--markdown", str(md), "--work", str(tmp_path / "work")],
        cwd=PROJECT, capture_output=True, text=True, timeout=1200,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    report = json.loads(out.read_text(encoding="utf-8"))
    classes = report["classes"]
    failures = {k: c["failures"][:3] for k, c in classes.items() if c["failures"]}
    assert failures == {}, json.dumps(failures, ensure_ascii=False, indent=1)[:6000]
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert {k: (c["cases"], c["survived"]) for k, c in classes.items()} == {
        "catalogue": (FLIPS, FLIPS), "kills": (KILLS, KILLS), "config": (CONFIGS, CONFIGS),
        "smoke": (SMOKES, SMOKES), "disk full": (5 * (len(FREE_LEVELS) + 1), 5 * (len(FREE_LEVELS) + 1))}
    # the faults were real: damage was found and repaired, kills landed mid-write
    outcomes = classes["catalogue"]["outcomes"]
    assert outcomes.get("fell back to the previous copy", 0) >= 30 and outcomes.get("rebuilt from the seed", 0) >= 1
    assert sum(v for k, v in classes["kills"]["outcomes"].items() if k.endswith(": killed")) >= KILLS // 2
    assert sum(v for k, v in classes["disk full"]["outcomes"].items() if "refused in one line" in k) >= 5
    text = md.read_text(encoding="utf-8")
    assert f"| Mutated config.json | {CONFIGS} | {CONFIGS} |" in text
    assert "Crafted catalogue bundles" in text and "Fuzzed workbooks" in text
    assert "**FAILED**" not in text
