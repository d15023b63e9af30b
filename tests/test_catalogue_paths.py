"""Every answer path of every service is proven at build (`kiosk catalogue check`), and
each path's checklist is kept in tests/artefacts/paths for review: a change to any
citizen's list shows up as a diff there. Regenerate with `kiosk catalogue paths`."""

import subprocess
import sys

import pytest

from kiosk.catalogue.paths import artefact_files, check_paths, walk
from kiosk.catalogue.sources import load_seed
from tests.conftest import PROJECT, SEED
from tests.test_catalogue_check import replace_in

ARTEFACTS = PROJECT / "tests" / "artefacts" / "paths"
KY = "kaiyuan/services-004.yaml"
NO_MATERIALS = '''    no_materials:
      - when: {arrears_kind: [grade_change, gap_payment]}
'''


@pytest.fixture(scope="module")
def shipped():
    cat, problems = load_seed(SEED)
    assert not problems
    return cat


def test_every_path_of_the_shipped_catalogue_is_sound(shipped):
    problems, counts = check_paths(shipped.services)
    assert problems == []
    # counted by hand from the artefacts when they were reviewed (issue 15)
    assert counts == {"services": 93, "paths": 271, "questions": 63}


def test_committed_checklists_are_exactly_what_the_catalogue_gives(shipped):
    files = artefact_files(shipped.services)
    committed = {str(p.relative_to(ARTEFACTS)): p.read_text(encoding="utf-8") for p in ARTEFACTS.rglob("*.json")}
    assert sorted(committed) == sorted(files), "run `kiosk catalogue paths` and review the diff"
    changed = [name for name in files if files[name] != committed[name]]
    assert changed == [], f"checklists changed: {changed[:5]}; run `kiosk catalogue paths` and review the diff"


def test_a_known_path_in_the_artefact():
    """One path read by hand from 004 §十一 11.1: 退休一次性趸缴 needs 退休证明材料; the
    other two choices have no 要件 in the document."""
    import json

    data = json.loads((ARTEFACTS / "kaiyuan" / "flexible-arrears-assessment.json").read_text(encoding="utf-8"))
    by_answer = {tuple(p["answers"]): [m["name"] for m in p["materials"]] for p in data["paths"]}
    assert by_answer == {("arrears_kind=grade_change",): [], ("arrears_kind=gap_payment",): [],
                         ("arrears_kind=retire_lump_sum",): ["退休证明材料"]}


def path_problems_of(seed):
    cat, problems = load_seed(seed)
    assert problems == []
    return check_paths(cat.services)[0]


def test_a_path_without_materials_is_caught(seed_copy):
    f = seed_copy / KY
    text = f.read_text(encoding="utf-8")
    start = text.index(NO_MATERIALS)
    end = text.index("    channels:", start)
    f.write_text(text[:start] + text[end:], encoding="utf-8")
    found = path_problems_of(seed_copy)
    assert "service kaiyuan/flexible-arrears-assessment: path arrears_kind=grade_change gives no materials, " \
           "but the document lists 1 (if it lists none for these answers, say so in no_materials)" in found
    assert not any("retire_lump_sum gives no materials" in p for p in found)


def test_declaring_no_materials_where_there_are_some_is_caught(seed_copy):
    replace_in(seed_copy / KY, NO_MATERIALS, NO_MATERIALS.replace("[grade_change, gap_payment]",
                                                                  "[grade_change, gap_payment, retire_lump_sum]"))
    found = path_problems_of(seed_copy)
    assert any("path arrears_kind=retire_lump_sum is declared in no_materials" in p for p in found), found


def test_a_question_never_asked_is_caught(seed_copy):
    # a condition that every option satisfies: the question never matters, so is never asked
    replace_in(seed_copy / "shenyang" / "services-000.yaml",
               "        when: {unit_action: close}\n", "        when: {unit_action: close, applicant: [self, proxy]}\n")
    replace_in(seed_copy / "shenyang" / "services-000.yaml", "    questions: [unit_action]\n",
               "    questions: [unit_action, applicant]\n")
    found = path_problems_of(seed_copy)
    assert "service shenyang/unit-registration: question 'applicant' is never asked on any path" in found


def test_an_option_that_changes_nothing_is_caught(seed_copy):
    replace_in(seed_copy / KY, "          - {id: gap_payment, label: 中断补费（补缴中断期间的费用）}\n",
               "          - {id: gap_payment, label: 中断补费（补缴中断期间的费用）}\n"
               "          - {id: other, label: 其他}\n")
    found = path_problems_of(seed_copy)
    assert any(p.startswith("service kaiyuan/flexible-arrears-assessment: option arrears_kind=other changes nothing")
               for p in found), found
    assert not any("arrears_kind=gap_payment changes nothing" in p for p in found)


def test_a_path_that_never_ends_is_caught(shipped):
    svc = next(s for s in shipped.services if s.region == "shenyang" and s.id == "flexible-retire")
    w = walk(svc, max_steps=1)  # fewer steps than questions: the walk must stop and say so
    assert w.never_ends and all(len(a) == 1 for a in w.never_ends)
    from kiosk.catalogue.paths import path_problems

    assert any("never ends" in p for p in path_problems(svc, w))


def test_catalogue_check_runs_the_paths(seed_copy):
    replace_in(seed_copy / KY, NO_MATERIALS, NO_MATERIALS.replace("[grade_change, gap_payment]", "[grade_change]"))
    r = subprocess.run([sys.executable, "-m", "kiosk", "catalogue", "check", "--seed", str(seed_copy)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "path arrears_kind=gap_payment gives no materials" in r.stdout
    ok = subprocess.run([sys.executable, "-m", "kiosk", "catalogue", "check", "--seed", str(SEED)],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "271 answer paths (63 questions)" in ok.stdout
