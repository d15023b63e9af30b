"""Search the way people ask (issue 14 §2–§5): pinyin as people type it, everyday words
and phrases over the whole service text, never a dead end, and `kiosk search`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.search import SearchIndex, vocabulary
from kiosk.session import Screen
from tests.ui_helpers import layout_problems, tap, texts, visible_buttons

REGIONS = ("shenyang", "fushun", "kaiyuan")



@pytest.fixture(scope="module")
def indexes(catalogue):
    return {r: SearchIndex(catalogue.services(r)) for r in REGIONS}


def ids(index, query, n=None):
    return [s.id for s in index.search(query)][:n]


# -- pinyin as people type it ----------------------------------------------------------------
@pytest.mark.parametrize("query", ["zhuyuanbaoxiao", "zybx", "zhuyuanbx", "zybaoxiao", "zyfybx"])
def test_several_words_of_pinyin_match_across_word_boundaries(indexes, query):
    for region, index in indexes.items():  # 住院费用报销 exists in all three
        assert ids(index, query, 1) == ["inpatient-reimbursement"], (region, query, ids(index, query, 5))


def test_initials_of_two_words_tell_services_apart(indexes):
    index = indexes["shenyang"]
    assert ids(index, "mzbx", 1) == ["outpatient-reimbursement"]
    assert ids(index, "kyd", 1) == ["pharmacy-designation"]  # 开药店, not 异地 (yd)
    assert "inpatient-reimbursement" not in ids(index, "mzbx", 1)


def test_northeastern_confusions_match_at_a_small_cost(indexes):
    index = indexes["shenyang"]
    # under six letters (no missing-letter tolerance) and substitutions (l→n, -ng→-n)
    cases = {"cuguo": "flexible-terminate", "niangbing": "chronic-disease-recognition",
             "tinbao": "flexible-suspend", "zuyuan": "inpatient-reimbursement", "sebao": "social-card-loss"}
    for query, wanted in cases.items():
        assert wanted in ids(index, query, 3), (query, ids(index, query, 5))
    assert index.search("hubao") == []  # not every string is a confusion of something
    assert ids(index, "zuyuanbaoxiao", 1) == ["inpatient-reimbursement"]
    assert "social-card-issue" in ids(index, "sebaoka", 3)
    exact, confused = index.decode("zhuyuan")[0][0], index.decode("zuyuan")[0][0]
    assert confused > exact  # it costs a little rank


def test_one_letter_missing_or_extra_from_six_letters_on(indexes):
    index = indexes["kaiyuan"]
    assert ids(index, "zhuyunbaoxiao", 1) == ["inpatient-reimbursement"]  # 'a' missing
    assert ids(index, "yidijiouyi", 1)[0].startswith("remote-")  # an extra 'o'
    # five letters: no tolerance, 'tuxiu' is not read as 退休
    assert all("退休" not in w for _, segs in index.decode("tuxiu") for seg in segs for w in seg)


def test_pinyin_sentences_skip_function_words(indexes):
    index = indexes["shenyang"]
    assert ids(index, "quhainan", 1) == ["remote-long-term-residence"]  # 去 海南
    assert ids(index, "zhuyuanzenmebaoxiao", 1) == ["inpatient-reimbursement"]  # 住院 怎么 报销
    assert ids(index, "wodekadiule", 1) == ["social-card-loss"]  # 我的 卡丢了
    assert "social-card-issue" in ids(index, "woyaobanshebaoka", 3)  # 办, not b+an (备案)
    assert index.candidates("quhainan")[0] == "去海南"
    assert not {"我", "的"} & set(index.candidates("wo") + index.candidates("de"))


def test_candidate_bar_words_come_from_the_catalogue(indexes):
    index = indexes["shenyang"]
    cands = index.candidates("zhuy")
    assert cands[0] == "住院"
    vocab = set(index.vocabulary()) | set(index._words)
    for word in cands + index.candidates("ydjy") + index.candidates("shengyu"):
        assert word in vocab or all(part for part in word), word
        assert index.search(word), word  # every candidate finds something
    assert "异地就医" in index.candidates("ydjy")
    assert index.candidates("住院") == [] and index.candidates("") == []


# -- everyday language -----------------------------------------------------------------------
def test_body_text_matches_below_the_name(catalogue, tmp_path):
    empty = tmp_path / "synonyms.yaml"
    empty.write_text("words: {}\n", encoding="utf-8")
    index = SearchIndex(catalogue.services("shenyang"), synonyms_file=empty)  # no everyday words at all
    assert ids(index, "新生儿") == ["maternity-allowance"]  # only in its materials
    assert "resident-enrol" in ids(index, "学生")  # 在校学生 in its intro
    first = ids(index, "住院")  # in many bodies, but first where it is the name
    assert first[0] == "inpatient-reimbursement"


def test_an_everyday_word_adds_candidates_and_never_hides_others(indexes):
    index = indexes["shenyang"]
    everything_with_yibao = ids(index, "医保")
    assert len(everything_with_yibao) > 2  # was: only the two record queries
    top = ids(index, "医保报销", 3)
    assert {"inpatient-reimbursement", "outpatient-reimbursement"} <= set(top)
    assert not {"personal-record-query", "unit-record-query"} & set(top)


def test_ranked_by_relevance_not_catalogue_order(indexes):
    index = indexes["fushun"]
    # outpatient comes before inpatient in the catalogue
    assert ids(index, "住院报销", 1) == ["inpatient-reimbursement"]
    assert ids(index, "我在外地住院了回来想报销", 1) == ["inpatient-reimbursement"]
    assert ids(index, "公司倒闭了要注销", 1) == ["unit-registration"]
    assert ids(index, "诊所怎么申请定点", 1) == ["medical-institution-designation"]


def test_synonyms_never_point_at_nothing(catalogue):
    import yaml

    from kiosk.search import synonyms_path

    data = yaml.safe_load(synonyms_path().read_text(encoding="utf-8"))
    topics = {t.id for t in catalogue.topics()}
    every_id = {s.id for r in REGIONS for s in catalogue.services(r)}
    names = [s.name for r in REGIONS for s in catalogue.services(r)]
    assert len(data["words"]) >= 250
    for word, target in data["words"].items():
        assert set(target) <= {"topics", "services", "names", "audience"}, word
        assert set(target.get("topics", [])) <= topics, word
        assert set(target.get("services", [])) <= every_id, word
        for n in target.get("names", []):
            assert any(n in name for name in names), (word, n)
    assert "医保" not in data["words"]  # it swallowed every query containing 医保


def test_vocabulary_for_the_handwriting_decoder(catalogue):
    words = vocabulary("shenyang", catalogue)
    assert {"住院", "报销", "异地", "社保卡", "高血压"} <= set(words)
    assert all(w and not w.isascii() for w in words)
    assert "社会" in vocabulary("fushun", catalogue) or "参保" in vocabulary("fushun", catalogue)


# -- never a dead end ----------------------------------------------------------------------
def test_suggestions_when_nothing_is_found(indexes):
    for index in indexes.values():
        for query in ("vvvv", "火星"):
            assert index.search(query) == []
            assert len(index.suggest(query)) == 3


def test_word_buttons_find_something_in_their_region(qtbot, make_window):
    for region in REGIONS:
        w = make_window(region)
        tap(qtbot, w, "searchButton")
        shown = [b.objectName()[5:] for b in visible_buttons(w) if b.objectName().startswith("word:")]
        assert len(shown) >= 6, (region, shown)
        assert ("社保卡" in shown) == (region == "shenyang"), (region, shown)
        for word in shown:
            tap(qtbot, w, f"word:{word}")
            assert w.ctx.session.search_results(), (region, word)
            assert "没有找到" not in texts(w)
        w.close()


def test_no_results_screen_offers_a_way_on(qtbot, make_window):
    w = make_window("fushun")
    tap(qtbot, w, "searchButton")
    for ch in "vvvv":
        tap(qtbot, w, f"key:{ch}")
    QApplication.processEvents()
    shown = texts(w)
    assert "您是不是要找" in shown
    assert len([b for b in visible_buttons(w) if b.objectName().startswith("service:")]) == 3
    hotline = w.ctx.region.hotline.number if w.ctx.region.hotline else (w.ctx.hall.phone if w.ctx.hall else None)
    assert "咨询台" in shown and (hotline is None or hotline in shown)
    assert visible_buttons(w, "searchTopic:reimbursement")
    assert "024-12345" in shown  # Fushun's 联系电话
    tap(qtbot, w, "searchTopic:reimbursement")
    assert w.ctx.session.screen is Screen.SERVICES
    w.ctx.session.back()
    tap(qtbot, w, "key:clear")
    for ch in "zybx":
        tap(qtbot, w, f"key:{ch}")
    assert "您是不是要找" not in texts(w) and not visible_buttons(w, "searchTopic:reimbursement")


def test_candidate_bar_while_typing_pinyin(qtbot, make_window):
    w = make_window("shenyang")
    tap(qtbot, w, "searchButton")
    assert not visible_buttons(w, "candidate:住院")
    for ch in "zhuy":
        tap(qtbot, w, f"key:{ch}")
    bar = visible_buttons(w, "candidate:住院")
    assert bar and bar[0].height() >= 80 and bar[0].font().pixelSize() >= 28
    tap(qtbot, w, "candidate:住院")
    s = w.ctx.session
    assert s.step.query == "住院"
    assert s.search_results()[0].id == "inpatient-reimbursement"
    assert not [b for b in visible_buttons(w) if b.objectName().startswith("candidate:")]


# -- the command line -------------------------------------------------------------------------
def run_kiosk(*args, db):
    return subprocess.run([sys.executable, "-m", "kiosk", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_search_json_is_ranked_as_on_screen(catalogue_db, indexes):
    r = run_kiosk("search", "--region", "fushun", "--json", "zybx", db=catalogue_db)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got[0]["id"] == "inpatient-reimbursement" and got[0]["name"] == "住院费用报销"
    assert [g["id"] for g in got] == ids(indexes["fushun"], "zybx")
    text = run_kiosk("search", "--region", "shenyang", "社保卡", "丢了", db=catalogue_db)
    assert text.returncode == 0 and text.stdout.splitlines()[0].startswith("social-card-loss")
    none = run_kiosk("search", "--region", "kaiyuan", "--json", "vvvv", db=catalogue_db)
    assert none.returncode == 0 and len(json.loads(none.stdout)) == 3
    assert all(g["suggested"] for g in json.loads(none.stdout))
    bad = run_kiosk("search", "--region", "nowhere", "x", db=catalogue_db)
    assert bad.returncode == 2 and "valid: fushun, kaiyuan, shenyang" in bad.stderr
    assert "Traceback" not in bad.stderr + none.stderr


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_candidate_bar_never_widens_the_screen(qtbot, make_window, size):
    w = make_window("shenyang", size=size, text_size="large")
    tap(qtbot, w, "searchButton")
    for query in ("sh", "woyaobanshebaoka"):
        tap(qtbot, w, "key:clear")
        for ch in query:
            tap(qtbot, w, f"key:{ch}")
        QApplication.processEvents()
        shown = [b for b in visible_buttons(w) if b.objectName().startswith("candidate:")]
        assert shown, query
        assert (w.width(), w.height()) == size, query
        assert layout_problems(w) == [], query
