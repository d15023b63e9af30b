"""The condition and question logic of a guide, by hand.

Small services are built here with known conditions, so every expected value is
written by hand: which items show for which answers, which questions are still
asked, and the step counter "第 N 步，共 M 步". The last tests check real services
against what their documents list, for presence and for absence.
"""

from __future__ import annotations

import pytest

from kiosk.catalogue.guide import BadAnswer, build_guide, pending_questions, question_matters
from kiosk.catalogue.model import Material, Option, Question, Service, condition_holds

# -- condition_holds -------------------------------------------------------------------

ALL_AB = {"all": {"a": ["1"], "b": ["2"]}}  # `when: {a: 1, b: 2}`: both must hold
ANY_AB = {"any": [{"a": ["1"]}, {"b": ["2"]}]}  # `when_any`: one is enough


@pytest.mark.parametrize(
    "cond, answers, expected",
    [
        (None, {}, True),
        ({}, {"a": "9"}, True),
        # all-of: an unanswered question never excludes
        (ALL_AB, {}, True),
        (ALL_AB, {"a": "1"}, True),
        (ALL_AB, {"a": "1", "b": "2"}, True),
        # all-of: any answered contradiction excludes (multi-key is NOT any-of)
        (ALL_AB, {"a": "1", "b": "3"}, False),
        (ALL_AB, {"a": "0", "b": "2"}, False),
        (ALL_AB, {"a": "0"}, False),
        # a list of options is any of them
        ({"all": {"a": ["1", "2"]}}, {"a": "2"}, True),
        ({"all": {"a": ["1", "2"]}}, {"a": "3"}, False),
        # any-of: one branch that can still hold is enough
        (ANY_AB, {}, True),
        (ANY_AB, {"a": "1", "b": "0"}, True),
        (ANY_AB, {"a": "0", "b": "2"}, True),
        (ANY_AB, {"a": "0"}, True),  # b unanswered: its branch can still hold
        (ANY_AB, {"a": "0", "b": "0"}, False),
        # all and any together: both parts must hold
        ({"all": {"c": ["x"]}, **ANY_AB}, {"c": "x", "a": "1"}, True),
        ({"all": {"c": ["x"]}, **ANY_AB}, {"c": "y", "a": "1"}, False),
        ({"all": {"c": ["x"]}, **ANY_AB}, {"c": "x", "a": "0", "b": "0"}, False),
    ],
)
def test_condition_holds(cond, answers, expected):
    assert condition_holds(cond, answers) is expected


# -- a small service: which questions are asked, and the step counter ------------------

def _q(qid: str, *opts: str) -> Question:
    return Question(id=qid, text=f"{qid}?", options=[Option(id=o, label=o) for o in opts])


def _m(text: str, cond=None) -> Material:
    return Material(text=text, ref="§1", condition=cond)


def make_service() -> Service:
    """who (self/proxy) matters; reason matters only for leave; colour never matters."""
    return Service(
        region="test", id="svc", name="测试", category="c", audience="个人", topics=[], ref="§1",
        questions=[_q("who", "self", "proxy"), _q("action", "join", "leave"),
                   _q("reason", "death", "emigrate"), _q("colour", "red", "blue")],
        materials=[
            _m("身份证"),
            _m("代办人身份证", {"all": {"who": ["proxy"]}}),
            _m("死亡证明", {"all": {"action": ["leave"], "reason": ["death"]}}),
            _m("护照", {"all": {"action": ["leave"], "reason": ["emigrate"]}}),
            _m("登记表", {"any": [{"action": ["join"]}, {"who": ["proxy"]}]}),
        ],
    )


def names(guide) -> list[str]:
    return [m.text for m in guide.materials]


def test_a_question_that_changes_nothing_is_never_asked():
    svc = make_service()
    assert [q.id for q in pending_questions(svc, {})] == ["who", "action", "reason"]
    assert not question_matters(svc, svc.question("colour"), {})


def test_a_question_stops_mattering_once_its_branch_is_closed():
    svc = make_service()
    # joining: the reason for leaving changes nothing
    assert [q.id for q in pending_questions(svc, {"who": "self", "action": "join"})] == []
    # leaving: it does
    assert [q.id for q in pending_questions(svc, {"who": "self", "action": "leave"})] == ["reason"]


def test_guide_for_answers_shows_what_applies_and_nothing_else():
    svc = make_service()
    death = build_guide(svc, {"who": "self", "action": "leave", "reason": "death"})
    assert names(death) == ["身份证", "死亡证明"]
    emigrate_by_proxy = build_guide(svc, {"who": "proxy", "action": "leave", "reason": "emigrate"})
    assert names(emigrate_by_proxy) == ["身份证", "代办人身份证", "护照", "登记表"]
    join = build_guide(svc, {"who": "self", "action": "join"})
    assert names(join) == ["身份证", "登记表"]
    assert join.complete and not death.unanswered


def test_without_answers_everything_that_can_apply_is_shown():
    svc = make_service()
    assert names(build_guide(svc)) == ["身份证", "代办人身份证", "死亡证明", "护照", "登记表"]
    assert not build_guide(svc).complete


def test_an_unknown_answer_is_refused():
    svc = make_service()
    with pytest.raises(BadAnswer, match="unknown question"):
        build_guide(svc, {"nope": "x"})
    with pytest.raises(BadAnswer, match="unknown option"):
        build_guide(svc, {"who": "someone"})


class _Catalogue:
    def __init__(self, svc):
        self.svc = svc

    def services(self, region):
        return [self.svc]

    def service(self, region, service_id):
        assert service_id == self.svc.id
        return self.svc


def test_step_counter_follows_the_questions_that_still_matter():
    from kiosk.session import KioskSession, Screen

    session = KioskSession(_Catalogue(make_service()), "test")
    session.choose_service("svc")
    assert session.screen is Screen.QUESTION
    assert session.question.id == "who" and session.progress == (1, 3)
    session.answer("self")
    assert session.question.id == "action" and session.progress == (2, 3)
    session.answer("leave")  # reason still matters
    assert session.question.id == "reason" and session.progress == (3, 3)
    session.answer("death")
    assert session.screen is Screen.CHECKLIST
    assert names(session.guide) == ["身份证", "死亡证明"]


def test_step_counter_shrinks_when_an_answer_closes_a_branch():
    from kiosk.session import KioskSession, Screen

    session = KioskSession(_Catalogue(make_service()), "test")
    session.choose_service("svc")
    session.answer("proxy")
    assert session.progress == (2, 3)
    session.answer("join")  # the reason for leaving no longer matters: done after 2 steps
    assert session.screen is Screen.CHECKLIST
    assert names(session.guide) == ["身份证", "代办人身份证", "登记表"]


def test_back_undoes_the_last_answer():
    from kiosk.session import KioskSession

    session = KioskSession(_Catalogue(make_service()), "test")
    session.choose_service("svc")
    session.answer("self")
    session.back()
    assert session.question.id == "who" and session.answers == {}


# -- real services, expected values from the documents ---------------------------------

def material_names(catalogue, region, service_id, answers):
    return [f"{m.name or ''} {m.text}" for m in build_guide(catalogue.service(region, service_id), answers).materials]


def test_shenyang_employee_termination_by_death_asks_no_passport(catalogue):
    """000 §2.1②: 出国定居 → 护照或永久居留证; 死亡 → 《死亡证明》或《承诺书》;
    港澳台/外国人 papers only for 新增."""
    death = " ".join(material_names(catalogue, "shenyang", "employee-registration",
                                    {"employee_action": "terminate", "terminate_reason": "death"}))
    assert "死亡证明" in death and "登记表" in death
    for absent in ("护照", "港澳", "外国人", "退休"):
        assert absent not in death, absent
    emigrate = " ".join(material_names(catalogue, "shenyang", "employee-registration",
                                       {"employee_action": "terminate", "terminate_reason": "emigrate"}))
    assert "护照或永久居留证" in emigrate and "死亡证明" not in emigrate
    foreign = " ".join(material_names(catalogue, "shenyang", "employee-registration",
                                      {"employee_action": "add", "employee_origin": "foreign"}))
    assert "外国人就业证件" in foreign
    for absent in ("港澳", "护照", "死亡证明", "退休"):
        assert absent not in foreign, absent
