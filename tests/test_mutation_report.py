"""tools/mutation_report.py: the table of docs/mutation.md from mutmut's results, merged
from runs of different modules, keeping the hand-written part of the old file."""

import importlib.util

from tests.conftest import PROJECT

spec = importlib.util.spec_from_file_location("mutation_report", PROJECT / "tools" / "mutation_report.py")
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)

RUN_A = """    kiosk.session.x_start__mutmut_1: killed
    kiosk.session.x_start__mutmut_2: survived
    kiosk.session.xǁSessionǁanswer__mutmut_3: timeout
    kiosk.speech.x_say__mutmut_1: not checked
"""
RUN_B = """    kiosk.session.x_start__mutmut_1: not checked
    kiosk.speech.x_say__mutmut_1: killed
    kiosk.speech.x_say__mutmut_2: no tests
"""


def test_each_module_comes_from_the_run_that_ran_it(tmp_path):
    (tmp_path / "a.txt").write_text(RUN_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(RUN_B, encoding="utf-8")
    doc = tmp_path / "mutation.md"
    doc.write_text("# old\n\n## Notes\n\nkept by hand\n", encoding="utf-8")
    assert report.main(str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), str(doc)) == 0
    text = doc.read_text(encoding="utf-8")
    assert "| `kiosk.session` | 3 | 2 | 1 | 0 | 66.7 % |" in text
    assert "| `kiosk.speech` | 2 | 1 | 0 | 1 | 50.0 % |" in text
    assert "| **all run** | 5 | 3 | | | 60.0 % |" in text
    assert "- `kiosk.session.x_start__mutmut_2: survived`" in text
    assert "- `kiosk.speech.x_say__mutmut_2: no tests`" in text
    assert "x_start__mutmut_1" not in text and "Not run this time" not in text
    assert text.endswith("## Notes\n\nkept by hand\n")


def test_a_module_no_run_ran_is_listed_as_not_run(tmp_path):
    (tmp_path / "a.txt").write_text(RUN_A, encoding="utf-8")
    doc = tmp_path / "mutation.md"
    assert report.main(str(tmp_path / "a.txt"), str(doc)) == 0
    text = doc.read_text(encoding="utf-8")
    assert "Not run this time: `kiosk.speech` (1 mutants)." in text
    assert "kiosk.speech` |" not in text


def test_results_without_mutants_are_refused(tmp_path):
    (tmp_path / "a.txt").write_text("nothing here\n", encoding="utf-8")
    assert report.main(str(tmp_path / "a.txt"), str(tmp_path / "m.md")) == 1
    assert not (tmp_path / "m.md").exists()
