"""The whole loaded catalogue, as the kiosk reads it, is kept in tests/artefacts/catalogue
for review (one JSON file per region, sorted keys): a change to anything the seed loader
makes of the seed (a hall's address, a difference's older value, a policy table's cell, a
service's sources or `follows`) shows up there as a diff. Regenerate with
`kiosk catalogue snapshot` and review the diff before committing it.

The checklists of every answer path are kept the same way in tests/artefacts/paths
(test_catalogue_paths.py); the checker's rules are tested one by one in
test_sources_rules.py and on broken seeds in test_catalogue_check.py."""

import difflib
import json

import pytest

from kiosk.catalogue.sources import load_seed
from kiosk.db.build import snapshot_artefacts
from tests.conftest import PROJECT, SEED

ARTEFACTS = PROJECT / "tests" / "artefacts" / "catalogue"


@pytest.fixture(scope="module")
def loaded():
    cat, problems = load_seed(SEED)
    assert problems == []
    return snapshot_artefacts(cat)


def first_difference(name: str, committed: str, loaded: str) -> str:
    diff = difflib.unified_diff(committed.splitlines(), loaded.splitlines(), "committed/" + name,
                                "loaded/" + name, n=4, lineterm="")
    return "\n".join(list(diff)[:40])


def test_committed_snapshot_is_exactly_what_the_seed_loads(loaded):
    committed = {p.name: p.read_text(encoding="utf-8") for p in ARTEFACTS.glob("*.json")}
    assert sorted(committed) == ["all-regions.json", "fushun.json", "kaiyuan.json", "shenyang.json"]
    assert sorted(loaded) == sorted(committed)
    for name in sorted(loaded):
        assert loaded[name] == committed[name], (
            "the loaded catalogue changed; run `kiosk catalogue snapshot` and review the diff:\n"
            + first_difference(name, committed[name], loaded[name]))


def test_the_artefact_holds_values_read_by_hand_from_the_documents():
    """Spot checks written from the documents, so that a regenerated artefact that lost
    them is caught even if nobody reads its diff."""
    kaiyuan = json.loads((ARTEFACTS / "kaiyuan.json").read_text(encoding="utf-8"))
    # 004 §一 1.2①: 窗口办：开原市医疗保障事务服务中心一楼15号窗口
    windows = [c["window"] for s in kaiyuan["services"] for c in s["channels"] if c["type"] == "window"]
    assert "一楼15号窗口" in windows
    assert [h["name"] for h in kaiyuan["halls"]] == ["开原市医疗保障事务服务中心"]
    # 004 gives the hall no address and no phone
    assert kaiyuan["halls"][0]["address"] is None and kaiyuan["halls"][0]["phone"] is None
    shared = json.loads((ARTEFACTS / "all-regions.json").read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in shared["regions"]) == ["fushun", "kaiyuan", "shenyang"]
    assert sorted(d["file"][:3] for d in shared["documents"]) == ["000", "001", "002", "003", "004"]

