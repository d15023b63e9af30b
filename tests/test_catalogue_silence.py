"""Silence is not absence: where the 2025 guide is merely silent on a material the 2020
guide (001) lists, the citizen still sees it, labelled with its guide, on screen, in
`kiosk show` and on paper. Expected texts are copied from 001 by hand."""

from datetime import datetime

import pytest

from kiosk.catalogue.guide import build_guide
from kiosk.catalogue.sources import load_seed
from kiosk.catalogue.textview import guide_as_dict, guide_as_text
from kiosk.printing.document import build_document
from tests.test_catalogue_check import replace_in

CASES = {
    # service -> the sentence, from 001 §一(九)/§二(九), §二(四) 2, §二(八) 2, §五(二..) 备案表
    "insurance-certificate": "2020 年公开指南还列有：医保电子凭证或有效身份证件或社保卡，请以窗口要求为准。",
    "flexible-suspend": "2020 年公开指南还列有：其他手续：与用人单位签订的“用人单位招工备案表”或“用工花名册”或"
                        "“劳动合同书”原件、全日制学校录取通知书原件、户籍迁出证明原件、公安或司法机关出具的有效的刑拘"
                        "证明或刑事判决书原件、失业证原件，请以窗口要求为准。",
    "resident-terminate": "2020 年公开指南还列有：其他手续：死亡证明复印件、出国定居证明原件等，请以窗口要求为准。",
    "remote-long-term-residence": "2020 年公开指南还列有：备案表，请以窗口要求为准。",
}


def view(catalogue, region, service):
    svc = catalogue.service(region, service)
    g = build_guide(svc)
    r = catalogue.region(region)
    halls = catalogue.halls(region)
    text = guide_as_text(g, r, halls, [])
    data = guide_as_dict(g, r, halls, [])
    paper = build_document(g, r, halls[0], serial="T", now=datetime(2026, 1, 1)).plain_text()
    return text, data, paper


@pytest.mark.parametrize("service", sorted(CASES))
def test_older_list_is_shown_where_the_newer_guide_is_silent(catalogue, service):
    text, data, paper = view(catalogue, "shenyang", service)
    assert CASES[service] in text
    assert data["older_materials_note"] == CASES[service]
    assert CASES[service] in paper.replace("\n", "")


def test_insurance_certificate_no_longer_says_nothing_is_listed(catalogue):
    text, _, paper = view(catalogue, "shenyang", "insurance-certificate")
    assert "文件未列出需提供的要件" not in text
    assert "较新的办事指南未列出需提供的要件" in text
    assert "较新的办事指南未列出需提供的材料，请到窗口咨询。" in paper


def test_where_the_newer_guide_contradicts_nothing_older_is_added(catalogue):
    # flexible-terminate: 000 §3.3.1 lists its own 死亡/出国定居 materials (newer wins)
    for region, service in (("shenyang", "flexible-terminate"), ("shenyang", "unit-registration"),
                            ("fushun", "insurance-certificate"), ("kaiyuan", "resident-enrol")):
        text, data, paper = view(catalogue, region, service)
        assert "还列有" not in text and "还列有" not in paper
        assert data["older_materials"] == []


def test_silent_outside_an_older_item_is_rejected(seed_copy):
    f = seed_copy / "shenyang" / "services-000.yaml"
    line = replace_in(f, "        requirement: 加盖单位公章\n", "        requirement: 加盖单位公章\n        silent: true\n")
    _, problems = load_seed(seed_copy)
    assert any(str(p).startswith(f"seed/shenyang/services-000.yaml:{line + 1}: silent: only for") for p in problems)


def test_fushun_designation_deferrable_row_reaches_both_applications(catalogue):
    """003 容缺办理事项清单 2: 业务事项「定点医疗机构、定点零售药店申请」names both."""
    for service in ("medical-institution-designation", "pharmacy-designation"):
        svc = catalogue.service("fushun", service)
        texts = {d.text for d in svc.deferrable_items}
        assert {"药店地理位置及平面图原件", "上半年注册药店所有人员工资发放明细表"} <= texts
        assert all(d.deadline_days == 20 for d in svc.deferrable_items if "药店" in d.text)
