"""The checklist document of a hand-made service, word for word: every line the paper
carries, in order, and nothing else. Expected text written by hand from the rules in
kiosk/printing/document.py's docstrings (no catalogue, no Qt)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from kiosk.catalogue.guide import build_guide
from kiosk.catalogue.model import (
    Channel,
    DeferrableItem,
    Hall,
    Material,
    Option,
    Phone,
    Question,
    Region,
    Service,
    TextItem,
    TimeLimit,
)
from kiosk.catalogue.view import _strip_prefix
from kiosk.printing.document import Block, MaterialLine, WindowLine, build_document

NOW = datetime(2026, 11, 25, 9, 30, 5, 123456)
YES_NO = [Option("yes", "是"), Option("no", "否")]


def full_service() -> Service:
    return Service(
        region="test", id="svc", name="测试事项", category="c", audience="个人", topics=[], ref="§1",
        questions=[Question("who", "谁来办？", [Option("self", "本人"), Option("proxy", "他人代办")]),
                   Question("married", "是否已婚？", YES_NO), Question("local", "是否本市户籍?", YES_NO),
                   Question("xray", "是否拍了X？", [Option("y", "已拍片"), Option("n", "未拍片")])],
        materials=[
            Material("身份证原件", "§1", name="身份证", original="原件", source="公安机关", requirement="有效期内",
                     deferrable_deadline="10个工作日"),
            Material("委托书", "§1", condition={"all": {"who": ["proxy"]}}),
            Material("结婚证", "§1", condition={"all": {"married": ["yes"]}}),
            Material("本人签字", "§1", condition={"all": {"who": ["self"]}}),
        ],
        older_materials=[Material("户口簿。", "§2", listed_by="2020 年公开指南")],
        deferrable_items=[DeferrableItem("居住证", "§3", source="公安机关", deadline="20个工作日", method="邮寄"),
                          DeferrableItem("照片", "§3")],
        refusals=[TextItem("材料不全", "§4"), TextItem("自费药品", "§4", label="下列费用不予支付"),
                  TextItem("美容项目", "§4", label="下列费用不予支付"), TextItem("其他", "§4", label="测试事项")],
        channels=[
            Channel("online", "网上办：旧网址", "§5", url="http://old.example.gov.cn/", blank=True),
            Channel("window", "窗口办：一楼15号窗口", "§5", place="某某中心", window="一楼15号窗口"),
            Channel("window", "窗口办：一楼15号窗口", "§5", place="某某中心", window="一楼15号窗口"),
            Channel("office", "现场办：医保科", "§5"),
            Channel("window", "窗口办：三楼", "§5", window="三楼", blank=True),
            Channel("online", "网上办：旧网址", "§5", url="http://old.example.gov.cn/", blank=True),
            Channel("online", "网上办", "§5", url="http://example.gov.cn/x", name="某某政务服务网"),
            Channel("app", "掌上办", "§5", app="某某APP"),
        ],
        time_limit=TimeLimit("5个工作日", 5, "§6"),
        phones=[Phone("024-1111", "业务咨询", "§7"), Phone("024-1111", "重复", "§7"), Phone("", "空", "§7")],
        catalogue_version="v1", follows="2025 年《指南》",
    )


REGION = Region("test", "某市", hotline=Phone("12345", None, "§8"))
HALL = Hall("test", "h1", "某某中心大厅", "§9", address="某区某路1号", phone="024-2222")

FULL = """某某中心大厅
测试事项
办事材料清单　编号：20261125-0042
打印时间：2026-11-25 09:30
适用情形：他人代办；是否本市户籍：是；是否拍了X：已拍片
未选择全部情形，以下列出所有可能需要的材料
————————
【需提供材料（共3项）】
□ 1. 身份证
    原件；来源：公安机关；有效期内；可容缺，补正期限：10个工作日
□ 2. 委托书
□ 3. 结婚证
    适用：是否已婚：是
2020 年公开指南还列有：户口簿，请以窗口要求为准。
【可容缺受理（可先受理，限期补正）】
· 居住证
    来源：公安机关；补正期限：20个工作日；补正方式：邮寄
· 照片
【以下情形不予受理】
· 材料不全
下列费用不予支付：
· 自费药品
· 美容项目
· 其他
【办理地点】
窗口：某某中心 一楼15号窗口
现场办：医保科
大厅地址：某区某路1号
办理时限：5个工作日
【咨询电话】
· 业务咨询：024-1111
· 热线：12345
· 大厅电话：024-2222
————————
扫码网上办理
某某政务服务网
[QR http://example.gov.cn/x]
http://example.gov.cn/x
本清单仅供参考，以窗口受理为准。
"""


def full_doc(answers=None, serial="20261125-0042", now=NOW):
    guide = build_guide(full_service(), {"who": "proxy", "local": "yes", "xray": "y"} if answers is None else answers)
    return build_document(guide, REGION, HALL, serial=serial, now=now)


def test_every_line_of_a_full_checklist():
    doc = full_doc()
    text = doc.plain_text()
    body, footer = text[: text.rindex("目录版本")], text[text.rindex("目录版本"):]
    assert body == FULL
    assert re.fullmatch(r"目录版本 v1 · 依据 2025 年《指南》 · 校验码 [0-9a-f]{8}\n", footer)
    assert doc.printed_at == datetime(2026, 11, 25, 9, 30, 5)  # no microseconds
    assert doc.hall_phone == "024-2222" and doc.region_id == "test" and doc.region_name == "某市"
    assert doc.service_id == "svc" and doc.online_name == "某某政务服务网"
    assert [(b.kind, b.number) for b in doc.blocks() if b.kind == "check"] == [("check", 1), ("check", 2),
                                                                              ("check", 3)]
    assert [b.kind for b in doc.blocks()][:4] == ["hall", "title", "meta", "meta"]
    assert [b.kind for b in doc.blocks()][-2:] == ["footer", "footer"]
    assert doc.blocks()[-1].text == footer.rstrip("\n")
    assert [blk for blk in doc.blocks() if blk.kind == "rule"] == [Block("rule"), Block("rule")]  # no text


def test_the_documents_a_checklist_follows_are_named_before_the_disclaimer():
    doc = full_doc()
    doc.source_titles = ["甲市办事指南（2025）", "乙文件"]
    blocks = doc.blocks()
    assert blocks[-3:-1] == [Block("text", "依据：甲市办事指南（2025）；乙文件"), Block("footer", "本清单仅供参考，以窗口受理为准。")]
    assert doc.plain_text().endswith("http://example.gov.cn/x\n依据：甲市办事指南（2025）；乙文件\n本清单仅供参考，以窗口受理为准。\n"
                                     f"目录版本 v1 · 依据 2025 年《指南》 · 校验码 {doc.content_hash}\n")


def test_a_material_for_two_open_situations():
    assert MaterialLine("结婚证", situations=("是否已婚：是", "他人代办")).details() == ["适用：是否已婚：是；他人代办"]


def test_where_to_go_and_what_a_failing_printer_says():
    doc = full_doc()
    assert doc.has_qr and doc.where_to_go == "一楼15号窗口"
    assert doc.fault_message == "打印机暂时不可用，请扫码或到一楼15号窗口咨询"
    assert doc.no_qr_hint == "本事项文件未给出网上办理地址，请到某某中心 一楼15号窗口办理。"


def test_the_check_code_follows_the_content_not_the_serial_or_time():
    a = full_doc()
    assert full_doc(serial="20990101-0001", now=datetime(2030, 1, 1)).content_hash == a.content_hash
    assert full_doc(answers={"who": "self", "local": "yes", "xray": "y"}).content_hash != a.content_hash
    assert re.fullmatch(r"[0-9a-f]{8}", a.content_hash)
    assert a.trace_line == f"目录版本 v1 · 依据 2025 年《指南》 · 校验码 {a.content_hash}"


def test_a_checklist_with_nothing_to_list():
    bare = Service(region="test", id="bare", name="无材料事项", category="c", audience="个人", topics=[], ref="§1")
    doc = build_document(build_guide(bare), Region("test", "某市"), None, serial="S1", now=NOW)
    assert doc.plain_text() == f"""某市
无材料事项
办事材料清单　编号：S1
打印时间：2026-11-25 09:30
————————
【需提供材料】
文件未列出需提供的材料，请到窗口咨询。
【办理地点】
地址以大厅公告为准
————————
本事项文件未给出网上办理地址，请到某市服务窗口咨询办理。
本清单仅供参考，以窗口受理为准。
校验码 {doc.content_hash}
"""
    assert doc.hall_address is None and doc.hall_phone is None and doc.phones == []
    assert not doc.has_qr and doc.online_url is None and doc.online_name is None
    assert doc.where_to_go == "服务窗口" and doc.fault_message == "打印机暂时不可用，请到服务窗口咨询"
    assert not doc.unanswered and doc.situations == [] and doc.older_materials is None
    assert doc.time_limit is None and doc.windows == []


def test_only_an_older_guide_lists_materials():
    svc = Service(region="test", id="old", name="旧事项", category="c", audience="个人", topics=[], ref="§1",
                  older_materials=[Material("户口簿", "§2", listed_by="2020 年公开指南")],
                  channels=[Channel("online", "网上办", "§5", url="http://example.gov.cn/y")])
    doc = build_document(build_guide(svc), Region("test", "某市", hotline=Phone("12345", "医保热线", "§8")),
                         Hall("test", "h", "大厅", "§9"), serial="S2", now=NOW)
    lines = doc.plain_text().splitlines()
    assert lines[5:8] == ["【需提供材料】", "较新的办事指南未列出需提供的材料，请到窗口咨询。",
                          "2020 年公开指南还列有：户口簿，请以窗口要求为准。"]
    assert "【咨询电话】" in lines and "· 医保热线：12345" in lines and "大厅电话" not in doc.plain_text()
    assert lines[lines.index("扫码网上办理") + 1] == "[QR http://example.gov.cn/y]"  # no name, no caption
    assert doc.fault_message == "打印机暂时不可用，请扫码或到服务窗口咨询"


def test_a_phone_without_a_label_is_the_number_alone():
    svc = Service(region="test", id="p", name="电话事项", category="c", audience="个人", topics=[], ref="§1",
                  phones=[Phone("024-3333", None, "§7")])
    doc = build_document(build_guide(svc), Region("test", "某市"), None, serial="S3", now=NOW)
    assert "· 024-3333\n" in doc.plain_text() and doc.phones == [("024-3333", None)]


@pytest.mark.parametrize(
    "line, label, short",
    [
        (WindowLine("某某中心", "一楼15号窗口", "窗口办：x"), "某某中心 一楼15号窗口", "一楼15号窗口"),
        (WindowLine("某某中心一楼15号窗口", "一楼15号窗口", "x"), "某某中心一楼15号窗口", "一楼15号窗口"),
        (WindowLine("某某中心", None, "x"), "某某中心", "某某中心"),
        (WindowLine(None, "三楼", "x"), "三楼", "三楼"),
        (WindowLine(None, None, "窗口办：二楼大厅"), "二楼大厅", "二楼大厅"),
    ],
)
def test_a_window_line(line, label, short):
    assert line.label == label and line.short == short


@pytest.mark.parametrize(
    "text, stripped",
    [
        ("窗口办：二楼大厅", "二楼大厅"),
        ("窗口办: 二楼大厅 ", "二楼大厅"),
        ("医保中心窗口：二楼", "二楼"),  # a head of six characters is a prefix
        ("市医保中心窗口：二楼", "市医保中心窗口：二楼"),  # seven is not
        ("窗口办：  ", "窗口办："),  # nothing after it: keep the text
        ("  二楼大厅 ", "二楼大厅"),
        ("a:b：c", "c"),  # the Chinese colon first
        ("窗口：二楼：东侧", "二楼：东侧"),  # the first colon ends the prefix
    ],
)
def test_strip_prefix(text, stripped):
    assert _strip_prefix(text) == stripped
