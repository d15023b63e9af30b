"""朗读: what the voice is handed, what it says (espeak-ng's phonemes), and that it stops.
No Qt here (the core's tests, used by mutation runs); the screens' tests are in
tests/test_speech_ui.py.

Expected words and phonemes are written by hand: the Chinese a person says, and
espeak-ng's cmn-latn-pinyin phonemes of each syllable (e.g. 三 san1 -> s'a55n).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kiosk.speech import Speaker, voice_input
from kiosk.speech_text import spoken
from tests.speech_support import alive, stand_in_voice

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


# -- stopping: a slow stand-in voice (tests/speech_support.py) -------------------------------------


@pytest.fixture
def slow_voice(tmp_path, monkeypatch):
    yield from stand_in_voice(tmp_path, monkeypatch)


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


# -- to_pinyin by hand: pauses, digits, neutral tones, what is dropped -------------------------------
@pytest.mark.parametrize(
    "text, pinyin",
    [
        ("，一", "yi1"),  # a pause first says nothing
        ("一，，二", "yi1 , er4"),  # two pauses in a row are one
        ("一，", "yi1"),  # nor a pause last
        ("第3项", "di4 san1 xiang4"),  # a digit left over is read
        ("我的", "wo3 de5"),  # the neutral tone is 5, not left out
        ("办abc", "ban4"),  # lower-case Latin is not Mandarin: dropped, not spelled
        ("★办", "ban4"),
        ("办理X", "ban4 li3 X"),  # a capital is spelled, even last
        ("", ""),
    ],
)
def test_to_pinyin(text, pinyin):
    from kiosk.speech import to_pinyin

    assert to_pinyin(text) == pinyin


def test_place_names_are_loaded_once_and_read_right(monkeypatch):
    import kiosk.speech
    from kiosk.speech import to_pinyin

    monkeypatch.setattr(kiosk.speech, "_places_loaded", False)
    assert to_pinyin("长白西路") == "chang2 bai2 xi1 lu4"
    assert kiosk.speech._places_loaded is True


RECORDING = """#!/bin/sh
case "$1" in --voices*) echo ' 5  cmn-latn-pinyin  M  chinese-pinyin  sit/cmn-Latn-pinyin'; exit 0;; esac
printf '%s|' "$@" > "$STAND_IN_LOG.args"
fds="$(readlink /proc/$$/fd/1) $(readlink /proc/$$/fd/2)"
echo "$fds" > "$STAND_IN_LOG.fds"
"""

STUBBORN = """#!/bin/sh
case "$1" in --voices*) echo ' 5  cmn-latn-pinyin  M  chinese-pinyin  sit/cmn-Latn-pinyin'; exit 0;; esac
trap '' TERM
sh -c "trap '' TERM; exec sleep 60" &
echo "$$ $!" >> "$STAND_IN_LOG"
while :; do sleep 1; done
"""


# the voice itself ends on SIGTERM; what it started ignores it
LEAVES_A_CHILD = STUBBORN.replace("trap '' TERM\nsh -c", "sh -c")


def stand_in(tmp_path, monkeypatch, script: str):
    binary = tmp_path / "espeak-ng"
    binary.write_text(script)
    binary.chmod(0o755)
    monkeypatch.setenv("STAND_IN_LOG", str(tmp_path / "voice.log"))
    return binary


def test_the_voice_is_started_slow_silent_and_in_its_own_session(tmp_path, monkeypatch):
    binary = stand_in(tmp_path, monkeypatch, RECORDING)
    sp = Speaker(binary=str(binary))
    assert sp.last_input == "" and sp.binary == str(binary)
    assert sp.speak("第3项")
    sp._proc.wait(timeout=5)
    assert (tmp_path / "voice.log.args").read_text() == "-v|cmn-latn-pinyin|-s|130|-g|8|di4 san1 xiang4|"
    assert (tmp_path / "voice.log.fds").read_text().split() == ["/dev/null", "/dev/null"]


def test_nothing_to_say_or_no_voice_starts_nothing(tmp_path, monkeypatch):
    binary = stand_in(tmp_path, monkeypatch, RECORDING)
    sp = Speaker(binary=str(binary))
    assert sp.speak("  \n") is False and not sp.speaking and sp.last_input == ""
    assert not (tmp_path / "voice.log.args").exists()
    missing = Speaker(binary=str(tmp_path / "no-such-voice"))
    assert missing.speak("办理") is False and not missing.available and missing.last_input == ""
    assert sp.available
    binary.chmod(0o644)  # found once, then it cannot be run: no voice, no traceback
    assert sp.speak("办理") is False and not sp.speaking


def voice_pids(tmp_path, wait: float = 5) -> tuple[int, int, float]:
    """The stand-in voice's shell and child pids, once it has written them; and the deadline."""
    log = tmp_path / "voice.log"
    deadline = time.monotonic() + wait
    while not log.exists() or len(log.read_text().split()) < 2:
        assert time.monotonic() < deadline, "the stand-in voice never started"
        time.sleep(0.02)
    shell, child = (int(x) for x in log.read_text().split())
    return shell, child, deadline


def test_a_voice_that_ignores_sigterm_is_killed_and_reaped(tmp_path, monkeypatch):
    binary = stand_in(tmp_path, monkeypatch, STUBBORN)
    sp = Speaker(binary=str(binary))
    assert sp.speak("办理")
    shell, child, deadline = voice_pids(tmp_path)
    proc = sp._proc
    started = time.monotonic()
    sp.stop()
    assert time.monotonic() - started < 1.4  # 0.5 s for SIGTERM, then SIGKILL
    assert proc.returncode is not None  # reaped: no zombie left
    deadline = time.monotonic() + 1
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not alive(shell) and not alive(child)


def test_what_the_voice_left_behind_in_its_group_is_killed_too(tmp_path, monkeypatch):
    sp = Speaker(binary=str(stand_in(tmp_path, monkeypatch, LEAVES_A_CHILD)))
    assert sp.speak("办理")
    shell, child, deadline = voice_pids(tmp_path)
    while Path(f"/proc/{child}/comm").read_text() != "sleep\n":  # it ignores SIGTERM once it sleeps
        assert time.monotonic() < deadline, "the stand-in's child never slept"
        time.sleep(0.02)
    sp.stop()
    deadline = time.monotonic() + 1
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not alive(shell) and not alive(child)
