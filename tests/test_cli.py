"""The `kiosk` command's contract: names, flags, JSON shapes and exit codes."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT

KIOSK = [sys.executable, "-m", "kiosk"]


@pytest.fixture
def kiosk(catalogue_db):
    env = dict(os.environ, KIOSK_DATA_DIR=str(catalogue_db.parent))

    def run(*args):
        return subprocess.run([*KIOSK, *args], capture_output=True, text=True, env=env)

    return run


@pytest.mark.parametrize("region", ["shenyang", "fushun", "kaiyuan"])
def test_services_json(kiosk, region):
    r = kiosk("services", "--region", region, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert len(data) >= 24
    assert all({"id", "name", "category", "audience"} <= set(s) for s in data)


def test_questions_json_shape(kiosk):
    r = kiosk("questions", "--region", "shenyang", "--service", "flexible-enrol", "--json")
    data = json.loads(r.stdout)
    assert {q["id"] for q in data} >= {"hukou", "applicant"}
    for q in data:
        assert set(q) == {"id", "text", "options"}
        assert all(set(o) == {"id", "label"} for o in q["options"])


def test_show_with_answers_text_and_json(kiosk):
    args = ["show", "--region", "shenyang", "--service", "flexible-enrol",
            "--answer", "hukou=nonlocal", "--answer", "applicant=self"]
    text = kiosk(*args)
    assert text.returncode == 0
    assert "外地户籍人员需提供本人身份证和居住证" in text.stdout
    assert "本市户籍人员需提供" not in text.stdout
    assert "000_56952294bcb9045a.txt §3.1" in text.stdout
    data = json.loads(kiosk(*args, "--json").stdout)
    assert data["complete"] is True
    assert data["online_url"] == "http://zwfw.shenyang.gov.cn/"


def test_show_without_answers_lists_every_situation(kiosk):
    data = json.loads(kiosk("show", "--region", "shenyang", "--service", "flexible-enrol", "--json").stdout)
    situations = {s for m in data["materials"] for s in m["situations"]}
    assert {"本市户籍", "外地户籍", "他人代办"} <= situations


def test_halls(kiosk):
    r = kiosk("halls", "--region", "shenyang", "--json")
    halls = json.loads(r.stdout)
    assert len(halls) == 15 and all(h["address"] and h["phone"] for h in halls)


@pytest.mark.parametrize("args, expect", [
    (["services", "--region", "dalian"], "valid: fushun, kaiyuan, shenyang"),
    (["show", "--region", "fushun", "--service", "nope"], "unknown service 'nope'"),
    (["show", "--region", "shenyang", "--service", "flexible-enrol", "--answer", "hukou=mars"], "valid: local, nonlocal"),
    (["show", "--region", "shenyang", "--service", "flexible-enrol", "--answer", "colour=red"], "unknown question"),
    (["show", "--region", "shenyang", "--service", "flexible-enrol", "--answer", "hukou"], "expected QID=OID"),
])
def test_bad_arguments_exit_2_with_one_line(kiosk, args, expect):
    r = kiosk(*args)
    assert r.returncode == 2
    assert expect in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_the_snapshot_command_writes_the_artefact(tmp_path):
    r = subprocess.run([*KIOSK, "catalogue", "snapshot", "--out", str(tmp_path)],
                       capture_output=True, text=True, cwd=PROJECT)
    # the command is the artefact's one writer: test_catalogue_snapshot.py keeps it
    assert r.returncode == 0, r.stderr
    assert "wrote 4 files" in r.stdout
    for name in ("all-regions.json", "fushun.json", "kaiyuan.json", "shenyang.json"):
        assert (tmp_path / name).read_bytes() == (PROJECT / "tests" / "artefacts" / "catalogue" / name).read_bytes(), name
