"""Staff mode driven by taps: the hidden gesture, the PIN pad, configuration that the
citizen screens show, an edit and its revert on the checklist, xlsx import."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.config import KioskConfig
from kiosk.session import Screen
from kiosk.staff.pin import LOCK_SECONDS, PinGate
from kiosk.staff.state import StateStore
from kiosk.testing.simulated_touch import tap_point, touch_point
from tests.ui_helpers import TEST_SETTLE_MS, layout_problems, tap, texts, visible_buttons

PIN = "258046"


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def staff_window(qtbot, catalogue_db, tmp_path, monkeypatch):
    """A kiosk window with its own catalogue service layer, state database and config file."""
    from kiosk.db.service import CatalogueService
    from kiosk.ui.app import create_window

    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("KIOSK_EXCHANGE_DIR", str(tmp_path / "exchange"))
    made = []

    def make(region="shenyang", size=(1080, 1920), pin=PIN, **cfg):
        state = StateStore(tmp_path / "state.sqlite")
        if pin:
            PinGate(state).set_pin(pin)
        cat = CatalogueService(catalogue_db)
        cfg.setdefault("tap_settle_ms", TEST_SETTLE_MS)
        w = create_window(cat, KioskConfig(region=region, **cfg), state=state)
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        QApplication.processEvents()
        made.append((w, cat))
        return w

    yield make
    for w, cat in made:
        w.close()
        cat.close()


def corner_taps(qtbot, w, n=5):
    """Tap the top-left corner of the window where a citizen sees the hall's name."""
    for _ in range(n):
        tap_point(w, QPoint(30, 30))
    QApplication.processEvents()


def enter_pin(qtbot, w, pin=PIN):
    for d in pin:
        tap(qtbot, w, f"pin:{d}")
    tap(qtbot, w, "pinOk")


def login(qtbot, w, name="wangli"):
    corner_taps(qtbot, w)
    qtbot.waitUntil(lambda: w.staff_active, timeout=2000)
    enter_pin(qtbot, w)
    for ch in name:
        tap(qtbot, w, f"kb:{ch}")
    if w.staff.area.name.keyboard.pinyin:
        tap(qtbot, w, "kb:mode")  # letters as they are, not pinyin
        for ch in name:
            tap(qtbot, w, f"kb:{ch}")
    tap(qtbot, w, "nameOk")
    assert w.staff.who == name
    assert "工作人员模式" in texts(w)


def test_gesture_opens_the_pin_pad_and_taps_still_reach_the_screen(qtbot, staff_window):
    w = staff_window()
    corner_taps(qtbot, w, 4)
    assert not w.staff_active
    tap(qtbot, w, "topic:enrolment")  # a tap elsewhere starts the count again
    assert w.ctx.session.screen is Screen.SERVICES
    corner_taps(qtbot, w, 4)
    assert not w.staff_active
    corner_taps(qtbot, w, 1)
    qtbot.waitUntil(lambda: w.staff_active, timeout=2000)
    assert "工作人员登录" in texts(w)
    assert w.ctx.session.screen is Screen.HOME and not w.ctx.session.can_go_back  # the citizen's session wiped
    assert not w.staff.header().isVisible()
    tap(qtbot, w, "pinCancel")
    assert not w.staff_active and w.staff.header().isVisible()
    assert "您好" in texts(w)


def test_touches_on_a_touch_screen_count_once_each(qtbot, staff_window):
    """A finger gives the window a TouchBegin and then a mouse press Qt makes from it:
    one tap, not two (four touches must not open staff mode)."""
    w = staff_window()
    for _ in range(4):
        touch_point(w, QPoint(30, 30))
    QApplication.processEvents()
    assert not w.staff_active
    touch_point(w, QPoint(30, 30))
    qtbot.waitUntil(lambda: w.staff_active, timeout=2000)
    assert "工作人员登录" in texts(w)


def test_taps_spread_over_more_than_3_seconds_do_nothing(qtbot, staff_window):
    w = staff_window()
    clock = Clock()
    w.staff.gesture.clock = clock
    for _ in range(5):
        corner_taps(qtbot, w, 1)
        clock.t += 0.8
    assert not w.staff_active


def test_pin_right_wrong_and_lockout(qtbot, staff_window):
    w = staff_window()
    clock = Clock()
    w.staff.pin.clock = clock
    corner_taps(qtbot, w)
    qtbot.waitUntil(lambda: w.staff_active, timeout=2000)
    enter_pin(qtbot, w, "123457")
    assert "密码错误，还可以再试 4 次" in texts(w)
    for _ in range(4):
        enter_pin(qtbot, w, "999999")
    assert "已锁定" in texts(w)
    for d in PIN:
        tap(qtbot, w, f"pin:{d}")
    assert not visible_buttons(w, "pinOk")[0].isEnabled()  # locked: even the right PIN is refused
    assert not w.staff.pin.check(PIN).ok
    clock.t += LOCK_SECONDS - 1
    w.staff.area.pin.refresh()
    assert "0 分 01 秒" in texts(w)
    clock.t += 1
    w.staff.area.pin.refresh()
    tap(qtbot, w, "pin:clear")
    enter_pin(qtbot, w)
    assert "请输入您的姓名或工号" in texts(w)


def test_staff_mode_leaves_by_itself_when_idle(qtbot, staff_window):
    w = staff_window()
    login(qtbot, w)
    w.staff.idle.setInterval(300)
    tap(qtbot, w, "staffTab:stats")  # activity restarts the timer
    assert w.staff_active
    qtbot.waitUntil(lambda: not w.staff_active, timeout=3000)
    assert w.ctx.session.screen is Screen.HOME and "您好" in texts(w)
    assert w.staff.who == ""


def test_first_run_sets_pin_and_hall(qtbot, staff_window, tmp_path):
    w = staff_window(pin=None)
    assert w.staff.first_run_if_needed()
    assert "首次设置" in texts(w)
    tap(qtbot, w, "frRegion:fushun")
    halls = w.ctx.catalogue.halls("fushun")
    tap(qtbot, w, f"frHall:{halls[-1].id}")
    for d in "369147":
        tap(qtbot, w, f"frpin:{d}")
    tap(qtbot, w, "frPin2")
    for d in "369148":
        tap(qtbot, w, f"frpin:{d}")
    tap(qtbot, w, "frDone")
    assert "不一致" in texts(w)
    for d in "369147":
        tap(qtbot, w, f"frpin:{d}")
    tap(qtbot, w, "frPin2")
    for d in "369147":
        tap(qtbot, w, f"frpin:{d}")
    tap(qtbot, w, "frDone")
    assert "请输入您的姓名或工号" in texts(w)
    assert w.staff.pin.configured and PinGate(w.staff.state).check("369147").ok
    saved = json.loads((tmp_path / "config" / "config.json").read_text())
    assert saved["region"] == "fushun" and saved["hall"] == halls[-1].id
    tap(qtbot, w, "nameCancel")
    assert halls[-1].name in w.title_label.text()


def test_config_change_shows_on_the_citizen_screens(qtbot, staff_window, tmp_path):
    w = staff_window()
    assert "和平" not in w.title_label.text()
    login(qtbot, w)
    tap(qtbot, w, "cfg:hall:tiexi")
    tap(qtbot, w, "cfg:text_size:large")
    tap(qtbot, w, "cfg:idleMore")
    tap(qtbot, w, "cfg:printer.kind:cups")
    tap(qtbot, w, "cfg:save")
    assert "CUPS 队列名" in texts(w)  # a CUPS printer needs its queue
    tap(qtbot, w, "cfg:edit:printer.queue")
    for ch in "kiosk":
        tap(qtbot, w, f"kb:{ch}")
    tap(qtbot, w, "cfg:save")
    assert "设置已保存" in texts(w)
    saved = json.loads((tmp_path / "config" / "config.json").read_text())
    assert saved["hall"] == "tiexi" and saved["text_size"] == "large" and saved["idle_timeout"] == 100
    assert saved["printer"] == {**saved["printer"], "kind": "cups", "queue": "kiosk"}
    tap(qtbot, w, "staffExit")
    tiexi = next(h for h in w.ctx.catalogue.halls("shenyang") if h.id == "tiexi")
    assert tiexi.name in w.title_label.text() and w.title_label.isVisible()
    assert w.large_button.isChecked()
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:unit-registration")
    tap(qtbot, w, "answer:open")
    assert f"本大厅：{tiexi.name}" in texts(w)


def type_keys(qtbot, w, text: str) -> None:
    """Type on the staff keyboard, its symbols page already shown (digits, : and -)."""
    for ch in text:
        tap(qtbot, w, f"kb:{ch}")


def test_staff_set_the_hours_on_the_touch_screen(qtbot, staff_window, tmp_path):
    """A hall without a fleet service sets its hours at the terminal: Monday with a lunch
    break, a closed date, a night blank; a wrong span is refused and nothing is saved."""
    w = staff_window()
    login(qtbot, w)
    assert "全天开放" in texts(w)  # no hours yet
    tap(qtbot, w, "cfg:edit:hours.mon")
    type_keys(qtbot, w, "08:30-11:30，13:00-17:00")
    tap(qtbot, w, "cfg:edit:hours.mon")  # 完成
    tap(qtbot, w, "cfg:edit:closed_dates")
    type_keys(qtbot, w, "2027-01-01")
    tap(qtbot, w, "cfg:edit:closed_dates")
    tap(qtbot, w, "cfg:edit:night_blank")
    type_keys(qtbot, w, "21:00-07:00")
    tap(qtbot, w, "cfg:edit:night_blank")
    assert "休息" in texts(w)  # once Monday has hours, a day left empty is closed
    tap(qtbot, w, "cfg:save")
    assert "设置已保存" in texts(w)
    saved = json.loads((tmp_path / "config" / "config.json").read_text())
    assert saved["opening_hours"] == {"mon": ["08:30-11:30", "13:00-17:00"]}
    assert saved["closed_dates"] == ["2027-01-01"] and saved["night_blank"] == "21:00-07:00"
    assert w.ctx.config.opening_hours == {"mon": ["08:30-11:30", "13:00-17:00"]}  # in use at once
    # an end before its start: refused, the saved file unchanged
    tap(qtbot, w, "cfg:edit:hours.tue")
    type_keys(qtbot, w, "17:00-08:00")
    tap(qtbot, w, "cfg:save")
    assert "设置已保存" not in texts(w) and "opening_hours" in texts(w)
    assert json.loads((tmp_path / "config" / "config.json").read_text()) == saved


def test_config_save_on_a_full_disk_keeps_the_previous(qtbot, staff_window, tmp_path, monkeypatch):
    import kiosk.ui.staff.mode as staff_mode

    w = staff_window()
    login(qtbot, w)

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(staff_mode, "save_config", full)
    tap(qtbot, w, "cfg:hall:tiexi")
    tap(qtbot, w, "cfg:save")
    assert "设置没有保存" in texts(w)
    assert w.ctx.config.hall == "" and not (tmp_path / "config" / "config.json").exists()


def test_edit_and_revert_show_on_the_citizen_checklist(qtbot, staff_window):
    w = staff_window()
    s = w.ctx.session
    login(qtbot, w)
    tap(qtbot, w, "staffTab:catalogue")
    tap(qtbot, w, "edit:flexible-enrol")
    tap(qtbot, w, "item:materials:1")
    assert "灵活就业人员参保登记" in texts(w)
    tap(qtbot, w, "kb:clear")
    for ch in "yuanjian":
        tap(qtbot, w, f"kb:{ch}")
    tap(qtbot, w, "cand:原件")
    for ch in "fuyinjian":
        tap(qtbot, w, f"kb:{ch}")
    tap(qtbot, w, "cand:复印件")
    assert w.staff.area.shell.tools["catalogue"].fields["name"].text() == "原件复印件"
    tap(qtbot, w, "editor:save")
    assert "已保存（修改记录 #1" in texts(w)
    tap(qtbot, w, "staffExit")

    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:flexible-enrol")
    tap(qtbot, w, "answer:nonlocal")
    tap(qtbot, w, "answer:self")
    assert s.screen is Screen.CHECKLIST
    shown = texts(w)
    assert "原件复印件" in shown and "本人身份证和居住证" not in shown
    # provenance (who edited it) stays on staff screens and in the CLI, never for citizens
    assert "staff edit" not in shown and "wangli" not in shown
    tap(qtbot, w, "homeButton")

    login(qtbot, w)
    tap(qtbot, w, "staffTab:catalogue")
    tap(qtbot, w, "cat:history")
    assert "wangli · 触屏修改" in texts(w)
    tap(qtbot, w, "revert:1")
    assert "已撤销 #1" in texts(w)
    tap(qtbot, w, "staffExit")
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:flexible-enrol")
    tap(qtbot, w, "answer:nonlocal")
    tap(qtbot, w, "answer:self")
    shown = texts(w)
    assert "本人身份证和居住证" in shown and "原件复印件" not in shown and "staff edit" not in shown


def test_differences_listed_for_review(qtbot, staff_window):
    w = staff_window()
    login(qtbot, w)
    tap(qtbot, w, "staffTab:catalogue")
    tap(qtbot, w, "cat:differences")
    diffs = w.ctx.catalogue.differences("shenyang")
    assert diffs and f"较早：{diffs[0].older}" in texts(w)


def test_xlsx_import_from_the_staff_screen(qtbot, staff_window, tmp_path):
    from openpyxl import load_workbook

    w = staff_window()
    login(qtbot, w)
    tap(qtbot, w, "staffTab:xlsx")
    tap(qtbot, w, "xlsx:export")
    [exported] = list((tmp_path / "exchange").glob("*.xlsx"))
    assert "已导出" in texts(w)
    wb = load_workbook(exported)
    row = next(r for r in wb["材料"].iter_rows(min_row=2) if r[1].value == "flexible-enrol" and r[0].value == "shenyang")
    row[4].value = "本人身份证（表格改）"
    wb.save(tmp_path / "exchange" / "good.xlsx")
    row[5].value = "两份"
    wb.save(tmp_path / "exchange" / "broken.xlsx")

    w.staff.area.shell.show_tool("xlsx")
    tap(qtbot, w, "xlsx:file:broken.xlsx")  # checked on a worker thread
    qtbot.waitUntil(lambda: "整个文件不会导入" in texts(w), timeout=20000)
    shown = texts(w)
    assert "整个文件不会导入" in shown and f"材料!F{row[5].row}: " in shown
    assert not visible_buttons(w, "xlsx:apply")
    tap(qtbot, w, "xlsx:cancel")
    assert w.staff.edits.history() == []

    tap(qtbot, w, "xlsx:file:good.xlsx")
    qtbot.waitUntil(lambda: "将修改 1 处" in texts(w), timeout=20000)
    assert "将修改 1 处" in texts(w) and "本人身份证（表格改）" in texts(w)
    tap(qtbot, w, "xlsx:apply")
    assert "已导入 1 处修改" in texts(w)
    svc = w.ctx.catalogue.service("shenyang", "flexible-enrol")
    assert svc.materials[0].display_name == "本人身份证（表格改）"
    assert [e.source for e in w.staff.edits.history()] == ["xlsx import"]


def test_usage_figures_from_citizen_sessions(qtbot, staff_window):
    w = staff_window()
    s = w.ctx.session
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:unit-registration")
    tap(qtbot, w, "answer:open")
    tap(qtbot, w, "homeButton")
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:flexible-enrol")
    tap(qtbot, w, "homeButton")  # left before the checklist
    assert s.screen is Screen.HOME
    login(qtbot, w)
    tap(qtbot, w, "staffTab:stats")
    from kiosk.staff.stats import read_figures

    f = read_figures(w.staff.state)
    assert f.totals["session"] == 2 and f.totals["checklist"] == 1 and f.totals["abandoned"] == 1
    shown = texts(w)
    assert "使用人次" in shown and "中途离开" in shown


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_staff_screens_fit(qtbot, staff_window, size):
    w = staff_window(size=size)
    problems = {}
    corner_taps(qtbot, w)
    qtbot.waitUntil(lambda: w.staff_active, timeout=2000)
    problems["pin"] = layout_problems(w)
    enter_pin(qtbot, w)
    problems["name"] = layout_problems(w)
    tap(qtbot, w, "kb:w")
    tap(qtbot, w, "kb:mode")
    tap(qtbot, w, "kb:w")
    tap(qtbot, w, "nameOk")
    problems["config"] = layout_problems(w)
    tap(qtbot, w, "cfg:printer.kind:escpos")
    tap(qtbot, w, "cfg:edit:printer.address")
    problems["config-keyboard"] = layout_problems(w)
    tap(qtbot, w, "cfg:edit:hours.mon")
    problems["config-hours"] = layout_problems(w)
    tap(qtbot, w, "staffTab:catalogue")
    problems["catalogue"] = layout_problems(w)
    tap(qtbot, w, "edit:flexible-enrol")
    problems["service"] = layout_problems(w)
    tap(qtbot, w, "item:materials:0")
    problems["editor"] = layout_problems(w)
    tap(qtbot, w, "staffTab:xlsx")
    problems["xlsx"] = layout_problems(w)
    tap(qtbot, w, "staffTab:stats")
    problems["stats"] = layout_problems(w)
    assert {k: v for k, v in problems.items() if v} == {}


def test_staff_header_shows_every_warning_and_the_catalogue_age(qtbot, staff_window, catalogue_db):
    """Warnings collected for staff (a failed signed update, a fallback) and the
    catalogue's version and age are on the first staff screen, each once."""
    w = staff_window()
    w.db_path = catalogue_db
    failed = "目录更新失败：https://example.invalid/repo: timed out；继续使用当前目录（版本 本机生成）"
    w.ctx.warnings[:] = [failed, failed]
    login(qtbot, w)
    shown = w.findChild(QWidget, "staffWarning")
    assert shown.isVisible()
    text = shown.text()
    assert text.count("目录更新失败") == 1
    assert "目录版本 本机生成，生成于 0 天前" in text
    assert "天未更新" not in text  # built today: no age warning


def test_catalogue_age_is_told_to_staff_past_the_limit(catalogue_db):
    from datetime import datetime, timedelta

    from kiosk.db.update import catalogue_age_line, catalogue_age_warnings

    later = datetime.now(UTC) + timedelta(days=100)
    assert catalogue_age_line(catalogue_db, now=later) == "目录版本 本机生成，生成于 100 天前"
    assert catalogue_age_line(catalogue_db.with_name("missing.sqlite")) is None
    (warning,) = catalogue_age_warnings(catalogue_db, 90, now=later)
    assert "已 100 天未更新" in warning and "超过 90 天" in warning
    assert catalogue_age_warnings(catalogue_db, 120, now=later) == []


def test_hours_text_round_trip_and_emptied_week():
    from kiosk.ui.staff.config import hours_text, set_hours_text

    cfg = KioskConfig()
    set_hours_text(cfg, "hours.mon", " 08:30-11:30，13:00-17:00 ")
    set_hours_text(cfg, "hours.sat", "09：00－12：00、")  # the keyboard's full-width ： and －
    assert cfg.opening_hours == {"mon": ["08:30-11:30", "13:00-17:00"], "sat": ["09:00-12:00"]}
    assert hours_text(cfg, "hours.mon") == "08:30-11:30，13:00-17:00" and hours_text(cfg, "hours.tue") == ""
    set_hours_text(cfg, "hours.sat", "")
    assert cfg.opening_hours == {"mon": ["08:30-11:30", "13:00-17:00"], "sat": []}  # Saturday closed
    set_hours_text(cfg, "hours.mon", "  ")
    assert cfg.opening_hours == {}  # every day emptied: always open again, not closed all week
    set_hours_text(cfg, "closed_dates", "2027-01-01 2027-02-16")
    assert cfg.closed_dates == ["2027-01-01", "2027-02-16"] and hours_text(cfg, "closed_dates") == "2027-01-01，2027-02-16"
    set_hours_text(cfg, "night_blank", " 21:00-07:00 ")
    assert cfg.night_blank == "21:00-07:00" == hours_text(cfg, "night_blank")
