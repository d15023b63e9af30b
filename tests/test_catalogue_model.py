"""The catalogue's plain data by hand: the labels a citizen is shown (补正期限, which
document, what an older guide also lists, which situation an item is for), conditions
as the seed writes them, and the JSON round trip of the built catalogue.

Every expected string is written here, never computed by the code under test.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from kiosk.catalogue.guide import BadAnswer, build_guide, situation_labels
from kiosk.catalogue.model import (
    Channel,
    DeferrableItem,
    Difference,
    Document,
    Form,
    Material,
    Option,
    Phone,
    PolicyFact,
    PolicyTable,
    PolicyTopic,
    Question,
    Region,
    Service,
    TextItem,
    TimeLimit,
    condition_questions,
    deadline_label,
    document_label,
    normalize_condition,
    older_materials_line,
    policy_topic_from_dict,
    region_from_dict,
    service_from_dict,
)

# -- labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, label",
    [
        (None, ""),
        ("", ""),
        ("10个工作日", "补正期限：10个工作日"),
        ("补正期限：20 个工作日", "补正期限：20 个工作日"),  # already said: not twice
    ],
)
def test_deadline_label(text, label):
    assert deadline_label(text) == label


def doc(date, title="市医保局全面推进医保服务", short_title=None):
    return Document(file="x.txt", title=title, issuer="沈阳市医疗保障局", region="shenyang", date=date, rank=1,
                    short_title=short_title)


@pytest.mark.parametrize(
    "document, short, label",
    [
        (doc("2020"), False, "2020 年《市医保局全面推进医保服务》"),
        (doc("2025-12"), False, "2025 年 12 月《市医保局全面推进医保服务》"),
        (doc("2025-03"), False, "2025 年 3 月《市医保局全面推进医保服务》"),  # 3 月, not 03 月
        (doc("2025-12"), True, "2025 年《市医保局全面推进医保服务》"),  # short: no month
        (doc("2025-12-01"), False, "2025 年《市医保局全面推进医保服务》"),  # a day: the year only
        (doc("2025-1a"), False, "2025 年《市医保局全面推进医保服务》"),
        (doc("2025-123"), False, "2025 年《市医保局全面推进医保服务》"),
        (doc("2025-x2"), False, "2025 年《市医保局全面推进医保服务》"),  # not a month
        (doc(None), False, "《市医保局全面推进医保服务》"),
        (doc(""), False, "《市医保局全面推进医保服务》"),
        (doc("约2020"), False, "《市医保局全面推进医保服务》"),  # no year to say
        (doc("2020", short_title="公开指南"), True, "2020 年公开指南"),
        (doc("2020", short_title="公开指南"), False, "2020 年《市医保局全面推进医保服务》"),
        (doc("2025-12", short_title="公开指南"), True, "2025 年公开指南"),
        (doc(None, short_title="公开指南"), True, "公开指南"),
        (doc("2020"), True, "2020 年《市医保局全面推进医保服务》"),  # short without a short title
    ],
)
def test_document_label(document, short, label):
    assert document_label(document, short) == label


def test_document_label_is_long_unless_asked():
    assert document_label(doc("2025-12", short_title="公开指南")) == "2025 年 12 月《市医保局全面推进医保服务》"


def test_older_materials_line_groups_by_the_guide_that_lists_them():
    items = [
        Material(text="户口簿。", ref="§1", listed_by="2020 年公开指南"),
        Material(text="结婚证；", ref="§1"),
        Material(text="。照片;", ref="§1", listed_by="2020 年公开指南"),
    ]
    assert older_materials_line(items) == (
        "2020 年公开指南还列有：户口簿；。照片，请以窗口要求为准。"
        "较早的办事指南还列有：结婚证，请以窗口要求为准。"
    )
    assert older_materials_line([]) == ""
    assert older_materials_line([Material(text="胸片X；", ref="§1")]) == "较早的办事指南还列有：胸片X，请以窗口要求为准。"


def test_older_note_groups_keep_the_order_and_the_document():
    from kiosk.catalogue.view import GuideView, NoteGroup, TextView

    a1 = TextView(text="甲", ref="§1", label="2020 年公开指南")
    b = TextView(text="乙", ref="§2")
    a2 = TextView(text="丙", ref="§3", label="2020 年公开指南")
    groups = GuideView.note_groups((a1, b, a2))
    assert groups == [NoteGroup("2020 年公开指南", (a1, a2)), NoteGroup("", (b,))]
    assert groups[0].items[0] is a1 and groups[1].items[0] is b
    assert GuideView.note_groups(()) == []


# -- conditions as the seed writes them ----------------------------------------------------


@pytest.mark.parametrize(
    "when, when_any, cond",
    [
        (None, None, None),
        ({}, [], None),
        ({"who": "proxy"}, None, {"all": {"who": ["proxy"]}}),
        ({"who": ["self", "proxy"], 7: [8]}, None, {"all": {"who": ["self", "proxy"], "7": ["8"]}}),
        (None, [{"a": "1"}, {"b": ["2", 3]}], {"any": [{"a": ["1"]}, {"b": ["2", "3"]}]}),
        ({"c": "x"}, [{"a": "1"}], {"all": {"c": ["x"]}, "any": [{"a": ["1"]}]}),
    ],
)
def test_normalize_condition(when, when_any, cond):
    assert normalize_condition(when, when_any) == cond


@pytest.mark.parametrize(
    "cond, questions",
    [
        (None, set()),
        ({}, set()),
        ({"all": {"a": ["1"], "b": ["2"]}}, {"a", "b"}),
        ({"any": [{"a": ["1"]}, {"c": ["2"]}]}, {"a", "c"}),
        ({"all": {"a": ["1"]}, "any": [{"b": ["1"]}, {"c": ["2"]}]}, {"a", "b", "c"}),
    ],
)
def test_condition_questions(cond, questions):
    assert condition_questions(cond) == questions


# -- situation labels and wrong answers (guide.py) ---------------------------------------------


def labelled_service(**lists) -> Service:
    return Service(
        region="test", id="svc", name="测试", category="c", audience="个人", topics=[], ref="§1",
        questions=[
            Question("who", "谁来办？", [Option("self", "本人"), Option("proxy", "他人代办")]),
            Question("married", "是否已婚?", [Option("yes", "是"), Option("no", "否")]),
            Question("xray", "是否带了X？", [Option("y", "已带来"), Option("n", "没带")]),
        ],
        **lists,
    )


@pytest.mark.parametrize(
    "cond, labels",
    [
        (None, []),
        ({}, []),
        ({"all": {"who": ["proxy"]}}, ["他人代办"]),  # a long label says itself
        ({"all": {"who": ["self", "proxy"]}}, ["本人或他人代办"]),
        ({"all": {"married": ["yes"]}}, ["是否已婚：是"]),  # a short one says what was asked
        ({"all": {"xray": ["y"]}}, ["是否带了X：已带来"]),  # three characters are short
        ({"all": {"who": ["proxy"], "married": ["no"]}}, ["他人代办且是否已婚：否"]),
        ({"any": [{"who": ["proxy"]}, {"married": ["no"]}]}, ["（他人代办）或（是否已婚：否）"]),
        ({"all": {"married": ["yes"]}, "any": [{"who": ["self"]}, {"who": ["proxy"]}]},
         ["是否已婚：是", "（谁来办：本人）或（他人代办）"]),
        ({"all": {"ghost": ["boo"]}}, ["boo"]),  # an unknown question: the option as written
        ({"all": {"who": ["zz"]}}, ["谁来办：zz"]),  # an unknown option: as written
        ({"all": {}, "any": []}, []),
    ],
)
def test_situation_labels(cond, labels):
    assert situation_labels(labelled_service(), cond) == labels


def test_a_guide_says_which_situation_an_item_is_for():
    svc = labelled_service(materials=[Material("委托书", "§1", condition={"all": {"who": ["proxy"]}})],
                           deferrable_items=[DeferrableItem("户口簿", "§1")])
    guide = build_guide(svc)
    assert guide.situations(svc.materials[0]) == ["他人代办"]
    assert guide.situations(svc.deferrable_items[0]) == []  # it has no condition at all


def test_wrong_answers_say_what_is_valid():
    with pytest.raises(BadAnswer) as e:
        build_guide(labelled_service(), {"wh": "self"})
    assert str(e.value) == "unknown question 'wh' for service 'svc'; valid: who, married, xray"
    with pytest.raises(BadAnswer) as e:
        build_guide(labelled_service(), {"who": "me"})
    assert str(e.value) == "unknown option 'me' for question 'who'; valid: self, proxy"
    no_questions = Service(region="test", id="plain", name="无问题", category="c", audience="个人", topics=[],
                           ref="§1")
    with pytest.raises(BadAnswer) as e:
        build_guide(no_questions, {"who": "self"})
    assert str(e.value) == "unknown question 'who' for service 'plain'; valid: (this service asks no questions)"


def test_every_conditional_list_of_a_guide_follows_the_answers():
    proxy = {"all": {"who": ["proxy"]}}
    self_ = {"all": {"who": ["self"]}}

    def both(kind):
        return [TextItem(f"{kind}-本人", "§1", self_), TextItem(f"{kind}-代办", "§1", proxy), TextItem(kind, "§1")]

    svc = labelled_service(
        intro=both("intro"), tips=both("tips"), notes=both("notes"), steps=both("steps"),
        legal_basis=both("basis"), refusals=[TextItem("refusal", "§1", proxy)],
        older_materials=[Material("旧", "§1", condition=proxy)], deferrable_items=[DeferrableItem("缺", "§1")],
        channels=[Channel("window", "窗口-本人", "§1", condition=self_), Channel("online", "网上", "§1")],
    )
    g = build_guide(svc, {"who": "proxy"})

    def texts(items):
        return [x.text for x in items]

    assert texts(g.intro) == ["intro-代办", "intro"]
    assert texts(g.tips) == ["tips-代办", "tips"]
    assert texts(g.notes) == ["notes-代办", "notes"]
    assert texts(g.steps) == ["steps-代办", "steps"]
    assert texts(g.legal_basis) == ["basis-代办", "basis"]
    assert texts(g.channels) == ["网上"]
    # not chosen by the answers: refusals, an older guide's list, the 容缺 list
    assert texts(g.refusals) == ["refusal"] and texts(g.older_materials) == ["旧"]
    assert texts(g.deferrable_items) == ["缺"]
    mine = build_guide(svc, {"who": "self"})
    assert texts(mine.intro) == ["intro-本人", "intro"] and texts(mine.refusals) == ["refusal"]
    assert texts(mine.older_materials) == ["旧"]


# -- the built catalogue's JSON round trip ----------------------------------------------------


def test_a_service_comes_back_whole_from_its_json():
    cond = {"all": {"who": ["proxy"]}}
    svc = labelled_service(
        sources=["a.txt"], intro=[TextItem("简介", "§1")],
        materials=[Material("申请表", "§2", name="表", form=Form("申请表", "窗口", "http://x.example/f.doc"),
                            condition=cond),
                   Material("身份证", "§2")],
        older_materials=[Material("旧表", "§3", form=Form("旧表"), listed_by="2020 年公开指南")],
        deferrable_items=[DeferrableItem("户口簿", "§4", deadline="10个工作日", deadline_days=10)],
        channels=[Channel("window", "窗口", "§5", window="3号", path=["我的", "医保"])],
        time_limit=TimeLimit("30个工作日", 30, "§6"),
        tips=[TextItem("提示", "§7")], phones=[Phone("024-12345", "热线", "§8")], notes=[TextItem("注意", "§9")],
        refusals=[TextItem("不予受理", "§10")], steps=[TextItem("步骤", "§11")],
        legal_basis=[TextItem("依据", "§12")], older_notes=[TextItem("旧注意", "§13", label="2020 年公开指南")],
        differences=[Difference("phone", "1", "§1", "2", "§2", "新的为准")],
        no_materials=[TextItem("无需材料", "§14", cond)],
    )
    back = service_from_dict(asdict(svc))
    assert back == svc
    assert isinstance(back.materials[0].form, Form) and back.materials[1].form is None
    assert isinstance(back.older_materials[0].form, Form) and isinstance(back.time_limit, TimeLimit)
    assert isinstance(back.questions[0].options[0], Option) and isinstance(back.phones[0], Phone)
    bare = service_from_dict({"region": "r", "id": "s", "name": "n", "category": "c", "audience": "a",
                              "topics": [], "ref": "§1", "time_limit": None, "questions": None})
    assert bare.time_limit is None and bare.questions == [] and bare.materials == []


def test_a_policy_topic_and_a_region_come_back_whole():
    topic = PolicyTopic(
        region="shenyang", id="rates", title="缴费", ref="§1", basis=TextItem("依据", "§1"),
        paragraphs=[TextItem("段", "§2")], facts=[PolicyFact("比例", "50%", "§3", note="注")],
        tables=[PolicyTable("表", ["档次", "金额"], [["一档", "380元"]], "§4", notes=[TextItem("表注", "§4")]),
                PolicyTable(None, ["a"], [["b"]], "§5")],
        services=["resident-enrol"],
    )
    back = policy_topic_from_dict(asdict(topic))
    assert back == topic
    assert isinstance(back.basis, TextItem) and isinstance(back.facts[0], PolicyFact)
    assert isinstance(back.tables[0], PolicyTable) and isinstance(back.tables[0].notes[0], TextItem)
    assert isinstance(back.paragraphs[0], TextItem)
    bare = policy_topic_from_dict({"region": "r", "id": "t", "title": None, "ref": "§1", "basis": None})
    assert bare.basis is None and bare.tables == [] and bare.facts == [] and bare.paragraphs == []
    region = Region("shenyang", "沈阳", hotline=Phone("024-12345", "医保热线", "§1"), note="注")
    assert region_from_dict(asdict(region)) == region
    assert isinstance(region_from_dict(asdict(region)).hotline, Phone)
    assert region_from_dict({"id": "x", "name": "某市", "hotline": None}).hotline is None
