"""Grab the kiosk's citizen screens to PNG by walking the real UI offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [OUT_DIR]

The accessibility audit (tools/accessibility_audit.py) walks every citizen screen in
all 8 configurations and measures it; this writes the screenshots it takes (Shenyang:
every screen at 1080x1920 and 1920x1080, home/question/checklist also in 大字 and
高对比) and docs/accessibility.md, its table of numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.accessibility_audit import main as audit_main  # noqa: E402


def main(out: Path) -> int:
    return audit_main(["--screens", str(out), "--report", str(Path("docs") / "accessibility.md")])


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screens")))
