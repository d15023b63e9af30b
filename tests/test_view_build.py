"""build_view on a small hand-made service: every field of the view, written out by hand.

Each stored value is distinct, so a view that copies the wrong field, drops one or loses a
reference fails here. No Qt, no catalogue: fast enough for mutation runs. The service is
made up for the test (example.org, 024 numbers), not catalogue data.
"""

from __future__ import annotations

import re

from kiosk.catalogue.guide import build_guide
from kiosk.catalogue.model import (
    Channel,
    DeferrableItem,
    Difference,
    Form,
    Hall,
    Material,
    Option,
    Phone,
    PolicyTopic,
    Question,
    Region,
    Service,
    TextItem,
    TimeLimit,
)
from kiosk.catalogue.view import build_view

R = "001_abc.txt §"
WHEN_B = {"all": {"b": ["y"]}}


def service() -> Service:
    return Service(
        region="test", id="svc", name="示例事项", category="登记", audience="个人", topics=["参保"],
        ref=R + "一", sources=[R + "一", R + "二"],
        intro=[TextItem("简介。", R + "一.1", None, "简介")],
        questions=[Question("a", "是本人吗？", [Option("x", "是"), Option("z", "不是")]),
                   Question("b", "有单位吗", [Option("y", "有单位的"), Option("n", "没有")])],
        materials=[Material("身份证原件。", R + "二.1", name="身份证", original="原件", requirement="有效期内",
                            source="公安", form=Form("登记表", "3号窗口", "http://example.org/f"), note="备注",
                            condition=WHEN_B, deferrable_deadline="10个工作日", deferrable_days=10,
                            deferrable_ref=R + "二.9", evidence="id_card"),
                   Material("户口簿。", R + "二.2")],
        older_materials=[Material("旧表。", "002_def.txt §一", listed_by="2020 年公开指南")],
        deferrable_items=[DeferrableItem("容缺表。", R + "二.8", "单位", "5个工作日", 5, "邮寄")],
        channels=[Channel("window", "窗口办：示例中心", R + "三", place="示例中心", window="3号窗口"),
                  Channel("window", "窗口办：示例中心", R + "三", place="示例中心", window="3号窗口"),
                  Channel("office", "现场办：二楼", R + "三", place="二楼"),
                  Channel("window", "窗口办：", R + "三", blank=True),
                  Channel("online", "网上办：示例网", R + "四", name="示例网", url="http://example.org",
                          path=["办事"], note="全天")],
        time_limit=TimeLimit("5个工作日", 5, R + "五"),
        tips=[TextItem("提示。", R + "六", WHEN_B)],
        phones=[Phone("024-1", "咨询", R + "七"), Phone("024-2", None, R + "七")],
        notes=[TextItem("注意。", R + "八")], refusals=[TextItem("不受理。", R + "九", None, "示例事项"),
                                                       TextItem("也不受理。", R + "九", None, "他项")],
        steps=[TextItem("第一步。", R + "十")], legal_basis=[TextItem("依据。", R + "十一")],
        older_notes=[TextItem("旧注意。", "002_def.txt §二")],
        differences=[Difference("time_limit", "7个工作日", "002_def.txt §三", "5个工作日", R + "五", "新指南",
                                "svc", "test", "001_abc.txt", "service")],
        follows="2024 年示例指南", catalogue_version="v9",
    )


HALL_A = Hall("test", "ha", "甲大厅", R + "十二", "甲路1号", "024-3", "乘1路", "周日休")
HALL_B = Hall("test", "hb", "乙大厅", R + "十三")
REGION = Region("test", "示例市", Phone("024-1", "热线", R + "十四"))


def test_view_of_every_field():
    v = build_view(build_guide(service(), {"a": "x"}), REGION, [HALL_A, HALL_B],
                   [PolicyTopic("test", "p1", "生育", R + "十五")])
    assert (v.region_id, v.region_name, v.service_id, v.service_name, v.category, v.audience, v.topics) == (
        "test", "示例市", "svc", "示例事项", "登记", "个人", ("参保",))
    assert [(q.id, q.text, [(o.id, o.label) for o in q.options]) for q in v.questions] == [
        ("a", "是本人吗？", [("x", "是"), ("z", "不是")]), ("b", "有单位吗", [("y", "有单位的"), ("n", "没有")])]
    assert [(a.question_id, a.question, a.option_id, a.option, a.situation) for a in v.answers] == [
        ("a", "是本人吗？", "x", "是", "是本人吗：是")]
    assert [q.id for q in v.unanswered] == ["b"]
    m1, m2 = v.materials
    assert (m1.number, m1.text, m1.ref, m1.name, m1.display_name, m1.original, m1.requirement, m1.source) == (
        1, "身份证原件。", R + "二.1", "身份证", "身份证", "原件", "有效期内", "公安")
    assert (m1.form.title, m1.form.where, m1.form.url, m1.note, m1.condition) == (
        "登记表", "3号窗口", "http://example.org/f", "备注", WHEN_B)
    assert (m1.deferrable_deadline, m1.deferrable_days, m1.deferrable_ref, m1.listed_by, m1.evidence) == (
        "10个工作日", 10, R + "二.9", None, "id_card")
    assert (m1.situations, m1.open_situations) == (("有单位的",), ("有单位的",))
    assert (m2.number, m2.text, m2.name, m2.display_name, m2.form, m2.situations, m2.open_situations) == (
        2, "户口簿。", None, "户口簿。", None, (), ())
    [old] = v.older_materials
    assert (old.number, old.text, old.ref, old.listed_by) == (0, "旧表。", "002_def.txt §一", "2020 年公开指南")
    assert "旧表" in v.older_materials_note
    [d] = v.deferrable_items
    assert (d.text, d.ref, d.source, d.deadline, d.deadline_days, d.method) == (
        "容缺表。", R + "二.8", "单位", "5个工作日", 5, "邮寄")
    assert [(r.text, r.ref, r.label, r.group) for r in v.refusals] == [
        ("不受理。", R + "九", "示例事项", None), ("也不受理。", R + "九", "他项", "他项")]
    assert [c.head for c in v.channels] == ["窗口办：示例中心 3号窗口", "窗口办：示例中心 3号窗口", "现场办：二楼",
                                            "窗口办：文件未给出具体地址", "网上办：示例网 http://example.org 办事"]
    online = v.channels[-1]
    assert (online.type, online.text, online.ref, online.name, online.url, online.path, online.note, online.label,
            online.menu, online.blank) == ("online", "网上办：示例网", R + "四", "示例网", "http://example.org",
                                           ("办事",), "全天", "网上办", "办事", False)
    assert online.summary == "网上办：示例网 http://example.org 办事 （全天）"
    assert online.summary_with("整天可办") == "网上办：示例网 http://example.org 办事 （整天可办）"
    assert online.summary_with(None) == "网上办：示例网 http://example.org 办事"
    assert v.channels[3].summary_with("整天可办") == "窗口办：文件未给出具体地址"
    assert [(w.place, w.window, w.kind, w.label) for w in v.windows] == [
        ("示例中心", "3号窗口", "窗口", "示例中心 3号窗口"), ("二楼", None, "现场办", "二楼")]
    assert (v.online_url, v.online_name) == ("http://example.org", "示例网")
    assert (v.time_limit.text, v.time_limit.days, v.time_limit.ref) == ("5个工作日", 5, R + "五")
    assert [(t.text, t.ref, t.label) for t in v.intro] == [("简介。", R + "一.1", "简介")]
    [tip] = v.tips
    assert (tip.text, tip.ref, tip.condition, tip.situations, tip.open_situations) == (
        "提示。", R + "六", WHEN_B, ("有单位的",), ("有单位的",))
    assert [t.text for t in (*v.notes, *v.steps, *v.legal_basis, *v.older_notes)] == [
        "注意。", "第一步。", "依据。", "旧注意。"]
    assert [(p.number, p.label, p.ref) for p in v.phones] == [("024-1", "咨询", R + "七"), ("024-2", None, R + "七")]
    assert (v.hotline.number, v.hotline.label, v.hotline.ref) == ("024-1", "热线", R + "十四")
    assert v.phone_lines == ("024-1（咨询、热线）", "024-2")
    assert [h.id for h in v.halls] == ["ha", "hb"]
    assert (v.hall.id, v.hall.address) == ("ha", "甲路1号")
    assert [(p.id, p.title) for p in v.policy] == [("p1", "生育")]
    assert (v.ref, v.sources, v.follows, v.catalogue_version) == (R + "一", (R + "一", R + "二"), "2024 年示例指南", "v9")
    [diff] = v.differences
    assert (diff.field, diff.older, diff.newer, diff.subject, diff.kind) == (
        "time_limit", "7个工作日", "5个工作日", "svc", "service")
    assert v.trace is not None and re.fullmatch(r"[0-9a-f]{8}", v.trace.hash)
    assert (v.trace.catalogue_version, v.trace.follows, v.trace.hall) == ("v9", "2024 年示例指南", "甲大厅")
    assert v.trace.hash in v.trace.line


def test_view_with_its_own_hall_without_trace_and_without_a_hotline():
    v = build_view(build_guide(service(), {"a": "x", "b": "n"}), Region("test", "示例市"), [HALL_A, HALL_B],
                   [], hall=HALL_B, trace=False)
    assert v.hall.id == "hb" and v.trace is None and v.hotline is None
    assert v.phone_lines == ("024-1（咨询）", "024-2")
    assert [m.text for m in v.materials] == ["户口簿。"] and v.unanswered == ()
    assert v.tips == ()


def test_view_without_halls_or_online_channel():
    svc = service()
    svc.channels = [c for c in svc.channels if c.type != "online"]
    v = build_view(build_guide(svc, {}), REGION, [], [], trace=False)
    assert v.hall is None and v.halls == ()
    assert (v.online_url, v.online_name) == (None, None)
    assert [q.id for q in v.unanswered] == ["b"]


def test_view_of_each_channel_keeps_its_parsed_fields_and_condition():
    svc = service()
    svc.channels = [
        Channel("window", "窗口办：示例中心", R + "三", place="示例中心", window="3号窗口", condition=WHEN_B),
        Channel("app", "掌上办：示例APP", R + "三", app="示例APP"),
        Channel("email", "邮箱办", R + "三", email="a@example.org"),
        Channel("online", "网上办：示例网", R + "四", name="示例网"),
    ]
    svc.refusals = [TextItem("不受理。", R + "九", WHEN_B, "示例事项")]
    v = build_view(build_guide(svc, {"a": "x"}), REGION, [], [], trace=False)
    win, app, email, online = v.channels
    assert (win.place, win.window, win.condition, win.situations, win.open_situations) == (
        "示例中心", "3号窗口", WHEN_B, ("有单位的",), ("有单位的",))
    assert (app.app, app.place, app.window, app.email, app.condition, app.situations) == (
        "示例APP", None, None, None, None, ())
    assert email.email == "a@example.org"
    # an online channel without a URL: no QR payload and no name for one
    assert (online.url, v.online_url, v.online_name) == (None, None, None)
    [r] = v.refusals
    assert (r.condition, r.group) == (WHEN_B, None)
