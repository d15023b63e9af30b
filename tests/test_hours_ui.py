"""Opening hours through the real window: closing only at Home, the closed screen's
content, the night blank and its wake, staff mode while closed. The clock is the test's
(create_window(clock=...)); the hours timer is fired by emitting its timeout, as Qt
would every 30 s: nothing sleeps, nothing is timed."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.config import KioskConfig
from kiosk.session import Screen
from kiosk.testing.simulated_touch import tap_point, tap_widget
from kiosk.ui.qr import qr_pixmap
from kiosk.ui.tap_guard import wait_until_open
from tests.conftest import SEED
from tests.ui_helpers import layout_problems, tap, texts, visible_buttons

WEEKDAYS = {d: ["08:30-11:30", "13:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
MONDAY = (2026, 12, 7)  # a Monday


class Clock:
    def __init__(self, *args):
        self.now = datetime(*args)

    def __call__(self) -> datetime:
        return self.now

    def set(self, hh: int, mm: int = 0, day: int = 7) -> None:
        self.now = datetime(2026, 12, day, hh, mm)


@pytest.fixture
def make_window(make_window):
    """conftest's windows, with weekday hours unless a test gives its own."""

    def make(region="shenyang", clock=None, size=(1080, 1920), **cfg):
        cfg.setdefault("opening_hours", WEEKDAYS)
        return make_window(region, size, clock=clock, **cfg)

    return make


def tick(w) -> None:
    """What the hours timer does every 30 s."""
    w.hours_timer.timeout.emit()
    QApplication.processEvents()


def closed_shown(w) -> bool:
    return w._closed_screen is not None and w.stack.currentWidget() is w._closed_screen


def blank_shown(w) -> bool:
    return w._blank is not None and w._blank.isVisible()


# -- open and closing ----------------------------------------------------------------------------------
def test_closing_waits_until_the_session_is_back_at_home(qtbot, make_window):
    clock = Clock(*MONDAY, 16, 50)
    w = make_window(clock=clock)
    s = w.ctx.session
    assert not closed_shown(w) and "您好！请选择您要办理的业务" in texts(w)
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:flexible-enrol")
    tap(qtbot, w, "answer:nonlocal")
    clock.set(17, 5)  # closing time passes while the citizen reads
    tick(w)
    assert s.screen is Screen.QUESTION and s.answers == {"hukou": "nonlocal"}
    assert not closed_shown(w) and "本厅已下班" not in texts(w)
    tap(qtbot, w, "backButton")  # the session goes on after closing time, screen by screen
    tap(qtbot, w, "backButton")
    assert s.screen is Screen.SERVICES and w.stack.currentWidget() is w.screens[Screen.SERVICES]
    assert not closed_shown(w) and "本厅已下班" not in texts(w)
    tap(qtbot, w, "homeButton")  # the session ends: now the hall is closed
    assert closed_shown(w)
    shown = texts(w)
    assert "本厅已下班" in shown and "下次办公时间：明天（星期二）08:30" in shown
    assert "您好！请选择您要办理的业务" not in shown


def test_closing_after_the_idle_reset(qtbot, make_window):
    clock = Clock(*MONDAY, 16, 59)
    w = make_window(clock=clock)
    s = w.ctx.session
    tap(qtbot, w, "topic:enrolment")
    clock.set(17, 1)
    tick(w)
    assert s.screen is Screen.SERVICES and not closed_shown(w)
    w.idle_timer.timeout.emit()  # the citizen walked away: 还在使用吗？
    assert w.overlay.isVisible() and not closed_shown(w)
    w.overlay.remaining = 1
    w.overlay.timer.timeout.emit()  # the countdown's last second
    QApplication.processEvents()
    assert s.screen is Screen.HOME and closed_shown(w) and "本厅已下班" in texts(w)


def test_idle_at_home_closes_and_opens_with_the_clock(qtbot, make_window):
    clock = Clock(*MONDAY, 11, 29)
    w = make_window(clock=clock)
    tick(w)
    assert not closed_shown(w)
    clock.set(11, 30)
    tick(w)
    assert closed_shown(w) and "午间休息" in texts(w) and "下次办公时间：今天 13:00" in texts(w)
    clock.set(13, 0)
    tick(w)
    assert not closed_shown(w) and "您好！请选择您要办理的业务" in texts(w)


def test_no_hours_configured_never_closes(qtbot, make_window):
    clock = Clock(2026, 12, 13, 3, 0)  # Sunday, 03:00
    w = make_window(clock=clock, opening_hours={}, night_blank="21:00-07:00")
    tick(w)
    assert not closed_shown(w) and not blank_shown(w) and "您好！请选择您要办理的业务" in texts(w)


def test_hours_that_bypassed_validation_keep_the_kiosk_open(qtbot, make_window):
    """A config made in code (not read from a file) with junk hours: open, never a crash."""
    clock = Clock(*MONDAY, 23, 0)
    for junk in ({"mon": ["25:00-26:00"]}, {"xyz": [[[]]]}, "08:30-17:00"):
        w = make_window(clock=clock, opening_hours=junk)
        tick(w)
        assert not closed_shown(w) and "您好！请选择您要办理的业务" in texts(w)


# -- the closed screen ----------------------------------------------------------------------------------
# hand-copied from the documents (seed/): the region's shared online channels and hotline
CLOSED_CONTENT = {
    "shenyang": (["http://zwfw.shenyang.gov.cn/"],
                 ["沈阳智慧医保 APP", "沈阳智慧医保公众号"], "医保咨询热线：024-12345-1-7"),
    "fushun": (["http://fushun.gov.cn"], ["“抚顺医保”公众号", "“国家异地就医备案”小程序"], "联系电话：024-12345"),
    "kaiyuan": (["http://wt.tlyb.vip/hallEnter/#/"], [], None),
}
# what only clinics and pharmacies (医药机构) use: never offered to citizens at the kiosk
INSTITUTIONS_ONLY = {"shenyang": "http://yyjg.ybj.shenyang.gov.cn/", "kaiyuan": "http://sxzspzx.tieling.gov.cn/"}


@pytest.mark.parametrize("region", sorted(CLOSED_CONTENT))
def test_closed_screen_says_when_and_where_instead(qtbot, make_window, region):
    urls, apps, hotline = CLOSED_CONTENT[region]
    clock = Clock(2026, 12, 11, 18, 0)  # Friday evening
    w = make_window(region, clock=clock, closed_dates=["2026-12-14"])
    assert closed_shown(w)
    shown = texts(w)
    assert "本厅已下班" in shown
    assert "下次办公时间：12月15日（星期二）08:30" in shown  # Monday the 14th is a closed date
    assert "今天（星期五）：08:30—11:30、13:00—17:00" in shown
    assert "星期一至星期五：08:30—11:30、13:00—17:00" in shown and "星期六、星期日：休息" in shown
    assert "以下日期休息：12月14日" in shown
    for url in urls:
        assert url in shown
    if region in INSTITUTIONS_ONLY:
        assert INSTITUTIONS_ONLY[region] not in shown
    if region == "shenyang":  # one 公众号, worded two ways by the documents: listed once
        assert "沈阳智慧医保微信公众号" not in shown and shown.count("掌上办（微信公众号）") == 1
    for app in apps:
        assert app in shown
    if hotline:
        assert hotline in shown
    else:
        assert "☎" not in shown  # Kaiyuan's documents give no hotline and no hall phone
    # every web address on the screen is one the documents give, never made up
    seed_text = "".join(p.read_text(encoding="utf-8") for p in SEED.rglob("*.yaml"))
    for url in re.findall(r"https?://\S+", shown):
        assert url in seed_text, url
    # each QR code is the code of its address
    qrs = [q for q in w.findChildren(QLabel, "closedQr") if q.isVisible()]
    assert len(qrs) == len(urls)
    for q, url in zip(qrs, urls, strict=True):
        assert q.pixmap().toImage() == qr_pixmap(url, 240).toImage()
    # nothing to do here now: no service list, no search, no way into a service
    names = {b.objectName() for b in visible_buttons(w)}
    assert not any(n.startswith(("topic:", "audience:", "service:")) for n in names), names
    assert not names & {"searchButton", "hallsButton", "policyButton", "backButton", "homeButton"}
    assert "常办事项" not in shown and "按办理对象" not in shown


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1280, 720)])
@pytest.mark.parametrize("text_size", ["normal", "large"])
def test_closed_screen_fits(qtbot, make_window, size, text_size):
    w = make_window(clock=Clock(*MONDAY, 18, 0), size=size, text_size=text_size, closed_dates=["2026-12-25"])
    assert closed_shown(w)
    assert layout_problems(w) == []


def test_closed_screen_is_read_aloud(qtbot, make_window):
    w = make_window(clock=Clock(*MONDAY, 18, 0))
    assert w.shown_screen() is w.closed_screen
    script = w.closed_screen.speech_text()
    assert script.startswith("本厅已下班。下次办公时间：明天（星期二）08:30。")
    assert "沈阳政务服务网" in script and "024-12345-1-7" in script


def test_large_text_on_the_closed_screen_goes_back_after_the_idle_reset(qtbot, make_window):
    clock = Clock(*MONDAY, 18, 0)
    w = make_window(clock=clock)
    tap(qtbot, w, "largeTextButton")
    assert closed_shown(w) and w.ctx.sizes.body == 36
    w.idle_timer.timeout.emit()
    w.overlay.remaining = 1
    w.overlay.timer.timeout.emit()
    QApplication.processEvents()
    assert closed_shown(w) and w.ctx.sizes.body == 28


# -- night ------------------------------------------------------------------------------------------------
def test_night_blank_wakes_on_a_tap_and_blanks_again(qtbot, make_window):
    clock = Clock(*MONDAY, 20, 59)
    w = make_window(clock=clock, night_blank="21:00-07:00")
    assert closed_shown(w) and not blank_shown(w)
    clock.set(21, 0)
    tick(w)
    assert blank_shown(w) and w._blank.geometry() == w.rect()
    assert w.childAt(QPoint(540, 960)) is w._blank  # nothing of the screens can be touched
    tap_widget(w._blank)
    QApplication.processEvents()
    assert not blank_shown(w) and closed_shown(w) and "本厅已下班" in texts(w)
    assert w.wake_timer.isActive() and w.wake_timer.interval() == 90 * 1000  # the idle timeout
    tick(w)  # the hours timer does not blank a woken screen
    assert not blank_shown(w)
    w.wake_timer.timeout.emit()  # nobody touched it for the idle timeout
    QApplication.processEvents()
    assert blank_shown(w)
    clock.set(8, 30, day=8)  # Tuesday morning: open
    tick(w)
    assert not blank_shown(w) and not closed_shown(w) and "您好！请选择您要办理的业务" in texts(w)


@pytest.mark.parametrize("button", ["largeTextButton", "contrastButton"])
@pytest.mark.parametrize("finger", ["double", "tremor"])
def test_taps_that_wake_the_black_screen_do_not_press_what_is_below(qtbot, make_window, button, finger):
    """Found on a real display: a double tap (or three shaky taps in 240 ms) on the black
    screen woke it and switched 大字 or 高对比 on, a button the person never saw."""
    from kiosk.ui import theme

    w = make_window(clock=Clock(*MONDAY, 23, 0), night_blank="21:00-07:00", tap_settle_ms=350)
    assert blank_shown(w) and w._blank.geometry() == w.rect()  # blanked before the window's first resize
    assert wait_until_open(w)  # the black screen has been up a while
    target = visible_buttons(w, button)[0]  # under the black layer, still laid out
    centre = target.mapTo(w, target.rect().center())
    offsets = [QPoint(0, 0), QPoint(3, -2)] if finger == "double" else [QPoint(0, 0), QPoint(4, 3), QPoint(-3, 5)]
    for off in offsets:
        tap_point(w, centre + off)
        qtbot.wait(80)
    QApplication.processEvents()
    assert not blank_shown(w) and closed_shown(w)
    assert w.ctx.sizes is theme.NORMAL and w.ctx.palette is theme.LIGHT, "a tap reached the button below"
    qtbot.wait(400)  # a deliberate tap after the screen has settled works
    tap_point(w, centre)
    QApplication.processEvents()
    assert (w.ctx.sizes is theme.LARGE) if button == "largeTextButton" else (w.ctx.palette is theme.CONTRAST)


def test_a_session_at_night_is_never_blanked(qtbot, make_window):
    clock = Clock(*MONDAY, 20, 50)
    w = make_window(clock=clock, night_blank="21:00-07:00", opening_hours={"mon": ["08:00-22:00"]})
    tap(qtbot, w, "topic:enrolment")
    clock.set(23, 0)
    tick(w)
    assert not blank_shown(w) and w.ctx.session.screen is Screen.SERVICES


def test_staff_gesture_works_on_the_black_screen(qtbot, make_window):
    w = make_window(clock=Clock(*MONDAY, 23, 0), night_blank="21:00-07:00")
    assert blank_shown(w)
    assert wait_until_open(w)  # the black screen has been up a while
    for _ in range(5):  # the first tap wakes the screen, all five count
        tap_point(w, QPoint(30, 30))
    QApplication.processEvents()
    qtbot.waitUntil(lambda: w.staff_active, timeout=2000)
    assert not blank_shown(w)


@pytest.mark.parametrize("day, hh, mm, expected", [
    (7, 7, 30, "尚未开始办公"), (7, 11, 30, "午间休息"), (7, 17, 0, "本厅已下班"), (12, 10, 0, "今日休息"),
    (25, 10, 0, "今日休息"),  # a Friday that is a closed date
])
def test_the_heading_says_why_it_is_closed(day, hh, mm, expected):
    from kiosk.hours import Hours
    from kiosk.ui.citizen.closed import heading

    h = Hours.from_config(KioskConfig(opening_hours=WEEKDAYS, closed_dates=["2026-12-25"]))
    assert heading(h, datetime(2026, 12, day, hh, mm)) == expected
