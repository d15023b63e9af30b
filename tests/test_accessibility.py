"""Every citizen screen at the MIIT numbers, in all 8 configurations, for all three regions
(tools/accessibility_audit.py measures the drawn screens), and the behaviour behind them:
no blank page, no hidden answer, plain words, 大字/高对比 back to the defaults."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.session import Screen
from kiosk.ui import theme
from tests.ui_helpers import tap, texts
from tools import accessibility_audit as audit

CITIZEN_SCREENS = {"home", "services", "services-audience", "search-empty", "search", "question", "checklist",
                   "print-preview", "halls", "idle-countdown", "closed", "maintenance"}



def to_checklist(w, service_id):
    s = w.ctx.session
    s.choose_service(service_id)
    while s.screen is Screen.QUESTION:
        s.answer(s.question.options[0].id)
    QApplication.processEvents()


# -- the audit, in every configuration --------------------------------------------------------------
@pytest.mark.parametrize("config", audit.CONFIGS, ids=lambda c: c.name)
def test_audit_every_screen_in_every_region(qtbot, catalogue, tmp_path, config):
    report = audit.audit(catalogue, configs=(config,))
    assert report.problems == []
    assert [r.region for r in report.runs] == list(audit.REGIONS)
    for run in report.runs:
        screens = run.screens()
        expected = CITIZEN_SCREENS | ({"policy-list", "policy"} if catalogue.policy_topics(run.region) else set())
        assert set(screens) == expected, run.region
        pages = run.pages
        assert min(p.min_px for p in pages) >= config.min_px
        assert min(p.min_line_spacing for p in pages) >= 1.3
        assert min(p.min_contrast for p in pages) >= 7.0
        assert min(p.min_target for p in pages) >= 80
        assert min(p.min_gap for p in pages) >= 16
        assert all(p.texts > 0 for p in pages)
        # the long screens were really turned page by page
        assert len(screens["checklist"]) >= 2 and len(screens["print-preview"]) >= 2
        assert run.blank_pages == [] and run.hidden_options == []
        if config.theme == "normal":  # (layout checks: the theme moves nothing)
            assert run.questions_checked >= 10 and run.checklists_paged >= 4
    out = tmp_path / "accessibility.md"
    audit.write_markdown(report, out)
    md = out.read_text(encoding="utf-8")
    assert f"## {config.title}" in md and "**Result: no problems**" in md
    assert md.count("| shenyang | checklist |") == 1


# -- the audit's measures see what they are meant to see -----------------------------------------------
def test_contrast_sampling_finds_text_and_background_colours():
    img = QImage(200, 60, QImage.Format_RGB32)
    img.fill(QColor("#F4F7FA"))
    p = QPainter(img)
    p.fillRect(20, 20, 120, 6, QColor("#0B5CAD"))  # a "stroke" of text
    p.fillRect(20, 27, 1, 1, QColor("#8899AA"))  # an anti-aliasing speck: too few pixels to count
    p.end()
    bg, fg = audit.sample_colours(img, QRect(0, 0, 200, 60))
    assert (bg, fg) == ("#F4F7FA", "#0B5CAD")
    assert round(theme.contrast(bg, fg), 2) == 6.20  # by hand: (0.9266+0.05)/(0.1074+0.05)
    plain = QImage(50, 50, QImage.Format_RGB32)
    plain.fill(QColor("white"))
    assert audit.sample_colours(plain, QRect(0, 0, 50, 50)) is None  # no text at all


def test_line_spacing_is_measured_from_the_laid_out_lines(qtbot):
    from kiosk.ui.widgets import label

    plain = QLabel("一二三四五六七八九十" * 3)
    plain.setWordWrap(True)
    spaced = label("一二三四五六七八九十" * 3)
    for w in (plain, spaced):
        w.setStyleSheet("font-size: 28px")
        w.setFixedWidth(300)
        qtbot.addWidget(w)
        w.show()
    QApplication.processEvents()
    assert audit.line_spacing(plain) < 1.25  # the font's own line height: 1.17-1.18
    assert audit.line_spacing(spaced) >= 1.3
    # the label draws what is measured: three lines take 1.3 times the room
    assert spaced.heightForWidth(300) >= 1.25 * plain.heightForWidth(300)


def test_theme_colours_reach_7_to_1():
    for p in (theme.LIGHT, theme.CONTRAST):
        pairs = [(p.fg, p.bg), (p.fg, p.card), (p.muted, p.bg), (p.muted, p.card), (p.accent_fg, p.accent),
                 (p.tile_fg, p.tile), (p.header_fg, p.header_bg), (p.warn_fg, p.warn_bg), (p.ok_fg, p.ok_bg),
                 (p.off, p.bg)]
        assert min(theme.contrast(a, b) for a, b in pairs) >= 7.0
    assert round(theme.contrast("#084C91", "#FFFFFF"), 2) == 8.56  # the primary blue (was #0B5CAD: 6.67)
    assert theme.NORMAL.small >= 28 and theme.LARGE.small >= 36


# -- Home, and the look after a session ----------------------------------------------------------------
def test_back_and_home_are_not_on_home(qtbot, make_window):
    w = make_window()
    assert not w.back_button.isVisible() and not w.home_button.isVisible()
    tap(qtbot, w, "topic:enrolment")
    assert w.back_button.isVisible() and w.home_button.isVisible()
    tap(qtbot, w, "homeButton")
    assert not w.back_button.isVisible() and not w.home_button.isVisible()


@pytest.mark.parametrize("end", ["home", "idle"])
def test_large_text_and_contrast_return_to_the_defaults_when_a_session_ends(qtbot, make_window, end):
    w = make_window("fushun")
    tap(qtbot, w, "topic:enrolment")
    tap(qtbot, w, "largeTextButton")
    tap(qtbot, w, "contrastButton")
    assert w.ctx.sizes is theme.LARGE and w.ctx.palette is theme.CONTRAST
    if end == "home":
        tap(qtbot, w, "homeButton")
    else:
        w.overlay.start()
        w.overlay.expired.emit()
    assert w.ctx.sizes is theme.NORMAL and w.ctx.palette is theme.LIGHT
    assert QApplication.instance().styleSheet() == theme.stylesheet(theme.NORMAL, theme.LIGHT, w.font_family)
    assert not w.large_button.isChecked() and not w.contrast_button.isChecked()


def test_configured_large_text_is_what_a_session_returns_to(qtbot, make_window):
    w = make_window("kaiyuan", text_size="large", theme="contrast")
    tap(qtbot, w, "largeTextButton")  # off, at Home
    assert w.ctx.sizes is theme.NORMAL
    assert w.idle_timer.isActive()  # at Home but not as configured: the idle reset will set it back
    w.ctx.session.reset("idle")
    assert w.ctx.sizes is theme.LARGE and w.ctx.palette is theme.CONTRAST
    assert not w.idle_timer.isActive()


# -- no blank page, no hidden answer ----------------------------------------------------------------------
def test_last_page_is_not_blank_and_next_is_off_there(qtbot, make_window):
    w = make_window("shenyang", size=(1920, 1080), text_size="large")
    to_checklist(w, "maternity-medical-payment")
    page = w.screens[Screen.CHECKLIST].page
    assert page.down.isVisible() and page.down.isEnabled()
    blank: list[str] = []
    n = audit.walk_pages(page, None, "checklist", blank)
    assert blank == [] and n >= 3
    assert not page.down.isEnabled() and page.down.text() == "已是最后一页"
    # the last page shows the end of the content, and a good part of it
    bar = page.area.verticalScrollBar()
    end, view = page._content_end(), page.area.viewport().height()
    assert 0.15 * view <= end - bar.value() <= view + 2
    # nothing to swipe to below it but the margins: the content's bottom margin (24 px) and
    # the last card's (20 px and its border); a layout's minimum height made it ~450 px
    assert page.content.height() - end <= 24 + 20 + 3 + 4
    assert page.up.isEnabled() and page.up.text() == "▲ 上一页"
    page.to_top()
    QApplication.processEvents()
    assert not page.up.isEnabled() and page.up.text() == "已是第一页"


def test_every_answer_of_the_longest_options_is_on_screen(qtbot, make_window):
    w = make_window("shenyang", size=(1920, 1080), text_size="large")
    s = w.ctx.session
    s.choose_service("remote-long-term-residence")
    while s.question.id != "residence_proof":
        s.answer(s.question.options[0].id)
    QApplication.processEvents()
    labels = [o.label for o in s.question.options]
    assert "未成年人跟随监护人在外地长期居住" in labels
    for o in s.question.options:
        b = w.findChild(QWidget, f"answer:{o.id}")
        full = QRect(b.mapTo(w, QPoint(0, 0)), b.size())
        assert audit.shown_rect(b, w) == full and w.rect().contains(full), o.label


# -- the print preview ----------------------------------------------------------------------------------
def test_print_preview_turns_pages_with_buttons_and_a_finger(qtbot, make_window):
    w = make_window("shenyang")
    w.ctx.session.choose_topic("maternity")
    to_checklist(w, "maternity-medical-payment")
    tap(qtbot, w, "printButton")
    dialog = w.ctx.printing.load().dialog
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    QApplication.processEvents()
    # the QR code is whole on the first screen, and its hint readable in the theme
    qr = dialog.qr
    assert qr is not None and audit.shown_rect(qr, dialog) == QRect(qr.mapTo(dialog, QPoint(0, 0)), qr.size())
    bar = dialog.preview.verticalScrollBar()
    assert bar.value() == 0 and bar.maximum() > 0 and not dialog.pager.up.isEnabled()
    tap(qtbot, dialog, "pageDown")
    after_button = bar.value()
    assert after_button > 0 and dialog.pager.up.isEnabled()
    tap(qtbot, dialog, "pageUp")
    assert bar.value() == 0
    # a finger drawn upwards across the sheet moves the page with it (once the turned page
    # has been seen: the tap guard ignores a touch that comes sooner)
    from kiosk.ui.tap_guard import wait_until_open

    assert wait_until_open(dialog)
    vp = dialog.preview.viewport()
    handle = dialog.windowHandle()
    start = vp.mapTo(dialog, QPoint(vp.width() // 2, vp.height() - 40))
    device = QTest.createTouchDevice()
    QTest.touchEvent(handle, device).press(0, start).commit()
    for dy in (100, 200, 300):
        QTest.touchEvent(handle, device).move(0, start - QPoint(0, dy)).commit()
    QTest.touchEvent(handle, device).release(0, start - QPoint(0, 300)).commit()
    QApplication.processEvents()
    assert 250 <= bar.value() <= 350


def test_print_preview_title_and_message_readable_in_high_contrast(qtbot, make_window):
    w = make_window("shenyang", theme="contrast")
    to_checklist(w, "maternity-medical-payment")
    tap(qtbot, w, "printButton")
    dialog = w.ctx.printing.load().dialog
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    m = audit.measure_page(dialog, audit.Config("portrait", "normal", "contrast"), "print-preview", 1)
    assert m.problems == []
    assert m.min_contrast >= 7.0


# -- plain words ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", audit.REGIONS)
def test_no_file_names_sections_or_transcriber_notes_for_citizens(qtbot, make_window, catalogue, region):
    w = make_window(region)
    s = w.ctx.session
    seen = 0
    for svc in catalogue.services(region):
        s.go_home()
        to_checklist(w, svc.id)
        w.screens[Screen.CHECKLIST].toggle_more()
        QApplication.processEvents()
        shown = texts(w)
        assert not re.search(r"\d{3}_[0-9a-f]{16}\.txt", shown), svc.id
        assert "§" not in shown and "链接文字为" not in shown, svc.id
        assert "信息来源" not in shown
        seen += 1
    assert seen == len(catalogue.services(region))


def test_jargon_is_explained_once_where_it_first_appears(qtbot, make_window):
    w = make_window("fushun")
    to_checklist(w, "maternity-allowance")
    notes = [lab for lab in w.findChildren(QLabel, "glossaryNote") if lab.isVisible()]
    said = [n.text() for n in notes]
    assert any(t.startswith("「容缺受理」是什么意思：") for t in said)
    assert any(t.startswith("「不予受理」是什么意思：") for t in said)
    assert len(said) == len(set(said))  # each term once
    # under the first text naming it: the note follows that widget in its layout
    from kiosk.ui.citizen.plainwords import glossary

    plain = {t.term: t.plain for t in glossary()}
    assert f"「容缺受理」是什么意思：{plain['容缺受理']}" in said


def test_glossary_says_nothing_new():
    """Each explanation names its sources, and brings no number (no deadline, no amount) of
    its own: the documents' numbers stay where the documents put them."""
    from kiosk import paths
    from kiosk.ui.citizen.plainwords import glossary

    terms = glossary()
    assert {t.term for t in terms} >= {"容缺受理", "补正期限", "不予受理", "赋能数据", "慢特病", "转移接续",
                                      "定点医药机构"}
    sources = "".join(p.read_text(encoding="utf-8") for p in (paths.seed_dir() / "sources").glob("*.txt"))
    for t in terms:
        assert t.source and re.search(r"\d{3}_[0-9a-f]{16}\.txt", t.source), t.term
        assert t.term in sources.replace("\n", ""), t.term
        assert not re.search(r"[0-9０-９一二三四五六七八九十百]+\s*个?(工作日|日|天|月|年|元|%)", t.plain), t.term


def test_printed_checklist_names_its_sources_by_title_and_year(qtbot, make_window, catalogue):
    w = make_window("shenyang")
    w.ctx.session.choose_topic("maternity")
    to_checklist(w, "maternity-medical-payment")
    assert any(src.startswith("000_56952294bcb9045a.txt") for src in w.ctx.session.service.sources)
    tap(qtbot, w, "printButton")
    dialog = w.ctx.printing.load().dialog
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    text = dialog.doc.plain_text()
    # seed/documents.yaml: title and date of 000_56952294bcb9045a.txt
    assert "依据：沈阳市医疗保障事务服务中心 办事不找关系指南（2025）" in text
    assert ".txt" not in text and "§" not in text
    from kiosk.ui.citizen.plainwords import document_titles

    docs = catalogue.documents()  # a document without a date gets no year (Fushun's)
    assert document_titles(["003_822cd1e46fb8ab05.txt §3.1②"], docs) == ["抚顺市医疗保障事务服务中心 办事不找关系指南"]
    assert document_titles(["000_56952294bcb9045a.txt §1", "000_56952294bcb9045a.txt §2", "nope.txt"], docs) == \
        ["沈阳市医疗保障事务服务中心 办事不找关系指南（2025）"]
