"""朗读: what the voice is handed, what it says (espeak-ng's phonemes), and that it stops.

Expected words and phonemes are written by hand: the Chinese a person says, and
espeak-ng's cmn-latn-pinyin phonemes of each syllable (e.g. 三 san1 -> s'a55n).
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from kiosk.speech import Speaker, voice_input
from kiosk.speech_text import spoken

SAYS = [
    ("办理时限：30 个工作日", "办理时限：三十个工作日"),
    ("1.5万元", "一点五万元"),
    ("2025年12月31日", "二零二五年十二月三十一日"),
    ("报销比例50%", "报销比例百分之五十"),
    ("起付标准1200元", "起付标准一千二百元"),
    ("3-5个工作日", "三至五个工作日"),
    ("医保咨询热线024-12345-1-7", "医保咨询热线，零二四，一二三四五，一，七"),
    ("信访电话 53997899。", "信访电话，五三九九，七八九九。"),
    ("和平区长白西路51号。", "和平区长白西路五十一号。"),
    ("顺城区临江东路19-12号楼1层", "顺城区临江东路十九杠十二号楼一层"),
    ("苏家屯区南京南街1088-3号。", "苏家屯区南京南街一零八八杠三号。"),
    ("乘坐116路、205路", "乘坐一一六路、二零五路"),
    ("沈阳创新天地H座7楼", "沈阳创新天地 H 座七楼"),
    ("下载APP办理", "下载 A P P 办理"),
    ("登录 http://ybj.shenyang.gov.cn/wsbs 办理", "登录，网址见屏幕，办理"),
    ("网址：zwfw.shenyang.gov.cn", "网址：网址见屏幕"),
    ("邮箱 kyybfzx@163.com", "邮箱，地址见屏幕"),
    ("8:30-11:30", "八点半至十一点半"),
]


@pytest.mark.parametrize("text,said", SAYS)
def test_numbers_phones_addresses_and_letters_are_said_as_people_say_them(text, said):
    assert spoken(text) == said


def test_nothing_is_read_digit_by_digit_by_accident():
    out = spoken("2025年12月31日前，30个工作日内，报销50%，最高1.5万元")
    assert not any(c.isdigit() for c in out)
    for wrong in ("三零", "一二月", "三一日", "五零", "一，五万", "负"):
        assert wrong not in out


VOICE = [
    ("30 个工作日", "san1 shi2 ge4 gong1 zuo4 ri4"),
    ("1.5万元", "yi4 dian3 wu3 wan4 yuan2"),
    ("2025年12月31日", "er4 ling2 er4 wu3 nian2 shi2 er4 yue4 san1 shi2 yi1 ri4"),
    ("50%", "bai3 fen1 zhi1 wu3 shi2"),
    ("024-12345-1-7", "ling2 er4 si4 , yi1 er4 san1 si4 wu3 , yi1 , qi1"),
    ("长白西路51号", "wu3 shi2 yi1 hao4"),
    ("和平区长白西路51号", "chang2 bai2 xi1 lu4 wu3 shi2 yi1 hao4"),  # 长 as in 长白山, not 生长
    ("下载APP", "xia4 zai4 A P P"),
]


@pytest.mark.parametrize("text,pinyin", VOICE)
def test_the_voice_is_handed_pinyin_of_the_spoken_words(text, pinyin):
    assert pinyin in voice_input(text)


def espeak() -> Speaker:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh --test installs it)")
    sp = Speaker(binary=shutil.which("espeak-ng"))
    if not sp.available:
        pytest.skip("espeak-ng has no cmn-latn-pinyin voice")
    return sp


# espeak-ng -x -q -v cmn-latn-pinyin, syllable by syllable ('_|' ends one, a new line is a pause)
PHONEMES = [
    ("30 个工作日", ["s'a55n_| s.'i.35_| k'o-51_|"], ["l'i35N"]),  # 三十个, no 零
    ("1.5万元", ["j'i51_| t'iE35n_| w'u21_| w'A51n_| 'y&35n_|"], []),  # 一点五万元
    ("2025年12月31日", ["'@r51_| l'i35N_| '@r51_| w'u21_| n'iE35n_|",  # 二零二五年
                        "s.'i.35_| '@r51_| 'yE51_|",  # 十二月
                        "s'a55n_| s.'i.35_| j'i55_| z.'i.51_|"], []),  # 三十一日
    ("50%", ["p'ai21_| f'@55n_| ts.'i.55_| w'u21_| s.'i.35_|"], ["l'i35N"]),  # 百分之五十
    ("024-12345-1-7", ["l'i35N_| '@r51_| s'i[51_|\nj'i55_| '@r51_| s'a55n_| s'i[51_| w'u214_|\nj'i55_|\n"
                       "tS;h'i55_|"], []),  # 零二四，一二三四五，一，七: a pause between groups
    ("长白西路51号", ["w'u21_| s.'i.35_| j'i55_| X'Au51_|"], []),  # 五十一号
    ("下载APP", ["'ei51_| ph'i51_| ph'i51_|"], []),  # A P P, spelled
]


@pytest.mark.parametrize("text,present,absent", PHONEMES)
def test_what_the_voice_says(text, present, absent):
    sp = espeak()
    said = sp.phonemes(text)
    for p in present:
        assert p in said, (text, said)
    for p in absent:
        assert p not in said, (text, said)


def test_the_whole_checklist_is_read_in_order(catalogue):
    from kiosk.catalogue.guide import build_guide
    from kiosk.speech_text import checklist_script

    guide = build_guide(catalogue.service("fushun", "maternity-allowance"), {})
    hall = catalogue.halls("fushun")[0]
    text = checklist_script(guide, catalogue.region("fushun"), hall)
    order = ["生育津贴支付。", "材料，共5项。", "第1项，医保电子凭证或有效身份证件或社保卡。", "第5项，生育承诺书。",
             "去哪里办。", "窗口办：", "本大厅：抚顺市医疗保障事务服务中心，地址：顺城区临江东路19-12号楼1层。",
             "办理时限。30 个工作日。", "不予受理。以下情形不予受理：医保连续缴费不满十个月",
             "可以以后补交的材料。", "结婚证，补正期限：20 个工作日。", "电话。", "024-12345"]
    at = [text.find(x) for x in order]
    assert -1 not in at, [x for x, i in zip(order, at, strict=False) if i == -1]
    assert at == sorted(at)
    assert "http" not in text and "txt" not in text and "§" not in text  # no web address, no file names
    said = spoken(text)
    assert "零二四，一二三四五" in said and "十九杠十二号楼一层" in said and "三十个工作日" in said


def test_materials_are_read_with_original_or_copy(catalogue):
    from kiosk.catalogue.guide import build_guide
    from kiosk.speech_text import checklist_script

    guide = build_guide(catalogue.service("shenyang", "medical-institution-designation"), {})
    text = checklist_script(guide, catalogue.region("shenyang"), catalogue.halls("shenyang")[0])
    kinds = [m.original for m in guide.materials]
    assert kinds[:3] == [None, "原件及复印件", "原件及复印件"]
    assert f"第2项，{guide.materials[1].display_name}，原件及复印件" in text
    assert f"第1项，{guide.materials[0].display_name}。" in text  # nothing said where the guide says nothing
    assert "电话。" in text and "零二四，一二三四五，一，七" in spoken(text)


# -- stopping: a slow stand-in voice ---------------------------------------------------------------
STAND_IN = """#!/bin/sh
case "$1" in --voices*) echo ' 5  cmn-latn-pinyin  M  chinese-pinyin  sit/cmn-Latn-pinyin'; exit 0;; esac
sleep 60 &
echo "$$ $!" >> "$STAND_IN_LOG"
wait
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def slow_voice(tmp_path, monkeypatch):
    """A voice that takes a minute: every process it starts is written to a log."""
    binary = tmp_path / "espeak-ng"
    binary.write_text(STAND_IN)
    binary.chmod(0o755)
    log = tmp_path / "voice.log"
    monkeypatch.setenv("KIOSK_ESPEAK", str(binary))
    monkeypatch.setenv("STAND_IN_LOG", str(log))

    def pids() -> list[int]:
        deadline = time.monotonic() + 5
        while not log.exists() or not log.read_text().strip():
            assert time.monotonic() < deadline, "the stand-in voice never started"
            time.sleep(0.02)
        return [int(x) for x in log.read_text().split()]

    yield pids
    for pid in (pids() if log.exists() else []):
        if alive(pid):
            os.kill(pid, 9)


def test_the_speaker_kills_the_voice_and_its_children(slow_voice):
    sp = Speaker()
    assert sp.available and sp.speak("办理时限：30 个工作日")
    shell, child = slow_voice()
    assert sp.speaking and alive(shell) and alive(child)
    sp.stop()
    assert not sp.speaking and not alive(shell)
    deadline = time.monotonic() + 1
    while alive(child) and time.monotonic() < deadline:  # a signal takes a moment to land
        time.sleep(0.01)
    assert not alive(child)
    assert sp.last_input == "ban4 li3 shi2 xian4 , san1 shi2 ge4 gong1 zuo4 ri4"


@pytest.fixture
def make_speaking_window(qtbot, catalogue, slow_voice):
    from PySide6.QtWidgets import QApplication

    from kiosk.config import KioskConfig
    from kiosk.ui.app import create_window
    from tests.ui_helpers import TEST_SETTLE_MS

    made = []

    def make(region="fushun"):
        w = create_window(catalogue, KioskConfig(region=region, tap_settle_ms=TEST_SETTLE_MS))
        qtbot.addWidget(w)
        w.resize(1080, 1920)
        w.show()
        QApplication.processEvents()
        w.warm_up()  # the voice is looked for once Home is painted
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


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
