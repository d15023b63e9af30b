"""The catalogue checker's rules, called in-process on small hand-written records.

tests/test_catalogue_check.py and tests/test_catalogue_proof.py break a copy of the whole
seed and run the checker (through the CLI, or load_seed): the proof that the shipped
catalogue is checked. These call SeedLoader's rules directly on a five-section document
and one record each, so that each rule's message, line and limits are pinned down in
milliseconds — and mutation testing (scripts/mutation.sh catalogue.sources), which sees
no coverage across a subprocess, can see them.

The document and records below are made up for the tests (example.org, 024-12345678): they
are fixtures, not catalogue data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.catalogue.model import Document, Option, Question
from kiosk.catalogue.sources import SeedLoader, SourceDocument, _segments, _url_key
from kiosk.catalogue.yamlload import load_yaml

DOC = "001_abc.txt"
OTHER = "002_def.txt"
TEXT = """示例办事指南
一、办理材料
1.居民身份证原件及复印件。
2.单位登记表，加盖单位公章。
二、办理地点
和平区示例路8号，3号窗口。
咨询电话：024-12345678
网址：http://example.org/apply/
邮箱：Help@Example.org
三、办理时限
5个工作日。
"""
OTHER_TEXT = """另一份指南
一、说明
请拨打 024-87654321 咨询。
"""
F = "seed/test/services.yaml"


def _meta(file: str) -> Document:
    return Document(file=file, title="示例", issuer="示例局", region="test", date="2024", rank=1)


@pytest.fixture
def loader(tmp_path: Path) -> SeedLoader:
    ld = SeedLoader(tmp_path / "seed")
    for file, text in ((DOC, TEXT), (OTHER, OTHER_TEXT)):
        (tmp_path / file).write_text(text, encoding="utf-8")
        ld.doc_meta[file] = _meta(file)
        ld.docs[file] = SourceDocument.read(ld.doc_meta[file], tmp_path / file)
    ld.evidence = {"id_card": "居民身份证"}
    return ld


@pytest.fixture
def rec(tmp_path: Path):
    """A record from YAML text, with its lines (the first line of the text is line 1)."""
    def make(text: str):
        path = tmp_path / "rec.yaml"
        path.write_text(text, encoding="utf-8")
        return load_yaml(path)
    return make


def found(ld: SeedLoader) -> list[str]:
    return [str(p) for p in ld.problems]


# -- small helpers ------------------------------------------------------------------------
def test_url_key_drops_trailing_punctuation_and_case():
    assert _url_key("HTTP://Example.org/Apply/).") == "http://example.org/apply"
    assert _url_key("http://example.org/a）") == "http://example.org/a"
    assert _url_key("http://example.org/a;,") == "http://example.org/a"
    assert _url_key("http://example.org/AX") == "http://example.org/ax"  # only punctuation is dropped


def test_segments_are_the_clauses_of_two_characters_or_more():
    assert _segments("加盖单位公章，见 http://example.org/x 。甲") == ["加盖单位公章"]
    assert _segments("身份证、户口簿；A") == ["身份证", "户口簿"]
    assert _segments("原件，复印件") == ["原件", "复印件"]  # two characters are a clause


def test_source_document_read_keeps_urls_compact_text_and_words(loader):
    doc = loader.docs[DOC]
    assert doc.urls == {"http://example.org/apply"}
    assert "024-12345678" in doc.compact and " " not in doc.compact and "\n" not in doc.compact
    assert "加盖单位公章" in doc.words and "，" not in doc.words
    assert doc.raw == TEXT


# -- references -----------------------------------------------------------------------------
def test_ref_in_the_default_document(loader):
    assert loader.resolve_ref("§一.2", DOC, F, 7) == "001_abc.txt §一.2"
    assert loader.resolve_ref(" §二 ", DOC, F, 7) == "001_abc.txt §二"
    assert found(loader) == []


def test_ref_naming_its_document(loader):
    assert loader.resolve_ref("002_def.txt §一", DOC, F, 7) == "002_def.txt §一"
    assert found(loader) == []


def test_ref_that_is_not_a_ref(loader):
    assert loader.resolve_ref("一.2", DOC, F, 7) == "一.2"
    assert found(loader) == [f"{F}:7: ref '一.2': expected '§section' or '<document file> §section'"]


def test_ref_that_is_no_string_resolves_to_nothing(loader):
    assert loader.resolve_ref(None, DOC, F, 7) == ""
    assert loader.resolve_ref(3, DOC, F, 7) == ""
    assert found(loader) == []


def test_ref_to_an_unknown_document(loader):
    assert loader.resolve_ref("009_aaa.txt §一", DOC, F, 7) == "009_aaa.txt §一"
    assert found(loader) == [f"{F}:7: ref '009_aaa.txt §一': unknown document '009_aaa.txt'"]


def test_ref_to_a_section_the_document_lacks(loader):
    loader.resolve_ref("§九", DOC, F, 7)
    assert found(loader) == [f"{F}:7: ref '§九': no section '九' in 001_abc.txt"]


def test_ref_whose_outer_section_exists_is_not_refused(loader):
    # 一 is found, its item 9 is not: the checker refuses only refs whose first label is missing
    loader.resolve_ref("§一.9", DOC, F, 7)
    assert found(loader) == []


def test_ref_is_not_checked_without_documents(tmp_path):
    ld = SeedLoader(tmp_path / "seed", check_documents=False)
    ld.doc_meta[DOC] = _meta(DOC)
    assert ld.resolve_ref("§九", DOC, F, 7) == "001_abc.txt §九"
    assert ld.problems == []


def test_problem_without_a_line_is_put_on_line_one(loader):
    loader.problem(F, 0, "x")
    assert found(loader) == [f"{F}:1: x"]


# -- invented URLs, e-mails, numbers, windows ------------------------------------------------
def scan(loader, value, key="comment"):
    loader._scan_string(value, key, loader.docs[DOC], F, 4)
    return found(loader)


def test_url_of_the_document_passes_whatever_its_case_and_slash(loader):
    assert scan(loader, "见 http://Example.org/apply/ 。") == []


def test_invented_url(loader):
    assert scan(loader, "见 http://example.org/other") == [f"{F}:4: URL http://example.org/other does not occur in {DOC}"]


def test_email_of_the_document_passes_whatever_its_case(loader):
    assert scan(loader, "发至 help@example.org") == []


def test_invented_email(loader):
    assert scan(loader, "发至 info@example.org") == [f"{F}:4: e-mail info@example.org does not occur in {DOC}"]


def test_number_of_the_document_passes(loader):
    assert scan(loader, "电话 024-12345678") == []


def test_invented_numbers(loader):
    assert scan(loader, "电话 024-11112222 或 88886666") == [
        f"{F}:4: number 024-11112222 does not occur in {DOC}",
        f"{F}:4: number 88886666 does not occur in {DOC}",
    ]


def test_short_numbers_and_numbers_inside_urls_and_emails_are_not_phone_numbers(loader):
    assert scan(loader, "第1234条") == []
    assert scan(loader, "见 http://example.org/apply/99999") == [
        f"{F}:4: URL http://example.org/apply/99999 does not occur in {DOC}"]
    loader.problems.clear()
    assert scan(loader, "x 54321 y") == [f"{F}:4: number 54321 does not occur in {DOC}"]


def test_window_of_the_document_passes(loader):
    assert scan(loader, "请到3号窗口办理") == []


def test_invented_window_followed_by_the_word_window(loader):
    assert scan(loader, "请到88号窗口办理") == [f"{F}:4: window number 88号 does not occur in {DOC}"]


def test_invented_window_after_the_word_window(loader):
    assert scan(loader, "窗口：77号") == [f"{F}:4: window number 77号 does not occur in {DOC}"]


def test_window_field_needs_no_word_window(loader):
    assert scan(loader, "66号", key="window") == [f"{F}:4: window number 66号 does not occur in {DOC}"]


def test_house_number_is_no_window(loader):
    # 窗口 neither in the 12 characters after nor in the 6 before: an address, not a window
    assert scan(loader, "示例路99号") == []
    assert scan(loader, "示例路99号，一二三四五六七八九十一窗口") == []
    assert scan(loader, "窗口在一二三四五街99号") == []
    assert scan(loader, "示例路99号，一二三四五六七八九十窗口") == []  # 窗口 is the 12th and 13th
    assert scan(loader, "窗口一二三四五44号") == []  # 窗口 ends 6 characters before


def test_window_word_at_the_edges_of_its_reach(loader):
    # 12 characters after: the 窗口 ends at the 12th
    assert scan(loader, "55号一二三四五六七八九十窗口") == [f"{F}:4: window number 55号 does not occur in {DOC}"]


def test_window_word_six_before(loader):
    assert scan(loader, "窗口一二三四44号") == [f"{F}:4: window number 44号 does not occur in {DOC}"]


def test_scan_in_any_passes_what_one_document_says(loader):
    docs = [loader.docs[DOC], loader.docs[OTHER]]
    loader.scan_in_any("电话 024-87654321", "note", docs, F, 5)
    assert found(loader) == []


def test_scan_in_any_reports_once_what_no_document_says(loader):
    docs = [loader.docs[DOC], loader.docs[OTHER]]
    loader.scan_in_any("电话 024-99990000", "note", docs, F, 5)
    assert found(loader) == [f"{F}:5: number 024-99990000 does not occur in {DOC}"]


def test_scan_in_any_passes_on_the_field(loader):
    docs = [loader.docs[DOC], loader.docs[OTHER]]
    loader.scan_in_any("9号", "window", docs, F, 5)  # a window field needs no word 窗口
    assert found(loader) == [f"{F}:5: window number 9号 does not occur in {DOC}"]


def test_scan_in_any_keeps_earlier_problems(loader):
    loader.problem(F, 2, "earlier")
    loader.scan_in_any("电话 024-87654321", "note", [loader.docs[DOC], loader.docs[OTHER]], F, 5)
    assert found(loader) == [f"{F}:2: earlier"]


# -- verbatim and must-occur fields --------------------------------------------------------
def test_verbatim_text_in_its_section_passes(loader, rec):
    loader.check_faithful(rec("text: 单位登记表，加盖单位公章。\n"), f"{DOC} §一.2", F)
    assert found(loader) == []


def test_verbatim_text_not_in_the_document(loader, rec):
    loader.check_faithful(rec("ref: §一\ntext: 户口簿原件\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:2: text not found in {DOC}: '户口簿原件'"]


def test_verbatim_text_long_is_shortened_in_the_message(loader, rec):
    value = "户" * 45
    loader.check_faithful(rec(f"text: {value}\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:1: text not found in {DOC}: '{'户' * 40}'…"]


def test_verbatim_text_of_40_characters_is_quoted_whole(loader, rec):
    loader.check_faithful(rec(f"comment: 无\ntext: {'户' * 40}\n"), f"{DOC} §一", F)
    loader.check_faithful(rec(f"text: {'户' * 41}\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:2: text not found in {DOC}: '{'户' * 40}'",
                             f"{F}:1: text not found in {DOC}: '{'户' * 40}'…"]


def test_verbatim_text_elsewhere_is_reported_at_its_line_and_whole_section(loader, rec):
    loader.check_faithful(rec("comment: 无\ntext: 5个工作日。\n"), f"{DOC} §一 §x", F)
    assert found(loader) == [f"{F}:2: text not found in §一 §x of {DOC} (it occurs elsewhere there): '5个工作日。'"]


def test_verbatim_text_in_another_section(loader, rec):
    loader.check_faithful(rec("text: 5个工作日。\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:1: text not found in §一 of {DOC} (it occurs elsewhere there): '5个工作日。'"]


def test_verbatim_text_in_the_enclosing_section_of_a_deep_ref(loader, rec):
    # §一.2 resolves to 一 and its item 2; a text of item 1 is still inside 一
    loader.check_faithful(rec("text: 居民身份证原件及复印件。\n"), f"{DOC} §一.2", F)
    assert found(loader) == []


def test_verbatim_text_outside_a_shallow_ref(loader, rec):
    # §二 has no enclosing section to fall back on
    loader.check_faithful(rec("text: 居民身份证原件及复印件。\n"), f"{DOC} §二", F)
    assert len(found(loader)) == 1 and "(it occurs elsewhere there)" in found(loader)[0]


def test_verbatim_text_of_another_section_under_a_deep_ref(loader, rec):
    # §一.1 falls back on 一, never on the whole document
    loader.check_faithful(rec("text: 5个工作日。\n"), f"{DOC} §一.1", F)
    assert found(loader) == [f"{F}:1: text not found in §一.1 of {DOC} (it occurs elsewhere there): '5个工作日。'"]


def test_the_section_index_is_made_once_per_document(loader):
    assert loader.section_index(DOC) is loader.section_index(DOC)
    assert loader.section_index(DOC) is not loader.section_index(OTHER)


def test_a_ref_whose_section_names_another_section_sign(loader):
    # the document is the part before the first ' §'
    assert loader.section_levels(f"{DOC} §一 §x")[1].value == "§x"
    assert loader.resolve_ref("§一 §x", DOC, F, 7) == f"{DOC} §一 §x"


SIDE = """示例手册
参保缴费
单位缴费比例为8%。
待遇支付
起付标准为1000元。
"""


@pytest.fixture
def side(loader, tmp_path):
    """A document whose sections are named in a side column (documents.yaml side_headings)."""
    file = "003_aaa.txt"
    (tmp_path / file).write_text(SIDE, encoding="utf-8")
    loader.doc_meta[file] = Document(file=file, title="示例手册", issuer="", region="test", date="2025", rank=3,
                                     side_headings=True)
    loader.docs[file] = SourceDocument.read(loader.doc_meta[file], tmp_path / file)
    loader._section_names[file] = {"参保缴费", "待遇支付"}
    return file


def test_side_headings_only_the_named_section(loader, side):
    assert loader.text_in_section("单位缴费比例为8%。", f"{side} §参保缴费")
    assert not loader.text_in_section("起付标准为1000元。", f"{side} §参保缴费")
    assert loader.text_in_section("起付标准为1000元。", f"{side} §待遇支付")
    # a deeper label is not looked for: the named section is the unit
    assert loader.text_in_section("起付标准为1000元。", f"{side} §待遇支付 3")


def test_side_headings_ref_to_no_known_section_reads_the_whole_document(loader, side):
    assert loader.text_in_section("起付标准为1000元。", f"{side} §其他")


def test_a_named_section_ends_where_the_next_begins(loader, side):
    loader._section_names[side] = set()  # without the names, 参保缴费 runs to the end
    loader._sections.clear()
    loader._levels.clear()
    assert loader.text_in_section("起付标准为1000元。", f"{side} §参保缴费")


def test_must_occur_field_with_the_documents_words(loader, rec):
    loader.check_faithful(rec("requirement: 加盖单位公章\nname: 单位登记表\n"), f"{DOC} §一", F)
    assert found(loader) == []


@pytest.mark.parametrize("key", ["name", "title", "address", "place", "directions", "requirement",
                                 "source", "note"])
def test_must_occur_field_with_other_words(loader, rec, key):
    loader.check_faithful(rec(f"{key}: 单位登记表，加盖财务专用章\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:1: {key} not found in {DOC}: '加盖财务专用章' (of '单位登记表，加盖财务专用章')"]


def test_must_occur_field_quotes_40_characters(loader, rec):
    value = "单位登记表，" + "财" * 44
    loader.check_faithful(rec(f"note: {value}\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:1: note not found in {DOC}: '{'财' * 44}' (of {value[:40]!r})"]


def test_a_window_field_is_scanned_as_a_window(loader, rec):
    loader.check_faithful(rec("window: 66号\n"), f"{DOC} §二", F)
    assert found(loader) == [f"{F}:1: window number 66号 does not occur in {DOC}"]


def test_other_fields_need_not_be_the_documents_words(loader, rec):
    loader.check_faithful(rec("comment: 转录者的说明\nlabel: 另一种说法\n"), f"{DOC} §一", F)
    assert found(loader) == []


def test_nested_part_is_scanned_but_a_cited_part_is_not(loader, rec):
    loader.check_faithful(rec("form:\n  url: http://example.org/form\n"
                              "other:\n  ref: §二\n  url: http://example.org/cited\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:2: URL http://example.org/form does not occur in {DOC}"]


def test_lists_and_table_cells_are_scanned(loader, rec):
    loader.check_faithful(rec("comment: 无\npath:\n  - 3号窗口\n  - 88号窗口\n  - 7\n"
                              "table:\n  - [甲, 99号窗口]\n  - [1, 2]\n"), f"{DOC} §一", F)
    assert found(loader) == [f"{F}:2: window number 88号 does not occur in {DOC}",
                             f"{F}:6: window number 99号 does not occur in {DOC}"]


def test_ids_refs_and_conditions_are_not_scanned(loader, rec):
    loader.check_faithful(rec("id: http://example.org/id\nwhen: 88号窗口\nvalue:\n"), f"{DOC} §一", F)
    assert found(loader) == []


def test_nothing_is_checked_without_documents_a_ref_or_a_known_document(loader, rec):
    bad = rec("text: 户口簿原件\n")
    loader.check_faithful(bad, "", F)
    loader.check_faithful(bad, "009_aaa.txt §一", F)
    loader.check_documents = False
    loader.check_faithful(bad, f"{DOC} §一", F)
    assert found(loader) == []


def test_plain_dict_is_checked_on_line_one(loader):
    loader.check_faithful({"text": "户口簿原件"}, f"{DOC} §一", F)
    assert found(loader) == [f"{F}:1: text not found in {DOC}: '户口簿原件'"]


# -- time limits ------------------------------------------------------------------------------
def test_time_limit_matching_its_text(loader, rec):
    t = loader.time_limit(rec("ref: §三\ntext: 5个工作日。\ndays: 5\n"), DOC, F)
    assert (t.text, t.days, t.ref) == ("5个工作日。", 5, "001_abc.txt §三")
    assert found(loader) == []


def test_time_limit_days_not_in_its_text(loader, rec):
    loader.time_limit(rec("ref: §三\ntext: 5个工作日。\ndays: 3\n"), DOC, F)
    assert found(loader) == [f"{F}:3: time_limit days 3 does not match text '5个工作日。'"]


def test_time_limit_days_that_are_the_end_of_a_larger_number(loader, rec):
    loader.time_limit(rec("ref: §三\ntext: 15个工作日\ndays: 5\n"), DOC, F)
    assert found(loader) == [f"{F}:2: text not found in {DOC}: '15个工作日'",
                             f"{F}:3: time_limit days 5 does not match text '15个工作日'"]


def test_time_limit_days_without_ge(loader, rec):
    loader.time_limit(rec("ref: §三\ntext: 5 工作日\ndays: 5\n"), DOC, F)
    assert found(loader) == [f"{F}:2: text not found in {DOC}: '5 工作日'"]


def test_time_limit_zero_days_needs_immediately(loader, rec):
    loader.time_limit(rec("ref: §三\ntext: 5个工作日。\ndays: 0\n"), DOC, F)
    assert found(loader) == [f"{F}:3: time_limit days 0 but text '5个工作日。' is not 即时…"]


def test_time_limit_without_days_and_none(loader, rec):
    assert loader.time_limit(None, DOC, F) is None
    assert loader.time_limit(rec("ref: §三\ntext: 5个工作日。\n"), DOC, F).days is None
    assert found(loader) == []


def test_time_limit_is_checked_for_invented_numbers(loader, rec):
    loader.time_limit(rec("ref: §三\ntext: 5个工作日，电话 024-11112222\n"), DOC, F)
    assert found(loader) == [f"{F}:2: number 024-11112222 does not occur in {DOC}",
                             f"{F}:2: text not found in {DOC}: '5个工作日，电话 024-11112222'"]


# -- phones ------------------------------------------------------------------------------------
def test_phone_of_the_document(loader, rec):
    [p] = loader.phones(rec("- ref: §二\n  number: 024-1234 5678\n  label: 咨询电话\n"), DOC, F)
    assert (p.number, p.label, p.ref) == ("024-1234 5678", "咨询电话", "001_abc.txt §二")
    assert found(loader) == []


def test_invented_phone(loader, rec):
    loader.phones(rec("- ref: §二\n  number: '54321'\n"), DOC, F)
    assert f"{F}:2: phone 54321 does not occur in {DOC}" in found(loader)


def test_phone_not_checked_without_documents(loader, rec):
    loader.check_documents = False
    loader.phones(rec("- ref: §二\n  number: '024-99998888'\n"), DOC, F)
    assert found(loader) == []


# -- channels ----------------------------------------------------------------------------------
def test_window_channel(loader, rec):
    [c] = loader.channels(rec("- ref: §二\n  type: window\n  text: 和平区示例路8号，3号窗口。\n"
                              "  window: 3号窗口\n  path: [示例路, 3号]\n"), DOC, F)
    assert (c.type, c.window, c.path, c.ref, c.blank) == ("window", "3号窗口", ["示例路", "3号"], "001_abc.txt §二", False)
    assert found(loader) == []


def test_channel_of_an_unknown_type(loader, rec):
    loader.channels(rec("- ref: §二\n  type: fax\n  text: 3号窗口。\n  name: 窗口\n"), DOC, F)
    assert found(loader) == [f"{F}:2: channel type 'fax': expected one of agency, app, email, hospital, "
                             "kiosk, miniprogram, office, online, wechat, window"]


def test_channel_path_out_of_order(loader, rec):
    channels = loader.channels(rec("- ref: §二\n  type: window\n  text: 和平区示例路8号，3号窗口。\n"
                                   "  path: [3号, 示例路, 甲, 乙]\n"
                                   "- ref: §二\n  type: window\n  text: 和平区示例路8号，3号窗口。\n"
                                   "  path: [示例路, 和平区]\n"), DOC, F)
    assert found(loader) == [f"{F}:4: path item '示例路' is not in the channel's text (after the items before it)",
                             f"{F}:8: path item '和平区' is not in the channel's text (after the items before it)"]
    assert len(channels) == 2  # kept all the same, the problem refuses the build


def test_channel_path_from_the_first_character_and_the_first_of_a_repeat(loader, rec):
    [c] = loader.channels(rec("- ref: §二\n  type: window\n  text: 和平区示例路8号，3号窗口。\n"
                              "  path: [和平区, 号, 3号窗口]\n"), DOC, F)
    assert found(loader) == [] and c.path == ["和平区", "号", "3号窗口"]


def test_channel_conditions_and_a_text_items_own_label(loader, rec):
    [a, b] = loader.channels(rec("- ref: §二\n  type: window\n  text: 3号窗口。\n  when: {who: [me]}\n"
                                 "- ref: §二\n  type: window\n  text: 3号窗口。\n  when_any: [{who: me}]\n"), DOC, F)
    assert (a.condition, b.condition) == ({"all": {"who": ["me"]}}, {"any": [{"who": ["me"]}]})
    [t, u] = loader.text_items(rec("- {ref: §三, text: 5个工作日。, label: 时限, when_any: [{who: me}]}\n"
                                   "- {ref: §三, text: 5个工作日。}\n"), DOC, F, label="默认", conditional=True)
    assert (t.label, t.condition, u.label, u.condition) == ("时限", {"any": [{"who": ["me"]}]}, "默认", None)


def test_online_channel_needs_url_name_or_blank(loader, rec):
    loader.channels(rec("- ref: §二\n  type: online\n  text: 网址\n  blank: true\n"
                        "- ref: §二\n  type: online\n  text: 网址\n  name: 示例办事指南\n"
                        "- ref: §二\n  type: online\n  text: 网址\n  url: http://example.org/apply\n"
                        "- ref: §二\n  type: online\n  text: 网址\n"), DOC, F)
    assert found(loader) == [f"{F}:13: online channel without url or name: mark it blank: true if the "
                             "document gives none"]


# -- materials ---------------------------------------------------------------------------------
def test_material_with_evidence_and_original(loader, rec):
    [m] = loader.materials(rec("- ref: §一.1\n  text: 居民身份证原件及复印件。\n  evidence: id_card\n"
                               "  original: 原件及复印件\n"), DOC, F)
    assert (m.name, m.original, m.evidence, m.ref) == ("居民身份证", "原件及复印件", "id_card", "001_abc.txt §一.1")
    assert found(loader) == []


def test_material_silent_only_when_older(loader, rec):
    items = rec("- ref: §一.1\n  text: 居民身份证原件及复印件。\n  silent: true\n")
    loader.materials(items, DOC, F, older=True)
    assert found(loader) == []
    loader.materials(items, DOC, F)
    assert found(loader) == [f"{F}:3: silent: only for an older document's item merged into a newer service "
                             "(the newer guide is silent on it)"]


def test_material_original_of_an_unknown_kind(loader, rec):
    loader.materials(rec("- ref: §一.1\n  text: 居民身份证原件及复印件。\n  original: 影印件\n"), DOC, F)
    assert found(loader) == [f"{F}:3: original '影印件': expected one of 原件, 原件及复印件, 原件或复印件, 复印件"]


def test_material_evidence_unknown(loader, rec):
    loader.evidence["hukou_book"] = "户口簿"
    loader.materials(rec("- ref: §一.1\n  text: 居民身份证原件及复印件。\n  evidence: passport\n"), DOC, F)
    assert found(loader) == [f"{F}:3: evidence 'passport': not in vocabulary.yaml (known: hukou_book, id_card)"]


def test_material_evidence_not_in_a_long_text_is_quoted_to_30_characters(loader, rec):
    loader.check_documents = False
    text = "单位登记表" * 7
    loader.materials(rec(f"- ref: §一.2\n  text: {text}\n  evidence: id_card\n"), DOC, F)
    assert found(loader) == [f"{F}:3: evidence 'id_card' (居民身份证) does not occur in the material's text "
                             f"{text[:30]!r}"]


def test_material_evidence_not_in_its_text(loader, rec):
    loader.materials(rec("- ref: §一.2\n  text: 单位登记表，加盖单位公章。\n  evidence: id_card\n"), DOC, F)
    assert found(loader) == [f"{F}:3: evidence 'id_card' (居民身份证) does not occur in the material's text "
                             "'单位登记表，加盖单位公章。'"]


def test_material_name_and_form(loader, rec):
    [m] = loader.materials(rec("- ref: §一.2\n  text: 单位登记表，加盖单位公章。\n  name: 单位登记表\n"
                               "  form: {title: 单位登记表, where: 3号窗口}\n  note: 加盖单位公章\n"), DOC, F)
    assert m.name == "单位登记表" and (m.form.title, m.form.where, m.form.url) == ("单位登记表", "3号窗口", None)
    assert m.note == "加盖单位公章"
    assert m.original is None and m.evidence is None
    assert found(loader) == []


# -- cited sentences -----------------------------------------------------------------------------
def test_condition_is_refused_where_it_would_be_ignored(loader, rec):
    items = rec("- ref: §三\n  text: 5个工作日。\n  when: {q: [a]}\n"
                "- ref: §三\n  text: 5个工作日。\n  when_any: [{q: [a]}]\n")
    loader.text_items(items, DOC, F, conditional=True)
    assert found(loader) == []
    [a, b] = loader.text_items(items, DOC, F, label="办理时限")
    assert (a.text, a.ref, a.label) == ("5个工作日。", "001_abc.txt §三", "办理时限")
    assert [p.split(": not allowed")[0] for p in found(loader)] == [f"{F}:3: when", f"{F}:6: when_any"]


# -- questions -----------------------------------------------------------------------------------
def test_questions_shared_and_local(loader, rec):
    loader.shared_questions = {"who": Question("who", "谁？", [Option("me", "本人")])}
    local = rec("- id: age\n  text: 年龄？\n  options: [{id: old, label: 老}]\n")
    qs = loader.questions_for(["who", "age"], local, F, 9)
    assert [q.id for q in qs] == ["who", "age"] and qs[1].options[0].label == "老"
    assert found(loader) == []


def test_question_unknown_and_local_question_unused(loader, rec):
    local = rec("- id: age\n  text: 年龄？\n  options: [{id: old, label: 老}]\n")
    assert loader.questions_for(["where"], local, F, 9) == []
    assert found(loader) == [f"{F}:9: question 'where' is neither in vocabulary.yaml nor in local_questions",
                             f"{F}:9: local question 'age' is defined but not listed in questions"]
    loader.problems.clear()
    assert loader.questions_for(None, None, F, 9) == []
    assert found(loader) == []


# -- an evidence type's usual values (vocabulary.yaml) ---------------------------------------------
EV = "id: id_card\nname: 居民身份证\nusual:\n"


def usual(loader, rec, text: str):
    ev = rec(EV + text)
    for u in ev["usual"]:
        loader.load_usual(ev, u, F)
    return found(loader)


def test_usual_value_stated_by_its_section(loader, rec):
    assert usual(loader, rec, "  - {original: 原件及复印件, ref: '001_abc.txt §一.1'}\n") == []
    assert loader.evidence_usual == {"id_card": {DOC: ({"original": "原件及复印件"}, "001_abc.txt §一.1")}}


def test_usual_value_refused(loader, rec):
    assert usual(loader, rec, "  - 原件\n"
                              "  - {original: 原件, colour: red, ref: '001_abc.txt §一.1'}\n"
                              "  - {comment: 无, ref: '001_abc.txt §一.1'}\n"
                              "  - {original: 影印件, ref: '001_abc.txt §一.1'}\n"
                              "  - {source: 公安, ref: '§一.1'}\n"
                              "  - {original: 原件, ref: '001_abc.txt §二'}\n"
                              "  - {original: 原件, ref: '001_abc.txt §一.1'}\n") == [
        f"{F}:1: evidence 'id_card' usual: expected a mapping of original, source and ref",  # no line: ev's
        f"{F}:5: evidence 'id_card' usual: unknown field 'colour' (original, source, ref)",
        f"{F}:6: evidence 'id_card' usual: states neither original nor source",
        f"{F}:7: evidence 'id_card' usual: original '影印件': expected one of 原件, 原件及复印件, 原件或复印件, 复印件",
        f"{F}:7: evidence 'id_card' usual: '影印件' not found in §一.1 of {DOC}",
        f"{F}:7: evidence 'id_card' usual: a second usual value for {DOC}",  # line 5 was the first
        f"{F}:8: evidence 'id_card' usual: needs ref '<document file> §section', the section of the document "
        "that states it (never a guess)",
        f"{F}:9: evidence 'id_card' usual: '居民身份证' not found in §二 of {DOC}",
        f"{F}:9: evidence 'id_card' usual: '原件' not found in §二 of {DOC}",
        f"{F}:9: evidence 'id_card' usual: a second usual value for {DOC}",
        f"{F}:10: evidence 'id_card' usual: a second usual value for {DOC}",
    ]


def test_usual_value_that_is_no_mapping_is_put_on_its_evidence_line(loader, rec):
    ev = rec("# evidence\n\nid: id_card\nname: 居民身份证\nusual: [原件]\n")
    loader.load_usual(ev, ev["usual"][0], F)
    assert found(loader) == [f"{F}:3: evidence 'id_card' usual: expected a mapping of original, source and ref"]


def test_usual_value_citing_an_unknown_document(loader, rec):
    assert usual(loader, rec, "  - {original: 原件, ref: '009_aaa.txt §一'}\n") == [
        f"{F}:4: ref '009_aaa.txt §一': unknown document '009_aaa.txt'"]
    assert loader.evidence_usual == {"id_card": {"009_aaa.txt": ({"original": "原件"}, "009_aaa.txt §一")}}


def test_usual_value_message_names_the_whole_section(loader, rec):
    assert usual(loader, rec, "  - {source: 公安机关, ref: '001_abc.txt §一 §x'}\n") == [
        f"{F}:4: evidence 'id_card' usual: '公安机关' not found in §一 §x of {DOC}"]


def test_material_takes_the_usual_value_it_leaves_out(loader, rec):
    usual(loader, rec, "  - {original: 原件及复印件, source: 公安, ref: '001_abc.txt §一.1'}\n")
    [m] = loader.materials(rec("- ref: §一.1\n  text: 居民身份证原件及复印件。\n  evidence: id_card\n"), DOC, F)
    assert (m.original, m.source) == ("原件及复印件", "公安")


def test_material_own_value_must_be_in_its_section(loader, rec):
    loader.evidence_usual = {"id_card": {DOC: ({"original": "原件"}, "001_abc.txt §一.1")}}
    loader.materials(rec("- ref: §一.1\n  text: 居民身份证原件及复印件。\n  evidence: id_card\n"
                         "  original: 原件及复印件\n"
                         "- ref: §一.1\n  text: 居民身份证原件及复印件。\n  evidence: id_card\n"
                         "  original: 原件或复印件\n"), DOC, F)
    assert found(loader) == [f"{F}:8: original '原件或复印件' differs from evidence 'id_card''s usual '原件' "
                             "(001_abc.txt §一.1, vocabulary.yaml) and §一.1 does not say '原件或复印件'"]


def test_material_own_value_message_names_the_whole_section(loader, rec):
    loader.evidence_usual = {"id_card": {DOC: ({"original": "原件"}, "001_abc.txt §一.1")}}
    loader.materials(rec("- ref: §一 §x\n  text: 居民身份证原件及复印件。\n  evidence: id_card\n"
                         "  original: 原件或复印件\n"), DOC, F)
    assert found(loader) == [f"{F}:4: original '原件或复印件' differs from evidence 'id_card''s usual '原件' "
                             "(001_abc.txt §一.1, vocabulary.yaml) and §一 §x does not say '原件或复印件'"]
