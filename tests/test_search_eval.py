"""The evaluation set (tests/data/search_eval.yaml): everyday words, pinyin as people
type it, handwritten characters and everyday phrases, in all three regions."""

from __future__ import annotations

import pytest

from kiosk.search import SearchIndex
from tests.search_eval import REGIONS, evaluate, load_cases

WORDS_TARGET, PHRASES_TARGET = 0.95, 0.80


@pytest.fixture(scope="module")
def setup(catalogue):
    indexes = {r: SearchIndex(catalogue.services(r)) for r in REGIONS}
    search = {r: (lambda q, ix=ix: [s.id for s in ix.search(q)]) for r, ix in indexes.items()}
    ids = {r: {s.id for s in catalogue.services(r)} for r in REGIONS}
    return search, ids


def test_the_set_is_large_and_varied():
    cases = load_cases()
    words, phrases = cases["words"], cases["phrases"]
    assert len(words) + len(phrases) >= 250 and len(phrases) >= 100
    kinds = {c.kind for c in words}
    assert {"chinese", "pinyin", "initials", "mixed", "fuzzy", "handwritten"} <= kinds


def test_every_acceptable_service_exists_somewhere(setup):
    _, ids = setup
    known = set().union(*ids.values())
    for part, cases in load_cases().items():
        for c in cases:
            assert c.wanted <= known, (part, c.query, sorted(c.wanted - known))
            assert any(c.wanted & ids[r] for r in REGIONS), (part, c.query)


@pytest.mark.parametrize("part,target", [("words", WORDS_TARGET), ("phrases", PHRASES_TARGET)])
def test_top3_hit_rate(setup, part, target):
    search, ids = setup
    score = evaluate(load_cases()[part], search, ids)
    print(f"\n{part}: {score.hits}/{score.tried} = {score.rate:.1%} in the top 3")
    for miss in score.misses:
        print("  MISS", miss)
    assert score.rate >= target, f"{part}: {score.rate:.1%} < {target:.0%}; misses above"
