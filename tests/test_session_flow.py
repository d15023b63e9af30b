"""The citizen's journey as a plain object (kiosk/session.py), without a window: which
screen follows each tap, what the screens are told, what back and reset wipe, and the
anonymous figures a session leaves. Small hand-made services; expected values by hand."""

from __future__ import annotations

import pytest

from kiosk.catalogue.model import Material, Option, Question, Service
from kiosk.session import KioskSession, Screen, SessionStats, Step


def svc(sid, audience="个人", topics=(), questions=(), materials=()):
    return Service(region="test", id=sid, name=sid, category="c", audience=audience, topics=list(topics), ref="§1",
                   questions=list(questions), materials=list(materials))


WHO = Question("who", "谁来办？", [Option("self", "本人"), Option("proxy", "他人代办")])
ASKING = svc("asking", audience="单位", topics=["enrol"], questions=[WHO],
             materials=[Material("身份证", "§1"), Material("委托书", "§1", condition={"all": {"who": ["proxy"]}})])
PLAIN = svc("plain", audience="个人", topics=["enrol", "claim"], materials=[Material("申请表", "§1")])
CLAIM = svc("claim", audience="单位", topics=["claim"])


class Catalogue:
    def __init__(self):
        self.by_id = {s.id: s for s in (ASKING, PLAIN, CLAIM)}

    def services(self, region):
        assert region == "test"
        return list(self.by_id.values())

    def service(self, region, service_id):
        assert region == "test"
        return self.by_id[service_id]  # KeyError for an unknown id, like the service layer


class Index:
    """Records what it was asked; answers with fixed lists."""

    def __init__(self):
        self.calls = []

    def search(self, query):
        self.calls.append(("search", query))
        return [PLAIN]

    def suggest(self, query, limit):
        self.calls.append(("suggest", query, limit))
        return [CLAIM]

    def candidates(self, query, limit):
        self.calls.append(("candidates", query, limit))
        return ["住院"]


@pytest.fixture
def session():
    s = KioskSession(Catalogue(), "test", Index())
    s.seen = []
    s.subscribe(lambda x: s.seen.append(x.screen))
    s.ended = []
    s.on_finished(lambda stats, why: s.ended.append((stats, why)))
    return s


def test_a_new_session_is_home_with_nothing_chosen(session):
    assert session.step == Step() and session.screen is Screen.HOME
    assert session.answers == {} and not session.can_go_back
    assert session.service is None and session.guide is None and session.question is None
    assert session.pending_questions() == [] and session.progress == (1, 0)
    assert session.region == "test" and session.seen == []


def test_services_listed_by_topic_and_by_audience(session):
    session.choose_topic("claim")
    assert session.screen is Screen.SERVICES and session.step.topic == "claim" and session.step.audience is None
    assert [s.id for s in session.listed_services()] == ["plain", "claim"]
    assert session.seen == [Screen.SERVICES] and session.can_go_back
    session.choose_audience("单位")
    assert session.screen is Screen.SERVICES and session.step.audience == "单位" and session.step.topic is None
    assert [s.id for s in session.listed_services()] == ["asking", "claim"]
    session.choose_audience("个人")
    assert [s.id for s in session.listed_services()] == ["plain"]
    session.back()
    session.back()
    assert session.step.topic == "claim" and session.seen[-1] is Screen.SERVICES
    session.back()
    assert session.screen is Screen.HOME and not session.can_go_back
    n = len(session.seen)
    session.back()  # nothing more to go back to: nothing happens, no one is told
    assert session.screen is Screen.HOME and len(session.seen) == n


def test_all_services_when_nothing_is_chosen(session):
    assert [s.id for s in session.listed_services()] == ["asking", "plain", "claim"]


def test_search_asks_the_index_only_for_a_real_query(session):
    index = session.search_index
    assert session.search_results() == [] and session.search_suggestions() == []
    assert session.search_candidates() == []
    session.set_query("   ")
    assert session.search_results() == [] and session.search_suggestions() == []
    assert session.search_candidates() == [] and index.calls == []
    session.set_query("zhuy")
    assert session.search_results() == [PLAIN]
    assert session.search_suggestions() == [CLAIM] and session.search_suggestions(5) == [CLAIM]
    assert session.search_candidates() == ["住院"] and session.search_candidates(2) == ["住院"]
    assert index.calls == [("search", "zhuy"), ("suggest", "zhuy", 3), ("suggest", "zhuy", 5),
                           ("candidates", "zhuy", 6), ("candidates", "zhuy", 2)]


def test_no_index_no_results():
    s = KioskSession(Catalogue(), "test")
    s.set_query("zhuy")
    assert s.search_results() == [] and s.search_suggestions() == [] and s.search_candidates() == []


def test_typing_replaces_the_search_step(session):
    session.set_query("z")
    assert session.screen is Screen.SEARCH and session.step.query == "z"
    session.set_query("zh")
    session.set_query("zhu")
    assert session.step.query == "zhu" and session.seen == [Screen.SEARCH] * 4
    session.back()  # back leaves the search, not one key
    assert session.screen is Screen.HOME and not session.can_go_back


def test_typing_on_the_search_screen_opens_nothing_new(session):
    session.open_search()
    assert session.screen is Screen.SEARCH and session.step.query == ""
    session.set_query("a")
    session.back()
    assert session.screen is Screen.HOME


def test_a_service_with_a_question_then_the_checklist(session):
    session.choose_topic("enrol")
    session.choose_service("asking")
    assert session.screen is Screen.QUESTION and session.step.topic == "enrol"
    assert session.service is ASKING and session.question is WHO and session.progress == (1, 1)
    assert session.stats.service_id == "asking" and session.stats.checklist_at is None
    assert [m.text for m in session.guide.materials] == ["身份证", "委托书"]
    with pytest.raises(ValueError, match="no current question takes option 'nobody'"):
        session.answer("nobody")
    session.answer("self")
    assert session.screen is Screen.CHECKLIST and session.answers == {"who": "self"}
    assert session.step.answers == (("who", "self"),) and session.question is None
    assert [m.text for m in session.guide.materials] == ["身份证"] and session.progress == (2, 1)
    first = session.stats.checklist_at
    assert first is not None
    with pytest.raises(ValueError, match="no current question takes option 'self'"):
        session.answer("self")  # no question left
    session.back()
    assert session.screen is Screen.QUESTION and session.answers == {}
    session.answer("proxy")
    assert session.stats.checklist_at == first  # the first checklist counts, not the last
    assert [m.text for m in session.guide.materials] == ["身份证", "委托书"]
    assert session.seen[-1] is Screen.CHECKLIST


def test_choosing_a_service_again_forgets_the_answers(session):
    session.choose_service("asking")
    session.answer("proxy")
    session.choose_service("asking")
    assert session.screen is Screen.QUESTION and session.answers == {}


def test_a_service_without_questions_goes_straight_to_the_checklist(session):
    session.choose_service("plain")
    assert session.screen is Screen.CHECKLIST and session.progress == (1, 0)
    assert session.stats.checklist_at is not None and session.seen == [Screen.CHECKLIST]
    session.back()
    assert session.screen is Screen.HOME
    with pytest.raises(KeyError):
        session.choose_service("nope")
    assert session.screen is Screen.HOME


def test_halls_and_policy_keep_the_service_and_go_back(session):
    session.choose_service("plain")
    session.open_halls()
    assert session.screen is Screen.HALLS and session.step.service_id == "plain"
    session.back()
    assert session.screen is Screen.CHECKLIST
    session.open_policy("rates")
    assert session.screen is Screen.POLICY and session.step.policy_topic == "rates"
    assert session.step.service_id == "plain"
    session.open_policy()
    assert session.step.policy_topic is None
    session.back()
    assert session.step.policy_topic == "rates"
    assert session.seen == [Screen.CHECKLIST, Screen.HALLS, Screen.CHECKLIST, Screen.POLICY, Screen.POLICY,
                            Screen.POLICY]


def test_reset_wipes_everything_and_reports_the_session(session):
    session.choose_topic("enrol")
    session.choose_service("asking")
    session.answer("proxy")
    stats = session.stats
    session.reset("idle")
    assert session.step == Step() and not session.can_go_back and session.answers == {}
    assert session.ended == [(stats, "idle")] and stats.service_id == "asking"
    assert session.stats is not stats and session.stats.service_id is None
    assert session.stats.checklist_at is None and session.seen[-1] is Screen.HOME
    session.back()
    assert session.screen is Screen.HOME
    session.reset()
    assert session.ended[-1][1] == "reset"


def test_home_is_a_reset(session):
    session.choose_service("plain")
    stats = session.stats
    session.go_home()
    assert session.ended == [(stats, "home")] and session.step == Step() and not session.can_go_back
    assert session.seen == [Screen.CHECKLIST, Screen.HOME]


def test_every_listener_is_told_and_the_stats_start_empty():
    s = KioskSession(Catalogue(), "test")
    told = []
    s.subscribe(lambda x: told.append(("a", x)))
    s.subscribe(lambda x: told.append(("b", x)))
    s.open_search()
    assert told == [("a", s), ("b", s)]
    finished = []
    s.on_finished(lambda st, why: finished.append(why))
    s.on_finished(lambda st, why: finished.append(why + "2"))
    s.reset("home")
    assert finished == ["home", "home2"]
    st = SessionStats()
    assert st.service_id is None and st.checklist_at is None and st.started > 0
