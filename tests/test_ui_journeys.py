"""Tap through the kiosk as a citizen would, for every region and category."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.session import Screen
from kiosk.testing.simulated_touch import tap_widget, touch_point
from tests.ui_helpers import layout_problems, tap, texts

REGIONS = ["shenyang", "fushun", "kaiyuan"]



def answer_all(qtbot, w):
    """Tap the first answer of every question until the checklist shows."""
    s = w.ctx.session
    for _ in range(10):
        if s.screen is not Screen.QUESTION:
            break
        tap(qtbot, w, f"answer:{s.question.options[0].id}")
    assert s.screen is Screen.CHECKLIST


def record_usage_with(qtbot, w, recorder) -> None:
    """Replace the usage figures with `recorder`, once staff mode has attached its own.

    Staff mode opens the state database a moment after start-up and then sets
    ctx.usage; a recorder set before that was silently replaced, so the print tests
    passed or timed out depending on the machine's load."""
    qtbot.waitUntil(lambda: w.staff is not None and w.staff.usage is not None, timeout=15000)
    w.ctx.usage = recorder


def open_print_preview(qtbot, w):
    """Shenyang's 灵活就业人员参保登记 to its checklist, then 打印清单: the preview's controller."""
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:flexible-enrol")
    answer_all(qtbot, w)
    tap(qtbot, w, "printButton")
    controller = w.ctx.printing.load()
    qtbot.waitUntil(controller.dialog.isVisible, timeout=2000)
    return controller


def categories(catalogue, region):
    seen = {}
    for svc in catalogue.services(region):
        seen.setdefault(svc.category, svc)
    return list(seen.values())


@pytest.mark.parametrize("region", REGIONS)
def test_a_journey_per_category(qtbot, make_window, catalogue, region):
    w = make_window(region)
    s = w.ctx.session
    for svc in categories(catalogue, region):
        tap(qtbot, w, "homeButton") if s.screen is not Screen.HOME else None
        topic = svc.topics[0]
        tap(qtbot, w, f"topic:{topic}")
        assert s.screen is Screen.SERVICES
        tap(qtbot, w, f"service:{svc.id}")
        answer_all(qtbot, w)
        shown = texts(w)
        assert svc.name in shown
        guide = s.guide
        for m in guide.materials:
            assert m.display_name in shown, (svc.id, m.display_name)
        if svc.time_limit:
            assert svc.time_limit.text in shown
        tap(qtbot, w, "homeButton")
        assert s.screen is Screen.HOME and s.answers == {}


def test_audience_tiles_and_back(qtbot, make_window):
    w = make_window("shenyang")
    s = w.ctx.session
    tap(qtbot, w, "audience:单位")
    assert s.screen is Screen.SERVICES
    assert all(x.audience == "单位" for x in s.listed_services())
    tap(qtbot, w, "service:unit-registration")
    assert s.screen is Screen.QUESTION
    assert "第 1 步" in texts(w)
    tap(qtbot, w, "answer:close")
    assert s.screen is Screen.CHECKLIST
    assert "单位批准注销的书面资料" in texts(w)
    tap(qtbot, w, "backButton")
    assert s.screen is Screen.QUESTION and s.answers == {}
    tap(qtbot, w, "backButton")
    assert s.screen is Screen.SERVICES
    tap(qtbot, w, "backButton")
    assert s.screen is Screen.HOME
    assert not visible_enabled(w, "backButton")


def visible_enabled(w, name):
    from tests.ui_helpers import visible_buttons

    return any(b.isEnabled() for b in visible_buttons(w, name))


def test_search_by_initials_updates_with_each_key(qtbot, make_window):
    w = make_window("fushun")
    s = w.ctx.session
    tap(qtbot, w, "searchButton")
    tap(qtbot, w, "key:y")
    first = [x.id for x in s.search_results()]
    tap(qtbot, w, "key:d")
    tap(qtbot, w, "key:j")
    tap(qtbot, w, "key:y")
    results = s.search_results()
    assert s.step.query == "ydjy"
    assert results and results != first
    assert all("异地" in r.name or "remote-care" in r.topics for r in results[:4])
    assert "异地" in texts(w)
    tap(qtbot, w, f"service:{results[0].id}")
    assert s.screen in (Screen.QUESTION, Screen.CHECKLIST)
    tap(qtbot, w, "backButton")
    assert s.screen is Screen.SEARCH and s.step.query == "ydjy"


def test_everyday_word_search(qtbot, make_window):
    w = make_window("shenyang")
    tap(qtbot, w, "searchButton")
    tap(qtbot, w, "word:生孩子")
    names = [x.name for x in w.ctx.session.search_results()]
    assert "生育津贴支付" in names


def test_idle_countdown_wipes_the_session(qtbot, make_window):
    w = make_window("shenyang")
    w.ctx.config.idle_timeout = 1
    w.overlay.seconds = 2
    s = w.ctx.session
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:flexible-enrol")
    tap(qtbot, w, "answer:nonlocal")
    assert s.answers == {"hukou": "nonlocal"}
    qtbot.waitUntil(lambda: w.overlay.isVisible(), timeout=3000)
    assert "还在使用吗？" in texts(w)
    qtbot.waitUntil(lambda: s.screen is Screen.HOME, timeout=5000)
    assert s.answers == {} and not s.can_go_back and s.step.service_id is None
    assert not w.overlay.isVisible()


def test_a_tap_cancels_the_countdown(qtbot, make_window):
    w = make_window("kaiyuan")
    w.ctx.config.idle_timeout = 1
    w.overlay.seconds = 5
    s = w.ctx.session
    tap(qtbot, w, "topic:query")
    qtbot.waitUntil(lambda: w.overlay.isVisible(), timeout=3000)
    tap(qtbot, w, "idleContinue")
    assert not w.overlay.isVisible()
    assert s.screen is Screen.SERVICES


def test_taps_that_change_no_screen_still_keep_the_session(qtbot, make_window):
    """Activity is seen where a touch enters the window, not only on screen changes."""
    w = make_window("kaiyuan")
    w.ctx.config.idle_timeout = 2
    tap(qtbot, w, "topic:query")
    title = w.title_label
    for i in range(16):  # 2.4 s of clicks on the hall's name, then 2.4 s of touches: each over the 2 s timeout
        qtbot.wait(300)
        if i < 8:
            tap_widget(title)
        else:
            touch_point(w, title.mapTo(w, title.rect().center()))
        assert not w.overlay.isVisible()
    qtbot.waitUntil(lambda: w.overlay.isVisible(), timeout=4000)  # no more taps: the countdown comes


def test_taps_in_the_print_preview_keep_the_session(qtbot, make_window):
    w = make_window("shenyang")
    w.ctx.config.idle_timeout = 2
    s = w.ctx.session
    dialog = open_print_preview(qtbot, w).dialog
    for _ in range(8):  # 2.4 s of taps in the preview, over the 2 s timeout
        qtbot.wait(300)
        tap_widget(dialog.status)
        assert s.screen is Screen.CHECKLIST and not w.overlay.isVisible()
    tap(qtbot, dialog, "printBack")
    assert not dialog.isVisible() and s.screen is Screen.CHECKLIST


def test_idle_countdown_is_shown_over_an_open_print_preview(qtbot, make_window):
    """The countdown is on the kiosk window: a preview left open would hide it."""
    w = make_window("shenyang")
    w.ctx.config.idle_timeout = 1
    w.overlay.seconds = 5
    s = w.ctx.session
    controller = open_print_preview(qtbot, w)
    qtbot.waitUntil(w.overlay.isVisible, timeout=4000)
    # closed (and deleted later) so that the countdown can be seen
    assert controller.dialog is None
    assert not [x for x in QApplication.topLevelWidgets() if x.objectName() == "printDialog" and x.isVisible()]
    tap(qtbot, w, "idleContinue")
    assert not w.overlay.isVisible() and s.screen is Screen.CHECKLIST


def test_home_shows_hall_and_hotline(qtbot, make_window):
    w = make_window("shenyang")
    shown = texts(w)
    assert "024-12345-1-7" in shown and "沈阳市医疗保障事务服务中心" in shown


def test_halls_and_policy_screens(qtbot, make_window):
    w = make_window("shenyang")
    tap(qtbot, w, "hallsButton")
    assert "长白西路" in texts(w).replace(" ", "")
    tap(qtbot, w, "homeButton")
    tap(qtbot, w, "topic:reimbursement")
    tap(qtbot, w, "service:inpatient-reimbursement")
    assert w.ctx.session.screen is Screen.CHECKLIST
    topic = w.ctx.catalogue.policy_topics("shenyang", "inpatient-reimbursement")[0]
    tap(qtbot, w, f"policy:{topic.id}")
    assert w.ctx.session.screen is Screen.POLICY
    assert topic.title in texts(w)
    tap(qtbot, w, "backButton")
    assert w.ctx.session.screen is Screen.CHECKLIST


def test_checklist_more_shows_steps_and_legal_basis(qtbot, make_window):
    w = make_window("shenyang")
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "service:unit-registration")
    tap(qtbot, w, "answer:open")
    assert "社会保险法" not in texts(w)
    tap(qtbot, w, "moreButton")
    shown = texts(w)
    assert "1. 申请：" in shown.replace("1.申请", "1. 申请") and "社会保险法" in shown


def test_refusals_and_deferrable_badges_on_the_checklist(qtbot, make_window):
    w = make_window("fushun")
    tap(qtbot, w, "topic:maternity")
    tap(qtbot, w, "service:maternity-allowance")
    answer_all(qtbot, w)
    shown = texts(w)
    assert "以下情形不予受理" in shown and "医保连续缴费不满十个月" in shown
    assert "结婚证" in shown and "20 个工作日" in shown


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("text_size", ["normal", "large"])
def test_nothing_cut_off_or_overlapping(qtbot, make_window, size, text_size):
    w = make_window("shenyang", size=size, text_size=text_size)
    screens = {}
    screens["home"] = layout_problems(w)
    tap(qtbot, w, "searchButton")
    for ch in "ydjy":
        tap(qtbot, w, f"key:{ch}")
    screens["search"] = layout_problems(w)
    tap(qtbot, w, "homeButton")
    tap(qtbot, w, "topic:maternity")
    screens["services"] = layout_problems(w)
    tap(qtbot, w, "service:maternity-allowance")
    screens["question"] = layout_problems(w)
    answer_all(qtbot, w)
    screens["checklist"] = layout_problems(w)
    tap(qtbot, w, "moreButton")
    screens["checklist-more"] = layout_problems(w)
    tap(qtbot, w, "homeButton")
    tap(qtbot, w, "hallsButton")
    screens["halls"] = layout_problems(w)
    assert {k: v for k, v in screens.items() if v} == {}


def test_large_text_and_contrast_toggles(qtbot, make_window):
    from kiosk.ui import theme

    w = make_window("kaiyuan")
    tap(qtbot, w, "largeTextButton")
    assert w.ctx.sizes is theme.LARGE
    tap(qtbot, w, "contrastButton")
    assert w.ctx.palette is theme.CONTRAST
    assert "font-size: 36px" in QApplication.instance().styleSheet()
    tap(qtbot, w, "largeTextButton")
    assert w.ctx.sizes is theme.NORMAL


def test_smoke_command_runs(tmp_path, catalogue_db):
    import os
    import subprocess
    import sys

    env = dict(os.environ, KIOSK_DATA_DIR=str(catalogue_db.parent), QT_QPA_PLATFORM="offscreen",
               KIOSK_CONFIG_DIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "kiosk", "run", "--smoke"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_redrawing_a_screen_frees_its_layout_items(qtbot, make_window):
    """clear_layout deletes what takeAt hands over (widget items, spacers, sub-layouts):
    without it every redrawn screen leaked them (~2.4 KB per session)."""
    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

    from kiosk.ui.widgets import clear_layout

    holder = QWidget()
    qtbot.addWidget(holder)
    lay = QVBoxLayout(holder)
    lay.addWidget(QLabel("材料"))
    lay.addSpacing(12)
    row = QHBoxLayout()
    row.addWidget(QLabel("原件"))
    row.addStretch(1)
    lay.addLayout(row)
    lay.addStretch(1)
    items = [lay.itemAt(i) for i in range(lay.count())] + [row.itemAt(i) for i in range(row.count())]
    assert len(items) == 6 and all(shiboken6.isValid(i) for i in items)
    clear_layout(lay)
    assert lay.count() == 0
    assert not any(shiboken6.isValid(i) for i in items), "layout items left behind"
    # and the real screens: widgets of a checklist drawn again and again do not pile up
    w = make_window("shenyang")
    s = w.ctx.session

    def checklist_once():
        tap(qtbot, w, "topic:enrolment")
        tap(qtbot, w, "service:flexible-enrol")
        answer_all(qtbot, w)
        tap(qtbot, w, "homeButton")
        QApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # as the event loop would

    # Home's warm-up (1.5 s after Home shows) builds widgets of its own: do it now, so
    # it cannot land inside the count below
    w._warmed = True
    w.warm_up()
    checklist_once()
    widgets = len(QApplication.allWidgets())
    for _ in range(3):
        checklist_once()
    assert len(QApplication.allWidgets()) <= widgets
    assert s.screen is Screen.HOME


def test_print_results_reach_the_usage_figures(qtbot, make_window):
    """Each print attempt from the preview is counted for staff: the failed one as a
    printer fault of that region and service."""
    from kiosk.config import PrinterConfig
    from kiosk.testing.simulated_touch import tap_widget
    from tests.printing_support import free_port

    printer = PrinterConfig(kind="escpos", address=f"tcp://127.0.0.1:{free_port()}", timeout=2)
    w = make_window("shenyang", printer=printer)
    calls = []

    class Recorder:
        def print_result(self, region, service_id, ok, fault=None):
            calls.append((region, service_id, ok, fault))

    record_usage_with(qtbot, w, Recorder())
    controller = open_print_preview(qtbot, w)
    tap_widget(controller.dialog.print_button)
    qtbot.waitUntil(lambda: bool(calls), timeout=15000)
    assert len(calls) == 1
    region, service_id, ok, fault = calls[0]
    assert (region, service_id, ok) == ("shenyang", "flexible-enrol", False) and fault


def test_a_print_that_ends_after_the_preview_closed_is_still_counted(qtbot, make_window):
    """返回 while the printer is still busy: the dialog is deleted before the result
    arrives. The result must still reach the usage figures, and must not be drawn on the
    deleted dialog (that raised 'already deleted' from the print thread's slot)."""
    from kiosk.config import PrinterConfig
    from kiosk.testing.simulated_touch import tap_widget
    from tests.printing_support import Listener

    silent = Listener(status=None)  # accepts, never answers the status query: the job waits
    w = make_window("shenyang", printer=PrinterConfig(kind="escpos", address=silent.address, timeout=2))
    calls = []

    class Recorder:
        def print_result(self, region, service_id, ok, fault=None):
            calls.append((region, service_id, ok))

    record_usage_with(qtbot, w, Recorder())
    controller = open_print_preview(qtbot, w)
    dialog = controller.dialog
    assert dialog.parent() is w  # over the kiosk window, not whichever window was active
    tap_widget(dialog.print_button)
    assert dialog.status.text() == "正在打印，请稍候…"
    qtbot.wait(1000)  # a second later, not a double tap (the tap guard drops those)
    tap_widget(dialog.back_button)
    qtbot.wait(1000)
    tap(qtbot, w, "homeButton")  # the next citizen's Home: the dialog is deleted
    qtbot.waitUntil(lambda: controller.dialog is None, timeout=5000)
    qtbot.waitUntil(lambda: bool(calls), timeout=15000)
    for _ in range(5):
        QApplication.processEvents()
    assert calls == [("shenyang", "flexible-enrol", False)]
