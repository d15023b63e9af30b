"""The writing pad on the search screen, driven as a person does: strokes replayed
through the window by mouse and by finger (tests/handwriting_support.py)."""

from __future__ import annotations

import random
import threading

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.config import KioskConfig
from kiosk.ui.app import create_window
from tests.handwriting_support import clean_strokes, write_on, written
from tests.ui_helpers import layout_problems, tap, visible_buttons


@pytest.fixture
def search_pad(qtbot, catalogue):
    made = []

    def make(region="fushun", size=(1080, 1920), **cfg):
        w = create_window(catalogue, KioskConfig(region=region, **cfg))
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        QApplication.processEvents()
        tap(qtbot, w, "searchButton")
        tap(qtbot, w, "mode:handwriting")
        made.append(w)
        return w, w.screens[w.ctx.session.screen].pad

    yield make
    for w in made:
        w.close()


def settle(qtbot, pad):
    qtbot.waitUntil(lambda: not pad.busy(), timeout=10000)


def write(qtbot, pad, ch, touch=False, noise="light"):
    write_on(pad.area, written(ch, random.Random(ch), noise), touch=touch)
    settle(qtbot, pad)


def shown_results(w):
    return [b.objectName().removeprefix("service:") for b in visible_buttons(w) if b.objectName().startswith("service:")]


# -- issue 14, done when: found by writing two characters ---------------------------------
@pytest.mark.parametrize("region", ["fushun", "kaiyuan"])
@pytest.mark.parametrize("chars, wanted", [
    ("住院", "inpatient-reimbursement"),  # 住院费用报销
    ("城乡", "resident-enrol"),  # 城乡居民参保登记
    ("退休", "remote-retiree-resettlement"),  # 异地安置退休人员备案
])
def test_writing_two_characters_finds_the_service(qtbot, search_pad, region, chars, wanted):
    w, pad = search_pad(region)
    write(qtbot, pad, chars[0])  # with a mouse
    qtbot.waitUntil(lambda: not pad.area.strokes, timeout=5000)  # a pause ends the character
    write(qtbot, pad, chars[1], touch=True)  # with a finger
    qtbot.waitUntil(lambda: not pad.area.strokes, timeout=5000)
    assert w.ctx.session.step.query == chars
    assert wanted in [s.id for s in w.ctx.session.search_results()[:3]]
    assert wanted in shown_results(w)[:3]
    tap(qtbot, w, f"service:{wanted}")
    assert w.ctx.session.step.service_id == wanted


# -- the pad ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text_size", ["normal", "large"])
def test_pad_and_candidates_are_big_enough_in_both_orientations(qtbot, search_pad, text_size):
    for size in ((1080, 1920), (1920, 1080)):
        w, pad = search_pad("shenyang", size, text_size=text_size)
        write(qtbot, pad, "院")
        assert pad.area.width() >= 600 and pad.area.height() >= 600
        chars = [b for b in pad.char_buttons if b.isVisible() and b.text()]
        assert len(chars) == 9
        assert all(b.width() >= 80 and b.height() >= 80 for b in chars), [b.size() for b in chars]
        assert layout_problems(w) == []


def test_candidates_refresh_after_every_stroke(qtbot, search_pad):
    w, pad = search_pad()
    strokes = written("院", random.Random(1), "none")
    seen = []
    for s in strokes:
        write_on(pad.area, [s])
        settle(qtbot, pad)
        seen.append([b.text() for b in pad.char_buttons])
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False)), seen
    assert "院" in seen[-1][:3]


def test_undo_stroke_and_rewrite(qtbot, search_pad):
    w, pad = search_pad()
    write(qtbot, pad, "院")
    n = len(pad.area.strokes)
    before = [b.text() for b in pad.char_buttons]
    tap(qtbot, w, "hw:undo")
    settle(qtbot, pad)
    assert len(pad.area.strokes) == n - 1
    assert [b.text() for b in pad.char_buttons] != before
    tap(qtbot, w, "hw:clear")
    assert pad.area.strokes == [] and w.ctx.session.step.query == ""
    assert not any(b.text() for b in pad.char_buttons)


def test_tapping_a_candidate_character_then_a_word(qtbot, search_pad):
    w, pad = search_pad()
    write(qtbot, pad, "住")
    b = next(b for b in pad.char_buttons if b.text() == "住")
    tap(qtbot, w, b.objectName())
    assert pad.area.strokes == []  # the character is done: the square is free again
    assert w.ctx.session.step.query == "住"
    word = next(b for b in pad.word_buttons if b.isVisible() and b.text() == "住院")
    tap(qtbot, w, word.objectName())
    assert w.ctx.session.step.query == "住院"
    assert shown_results(w)[0] == "inpatient-reimbursement"


def test_typing_on_the_keyboard_clears_what_was_written(qtbot, search_pad):
    w, pad = search_pad()
    write(qtbot, pad, "住")
    tap(qtbot, w, "mode:pinyin")
    tap(qtbot, w, "key:z")
    assert w.ctx.session.step.query == "z"
    assert pad.area.strokes == [] and pad.text() == ""


def test_recognition_runs_off_the_ui_thread(qtbot, search_pad, monkeypatch):
    from kiosk.ui.citizen import handwriting_pad

    threads, kinds = [], []
    real = handwriting_pad._ENGINE.column

    def spy(strokes, thorough=False):
        threads.append(threading.current_thread())
        kinds.append((len(strokes), thorough))
        return real(strokes, thorough)

    monkeypatch.setattr(handwriting_pad._ENGINE, "column", spy)
    w, pad = search_pad()
    write_on(pad.area, clean_strokes("工"))
    settle(qtbot, pad)
    qtbot.waitUntil(lambda: not pad.area.strokes, timeout=5000)  # the pause ends 工
    assert threads and all(t is not threading.main_thread() for t in threads)
    # quick after each stroke, thorough (stroke-order readings too) once it is done
    assert kinds == [(1, False), (2, False), (3, False), (3, True)]
    assert w.ctx.session.step.query == "工"


def test_writing_on_while_the_thorough_reading_runs_starts_the_next_character(qtbot, search_pad):
    w, pad = search_pad()
    write(qtbot, pad, "住")
    pad.next_character()  # the pause; its thorough reading is under way …
    assert pad.busy() and pad.area.strokes
    write(qtbot, pad, "院")  # … when the finger comes down again
    qtbot.waitUntil(lambda: not pad.area.strokes, timeout=5000)
    assert w.ctx.session.step.query == "住院"


def test_without_the_model_the_pad_says_so_and_search_still_works(qtbot, search_pad, monkeypatch, tmp_path):
    from kiosk.handwriting import zinnia
    from kiosk.ui.citizen import handwriting_pad

    monkeypatch.setattr(zinnia, "MODEL_PATH", tmp_path / "absent.model")
    monkeypatch.setattr(zinnia.Recognizer.__init__, "__defaults__", (tmp_path / "absent.model",))
    monkeypatch.setattr(handwriting_pad, "_ENGINE", handwriting_pad._Engine())
    w, pad = search_pad()
    write_on(pad.area, [clean_strokes("一")[0]])
    settle(qtbot, pad)
    assert pad.area.hint == "手写识别暂不可用，请用拼音输入"
    assert not any(b.text() for b in pad.char_buttons)
    tap(qtbot, w, "mode:pinyin")
    for ch in "zy":
        tap(qtbot, w, f"key:{ch}")
    assert w.ctx.session.search_results()
