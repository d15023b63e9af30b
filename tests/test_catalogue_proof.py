"""`kiosk catalogue check` checks what it promises: one broken seed per rule.

Each test breaks one record of a copy of seed/ and expects the one problem its rule
reports, at the record's file:line. Each was seen to fail with its rule removed from
kiosk/catalogue/sources.py (see the commit that added it).
"""

from kiosk.catalogue.guide import build_guide
from kiosk.catalogue.sources import load_seed
from tests.test_catalogue_check import replace_in

UNIT_REG_FORM = '''        requirement: 加盖单位公章
        source: "沈阳市医疗保障局 http://ybj.shenyang.gov.cn 中—办事服务—下载中心"
'''


def problems_of(seed):
    _, problems = load_seed(seed)
    return [str(p) for p in problems]


def only(found, file, line, *words):
    """The problems at file:line; asserts there is one that says all `words`."""
    here = [p for p in found if p.startswith(f"{file}:{line}:")]
    assert any(all(w in p for w in words) for p in here), (here, found[:5])
    return here


def add_to_unit_registration_form(seed, extra: str) -> int:
    """Adds lines to Shenyang unit-registration's first material; returns the first added line."""
    f = seed / "shenyang" / "services-000.yaml"
    line = replace_in(f, UNIT_REG_FORM, UNIT_REG_FORM + extra)
    return line + 2


SY000 = "seed/shenyang/services-000.yaml"


# -- every string field is scanned, a transcriber's comment too ------------------------------
def test_url_in_a_comment_is_caught(seed_copy):
    line = add_to_unit_registration_form(seed_copy, '        comment: "详见 http://fake.example.org/apply"\n')
    only(problems_of(seed_copy), SY000, line, "URL http://fake.example.org/apply does not occur")


def test_phone_in_a_comment_is_caught(seed_copy):
    line = add_to_unit_registration_form(seed_copy, '        comment: "如有疑问请拨打 024-88886666"\n')
    only(problems_of(seed_copy), SY000, line, "number 024-88886666 does not occur")


def test_email_in_a_comment_is_caught(seed_copy):
    line = add_to_unit_registration_form(seed_copy, '        comment: "或发邮件至 help@example.com"\n')
    only(problems_of(seed_copy), SY000, line, "e-mail help@example.com does not occur")


def test_window_number_in_a_comment_is_caught(seed_copy):
    line = add_to_unit_registration_form(seed_copy, '        comment: "请到88号窗口办理"\n')
    only(problems_of(seed_copy), SY000, line, "window number 88号 does not occur")


def test_invented_email_of_a_channel_is_caught(seed_copy):
    f = seed_copy / "kaiyuan" / "services-004.yaml"
    line = replace_in(f, "        email: kyybfzx@163.com", "        email: kyybfzx@126.com")
    only(problems_of(seed_copy), "seed/kaiyuan/services-004.yaml", line, "e-mail kyybfzx@126.com")


def test_invented_phone_in_a_difference_note_is_caught(seed_copy):
    f = seed_copy / "shenyang" / "region.yaml"
    line = replace_in(f, "        note: 地址不同（旧：流花湖街1号", "        note: 请拨打 024-88886666 地址不同（旧：流花湖街1号")
    only(problems_of(seed_copy), "seed/shenyang/region.yaml", line, "number 024-88886666 does not occur")


# -- parsed fields are the document's words ---------------------------------------------------
def test_note_that_is_not_the_documents_words_is_caught(seed_copy):
    line = add_to_unit_registration_form(seed_copy, "        note: 请提前电话预约办理时间\n")
    only(problems_of(seed_copy), SY000, line, "note not found in 000_")


def test_requirement_not_in_the_document_is_caught(seed_copy):
    line = replace_in(seed_copy / "shenyang" / "services-000.yaml", "        requirement: 加盖单位公章\n",
                      "        requirement: 加盖法人私章\n")
    only(problems_of(seed_copy), SY000, line, "requirement not found in 000_", "法人私章")


def test_source_not_in_the_document_is_caught(seed_copy):
    line = replace_in(seed_copy / "shenyang" / "services-000.yaml", "        source: 办理单位\n",
                      "        source: 街道办事处开具\n")
    only(problems_of(seed_copy), SY000, line, "source not found in 000_", "街道办事处开具")


def test_name_not_in_the_document_is_caught(seed_copy):
    line = replace_in(seed_copy / "shenyang" / "services-000.yaml", "        name: 单位批准注销的书面资料\n",
                      "        name: 单位注销证明公函\n")
    only(problems_of(seed_copy), SY000, line, "name not found in 000_", "注销证明公函")


def test_hall_address_not_in_the_document_is_caught(seed_copy):
    f = seed_copy / "fushun" / "region.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("address:")
    end = text.index("\n", start)
    f.write_text(text[:start] + 'address: "望花区幸福大街888号"' + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    only(problems_of(seed_copy), "seed/fushun/region.yaml", line, "address not found in 003_")


def test_hall_difference_older_value_not_in_the_older_document_is_caught(seed_copy):
    f = seed_copy / "shenyang" / "region.yaml"
    line = replace_in(f, '        older: "经济技术开发区流花湖街1号', '        older: "经济技术开发区流花湖街9号')
    only(problems_of(seed_copy), "seed/shenyang/region.yaml", line, "older value not found in 000_")


# -- § references resolve, and a text is in the section it cites -------------------------------
def test_reference_to_a_section_the_document_lacks_is_caught(seed_copy):
    line = replace_in(seed_copy / "shenyang" / "services-000.yaml", '        ref: "§1.2①"\n',
                      '        ref: "§99.9"\n')
    # reported at the record: its `- type: window` line, four above its ref
    only(problems_of(seed_copy), SY000, line - 4, "no section '99.9' in 000_")


def test_text_found_elsewhere_in_the_document_but_not_in_its_section_is_caught(seed_copy):
    # 户口簿 occurs many times in 000, but not in §1.1 (单位参保登记's materials)
    f = seed_copy / "shenyang" / "services-000.yaml"
    anchor = '      - text: "注销：单位批准注销的书面资料。"\n'
    line = replace_in(f, anchor, '      - {text: 户口簿, ref: "§1.1②"}\n' + anchor)
    only(problems_of(seed_copy), SY000, line, "text not found in §1.1② of 000_", "户口簿")


def test_text_in_its_section_passes(seed_copy):
    """The same text cited at a section that has it is not a problem (the rule is not
    'never 户口簿')."""
    f = seed_copy / "shenyang" / "services-000.yaml"
    anchor = '      - text: "注销：单位批准注销的书面资料。"\n'
    line = replace_in(f, anchor, '      - {text: 户口簿, ref: "§3.1.1①"}\n' + anchor)
    assert not [p for p in problems_of(seed_copy) if p.startswith(f"{SY000}:{line}:")]


# -- `when` only where the kiosk honours it ----------------------------------------------------
def test_condition_on_a_refusal_item_is_rejected(seed_copy):
    f = seed_copy / "kaiyuan" / "services-004.yaml"
    line = replace_in(f, '      - {text: "应当从工伤保险基金中支付的", ref: "§违规禁办事项清单 1"}',
                      '      - {text: "应当从工伤保险基金中支付的", when: {applicant: proxy}, ref: "§违规禁办事项清单 1"}')
    only(problems_of(seed_copy), "seed/kaiyuan/services-004.yaml", line, "when: not allowed here")


def test_condition_on_a_step_is_honoured(catalogue):
    """Steps may carry `when` (001's 定点医院/定点药店 steps), and the guide honours it."""
    svc = catalogue.service("shenyang", "designated-institution-info-change")
    pharmacy = [t.text for t in build_guide(svc, {"institution_type": "pharmacy"}).steps]
    hospital = [t.text for t in build_guide(svc, {"institution_type": "hospital"}).steps]
    assert "1. 申请：零售药店在医保网站申请；" in pharmacy
    assert "1. 申请：医疗机构在医保网站申请；" not in pharmacy
    assert "1. 申请：医疗机构在医保网站申请；" in hospital
    assert "1. 申请：零售药店在医保网站申请；" not in hospital


# -- the other rules the audit found untested --------------------------------------------------
def test_question_that_changes_nothing_is_caught(seed_copy):
    f = seed_copy / "shenyang" / "services-000.yaml"
    line = replace_in(f, "    questions: [unit_action]\n", "    questions: [unit_action, applicant]\n")
    found = problems_of(seed_copy)
    assert any("service unit-registration: question 'applicant' changes nothing" in p for p in found), found[:5]
    assert line


def test_time_limit_days_that_do_not_match_the_text_are_caught(seed_copy):
    f = seed_copy / "fushun" / "services-003.yaml"
    line = replace_in(f, "      days: 5\n", "      days: 6\n")
    only(problems_of(seed_copy), "seed/fushun/services-003.yaml", line, "time_limit days 6 does not match")


def test_deferrable_item_matching_no_material_is_caught(seed_copy):
    f = seed_copy / "kaiyuan" / "services-004.yaml"
    line = replace_in(f, "matches: 单位有效证明文件,", "matches: 单位介绍信,")
    only(problems_of(seed_copy), "seed/kaiyuan/services-004.yaml", line, "matches '单位介绍信': no material")
