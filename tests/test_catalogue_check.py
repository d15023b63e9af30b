"""`kiosk catalogue check` and `build`: the shipped catalogue passes; broken sources are
reported as file:line and never reach the database."""

import os
import re
import subprocess
import sys
from pathlib import Path

from kiosk.catalogue.sources import load_seed
from tests.conftest import SEED

KIOSK = [sys.executable, "-m", "kiosk"]


def run(*args, env=None):
    return subprocess.run([*KIOSK, *args], capture_output=True, text=True, env=env)


def test_shipped_catalogue_passes_the_check():
    _, problems = load_seed(SEED)
    assert [str(p) for p in problems] == []


def test_vendored_sources_are_the_official_documents():
    from tests.conftest import PROJECT

    # KIOSK_SHARED_SEEDS: for runs from a copy of the tree (scripts/mutation.sh)
    shared = Path(os.environ.get("KIOSK_SHARED_SEEDS") or PROJECT.parent / "shared" / "seeds")
    # CI and every developer have ../shared beside the project: its absence is a fault
    assert shared.is_dir(), f"{shared} is missing: the vendored documents cannot be compared"
    official = sorted(doc.name for doc in shared.glob("*.txt"))
    assert [name[:3] for name in official] == ["000", "001", "002", "003", "004"], official
    assert sorted(p.name for p in (SEED / "sources").glob("*.txt")) == official
    for name in official:
        assert (SEED / "sources" / name).read_bytes() == (shared / name).read_bytes(), name


def replace_in(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    return line


def problems_of(seed):
    _, problems = load_seed(seed)
    return [str(p) for p in problems]


def test_invented_url_is_caught(seed_copy):
    f = seed_copy / "kaiyuan" / "services-004.yaml"
    line = replace_in(f, "http://wt.tlyb.vip/hallEnter/#/", "http://example.org/apply")
    found = problems_of(seed_copy)
    assert any(p.startswith(f"seed/kaiyuan/services-004.yaml:{line}:") and "example.org" in p for p in found)


def test_invented_phone_and_window_are_caught(seed_copy):
    f = seed_copy / "fushun" / "services-003.yaml"
    replace_in(f, "53997899", "53997890")
    k = seed_copy / "kaiyuan" / "services-004.yaml"
    text = k.read_text(encoding="utf-8")
    k.write_text(re.sub(r"window: (['\"]?)([^\n'\"]*?)15(\s*)号", r"window: \g<1>\g<2>99\g<3>号", text, count=1),
                 encoding="utf-8")
    found = problems_of(seed_copy)
    assert any("53997890" in p for p in found)
    assert any("99号" in p for p in found)


def test_text_not_in_document_is_caught(seed_copy):
    f = seed_copy / "shenyang" / "services-000.yaml"
    replace_in(f, "外地户籍人员需提供本人身份证和居住证", "外地户籍人员需提供本人身份证和暂住证")
    assert any("text not found in 000_" in p for p in problems_of(seed_copy))


def test_missing_provenance_duplicate_id_and_unknown_situation(seed_copy):
    f = seed_copy / "fushun" / "services-003.yaml"
    text = f.read_text(encoding="utf-8")
    text = text.replace('    ref: "§2"\n', "", 1)  # a service without ref
    f.write_text(text, encoding="utf-8")
    replace_in(seed_copy / "kaiyuan" / "services-004.yaml", "id: resident-enrol", "id: unit-registration")
    s = seed_copy / "shenyang" / "services-000.yaml"
    replace_in(s, "hukou: nonlocal", "hukou: abroad")
    found = problems_of(seed_copy)
    assert any("missing provenance" in p for p in found)
    assert any("duplicate service id 'unit-registration'" in p for p in found)
    assert any("unknown option 'abroad'" in p for p in found)
    assert all(re.match(r"^seed/[\w/.-]+\.yaml:\d+: ", p) for p in found)


def test_malformed_yaml_gives_file_line_and_leaves_the_database_untouched(seed_copy, tmp_path):
    import os

    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path / "data"), KIOSK_SEED_DIR=str(seed_copy))
    ok = run("catalogue", "build", env=env)
    assert ok.returncode == 0, ok.stderr
    db = tmp_path / "data" / "catalogue.sqlite"
    before = db.read_bytes()
    f = seed_copy / "kaiyuan" / "services-004.yaml"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[20] = "    materials: [unclosed\n"
    f.write_text("".join(lines), encoding="utf-8")
    bad = run("catalogue", "build", env=env)
    assert bad.returncode == 1
    assert re.search(r"seed/kaiyuan/services-004\.yaml:\d+: YAML error", bad.stdout)
    assert db.read_bytes() == before
    assert not list(db.parent.glob(".catalogue-*"))  # no temporary file left behind
    check = run("catalogue", "check", env=env)
    assert check.returncode == 1 and "services-004.yaml:" in check.stdout


def test_build_keeps_the_previous_database(seed_copy, tmp_path):
    import os

    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path / "data"), KIOSK_SEED_DIR=str(seed_copy))
    assert run("catalogue", "build", env=env).returncode == 0
    assert run("catalogue", "build", env=env).returncode == 0
    assert (tmp_path / "data" / "catalogue.previous.sqlite").exists()
