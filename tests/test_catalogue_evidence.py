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


# -- usual 原件/复印件 and source of an evidence type (vocabulary.yaml `usual`) --------------------
# 004 §十五 15.1 3 lists 「身份证复印件」: for these tests the copy's vocabulary says that
# 身份证's usual form in 004 is a copy, citing that section.
KAIYUAN = "004_709bd3044cefa219.txt"
ID_CARD = "  - {id: id-card, name: 身份证}\n"


def usual(seed, entry: str) -> int:
    return replace_in(seed / "vocabulary.yaml", ID_CARD,
                      f"  - id: id-card\n    name: 身份证\n    usual:\n      - {entry}\n")


def test_no_usual_values_are_recorded_without_a_document_saying_so():
    """The shipped vocabulary records none (its comment says why): each material keeps its own."""
    text = (SEED / "vocabulary.yaml").read_text(encoding="utf-8")
    assert "\n    usual:" not in text and "usual: [" not in text.split("evidence:\n", 1)[1]


def test_a_material_that_disagrees_with_the_usual_value_unsaid_is_caught(seed_copy):
    usual(seed_copy, f'{{original: 复印件, ref: "{KAIYUAN} §十五 15.1 3"}}')
    f = seed_copy / "kaiyuan" / "services-004.yaml"
    # §十六 16.1 3 says 身份证复印件: a material there claiming 原件 states what its section does not say
    line = replace_in(f, '        evidence: id-card\n        original: 复印件\n        source: null\n'
                         '        ref: "§十六 16.1 3"',
                      '        evidence: id-card\n        original: 原件\n        source: null\n'
                      '        ref: "§十六 16.1 3"') + 1
    problems = [str(p) for p in load_seed(seed_copy)[1]]
    assert problems == [f"seed/kaiyuan/services-004.yaml:{line}: original '原件' differs from evidence 'id-card''s "
                        f"usual '复印件' ({KAIYUAN} §十五 15.1 3, vocabulary.yaml) and §十六 16.1 3 does not say '原件'"]


def test_a_material_that_agrees_or_leaves_it_out_gets_the_usual_value(seed_copy):
    usual(seed_copy, f'{{original: 复印件, ref: "{KAIYUAN} §十五 15.1 3"}}')
    f = seed_copy / "kaiyuan" / "services-004.yaml"
    replace_in(f, '        evidence: id-card\n        original: 复印件\n        source: null\n        ref: "§十六 16.1 3"',
               '        evidence: id-card\n        source: null\n        ref: "§十六 16.1 3"')
    cat, problems = load_seed(seed_copy)
    assert problems == []
    ids = [m for s in cat.services if s.region == "kaiyuan" for m in s.materials if m.evidence == "id-card"]
    assert len(ids) == 4 and {m.original for m in ids} == {"复印件"}
    # another document's materials never get 004's usual value
    assert not any(m.original == "复印件" and m.evidence == "valid-id" and m.text == "有效身份证件"
                   for s in cat.services if s.region != "kaiyuan" for m in s.materials)


def test_a_usual_value_its_section_does_not_say_is_caught(seed_copy):
    line = usual(seed_copy, f'{{original: 原件, ref: "{KAIYUAN} §十五 15.1 3"}}') + 3
    problems = [str(p) for p in load_seed(seed_copy)[1]]
    assert f"seed/vocabulary.yaml:{line}: evidence 'id-card' usual: '原件' not found in §十五 15.1 3 of {KAIYUAN}" \
        in problems


def test_a_usual_value_without_a_documents_ref_is_caught(seed_copy):
    line = usual(seed_copy, "{original: 复印件}") + 3
    problems = [str(p) for p in load_seed(seed_copy)[1]]
    assert any(p.startswith(f"seed/vocabulary.yaml:{line}: evidence 'id-card' usual: needs ref") for p in problems)
    replace_in(seed_copy / "vocabulary.yaml", "{original: 复印件}", '{original: 复印件, ref: "§十五 15.1 3"}')
    problems = [str(p) for p in load_seed(seed_copy)[1]]
    assert any(p.startswith(f"seed/vocabulary.yaml:{line}: evidence 'id-card' usual: needs ref") for p in problems)
