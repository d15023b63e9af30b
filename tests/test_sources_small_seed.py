"""The seed loader on a small hand-written seed (tests/small_seed.py), in-process.

The shipped seed's loading is pinned by the reviewed artefact (test_catalogue_snapshot.py)
and its rules by broken copies of it (test_catalogue_check.py, test_catalogue_proof.py);
loading it takes a second. This seed takes milliseconds, so every rule of the loader's
files (region, services, 禁办/容缺 lists, an older document's items, policy topics) is
broken here one at a time, and what it loads is written out by hand from its two
documents. Problems are `file:line: message`; the line is looked up in the broken file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.catalogue.sources import load_seed
from tests.small_seed import FILES, write_small_seed

REGION = "test/region.yaml"
SERVICES = "test/services-002.yaml"
ITEMS = "test/items-001.yaml"
POLICY = "test/policy-002.yaml"
EXPECTED = "expected '§section' or '<document file> §section'"


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return write_small_seed(tmp_path)


def load(seed: Path):
    cat, problems = load_seed(seed)
    return cat, [str(p) for p in problems]


def problems_of(seed: Path) -> list[str]:
    return load(seed)[1]


def edit(seed: Path, rel: str, old: str, new: str) -> None:
    path = seed / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line(seed: Path, rel: str, needle: str, nth: int = 1) -> int:
    """The line of the nth occurrence of needle in a seed file (1-based)."""
    hits = [i for i, text in enumerate((seed / rel).read_text(encoding="utf-8").splitlines(), 1) if needle in text]
    return hits[nth - 1]


def at(seed: Path, rel: str, needle: str, message: str, nth: int = 1) -> str:
    return f"seed/{rel}:{line(seed, rel, needle, nth)}: {message}"


def service(cat, sid: str = "enrol"):
    [svc] = [s for s in cat.services if s.id == sid]
    return svc


# -- the seed as written ------------------------------------------------------------------------
def test_the_small_seed_loads_without_a_problem(seed):
    cat, problems = load(seed)
    assert problems == []
    assert [(d.file, d.title, d.short_title, d.issuer, d.region, d.date, d.rank, d.date_note, d.side_headings)
            for d in cat.documents] == [
        ("001_abc.txt", "示例公开指南", None, "", "test", "2020", 1, None, False),
        ("002_def.txt", "示例办事指南", "办事指南", "示例中心", "test", "2025", 2, None, False)]
    assert [(t.id, t.label) for t in cat.topics] == [("enrolment", "参保登记")]
    [region] = cat.regions
    assert (region.id, region.name, region.note) == ("test", "示例市", None)
    assert (region.hotline.number, region.hotline.label, region.hotline.ref) == (
        "024-87654321", "咨询电话", "002_def.txt §一 1.4")


def test_the_hall_and_its_difference(seed):
    cat, _ = load(seed)
    [hall] = cat.halls
    assert (hall.region, hall.id, hall.name, hall.ref, hall.address, hall.phone, hall.directions, hall.note) == (
        "test", "main", "示例大厅", "002_def.txt §二", "和平区新路8号", "024-12345678", None, None)
    [d] = hall.differences
    assert (d.field, d.older, d.older_ref, d.newer, d.newer_ref, d.note, d.subject, d.region, d.kind,
            d.document) == ("address", "和平区旧路1号", "001_abc.txt §二", "和平区新路8号", None, "地址以较新文件为准",
                            "示例大厅", "test", "hall", "002_def.txt")


def test_the_service_as_its_documents_give_it(seed):
    cat, _ = load(seed)
    svc = service(cat)
    assert (svc.region, svc.name, svc.category, svc.audience, svc.topics, svc.ref) == (
        "test", "参保登记", "参保登记", "个人", ["enrolment"], "002_def.txt §一")
    # the newer guide first, then the older item merged into it, then the lists and the policy
    assert svc.sources == ["002_def.txt §一", "001_abc.txt §一", "002_def.txt §违规禁办事项清单",
                           "002_def.txt §容缺办理事项清单"]
    assert svc.follows == "2025 年《示例办事指南》"
    assert [q.id for q in svc.questions] == ["applicant"]
    assert [(o.id, o.label) for o in svc.questions[0].options] == [("self", "本人办理"), ("proxy", "他人代办")]
    ident, proxy = svc.materials
    assert (ident.text, ident.name, ident.original, ident.evidence, ident.ref, ident.condition) == (
        "居民身份证原件及复印件。", "居民身份证", "原件及复印件", "id_card", "002_def.txt §一 1.1①", None)
    # 容缺 §容缺办理事项清单 1 matches it
    assert (ident.deferrable_deadline, ident.deferrable_days, ident.deferrable_ref) == (
        "补正期限：5个工作日", 5, "002_def.txt §容缺办理事项清单 1")
    assert (proxy.name, proxy.original, proxy.condition, proxy.deferrable_deadline) == (
        "代办人身份证", "原件", {"all": {"applicant": ["proxy"]}}, None)
    assert svc.deferrable_items == []
    window, online = svc.channels
    assert (window.type, window.place, window.window, window.ref) == ("window", "示例大厅", "3号窗口",
                                                                      "002_def.txt §一 1.2①")
    assert (online.type, online.name, online.url, online.path, online.blank) == (
        "online", "示例平台", "http://example.org/apply/", [], False)
    assert (svc.time_limit.text, svc.time_limit.days, svc.time_limit.ref) == ("即时办结", 0, "002_def.txt §一 1.3")
    assert [(t.text, t.label) for t in svc.tips] == [("外地户籍人员需提供居住证。", None)]
    assert [(p.number, p.label, p.ref) for p in svc.phones] == [("024-87654321", "咨询电话", "002_def.txt §一 1.4")]
    assert [(r.text, r.ref, r.label) for r in svc.refusals] == [
        ("冒名办理的。", "002_def.txt §违规禁办事项清单 1", "参保登记（不予受理）")]
    assert svc.policy_topics == ["rates"]
    assert svc.intro == [] and svc.notes == [] and svc.no_materials == []


def test_the_older_documents_item_merged_into_the_service(seed):
    cat, _ = load(seed)
    svc = service(cat)
    [older] = svc.older_materials
    assert (older.text, older.original, older.ref, older.listed_by) == (
        "户口簿复印件。", "复印件", "001_abc.txt §一.3", "2020 年《示例公开指南》")
    label = "2020 年《示例公开指南》"
    assert [(t.text, t.ref, t.label) for t in svc.steps] == [("办理环节：受理、审核、办结。", "001_abc.txt §一", label)]
    assert [(t.text, t.ref, t.label) for t in svc.legal_basis] == [("设定依据：《示例条例》。", "001_abc.txt §一", label)]
    assert svc.older_notes == []
    # the older guide's 5 working days against the newer 即时办结: kept as a difference
    [d] = svc.differences
    assert (d.field, d.older, d.older_ref, d.newer, d.newer_ref, d.note, d.subject, d.region, d.kind,
            d.document) == ("time_limit", "5个工作日。", "001_abc.txt §一", "即时办结", "002_def.txt §一 1.3",
                            "办理时限不同，以较新文件为准", "enrol", "test", "service", "001_abc.txt")
    assert [x.field for x in cat.differences] == ["address", "time_limit"]


def test_the_policy_topic(seed):
    cat, _ = load(seed)
    [topic] = cat.policy_topics
    assert (topic.region, topic.id, topic.title, topic.ref, topic.services) == (
        "test", "rates", "缴费政策", "002_def.txt §缴费政策", ["enrol"])
    assert (topic.basis.text, topic.basis.ref) == ("政策依据：《示例办法》。", "002_def.txt §缴费政策")
    assert [p.text for p in topic.paragraphs] == ["单位缴费比例为8%。"]
    assert [(f.label, f.value, f.ref, f.note) for f in topic.facts] == [
        ("单位缴费比例", "8%", "002_def.txt §缴费政策", None)]
    [table] = topic.tables
    assert (table.title, table.columns, table.rows, table.ref) == (
        "缴费档次", ["档次", "比例"], [["一档", "8%"]], "002_def.txt §缴费政策")
    assert [(n.text, n.ref, n.label) for n in table.notes] == [("单位缴费比例为8%。", "002_def.txt §缴费政策", None)]


# -- documents and vocabulary ---------------------------------------------------------------------
def test_a_source_document_that_is_missing(seed):
    (seed / "sources" / "001_abc.txt").unlink()
    cat, found = load(seed)
    # the documents after it are still read, and nothing of 001 can be checked
    assert found == [at(seed, "documents.yaml", "- file: 001_abc.txt",
                        "source document 001_abc.txt not found in seed/sources/")]
    assert [d.file for d in cat.documents] == ["001_abc.txt", "002_def.txt"]


def test_documents_yaml_that_cannot_be_read(seed):
    (seed / "documents.yaml").unlink()
    found = problems_of(seed)
    assert found[0] == "seed/documents.yaml:1: cannot read: No such file or directory"


def test_a_seed_folder_that_does_not_exist(tmp_path):
    cat, problems = load(tmp_path / "nowhere")
    assert (cat.services, cat.regions, cat.documents, cat.topics) == ([], [], [], [])
    assert problems[-1] == f"{tmp_path / 'nowhere'}:1: missing: {tmp_path / 'nowhere'}"


def test_vocabulary_yaml_that_cannot_be_read(seed):
    (seed / "vocabulary.yaml").unlink()
    found = problems_of(seed)
    assert found[0] == "seed/vocabulary.yaml:1: cannot read: No such file or directory"
    assert at(seed, SERVICES, "audience: 个人", "audience '个人': expected one of ") in found


def test_duplicate_evidence_id(seed):
    edit(seed, "vocabulary.yaml", "  - {id: id_card, name: 居民身份证}\n",
         "  - {id: id_card, name: 居民身份证}\n  - {id: id_card, name: 身份证}\n")
    assert problems_of(seed) == [at(seed, "vocabulary.yaml", "name: 身份证}", "duplicate evidence id 'id_card'")]


def test_yaml_that_does_not_parse(seed):
    edit(seed, ITEMS, "    merge_into: enrol\n", "    merge_into: [enrol\n")
    # where the parser gives up: the next key after the unclosed list (line 7)
    assert problems_of(seed) == [f"seed/{ITEMS}:7: YAML error: while parsing a flow sequence expected ',' or ']', "
                                 "but got ':'"]


def test_the_files_after_a_broken_one_are_still_loaded(seed):
    edit(seed, ITEMS, "    merge_into: enrol\n", "    merge_into: [enrol\n")  # items-001 sorts first
    (seed / "test" / "a-list.yaml").write_text("- a\n", encoding="utf-8")
    # no document: its refs name no document's sections
    (seed / "test" / "b-other.yaml").write_text("region: test\nthings:\n  - {ref: \"§其他\"}\n", encoding="utf-8")
    cat, found = load(seed)
    assert [p.split(": ", 1)[0] for p in found] == ["seed/test/a-list.yaml:1", "seed/test/b-other.yaml:1",
                                                    f"seed/{ITEMS}:7"]
    assert [s.id for s in cat.services] == ["enrol"] and [t.id for t in cat.policy_topics] == ["rates"]


def test_a_vocabulary_without_topics_audiences_or_questions(seed):
    (seed / "vocabulary.yaml").write_text("evidence:\n  - {id: id_card, name: 居民身份证}\n", encoding="utf-8")
    cat, found = load(seed)
    svc_line = line(seed, SERVICES, "- id: enrol")
    assert found == [
        at(seed, SERVICES, "audience: 个人", "audience '个人': expected one of "),
        at(seed, SERVICES, "topics: [enrolment]", "unknown topic 'enrolment' (see vocabulary.yaml)"),
        at(seed, SERVICES, "questions: [applicant]", "question 'applicant' is neither in vocabulary.yaml nor in "
                                                     "local_questions"),
        f"seed/{SERVICES}:{svc_line}: service enrol: condition uses unknown situation key 'applicant' "
        "(not in its questions: none)",
    ]
    assert cat.topics == []


def test_documents_yaml_without_documents(seed):
    (seed / "documents.yaml").write_text("comment: 无\n", encoding="utf-8")
    cat, found = load(seed)
    assert cat.documents == []
    assert at(seed, SERVICES, "document: 002_def.txt", "unknown document '002_def.txt'") in found


def test_a_file_that_is_not_utf8(seed):
    (seed / ITEMS).write_bytes(b"document: 001_abc.txt\nregion: test\nitems: []\n# \xff\xfe\n")
    assert problems_of(seed) == [f"seed/{ITEMS}:1: not UTF-8 text (invalid start byte)"]


def test_named_sections_end_each_other_also_in_a_file_that_starts_with_a_comment(seed):
    # the names are collected from every file's refs (003 §违规禁办事项清单 …), the file's own
    # document found even below a comment; without them 违规禁办事项清单 would run to the end
    (seed / SERVICES).write_text("# 示例\n" + (seed / SERVICES).read_text(encoding="utf-8"), encoding="utf-8")
    # 补正期限 is in 容缺办理事项清单, the section after 违规禁办事项清单; only this file names it
    edit(seed, SERVICES, "      - {text: 冒名办理的。, ref: \"§违规禁办事项清单 1\"}\n",
         "      - {text: 补正期限：5个工作日, ref: \"§违规禁办事项清单\"}\n")
    assert problems_of(seed) == [at(seed, SERVICES, "- {text: 补正期限", "text not found in §违规禁办事项清单 of "
                                                                     "002_def.txt (it occurs elsewhere there): '补正期限：5个工作日'")]


# -- files ----------------------------------------------------------------------------------------
def test_a_file_that_is_no_mapping(seed):
    (seed / "test" / "extra.yaml").write_text("- a\n- b\n", encoding="utf-8")
    assert problems_of(seed) == ["seed/test/extra.yaml:1: expected a mapping at the top of the file"]


def test_a_file_of_unknown_kind(seed):
    (seed / "test" / "extra.yaml").write_text("document: 002_def.txt\nregion: test\nthings: []\n",
                                              encoding="utf-8")
    assert problems_of(seed) == [
        "seed/test/extra.yaml:1: unknown file kind: expected 'services', 'items' or 'policy_topics'"]


def test_a_file_of_an_unknown_document_or_another_region(seed):
    edit(seed, ITEMS, "document: 001_abc.txt\nregion: test\n", "# 较早的文件\nregion: test\ndocument: 009_zzz.txt\n")
    edit(seed, POLICY, "region: test", "region: elsewhere")
    assert problems_of(seed) == [
        at(seed, ITEMS, "document: 009", "unknown document '009_zzz.txt'"),
        at(seed, POLICY, "region: elsewhere", "region 'elsewhere' does not match its folder 'test'"),
    ]


def test_a_file_with_a_shape_problem_is_not_loaded(seed):
    edit(seed, POLICY, "    title: 缴费政策\n", "")
    cat, found = load(seed)
    assert found == [at(seed, POLICY, "- id: rates", "policy_topics[0].title: required field missing")]
    assert cat.policy_topics == [] and service(cat).policy_topics == []


def test_region_yaml_missing(seed):
    (seed / REGION).unlink()
    cat, found = load(seed)
    assert found == ["seed/test/region.yaml:1: region.yaml missing"]
    assert cat.regions == [] and cat.halls == [] and [s.id for s in cat.services] == ["enrol"]


def test_region_file_with_a_shape_problem_loads_no_hall(seed):
    edit(seed, REGION, "    name: 示例大厅\n", "")
    cat, found = load(seed)
    assert found == [at(seed, REGION, "- id: main", "halls[0].name: required field missing")]
    assert cat.regions == [] and cat.halls == []


def test_region_id_of_another_folder(seed):
    edit(seed, REGION, "  id: test\n", "  id: other\n")
    assert problems_of(seed) == [at(seed, REGION, "id: other", "region id 'other' does not match its folder 'test'")]


def test_duplicate_hall_and_invented_hall_phone(seed):
    edit(seed, REGION, '    phone: "024-12345678"\n', '    phone: "024-12345670"\n')
    (seed / REGION).write_text((seed / REGION).read_text(encoding="utf-8")
                               + "  - {id: main, name: 示例大厅, ref: \"§二\"}\n", encoding="utf-8")
    cat, found = load(seed)
    assert found == [
        at(seed, REGION, "phone: \"024-12345670\"", "number 024-12345670 does not occur in 002_def.txt"),
        at(seed, REGION, "phone: \"024-12345670\"", "phone 024-12345670 does not occur in 002_def.txt"),
        at(seed, REGION, "- {id: main", "duplicate hall id 'main'"),
    ]
    assert len(cat.halls) == 2


def test_hall_difference_whose_older_value_the_older_document_lacks(seed):
    edit(seed, REGION, "older: 和平区旧路1号", "older: 和平区旧路2号")
    assert problems_of(seed) == [at(seed, REGION, "older: 和平区旧路2号",
                                    "older value not found in 001_abc.txt: '和平区旧路2号'")]


def test_invented_hotline(seed):
    edit(seed, REGION, 'number: "024-87654321"', 'number: "024-87654320"')
    assert problems_of(seed) == [at(seed, REGION, "hotline:", "number 024-87654320 does not occur in 002_def.txt"),
                                 at(seed, REGION, "hotline:", "phone 024-87654320 does not occur in 002_def.txt")]


def test_a_region_without_hotline(seed):
    edit(seed, REGION, '  hotline: {number: "024-87654321", label: 咨询电话, ref: "§一 1.4"}\n', "")
    cat, found = load(seed)
    assert found == [] and cat.regions[0].hotline is None


# -- services ---------------------------------------------------------------------------------------
def test_audience_and_topics_outside_the_vocabulary(seed):
    edit(seed, SERVICES, "    audience: 个人\n", "    audience: 市民\n")
    edit(seed, SERVICES, "    topics: [enrolment]\n", "    topics: [enrolment, pension]\n")
    assert problems_of(seed) == [
        at(seed, SERVICES, "audience: 市民", "audience '市民': expected one of 个人, 单位"),
        at(seed, SERVICES, "topics: [enrolment, pension]", "unknown topic 'pension' (see vocabulary.yaml)"),
    ]


def test_a_service_without_topics(seed):
    edit(seed, SERVICES, "    topics: [enrolment]\n", "    topics: []\n")
    assert problems_of(seed) == [at(seed, SERVICES, "topics: []", "a service needs at least one topic")]


def test_no_materials_needs_the_answers_it_is_for(seed):
    edit(seed, SERVICES, "    questions: [applicant]\n",
         "    questions: [applicant]\n    no_materials:\n      - {ref: \"§一\", comment: 文件未列}\n"
         "      - {when: {applicant: self}, ref: \"§一\", comment: 本人}\n")
    cat, found = load(seed)
    assert found == [at(seed, SERVICES, "comment: 文件未列", "no_materials: needs a `when` (the answers it is for)")]
    assert [(n.text, n.ref, n.condition) for n in service(cat).no_materials] == [
        ("文件未列", "002_def.txt §一", None), ("本人", "002_def.txt §一", {"all": {"applicant": ["self"]}})]


def test_duplicate_service_id_names_the_first(seed):
    (seed / "test" / "services-more.yaml").write_text(
        "document: 002_def.txt\nregion: test\nservices:\n"
        "  - {id: enrol, name: 参保登记, category: 参保登记, audience: 个人, topics: [enrolment], ref: \"§一\"}\n",
        encoding="utf-8")
    cat, found = load(seed)
    first = line(seed, SERVICES, "- id: enrol")
    assert found == [f"seed/test/services-more.yaml:4: duplicate service id 'enrol' (also seed/{SERVICES}:{first})"]
    assert [s.id for s in cat.services] == ["enrol"]
    assert service(cat).questions  # the first one is kept


def test_conditions_on_unknown_questions_and_options(seed):
    edit(seed, SERVICES, "        when: {applicant: proxy}\n", "        when: {applicant: agent}\n")
    edit(seed, SERVICES, "      - {text: 外地户籍人员需提供居住证。, ref: \"§一 1.4\"}\n",
         "      - {text: 外地户籍人员需提供居住证。, ref: \"§一 1.4\", when: {hukou: nonlocal}}\n")
    svc_line = line(seed, SERVICES, "- id: enrol")
    assert problems_of(seed) == [
        f"seed/{SERVICES}:{svc_line}: service enrol: unknown option 'agent' for question 'applicant' "
        "(valid: self, proxy)",
        f"seed/{SERVICES}:{svc_line}: service enrol: condition uses unknown situation key 'hukou' "
        "(not in its questions: applicant)",
    ]


def test_an_unknown_option_in_an_any_of_condition(seed):
    edit(seed, SERVICES, "        when: {applicant: proxy}\n", "        when_any: [{applicant: proxy}, {applicant: agent}]\n")
    svc_line = line(seed, SERVICES, "- id: enrol")
    assert problems_of(seed) == [f"seed/{SERVICES}:{svc_line}: service enrol: unknown option 'agent' for question "
                                 "'applicant' (valid: self, proxy)"]


def test_a_condition_without_questions(seed):
    edit(seed, SERVICES, "    questions: [applicant]\n", "")
    svc_line = line(seed, SERVICES, "- id: enrol")
    assert problems_of(seed) == [f"seed/{SERVICES}:{svc_line}: service enrol: condition uses unknown situation key "
                                 "'applicant' (not in its questions: none)"]


def test_a_question_that_changes_nothing(seed):
    edit(seed, SERVICES, "        when: {applicant: proxy}\n", "")
    svc_line = line(seed, SERVICES, "- id: enrol")
    assert problems_of(seed) == [f"seed/{SERVICES}:{svc_line}: service enrol: question 'applicant' changes nothing "
                                 "(no condition uses it)"]


def test_a_question_used_only_by_no_materials_changes_something(seed):
    edit(seed, SERVICES, "        when: {applicant: proxy}\n", "")
    edit(seed, SERVICES, "    questions: [applicant]\n",
         "    questions: [applicant]\n    no_materials:\n      - {when: {applicant: self}, ref: \"§一\"}\n")
    assert problems_of(seed) == []


# -- 禁办 and 容缺 lists ----------------------------------------------------------------------------
def test_lists_for_an_unknown_service(seed):
    edit(seed, SERVICES, "    applies_to: [enrol]\n    ref: \"§违规禁办事项清单\"",
         "    applies_to: [enrol, pay]\n    ref: \"§违规禁办事项清单\"")
    edit(seed, SERVICES, "    applies_to: [enrol]\n    deadline:", "    applies_to: [pay, enrol]\n    deadline:")
    cat, found = load(seed)
    assert found == [
        at(seed, SERVICES, "applies_to: [enrol, pay]", "applies_to: unknown service 'pay'"),
        at(seed, SERVICES, "applies_to: [pay, enrol]", "applies_to: unknown service 'pay'"),
    ]
    # the known service still gets both lists
    svc = service(cat)
    assert [r.text for r in svc.refusals] == ["冒名办理的。"]
    assert svc.materials[0].deferrable_days == 5


def test_a_refusal_list_with_notes_and_no_heading(seed):
    edit(seed, SERVICES, "    heading: 不予受理\n", "")
    edit(seed, SERVICES, "    items:\n      - {text: 冒名办理的。",
         "    notes:\n      - {text: 冒名办理的。, ref: \"§违规禁办事项清单 1\"}\n"
         "    items:\n      - {text: 冒名办理的。")
    cat, found = load(seed)
    assert found == []
    svc = service(cat)
    assert [(r.text, r.label) for r in svc.refusals] == [("冒名办理的。", "参保登记")]
    assert [(n.text, n.label) for n in svc.notes] == [("冒名办理的。", "参保登记")]


def test_a_deferrable_item_that_matches_no_material(seed):
    edit(seed, SERVICES, "matches: 居民身份证\n", "matches: 户口簿\n")
    cat, found = load(seed)
    assert found == [at(seed, SERVICES, "matches: 户口簿", "matches '户口簿': no material of enrol contains it")]
    [item] = service(cat).deferrable_items
    assert (item.text, item.ref, item.source, item.deadline, item.deadline_days, item.method) == (
        "居民身份证", "002_def.txt §容缺办理事项清单 1", None, "补正期限：5个工作日", 5, None)
    assert service(cat).materials[0].deferrable_deadline is None


def test_a_deferrable_item_without_matches_is_listed_on_its_own(seed):
    edit(seed, SERVICES, "        matches: 居民身份证\n", "        source: 申请人提供\n        method: 承诺\n")
    edit(seed, SERVICES, "    ref: \"§容缺办理事项清单\"\n",
         "    ref: \"§容缺办理事项清单\"\n    method: 告知承诺\n"
         "    notes:\n      - {text: 居民身份证, ref: \"§容缺办理事项清单 1\"}\n")
    cat, found = load(seed)
    assert found == []
    svc = service(cat)
    [item] = svc.deferrable_items
    assert (item.text, item.source, item.method, item.deadline_days) == ("居民身份证", "申请人提供", "承诺", 5)
    assert svc.materials[0].deferrable_deadline is None
    assert [(n.text, n.label) for n in svc.notes] == [("居民身份证", "容缺受理：参保登记")]


def test_a_deferrable_list_method_is_its_items_default(seed):
    edit(seed, SERVICES, "        matches: 居民身份证\n", "")
    edit(seed, SERVICES, "    ref: \"§容缺办理事项清单\"\n", "    ref: \"§容缺办理事项清单\"\n    method: 告知承诺\n")
    cat, _ = load(seed)
    assert [i.method for i in service(cat).deferrable_items] == ["告知承诺"]


# -- an older document's items --------------------------------------------------------------------
def test_an_item_that_both_merges_and_defines_a_service(seed):
    edit(seed, ITEMS, "    merge_into: enrol\n",
         "    merge_into: enrol\n    service: {id: x, name: 参保登记, category: 参保登记, audience: 个人, "
         "topics: [enrolment], ref: \"§一\"}\n")
    cat, found = load(seed)
    assert found == [at(seed, ITEMS, "- title: 参保登记",
                        "an item either merges into a service or defines one, not both")]
    assert service(cat).older_materials == [] and service(cat).steps == []


def test_an_item_that_merges_into_an_unknown_service(seed):
    edit(seed, ITEMS, "    merge_into: enrol\n", "    merge_into: enroll\n")
    assert problems_of(seed) == [at(seed, ITEMS, "merge_into: enroll", "merge_into: unknown service 'enroll'")]


def test_an_item_that_neither_merges_nor_defines(seed):
    edit(seed, ITEMS, "    merge_into: enrol\n", "")
    assert problems_of(seed) == [at(seed, ITEMS, "- title: 参保登记", "merge_into: unknown service None")]


def test_an_item_that_defines_a_service_of_the_older_document(seed):
    edit(seed, ITEMS, "    merge_into: enrol\n",
         "    service:\n      id: household\n      name: 参保登记\n      category: 参保登记\n"
         "      audience: 个人\n      topics: [enrolment]\n      ref: \"§一\"\n"
         "      materials:\n        - {text: 户口簿复印件。, original: 复印件, ref: \"§一.3\"}\n")
    edit(seed, ITEMS, "      - {text: 户口簿复印件。, original: 复印件, silent: true, ref: \"§一.3\"}\n", "")
    cat, found = load(seed)
    assert found == []
    older = service(cat, "household")
    assert (older.ref, older.sources, older.follows) == ("001_abc.txt §一", ["001_abc.txt §一"],
                                                         "2020 年《示例公开指南》")
    assert [(m.text, m.original, m.listed_by) for m in older.materials] == [("户口簿复印件。", "复印件", None)]
    # the item's own materials, steps and time limit are not merged anywhere
    assert service(cat).older_materials == [] and service(cat).steps == []


def test_an_older_material_that_is_not_silent_is_not_listed(seed):
    edit(seed, ITEMS, "silent: true, ", "")
    cat, found = load(seed)
    assert found == [] and service(cat).older_materials == []


def test_older_items_merged_twice_keep_each_text_once(seed):
    text = (seed / ITEMS).read_text(encoding="utf-8")
    item = text[text.index("  - title: 参保登记"):]
    (seed / ITEMS).write_text(text + item.replace("\n    time_limit: {text: 5个工作日。, days: 5, ref: \"§一\"}", ""),
                              encoding="utf-8")
    cat, found = load(seed)
    assert found == []
    svc = service(cat)
    assert [m.text for m in svc.older_materials] == ["户口簿复印件。"]
    assert [t.text for t in svc.steps] == ["办理环节：受理、审核、办结。"]
    assert [t.text for t in svc.legal_basis] == ["设定依据：《示例条例》。"]
    assert svc.sources == ["002_def.txt §一", "001_abc.txt §一", "001_abc.txt §一", "002_def.txt §违规禁办事项清单",
                           "002_def.txt §容缺办理事项清单"]
    assert [d.field for d in svc.differences] == ["time_limit"]


def test_older_notes_are_kept_apart(seed):
    edit(seed, ITEMS, "    legal_basis:\n",
         "    notes:\n      - {text: 户口簿复印件。, ref: \"§一.3\"}\n    legal_basis:\n")
    cat, _ = load(seed)
    assert [(t.text, t.label) for t in service(cat).older_notes] == [("户口簿复印件。", "2020 年《示例公开指南》")]
    assert service(cat).notes == []


def test_same_time_limit_is_no_difference(seed):
    edit(seed, ITEMS, "    time_limit: {text: 5个工作日。, days: 5, ref: \"§一\"}\n", "")
    cat, found = load(seed)
    assert found == [] and service(cat).differences == []
    assert [d.field for d in cat.differences] == ["address"]


def test_a_recorded_time_limit_difference_replaces_the_automatic_one(seed):
    edit(seed, ITEMS, "    steps:\n",
         "    differences:\n      - {field: time_limit, older: 5个工作日, newer: 即时办结, "
         "newer_ref: \"002_def.txt §一 1.3\", note: 以较新文件为准}\n    steps:\n")
    cat, found = load(seed)
    assert found == []
    [d] = service(cat).differences
    # the item's own ref stands for an older_ref it leaves out
    assert (d.field, d.older, d.older_ref, d.newer, d.newer_ref, d.note, d.document) == (
        "time_limit", "5个工作日", "001_abc.txt §一", "即时办结", "002_def.txt §一 1.3", "以较新文件为准",
        "001_abc.txt")


def test_a_difference_of_another_field_keeps_the_automatic_one(seed):
    edit(seed, ITEMS, "    steps:\n",
         "    differences:\n      - {field: materials, older: 户口簿复印件, older_ref: \"§一.3\"}\n    steps:\n")
    cat, found = load(seed)
    assert found == []
    assert [(d.field, d.older, d.older_ref, d.newer) for d in service(cat).differences] == [
        ("materials", "户口簿复印件", "001_abc.txt §一.3", None),
        ("time_limit", "5个工作日。", "001_abc.txt §一", "即时办结")]


# -- differences: each value against the document it cites ------------------------------------------
def test_difference_values_are_checked_against_their_own_documents(seed):
    edit(seed, REGION, "        note: 地址以较新文件为准\n",
         "        newer_ref: \"§二\"\n        note: 地址以较新文件为准，电话024-11112222\n"
         "        comment: 新电话024-12345678\n")
    assert problems_of(seed) == []  # the note and comment may come from either document


def test_invented_numbers_in_a_difference(seed):
    edit(seed, REGION, "        older: 和平区旧路1号\n", "        older: 和平区旧路1号，电话024-12345678\n")
    edit(seed, REGION, "        newer: 和平区新路8号\n", "        newer: [和平区新路8号, 电话024-11112222]\n")
    edit(seed, REGION, "        note: 地址以较新文件为准\n",
         "        newer_ref: \"§二\"\n        note: 电话024-99998888\n        comment: 电话024-77776666\n")
    found = problems_of(seed)
    assert at(seed, REGION, "older: 和平区旧路1号，", "number 024-12345678 does not occur in 001_abc.txt") in found
    assert at(seed, REGION, "newer: [和平区新路8号", "number 024-11112222 does not occur in 002_def.txt") in found
    # a note or comment from neither document: reported once, against the first
    assert at(seed, REGION, "note: 电话024-99998888", "number 024-99998888 does not occur in 001_abc.txt") in found
    assert at(seed, REGION, "comment: 电话024-77776666", "number 024-77776666 does not occur in 001_abc.txt") in found
    assert len(found) == 5, found  # and the older value, not in 001 as written


def test_difference_without_refs(seed):
    edit(seed, REGION, "        older_ref: \"001_abc.txt §二\"\n", "")
    edit(seed, REGION, "        older: 和平区旧路1号\n", "        older: 和平区旧路1号，电话024-11112222\n")
    edit(seed, REGION, "        newer: 和平区新路8号\n", "        newer: 电话024-99998888\n")
    cat, found = load(seed)
    # no older_ref: the older value is scanned against the record's own document; no
    # newer_ref: the newer value is not scanned
    assert found == [at(seed, REGION, "older: 和平区旧路1号", "number 024-11112222 does not occur in 002_def.txt")]
    d = cat.halls[0].differences[0]
    assert (d.older_ref, d.newer_ref, d.newer) == (None, None, "电话024-99998888")


def test_difference_values_as_text(seed):
    edit(seed, REGION, "        older: 和平区旧路1号\n", "        older: [和平区旧路1号, {电话: 024-11112222, 传真: null}, null]\n")
    edit(seed, REGION, "        older_ref: \"001_abc.txt §二\"\n", "        older_ref: \"001_abc.txt §二\"\n")
    edit(seed, REGION, "        newer: 和平区新路8号\n", "")
    cat, found = load(seed)
    d = cat.halls[0].differences[0]
    assert (d.older, d.newer) == ("和平区旧路1号；电话：024-11112222；传真：；", None)
    assert found == [at(seed, REGION, "older: [和平区旧路1号", "older value not found in 001_abc.txt: "
                        "'和平区旧路1号；电话：024-11112222；传真：；'")]


# -- policy topics --------------------------------------------------------------------------------
def test_duplicate_policy_topic_and_unknown_service(seed):
    edit(seed, POLICY, "    services: [enrol]\n", "    services: [pay, enrol]\n")
    text = (seed / POLICY).read_text(encoding="utf-8")
    (seed / POLICY).write_text(text + "  - title: 缴费政策\n    ref: \"§缴费政策\"\n    id: rates\n", encoding="utf-8")
    cat, found = load(seed)
    assert found == [at(seed, POLICY, "services: [pay, enrol]", "services: unknown service 'pay'"),
                     at(seed, POLICY, "id: rates", "duplicate policy topic id 'rates'", nth=2)]
    assert [t.id for t in cat.policy_topics] == ["rates", "rates"]
    assert cat.policy_topics[0].services == ["enrol"]  # the known service after the unknown one
    assert cat.policy_topics[1].basis is None and cat.policy_topics[1].services == []


def test_table_rows_of_the_wrong_shape(seed):
    edit(seed, POLICY, "        rows: [[一档, \"8%\"]]\n", "        rows: [[一档, \"8%\", 多], [一档, null]]\n")
    cat, found = load(seed)
    row_line = line(seed, POLICY, "rows:")
    assert found == [f"seed/{POLICY}:{row_line}: table '缴费档次': row has 3 cells, 2 columns"]
    assert cat.policy_topics[0].tables[0].rows == [["一档", "8%", "多"], ["一档", ""]]


def test_table_rows_that_are_no_rows(seed):
    edit(seed, POLICY, "        rows: [[一档, \"8%\"]]\n", "        rows: [一档, \"8%\"]\n")
    cat, found = load(seed)
    assert found == [at(seed, POLICY, "rows:", "table rows: expected a list of rows (lists of cells)")]
    assert cat.policy_topics[0].tables[0].rows == []


def test_invented_number_in_a_table_cell(seed):
    edit(seed, POLICY, "        rows: [[一档, \"8%\"]]\n", "        rows: [[一档, \"024-55556666\"]]\n")
    found = problems_of(seed)
    assert found == [at(seed, POLICY, "rows:", "number 024-55556666 does not occur in 002_def.txt")]


def test_a_fact_with_a_note_and_a_number(seed):
    edit(seed, POLICY, '      - {label: 单位缴费比例, value: "8%", ref: "§缴费政策"}\n',
         '      - {label: 单位缴费比例, value: "8", ref: "§缴费政策", note: 电话024-55556666}\n')
    cat, found = load(seed)
    assert [(f.value, f.note) for f in cat.policy_topics[0].facts] == [("8", "电话024-55556666")]
    assert found == [at(seed, POLICY, "label: 单位缴费比例", "number 024-55556666 does not occur in 002_def.txt"),
                     at(seed, POLICY, "label: 单位缴费比例",
                        "note not found in 002_def.txt: '55556666' (of '电话024-55556666')")]


def test_service_update_of_an_unknown_service(seed):
    (seed / POLICY).write_text((seed / POLICY).read_text(encoding="utf-8")
                               + "service_updates:\n  - ref: \"§缴费政策\"\n    service: pay\n"
                               + "  - {service: enrol, ref: \"§缴费政策\", note: 以手册为准}\n", encoding="utf-8")
    cat, found = load(seed)
    assert found == [at(seed, POLICY, "service: pay", "service_updates: unknown service 'pay'")]
    assert service(cat).sources[2] == "002_def.txt §缴费政策"  # the update after it still applies


def test_problems_inside_a_service_update_name_their_line(seed):
    (seed / POLICY).write_text((seed / POLICY).read_text(encoding="utf-8") + """service_updates:
  - ref: "一 1.1"
    service: enrol
    questions: [applicant, where]
    materials:
      - {text: 居民身份证原件及复印件。, evidence: id_card, ref: "一 1.1①"}
    notes:
      - {text: 外地户籍人员需提供居住证。, ref: "一 1.4", when: {applicant: proxy}}
    tips:
      - {text: 单位缴费比例为8%。, ref: "缴费政策"}
""", encoding="utf-8")
    assert problems_of(seed) == [
        at(seed, POLICY, '- ref: "一 1.1"', f"ref '一 1.1': {EXPECTED}"),
        at(seed, POLICY, 'ref: "一 1.1①"', f"ref '一 1.1①': {EXPECTED}"),
        at(seed, POLICY, "questions: [applicant, where]",
           "question 'where' is neither in vocabulary.yaml nor in local_questions"),
        at(seed, POLICY, 'ref: "一 1.4"', f"ref '一 1.4': {EXPECTED}"),
        at(seed, POLICY, 'ref: "缴费政策"}', f"ref '缴费政策': {EXPECTED}"),
    ]


def test_an_update_gives_materials_to_a_service_without_any(seed):
    edit(seed, SERVICES, SERVICE_MATERIALS, "")
    edit(seed, SERVICES, "    questions: [applicant]\n", "")
    (seed / POLICY).write_text((seed / POLICY).read_text(encoding="utf-8") + UPDATE, encoding="utf-8")
    cat, found = load(seed)
    assert found == []
    [d] = [d for d in service(cat).differences if d.field == "materials"]
    assert (d.older, d.older_ref, d.newer) == ("", "002_def.txt §一", "居民身份证原件及复印件。")


# the service's own materials, as the small seed writes them
SERVICE_MATERIALS = FILES[SERVICES][FILES[SERVICES].index("    materials:\n"):FILES[SERVICES].index("    channels:\n")]
UPDATE = """service_updates:
  - service: enrol
    ref: "§一 1.1"
    questions: []
    materials:
      - {text: 居民身份证原件及复印件。, evidence: id_card, ref: "§一 1.1①"}
    notes:
      - {text: 外地户籍人员需提供居住证。, ref: "§一 1.4"}
    tips:
      - {text: 单位缴费比例为8%。, ref: "§缴费政策"}
"""


def test_a_service_update_replaces_the_materials_and_keeps_the_older_ones(seed):
    edit(seed, SERVICES, "        when: {applicant: proxy}\n", "")
    edit(seed, SERVICES, "    questions: [applicant]\n", "")
    (seed / POLICY).write_text((seed / POLICY).read_text(encoding="utf-8") + UPDATE, encoding="utf-8")
    cat, found = load(seed)
    assert found == []
    svc = service(cat)
    assert [(m.text, m.name, m.original) for m in svc.materials] == [("居民身份证原件及复印件。", "居民身份证", None)]
    assert svc.materials[0].deferrable_days == 5  # the 容缺 list is attached after the update
    assert [t.text for t in svc.notes] == ["外地户籍人员需提供居住证。"]
    assert [t.text for t in svc.tips] == ["外地户籍人员需提供居住证。", "单位缴费比例为8%。"]
    assert svc.questions == []
    assert svc.sources == ["002_def.txt §一", "001_abc.txt §一", "002_def.txt §一 1.1", "002_def.txt §违规禁办事项清单",
                           "002_def.txt §容缺办理事项清单"]
    d = [d for d in svc.differences if d.field == "materials"][0]
    assert (d.older, d.older_ref, d.newer, d.newer_ref, d.note, d.subject, d.document) == (
        "居民身份证原件及复印件。；代办人身份证原件。", "002_def.txt §一 1.1①", "居民身份证原件及复印件。",
        "002_def.txt §一 1.1", "所需材料以较新文件为准", "enrol", "002_def.txt")
    assert d in cat.differences


def test_a_service_update_with_its_own_note_and_questions(seed):
    update = UPDATE.replace("    questions: []\n", "    questions: [applicant]\n    note: 以手册为准\n")
    update = update.replace('ref: "§缴费政策"}', 'ref: "§缴费政策", when: {applicant: proxy}}')
    update = update.replace('ref: "§一 1.4"}', 'ref: "§一 1.4", when: {applicant: self}}')
    (seed / POLICY).write_text((seed / POLICY).read_text(encoding="utf-8") + update, encoding="utf-8")
    cat, found = load(seed)
    assert found == []
    svc = service(cat)
    assert [q.id for q in svc.questions] == ["applicant"]
    assert [d.note for d in svc.differences if d.field == "materials"] == ["以手册为准"]
    assert [(t.text, t.condition) for t in svc.notes] == [("外地户籍人员需提供居住证。", {"all": {"applicant": ["self"]}})]


def test_a_service_update_without_materials_keeps_them(seed):
    update = UPDATE.replace('    materials:\n      - {text: 居民身份证原件及复印件。, evidence: id_card, ref: "§一 1.1①"}\n', "")
    update = update.replace("    questions: []\n", "")
    (seed / POLICY).write_text((seed / POLICY).read_text(encoding="utf-8") + update, encoding="utf-8")
    cat, found = load(seed)
    assert found == []
    svc = service(cat)
    assert [m.text for m in svc.materials] == ["居民身份证原件及复印件。", "代办人身份证原件。"]
    assert [q.id for q in svc.questions] == ["applicant"]
    assert [d.field for d in svc.differences] == ["time_limit"]


# -- which guide a checklist follows ---------------------------------------------------------------
def test_follows_the_newest_document_and_says_when_it_has_no_date(seed):
    edit(seed, "documents.yaml", '    date: "2025"\n', "")
    cat, found = load(seed)
    assert found == []
    assert service(cat).follows == "《示例办事指南》（未注明日期）"


# -- problems inside each record name their file and line ---------------------------------------------
@pytest.mark.parametrize(("rel", "refs"), [
    (ITEMS, [(4, "一"), (8, "一.3"), (9, "一"), (11, "一"), (13, "一")]),
    (POLICY, [(4, "缴费政策"), (7, "缴费政策"), (9, "缴费政策"), (11, "缴费政策"), (13, "缴费政策"), (18, "缴费政策")]),
    (REGION, [(5, "一 1.4"), (7, "二")]),
    (SERVICES, [(4, "一"), (12, "一 1.1①"), (16, "一 1.1②"), (22, "一 1.2①"), (27, "一 1.2②"), (32, "一 1.3"),
                (34, "一 1.4"), (36, "一 1.4"), (38, "违规禁办事项清单"), (43, "违规禁办事项清单 1"),
                (45, "容缺办理事项清单"), (47, "容缺办理事项清单 1"), (50, "容缺办理事项清单 1")]),
])
def test_every_broken_ref_is_reported_at_its_record(seed, rel, refs):
    """Lines counted by hand in tests/small_seed.py: a flow record's line, or the line of
    the first key of a block record."""
    text = (seed / rel).read_text(encoding="utf-8")
    (seed / rel).write_text(text.replace('"§', '"'), encoding="utf-8")
    assert problems_of(seed) == [f"seed/{rel}:{n}: ref '{ref}': {EXPECTED}" for n, ref in refs]


def test_an_item_title_not_in_the_document(seed):
    edit(seed, ITEMS, "  - title: 参保登记\n", "  - title: 参保变更\n")
    assert problems_of(seed) == [at(seed, ITEMS, "title: 参保变更",
                                    "title not found in 001_abc.txt: '参保变更' (of '参保变更')")]


def test_an_items_problems_inside_name_the_items_file(seed):
    edit(seed, ITEMS, "silent: true, ", "silent: true, source: 公安机关, ")
    edit(seed, ITEMS, "    time_limit: {text: 5个工作日。, days: 5,", "    time_limit: {text: 5个工作日。, days: 6,")
    edit(seed, ITEMS, "      - {text: 办理环节：受理、审核、办结。, ref: \"§一\"}",
         "      - {text: 办理环节：受理、审核、办结。, ref: \"§一\", when: {applicant: self}}")
    edit(seed, ITEMS, "    steps:\n", "    differences:\n      - {field: time_limit, older: 电话024-99998888}\n"
                                     "    steps:\n")
    assert problems_of(seed) == [
        at(seed, ITEMS, "source: 公安机关", "source not found in 001_abc.txt: '公安机关' (of '公安机关')"),
        at(seed, ITEMS, "days: 6", "time_limit days 6 does not match text '5个工作日。'"),
        at(seed, ITEMS, "when: {applicant: self}", "when: not allowed here: the kiosk shows this text whatever "
                                                 "the answers (only a service's own materials, channels, intro, "
                                                 "tips, notes, steps and legal_basis are conditional)"),
        at(seed, ITEMS, "older: 电话024-99998888", "number 024-99998888 does not occur in 001_abc.txt"),
    ]


def test_items_after_a_wrong_item_are_still_merged(seed):
    text = (seed / ITEMS).read_text(encoding="utf-8")
    head, item = text.split("items:\n")
    wrong = ("  - {title: 参保登记, ref: \"§一\", merge_into: enroll}\n"
             "  - {title: 参保登记, ref: \"§一\", merge_into: enrol, service: {id: x, name: 参保登记, "
             "category: 参保登记, audience: 个人, topics: [enrolment], ref: \"§一\"}}\n")
    (seed / ITEMS).write_text(head + "items:\n" + wrong + item, encoding="utf-8")
    cat, found = load(seed)
    assert found == [at(seed, ITEMS, "merge_into: enroll", "merge_into: unknown service 'enroll'"),
                     at(seed, ITEMS, "service: {id: x,", "an item either merges into a service or defines one, "
                                                         "not both")]
    assert [m.text for m in service(cat).older_materials] == ["户口簿复印件。"]


def test_an_item_that_defines_a_service_reports_in_the_items_file(seed):
    edit(seed, ITEMS, "    merge_into: enrol\n",
         "    service: {id: enrol, name: 参保登记, category: 参保登记, audience: 市民, topics: [enrolment], "
         "ref: \"§一\"}\n")
    found = problems_of(seed)
    first = line(seed, SERVICES, "- id: enrol")
    assert found == [at(seed, ITEMS, "audience: 市民", "audience '市民': expected one of 个人, 单位"),
                     at(seed, ITEMS, "audience: 市民", f"duplicate service id 'enrol' (also seed/{SERVICES}:{first})")]


def test_the_same_text_twice_in_one_item_is_kept_once(seed):
    edit(seed, ITEMS, "      - {text: 户口簿复印件。, original: 复印件, silent: true, ref: \"§一.3\"}\n",
         "      - {text: 户口簿复印件。, original: 复印件, silent: true, ref: \"§一.3\"}\n" * 2)
    edit(seed, ITEMS, "      - {text: 办理环节：受理、审核、办结。, ref: \"§一\"}\n",
         "      - {text: 办理环节：受理、审核、办结。, ref: \"§一\"}\n" * 2)
    cat, found = load(seed)
    assert found == []
    assert [m.text for m in service(cat).older_materials] == ["户口簿复印件。"]
    assert [t.text for t in service(cat).steps] == ["办理环节：受理、审核、办结。"]


def test_a_services_unknown_question_is_reported_at_its_questions(seed):
    edit(seed, SERVICES, "    questions: [applicant]\n", "    questions: [applicant, where]\n"
                                                       "    local_questions:\n      - id: age\n        text: 年龄？\n"
                                                       "        options: [{id: old, label: 老}]\n")
    assert problems_of(seed) == [
        at(seed, SERVICES, "questions: [applicant, where]",
           "question 'where' is neither in vocabulary.yaml nor in local_questions"),
        at(seed, SERVICES, "questions: [applicant, where]", "local question 'age' is defined but not listed in questions"),
    ]


def test_a_service_name_not_in_the_document(seed):
    edit(seed, SERVICES, "    name: 参保登记\n", "    name: 参保变更\n")
    assert problems_of(seed) == [at(seed, SERVICES, "name: 参保变更",
                                    "name not found in 002_def.txt: '参保变更' (of '参保变更')")]


def test_a_services_own_texts_may_be_conditional_and_its_differences_are_kept(seed):
    cond = ", when: {applicant: proxy}}\n"
    edit(seed, SERVICES, "    questions: [applicant]\n", "    questions: [applicant]\n"
         "    intro:\n      - {text: 代办人身份证原件。, ref: \"§一 1.1②\"" + cond
         + "    notes:\n      - {text: 代办人身份证原件。, ref: \"§一 1.1②\"" + cond
         + "    steps:\n      - {text: 代办人身份证原件。, ref: \"§一 1.1②\"" + cond
         + "    legal_basis:\n      - {text: 代办人身份证原件。, ref: \"§一 1.1②\"" + cond
         + "    differences:\n      - {field: time_limit, older: 5个工作日, older_ref: \"001_abc.txt §一\", "
           "newer: 即时办结, newer_ref: \"§一 1.3\"}\n")
    cat, found = load(seed)
    assert found == []
    svc = service(cat)
    for attr in ("intro", "notes", "steps", "legal_basis"):  # the older item's come after
        assert [(t.text, t.condition) for t in getattr(svc, attr)][0] == (
            "代办人身份证原件。", {"all": {"applicant": ["proxy"]}}), attr
    [d] = [d for d in svc.differences if d.newer_ref == "002_def.txt §一 1.3" and d.older == "5个工作日"]
    assert (d.field, d.older_ref, d.subject, d.document, d.region, d.kind) == (
        "time_limit", "001_abc.txt §一", "enrol", "002_def.txt", "test", "service")
    assert d in cat.differences


def test_region_and_hall_lines_are_their_ids(seed):
    edit(seed, REGION, "  id: test\n  name: 示例市\n", "  name: 示例市\n  id: other\n")
    (seed / REGION).write_text((seed / REGION).read_text(encoding="utf-8")
                               + "  - name: 示例大厅\n    ref: \"§二\"\n    id: main\n", encoding="utf-8")
    assert problems_of(seed) == [
        at(seed, REGION, "id: other", "region id 'other' does not match its folder 'test'"),
        at(seed, REGION, "id: main", "duplicate hall id 'main'", nth=2),
    ]


def test_a_hall_phone_written_with_spaces_and_a_hall_note(seed):
    edit(seed, REGION, '    phone: "024-12345678"\n', '    phone: "024-1234 5678"\n    note: 示例大厅\n')
    cat, found = load(seed)
    assert found == []
    assert (cat.halls[0].phone, cat.halls[0].note) == ("024-1234 5678", "示例大厅")


def test_a_long_older_value_is_shortened_in_the_message(seed):
    older = "和平区旧路1号" + "甲" * 40
    edit(seed, REGION, "        older: 和平区旧路1号\n", f"        older: {older}\n")
    assert problems_of(seed) == [at(seed, REGION, "older: 和平区旧路1号甲",
                                    f"older value not found in 001_abc.txt: {older[:40]!r}")]


def test_no_materials_by_any_of_and_without_comment(seed):
    edit(seed, SERVICES, "    questions: [applicant]\n", "    questions: [applicant]\n    no_materials:\n"
         "      - when_any: [{applicant: self}]\n        ref: \"§一\"\n"
         "      - when: {applicant: proxy}\n        ref: \"一\"\n")
    cat, found = load(seed)
    assert found == [at(seed, SERVICES, "- when: {applicant: proxy}", f"ref '一': {EXPECTED}")]
    assert [(n.text, n.ref, n.condition) for n in service(cat).no_materials] == [
        ("", "002_def.txt §一", {"any": [{"applicant": ["self"]}]}), ("", "一", {"all": {"applicant": ["proxy"]}})]


def test_every_unknown_key_and_option_of_a_condition_is_reported(seed):
    edit(seed, "vocabulary.yaml", "questions:\n", "questions:\n  - id: hukou\n    text: 户籍？\n"
                                                 "    options: [{id: local, label: 本市}]\n")
    edit(seed, SERVICES, "    questions: [applicant]\n", "    questions: [applicant, hukou]\n")
    edit(seed, SERVICES, "        when: {applicant: proxy}\n", "        when: {area: north, hukou: abroad}\n")
    svc_line = line(seed, SERVICES, "- id: enrol")
    assert problems_of(seed) == [
        f"seed/{SERVICES}:{svc_line}: service enrol: condition uses unknown situation key 'area' "
        "(not in its questions: applicant, hukou)",
        f"seed/{SERVICES}:{svc_line}: service enrol: unknown option 'abroad' for question 'hukou' (valid: local)",
        f"seed/{SERVICES}:{svc_line}: service enrol: question 'applicant' changes nothing (no condition uses it)",
    ]


def test_a_duplicate_service_is_reported_at_its_id(seed):
    (seed / "test" / "services-more.yaml").write_text(
        "document: 002_def.txt\nregion: test\nservices:\n"
        "  - name: 参保登记\n    category: 参保登记\n    audience: 个人\n    topics: [enrolment]\n    ref: \"§一\"\n"
        "    id: enrol\n", encoding="utf-8")
    first = line(seed, SERVICES, "- id: enrol")
    assert problems_of(seed) == [f"seed/test/services-more.yaml:9: duplicate service id 'enrol' "
                                 f"(also seed/{SERVICES}:{first})"]


def test_every_list_record_is_checked_against_the_document(seed):
    edit(seed, SERVICES, "    heading: 不予受理\n", "    heading: 不予受理\n    comment: 电话024-99990000\n")
    edit(seed, SERVICES, "{text: 冒名办理的。,", "{text: 冒名顶替的。,")
    edit(seed, SERVICES, "    ref: \"§容缺办理事项清单\"\n", "    ref: \"§容缺办理事项清单\"\n    comment: 电话024-99990001\n")
    edit(seed, SERVICES, "{text: \"补正期限：5个工作日\"", "{text: \"补正期限：6个工作日\"")
    edit(seed, SERVICES, "      - text: 居民身份证\n", "      - text: 居民户口簿\n")
    assert problems_of(seed) == [
        at(seed, SERVICES, "comment: 电话024-99990000", "number 024-99990000 does not occur in 002_def.txt"),
        at(seed, SERVICES, "冒名顶替的", "text not found in 002_def.txt: '冒名顶替的。'"),
        at(seed, SERVICES, "comment: 电话024-99990001", "number 024-99990001 does not occur in 002_def.txt"),
        at(seed, SERVICES, "补正期限：6个工作日", "text not found in 002_def.txt: '补正期限：6个工作日'"),
        at(seed, SERVICES, "- text: 居民户口簿", "text not found in 002_def.txt: '居民户口簿'"),
    ]


def test_two_refusal_lists_for_one_service_are_both_kept(seed):
    edit(seed, SERVICES, "    applies_to: [enrol]\n    ref: \"§违规禁办事项清单\"",
         "    applies_to: [pay, enrol]\n    ref: \"§违规禁办事项清单\"")
    text = (seed / SERVICES).read_text(encoding="utf-8")
    start = text.index("refusal_lists:\n") + len("refusal_lists:\n")
    end = text.index("deferrable_lists:")
    one = text[start:end].replace("heading: 不予受理", "heading: 禁办")
    (seed / SERVICES).write_text(text[:end] + one.replace("[pay, enrol]", "[enrol]") + text[end:], encoding="utf-8")
    cat, found = load(seed)
    assert found == [at(seed, SERVICES, "applies_to: [pay, enrol]", "applies_to: unknown service 'pay'")]
    assert [r.label for r in service(cat).refusals] == ["参保登记（不予受理）", "参保登记（禁办）"]


def test_a_service_of_an_unknown_document_follows_none(seed):
    edit(seed, SERVICES, "    ref: \"§一\"\n    questions", "    ref: \"009_aaa.txt §一\"\n    questions")
    edit(seed, ITEMS, "    merge_into: enrol\n", "    merge_into: nothing\n")
    edit(seed, SERVICES, "    applies_to: [enrol]\n    ref: \"§违规禁办事项清单\"",
         "    applies_to: [nothing]\n    ref: \"§违规禁办事项清单\"")
    edit(seed, SERVICES, "    applies_to: [enrol]\n    deadline:", "    applies_to: [nothing]\n    deadline:")
    edit(seed, POLICY, "    services: [enrol]\n", "    services: []\n")
    cat, found = load(seed)
    assert at(seed, SERVICES, "- id: enrol", "ref '009_aaa.txt §一': unknown document '009_aaa.txt'") in found
    assert service(cat).sources == ["009_aaa.txt §一"] and service(cat).follows == ""


def test_questions_after_an_unknown_one_are_kept(seed):
    edit(seed, SERVICES, "    questions: [applicant]\n", "    questions: [where, applicant]\n")
    cat, found = load(seed)
    assert found == [at(seed, SERVICES, "questions: [where, applicant]",
                        "question 'where' is neither in vocabulary.yaml nor in local_questions")]
    assert [q.id for q in service(cat).questions] == ["applicant"]


def test_a_differences_broken_refs_are_reported_at_it(seed):
    edit(seed, REGION, "        older_ref: \"001_abc.txt §二\"\n", "        older_ref: \"二\"\n        newer_ref: \"一\"\n")
    assert problems_of(seed) == [at(seed, REGION, "- field: address", f"ref '二': {EXPECTED}"),
                                 at(seed, REGION, "- field: address", f"ref '一': {EXPECTED}")]


def test_without_the_documents_nothing_is_checked_against_them(seed):
    edit(seed, REGION, '    phone: "024-12345678"\n', '    phone: "024-99990000"\n')
    edit(seed, SERVICES, "{text: 冒名办理的。,", "{text: 冒名顶替的。,")
    cat, problems = load_seed(seed, check_documents=False)
    assert problems == []
    assert cat.halls[0].phone == "024-99990000" and service(cat).refusals[0].text == "冒名顶替的。"
    edit(seed, SERVICES, "    audience: 个人\n", "    audience: 市民\n")  # the rest is still checked
    assert [p.message for p in load_seed(seed, check_documents=False)[1]] == ["audience '市民': expected one of 个人, 单位"]


def test_an_evidence_types_usual_values_fill_a_material(seed):
    edit(seed, "vocabulary.yaml", "  - {id: id_card, name: 居民身份证}\n",
         "  - id: id_card\n    name: 居民身份证\n    usual:\n"
         "      - {original: 原件及复印件, ref: \"002_def.txt §一 1.1①\"}\n")
    edit(seed, SERVICES, "        evidence: id_card\n        original: 原件及复印件\n", "        evidence: id_card\n")
    cat, found = load(seed)
    assert found == []
    assert service(cat).materials[0].original == "原件及复印件"
    edit(seed, "vocabulary.yaml", "      - {original: 原件及复印件,", "      - {original: 影印件,")
    assert problems_of(seed)[0] == at(seed, "vocabulary.yaml", "original: 影印件",
                                      "evidence 'id_card' usual: original '影印件': expected one of 原件, 原件及复印件, "
                                      "原件或复印件, 复印件")


def test_regions_are_loaded_in_the_order_of_their_folders(seed):
    import shutil

    shutil.copytree(seed / "test", seed / "alpha")
    for f in (seed / "alpha").iterdir():
        text = f.read_text(encoding="utf-8").replace("region: test", "region: alpha").replace("  id: test", "  id: alpha")
        f.write_text(text, encoding="utf-8")
    cat, found = load(seed)
    assert found == []
    assert [r.id for r in cat.regions] == ["alpha", "test"]
    assert [(s.region, s.id) for s in cat.services] == [("alpha", "enrol"), ("test", "enrol")]
    assert [(d.region, d.field) for d in cat.differences] == [
        ("alpha", "address"), ("alpha", "time_limit"), ("test", "address"), ("test", "time_limit")]


def test_a_text_under_a_deep_ref_falls_back_one_level_only(seed):
    # §一 1.1① falls back on 1.1, never on 一: 即时办结 is in 一 1.3
    edit(seed, SERVICES, "    time_limit: {text: 即时办结, days: 0, ref: \"§一 1.3\"}\n",
         "    time_limit: {text: 即时办结, days: 0, ref: \"§一 1.1①\"}\n")
    assert problems_of(seed) == [at(seed, SERVICES, "time_limit:", "text not found in §一 1.1① of 002_def.txt "
                                                                   "(it occurs elsewhere there): '即时办结'")]


def test_problems_in_a_services_own_texts_and_differences_name_the_services_file(seed):
    edit(seed, SERVICES, "    questions: [applicant]\n", "    questions: [applicant]\n"
         "    intro:\n      - {text: 代办人身份证原件。, ref: \"一 1.1②\"}\n"
         "    notes:\n      - {text: 代办人身份证原件。, ref: \"一 1.1②\"}\n"
         "    steps:\n      - {text: 代办人身份证原件。, ref: \"一 1.1②\"}\n"
         "    legal_basis:\n      - {text: 代办人身份证原件。, ref: \"一 1.1②\"}\n"
         "    differences:\n      - {field: time_limit, older: 5个工作日, older_ref: \"一\"}\n")
    problem = f"ref '一 1.1②': {EXPECTED}"
    assert problems_of(seed) == [
        at(seed, SERVICES, 'ref: "一 1.1②"', problem, nth=1), at(seed, SERVICES, 'ref: "一 1.1②"', problem, nth=2),
        at(seed, SERVICES, 'ref: "一 1.1②"', problem, nth=3), at(seed, SERVICES, 'ref: "一 1.1②"', problem, nth=4),
        at(seed, SERVICES, 'older_ref: "一"', f"ref '一': {EXPECTED}")]


def test_problems_in_channels_and_list_notes_name_the_services_file(seed):
    edit(seed, SERVICES, "        window: 3号窗口\n", "        window: 9号窗口\n")
    edit(seed, SERVICES, "    items:\n      - {text: 冒名办理的。",
         "    notes:\n      - {text: 冒名办理的。, ref: \"违规禁办事项清单 1\"}\n    items:\n      - {text: 冒名办理的。")
    edit(seed, SERVICES, "    ref: \"§容缺办理事项清单\"\n",
         "    ref: \"§容缺办理事项清单\"\n    notes:\n      - {text: 居民身份证, ref: \"容缺办理事项清单 1\"}\n")
    assert problems_of(seed) == [
        at(seed, SERVICES, "window: 9号窗口", "window number 9号 does not occur in 002_def.txt"),
        at(seed, SERVICES, 'ref: "违规禁办事项清单 1"}', f"ref '违规禁办事项清单 1': {EXPECTED}"),
        at(seed, SERVICES, 'ref: "容缺办理事项清单 1"}', f"ref '容缺办理事项清单 1': {EXPECTED}"),
    ]
