"""Shared evidence vocabulary: common 要件 are defined once in vocabulary.yaml and
referenced from services; each service keeps its verbatim text, original and source."""

from kiosk.catalogue.sources import load_seed
from tests.conftest import SEED
from tests.test_catalogue_check import replace_in


def test_evidence_is_referenced_and_the_verbatim_text_kept(catalogue):
    svc = catalogue.service("shenyang", "flexible-retire")
    proxy = next(m for m in svc.materials if m.evidence == "proxy-valid-id")
    assert proxy.display_name == "代办人有效身份证件"  # the vocabulary's name
    assert proxy.text == "代办需提供代办人有效身份证件"  # 000 §3.4.1⑤1, the service's own words
    assert proxy.source == "申报人"


def test_the_vocabulary_is_used_across_regions():
    cat, problems = load_seed(SEED)
    assert problems == []
    used = {}
    for svc in cat.services:
        for m in svc.materials:
            if m.evidence:
                used.setdefault(m.evidence, set()).add(svc.region)
    assert used["valid-id"] == {"shenyang", "fushun", "kaiyuan"}
    assert sum(1 for s in cat.services for m in s.materials if m.evidence) == 86  # counted when written


def test_unknown_evidence_is_caught(seed_copy):
    f = seed_copy / "shenyang" / "services-000.yaml"
    line = replace_in(f, "        evidence: proxy-valid-id\n", "        evidence: proxy-passport\n")
    _, problems = load_seed(seed_copy)
    assert any(str(p).startswith(f"seed/shenyang/services-000.yaml:{line}: evidence 'proxy-passport': not in")
               for p in problems)


def test_evidence_that_the_text_does_not_mention_is_caught(seed_copy):
    f = seed_copy / "shenyang" / "services-000.yaml"
    line = replace_in(f, "        evidence: proxy-valid-id\n", "        evidence: death-certificate\n")
    _, problems = load_seed(seed_copy)
    assert any(str(p).startswith(f"seed/shenyang/services-000.yaml:{line}: evidence 'death-certificate' (死亡证明) "
                                 "does not occur") for p in problems)
