"""朗读 on the screens: the speaker button starts and stops the voice, and no screen change,
print, idle timeout or close lets it go on speaking. Qt tests: kept apart from
tests/test_speech.py, the core's tests that mutation runs use (docs/mutation.md)."""

from __future__ import annotations

import pytest

from tests.speech_support import alive, stand_in_voice


@pytest.fixture
def slow_voice(tmp_path, monkeypatch):
    yield from stand_in_voice(tmp_path, monkeypatch)


@pytest.fixture
def make_speaking_window(make_window, slow_voice):
    """conftest's windows (Fushun by default) with the stand-in voice, looked for at once."""

    def make(region="fushun"):
        w = make_window(region)
        w.warm_up()  # the voice is looked for once Home is painted
        return w

    return make


@pytest.fixture
def speaking_window(make_speaking_window):
    return make_speaking_window()


def start_reading(qtbot, w, slow_voice):
    from tests.ui_helpers import tap

    tap(qtbot, w, "speakButton")
    assert w.speak_button.text().endswith("停止") and "朗读" not in w.speak_button.text()
    assert w.speak_button.width() >= 80 and w.speak_button.height() >= 80
    shell, child = slow_voice()
    assert alive(shell) and alive(child)
    return shell, child


def to_checklist(qtbot, w):
    from kiosk.session import Screen
    from tests.ui_helpers import tap

    tap(qtbot, w, "topic:maternity")
    tap(qtbot, w, "service:maternity-allowance")
    assert w.ctx.session.screen is Screen.CHECKLIST


def test_stop_button_stops_the_voice(qtbot, speaking_window, slow_voice):
    from tests.ui_helpers import tap

    w = speaking_window
    to_checklist(qtbot, w)
    shell, child = start_reading(qtbot, w, slow_voice)
    assert "材料，共5项" in w.ctx.speaker.last_input or "cai2 liao4" in w.ctx.speaker.last_input
    tap(qtbot, w, "speakButton")
    assert not alive(shell) and not alive(child)
    assert w.speak_button.text() == "朗读"


@pytest.mark.parametrize("how", ["home", "back", "screen", "print", "idle", "close"])
def test_speech_never_outlives_the_screen_or_the_session(qtbot, speaking_window, slow_voice, how):
    from kiosk.session import Screen
    from tests.ui_helpers import tap

    w = speaking_window
    s = w.ctx.session
    to_checklist(qtbot, w)
    shell, child = start_reading(qtbot, w, slow_voice)
    if how == "home":
        tap(qtbot, w, "homeButton")
    elif how == "back":
        tap(qtbot, w, "backButton")
    elif how == "screen":
        s.open_halls()
    elif how == "print":
        tap(qtbot, w, "printButton")
    elif how == "idle":
        w.ctx.config.idle_timeout = 1
        w.overlay.seconds = 1
        w.note_activity()
        qtbot.waitUntil(lambda: s.screen is Screen.HOME, timeout=6000)
    else:
        w.close()
    qtbot.waitUntil(lambda: not alive(shell) and not alive(child), timeout=3000)
    assert not w.ctx.speaker.speaking
    if how != "close":  # the button follows within its 300 ms poll
        qtbot.waitUntil(lambda: w.speak_button.text() == "朗读", timeout=2000)


def test_typing_a_search_does_not_stop_the_voice(qtbot, speaking_window, slow_voice):
    """Typing changes the results, not the screen: the voice goes on."""
    from tests.ui_helpers import tap

    w = speaking_window
    tap(qtbot, w, "searchButton")
    tap(qtbot, w, "key:y")
    shell, child = start_reading(qtbot, w, slow_voice)
    assert "zhao3 dao4" in w.ctx.speaker.last_input  # 找到…项业务
    tap(qtbot, w, "key:d")
    assert alive(shell) and alive(child)


@pytest.mark.parametrize("screen", ["search", "policy", "halls", "question", "services"])
def test_read_aloud_on_every_citizen_screen(qtbot, make_speaking_window, slow_voice, screen):
    from tests.ui_helpers import tap, visible_buttons

    w = make_speaking_window("shenyang" if screen == "policy" else "fushun")
    if screen == "search":
        tap(qtbot, w, "searchButton")
        expected = "sou1 suo3 ye4 wu4"  # 搜索业务
    elif screen == "policy":
        tap(qtbot, w, "policyButton")
        expected = "zheng4 ce4 su4 cha2"  # 政策速查
    elif screen == "halls":
        tap(qtbot, w, "hallsButton")
        expected = "ling2 er4 si4 , yi1 er4 san1 si4 wu3"  # the hotline, in its groups
    elif screen == "question":
        tap(qtbot, w, "topic:enrolment")
        tap(qtbot, w, "service:resident-enrol")
        expected = "zhong1 zhi3 can1 bao3"  # 终止参保, an answer read out
    else:
        tap(qtbot, w, "topic:enrolment")
        expected = "cheng2 xiang1 ju1 min2 can1 bao3 deng1 ji4"  # 城乡居民参保登记
    assert visible_buttons(w, "speakButton")
    start_reading(qtbot, w, slow_voice)
    assert expected in w.ctx.speaker.last_input
