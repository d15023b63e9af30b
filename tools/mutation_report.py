"""Write docs/mutation.md from `mutmut results --all true`: the score per module and the
survivors, keeping the hand-written part of the old file (from "## Notes", or else from
"## Justified survivors", to the end).

    python tools/mutation_report.py mutants/results.txt docs/mutation.md
    python tools/mutation_report.py run-a.txt run-b.txt docs/mutation.md

With several results (runs of different modules, e.g. in two checkouts of the same
tree), each module is taken from the run that ran it.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

JUSTIFIED = "## Justified survivors"
NOTES = "## Notes"
LINE = re.compile(r"^\s*(?P<name>[\w.]+?)\.x(?:ǁ\w+ǁ)?_?\w*__mutmut_\d+: (?P<status>[\w ]+)$")


def module_of(mutant: str) -> str:
    """kiosk.catalogue.guide.x_build_guide__mutmut_7 -> kiosk.catalogue.guide"""
    return mutant.split(".x")[0] if ".x" in mutant else mutant.rsplit(".", 1)[0]


def parse(text: str) -> tuple[dict[str, Counter], dict[str, list[str]]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for raw in text.splitlines():
        if ": " not in raw or "__mutmut_" not in raw:
            continue
        name, status = (part.strip() for part in raw.rsplit(": ", 1))
        module = module_of(name)
        counts[module][status] += 1
        if status not in ("killed", "timeout", "segfault", "not checked"):
            survivors[module].append(f"{name}: {status}")
    return counts, survivors


def mutmut_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mutmut")
    except PackageNotFoundError:
        return "unknown"


def render(counts, survivors, justified: str) -> str:
    out = [
        "# Mutation testing of the core",
        "",
        f"Re-run on {date.today().isoformat()} with mutmut {mutmut_version()}, by the one command",
        "`bash scripts/mutation.sh` (modules and test selection in `pyproject.toml`, `[tool.mutmut]`).",
        "A mutant is *killed* when a test fails (or times out) with it. The score is killed ÷ all",
        "mutants run, survivors included; the target is at least 90 % per module.",
        "",
        "| module | mutants | killed | survived | no tests | score |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    total = Counter()
    not_run = []
    for module in sorted(counts):
        c = counts[module]
        n = sum(v for k, v in c.items() if k != "not checked")
        if n == 0:  # a run limited to other modules (scripts/mutation.sh PATTERN)
            not_run.append(f"`{module}` ({c['not checked']} mutants)")
            continue
        killed = c["killed"] + c["timeout"] + c["segfault"]
        total["n"] += n
        total["killed"] += killed
        partial = f" (partial: {c['not checked']} not run)" if c["not checked"] else ""
        out.append(f"| `{module}`{partial} | {n} | {killed} | {c['survived']} | {c['no tests']} | "
                   f"{100 * killed / n:.1f} % |")
    if total["n"]:
        out.append(f"| **all run** | {total['n']} | {total['killed']} | | | {100 * total['killed'] / total['n']:.1f} % |")
    if not_run:
        out += ["", "Not run this time: " + ", ".join(not_run) + "."]
    out += ["", "## Survivors", ""]
    if not any(survivors.values()):
        out.append("None.")
    for module in sorted(survivors):
        for s in survivors[module]:
            out.append(f"- `{s}`")
    out += ["", justified.strip() or f"{JUSTIFIED}\n\nNone.", ""]
    return "\n".join(out)


def merge(runs: list[tuple[dict[str, Counter], dict[str, list[str]]]]):
    """One module's counts and survivors from the run that ran it (else from the first)."""
    counts: dict[str, Counter] = {}
    survivors: dict[str, list[str]] = defaultdict(list)
    for run_counts, run_survivors in runs:
        for module, c in run_counts.items():
            ran = any(v for k, v in c.items() if k != "not checked")
            if module not in counts or ran:
                counts[module] = c
                survivors[module] = run_survivors.get(module, [])
    return counts, survivors


def main(*args: str) -> int:
    *results, doc = args
    old = Path(doc).read_text(encoding="utf-8") if Path(doc).exists() else ""
    kept = NOTES if NOTES in old else JUSTIFIED
    justified = old[old.index(kept):] if kept in old else ""
    counts, survivors = merge([parse(Path(r).read_text(encoding="utf-8")) for r in results])
    if not counts:
        print("no mutants in the results: did mutmut run?", file=sys.stderr)
        return 1
    Path(doc).write_text(render(counts, survivors, justified), encoding="utf-8")
    print(f"{doc}: {sum(sum(c.values()) for c in counts.values())} mutants in {len(counts)} modules")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
