"""Accessibility audit: every citizen screen, every page, measured as drawn.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/accessibility_audit.py [--screens docs/screens]
        [--report docs/accessibility.md] [--all-checklists]

Builds the real kiosk window for every region in each of the 8 configurations
(portrait 1080x1920 / landscape 1920x1080 x normal/大字 x normal/高对比), walks Home, a
topic list and an audience list, search (empty and with results), a question, a
checklist with 更多信息 open, the halls, 政策速查 (list and a topic), the print preview,
the idle countdown, the closed screen (Home outside the opening hours) and the
maintenance screen — every page of each, turned with
下一页 — and measures on every page:

  text px        the font pixel size of every visible text (labels, buttons, fields,
                 placeholders)
  line spacing   distance between lines / text size, from the text layout's line
                 positions (QTextDocument laid out as the label draws it)
  contrast       text colour against background colour, both sampled from the grabbed
                 image (QWidget.grab) inside the widget: WCAG ratio
  targets, gaps  every visible button's size, and the free space to its neighbours
  clipped        text that needs more room than it has (wrapped height, one-line width)
  blank pages    a page showing no content, or 下一页 still on when all is seen
  hidden choices answers of a question outside the screen without paging (every
                 question of every service, in every layout)
  plain words    file names, § references and transcriber notes on citizen screens;
                 返回/首页 shown on Home; turned-off buttons that look turned on

`audit(catalogue, …)` returns an AuditReport (tests assert its numbers); `write_markdown`
writes docs/accessibility.md, a table per configuration. Screenshots of Shenyang's
screens go to --screens.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from kiosk.config import KioskConfig
from kiosk.session import Screen
from kiosk.ui import theme

REGIONS = ("shenyang", "fushun", "kaiyuan")
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


@dataclass(frozen=True)
class Config:
    orientation: str  # portrait | landscape
    text_size: str  # normal | large
    theme: str  # normal | contrast

    @property
    def name(self) -> str:
        return "-".join(x for x in (self.orientation, "large" if self.text_size == "large" else "",
                                    "contrast" if self.theme == "contrast" else "") if x)

    @property
    def title(self) -> str:
        return "{} {}×{}，{}，{}".format("竖屏" if self.orientation == "portrait" else "横屏",
                                        *SIZES[self.orientation],
                                        "大字" if self.text_size == "large" else "标准字号",
                                        "高对比" if self.theme == "contrast" else "标准配色")

    @property
    def min_px(self) -> int:
        return theme.MIN_TEXT_PX[self.text_size]


CONFIGS = tuple(Config(o, t, c) for o in ("portrait", "landscape") for t in ("normal", "large")
                for c in ("normal", "contrast"))

# screenshots: every screen in the two standard configurations; these also in 大字/高对比
VARIANT_SHOTS = ("home", "question", "checklist")

# the closed screen is measured at a Friday 18:00 with these hours (kiosk/hours.py)
AUDIT_HOURS = {d: ["08:30-11:30", "13:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
AUDIT_CLOSED = ["2026-12-14", "2026-12-25", "2027-01-01"]
AUDIT_NOW = datetime(2026, 12, 11, 18, 0)

INTERNAL = (re.compile(r"\d{3}_[0-9a-f]{16}\.txt"), re.compile("§"), re.compile("链接文字为"))


@dataclass
class PageMeasure:
    """The numbers of one page of one screen."""
    screen: str
    page: int
    texts: int = 0
    min_px: float = 999.0
    min_line_spacing: float = 99.0
    min_contrast: float = 99.0
    min_target: int = 9999
    min_gap: int = 9999
    problems: list[str] = field(default_factory=list)

    def problem(self, kind: str, detail: str) -> None:
        self.problems.append(f"{kind}: {detail}")


@dataclass
class RunResult:
    region: str
    config: Config
    pages: list[PageMeasure] = field(default_factory=list)
    blank_pages: list[str] = field(default_factory=list)
    hidden_options: list[str] = field(default_factory=list)
    checklists_paged: int = 0
    questions_checked: int = 0

    @property
    def problems(self) -> list[str]:
        out = [f"{p.screen} p{p.page}: {x}" for p in self.pages for x in p.problems]
        return out + [f"blank page: {b}" for b in self.blank_pages] + [f"hidden answer: {h}" for h in
                                                                        self.hidden_options]

    def screens(self) -> dict[str, list[PageMeasure]]:
        out: dict[str, list[PageMeasure]] = {}
        for p in self.pages:
            out.setdefault(p.screen, []).append(p)
        return out


@dataclass
class AuditReport:
    runs: list[RunResult] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"{r.region} {r.config.name}: {p}" for r in self.runs for p in r.problems]


# -- colour sampling ------------------------------------------------------------------------------
def _hex(argb: int) -> str:
    return f"#{argb & 0xFFFFFF:06X}"


def sample_colours(image: QImage, rect: QRect) -> tuple[str, str] | None:
    """(background, text) colours inside `rect` of `image`: the background is the most
    common colour; the text colour the one, among colours covering at least 0.3 % of the
    area (so anti-aliasing fringes do not count), farthest in contrast from it."""
    rect = rect.intersected(image.rect())
    if rect.width() < 2 or rect.height() < 2:
        return None
    part = image.copy(rect).convertToFormat(QImage.Format_RGB32)
    if part.width() * part.height() > 40000:
        # every other pixel each way (nearest: no colour is blended); a stroke of a 28 px
        # character is 3 px or more, so its core colour is still there
        part = part.scaled(part.width() // 2, part.height() // 2, Qt.IgnoreAspectRatio, Qt.FastTransformation)
    counts = Counter(memoryview(bytes(part.constBits())).cast("I"))
    bg, _ = counts.most_common(1)[0]
    floor = max(3, int(part.width() * part.height() * 0.003))
    bg_hex = _hex(bg)
    best, best_ratio = None, 1.0
    for colour, n in counts.items():
        if n < floor or colour == bg:
            continue
        ratio = theme.contrast(bg_hex, _hex(colour))
        if ratio > best_ratio:
            best, best_ratio = colour, ratio
    if best is None:
        return None
    return bg_hex, _hex(best)


# -- widgets on screen ------------------------------------------------------------------------------
def shown_rect(w: QWidget, top: QWidget) -> QRect:
    """The part of `w` actually on screen: clipped by every viewport it scrolls in."""
    rect = QRect(w.mapTo(top, QPoint(0, 0)), w.size())
    p = w.parentWidget()
    while p is not None and p is not top:
        if isinstance(p, QAbstractScrollArea):
            vp = p.viewport()
            rect = rect.intersected(QRect(vp.mapTo(top, QPoint(0, 0)), vp.size()))
        p = p.parentWidget()
    return rect.intersected(top.rect())


def _visible(w: QWidget, top: QWidget) -> bool:
    return w.isVisible() and not shown_rect(w, top).isEmpty()


def _px(w: QWidget) -> float:
    f = w.font()
    if f.pixelSize() > 0:
        return float(f.pixelSize())
    return f.pointSizeF() * (w.logicalDpiY() or 96) / 72.0


def line_spacing(w: QLabel) -> float | None:
    """Distance between lines / pixel size, laid out as the label lays out its text.
    None for text that cannot have two lines (one-line labels without wrapping)."""
    raw = QLabel.text(w)
    if not raw or not (w.wordWrap() or "\n" in raw or "<br>" in raw):
        return None
    doc = QTextDocument()
    doc.setDefaultFont(w.font())
    doc.setDocumentMargin(0)
    if w.textFormat() == Qt.RichText or (w.textFormat() == Qt.AutoText and raw.lstrip().startswith("<")):
        doc.setHtml(raw)
    else:
        doc.setPlainText(raw)
    doc.setTextWidth(max(w.contentsRect().width(), 1))
    doc.size()  # lays the document out
    if doc.lineCount() == doc.blockCount():
        # one line per paragraph: no distance between lines to see. Lay the same text out
        # at half its width, so it wraps as it would on a narrower screen, and measure that.
        if len(w.text().strip()) < 2:
            return None
        doc.setTextWidth(max(doc.idealWidth() / 2, 1))
        doc.size()
    px = _px(w)
    pitches = []
    block = doc.begin()
    while block.isValid():
        lay = block.layout()
        lines = [lay.lineAt(i) for i in range(lay.lineCount())]
        pitches += [b.y() - a.y() for a, b in zip(lines, lines[1:], strict=False)]
        block = block.next()
    return min(pitches) / px if pitches else None


def _text_widgets(top: QWidget):
    for w in top.findChildren(QWidget):
        if isinstance(w, QLabel) and w.text() and (w.pixmap() is None or w.pixmap().isNull()) or isinstance(w, QAbstractButton) and w.text() and type(w) is QPushButton:
            yield w, w.text()
        elif isinstance(w, QLineEdit):
            yield w, w.text() or w.placeholderText()


def measure_page(top: QWidget, config: Config, screen: str, page: int, within: QWidget | None = None) -> PageMeasure:
    """One page as shown: the widgets of `top` (only those of `within` when that covers
    the rest, as the idle countdown does)."""
    app = QApplication.instance()
    for _ in range(2):
        app.processEvents()
    m = PageMeasure(screen, page)
    image = top.grab().toImage()
    root = within or top
    for w, text in _text_widgets(root):
        if not _visible(w, top):
            continue
        m.texts += 1
        short = text.replace("\n", " ")[:24]
        px = _px(w)
        m.min_px = min(m.min_px, px)
        if px < config.min_px:
            m.problem("text too small", f"{px:.0f}px {short!r}")
        for pattern in INTERNAL:
            if pattern.search(text):
                m.problem("internal text shown", short)
        if isinstance(w, QLabel):
            ls = line_spacing(w)
            if ls is not None:
                m.min_line_spacing = min(m.min_line_spacing, ls)
                if ls < theme.MIN_LINE_SPACING - 1e-6:
                    m.problem("line spacing", f"{ls:.2f} {short!r}")
            if w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > w.height() + 2:
                    m.problem("clipped", f"needs {need}px, has {w.height()}px: {short!r}")
            elif w.fontMetrics().horizontalAdvance(text.split("\n")[0]) > w.contentsRect().width() + 2:
                m.problem("clipped", f"too wide: {short!r}")
        elif isinstance(w, QPushButton):
            if w.fontMetrics().horizontalAdvance(text) > w.width() - 8:
                m.problem("clipped", f"button text: {short!r}")
        elif isinstance(w, QLineEdit):
            if w.fontMetrics().horizontalAdvance(text) > w.width() - 16:
                m.problem("clipped", f"field text: {short!r}")
        # contrast: inside the widget (a button's border and rounded corners left out),
        # the first lines at most: the colours of a widget's text do not change down it
        r = shown_rect(w, top)
        inset = 8 if isinstance(w, (QAbstractButton, QLineEdit)) or w.property("role") in ("badge", "badge-warn") \
            else 0
        r = r.adjusted(inset, inset, -inset, -inset)
        full = QRect(w.mapTo(top, QPoint(0, 0)), w.size()).adjusted(inset, inset, -inset, -inset)
        if r != full:
            continue  # cut by the page's edge: measured on the page that shows it
        r.setHeight(min(r.height(), 400))  # (a label's text may be centred in a tall row)
        r.setWidth(min(r.width(), 1000))
        colours = sample_colours(image, r)
        if colours is None:
            m.problem("contrast", f"no text seen in {short!r}")
            continue
        ratio = theme.contrast(*colours)
        m.min_contrast = min(m.min_contrast, ratio)
        if ratio < theme.MIN_CONTRAST:
            m.problem("contrast", f"{ratio:.2f} ({colours[1]} on {colours[0]}) {short!r}")
        if isinstance(w, QAbstractButton) and not w.isEnabled():
            palette = theme.CONTRAST if config.theme == "contrast" else theme.LIGHT
            if theme.contrast(colours[1], palette.off) > 1.2:
                m.problem("turned-off button looks on", short)
    buttons = [b for b in root.findChildren(QAbstractButton) if _visible(b, top)]
    rects = []
    for b in buttons:
        full = shown_rect(b, top)  # the part a finger can reach
        m.min_target = min(m.min_target, b.width(), b.height())
        if b.width() < theme.MIN_TARGET_PX or b.height() < theme.MIN_TARGET_PX:
            m.problem("target too small", f"{b.width()}x{b.height()} {b.text()[:20]!r}")
        rects.append((b, full))
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            dx = max(rb.left() - (ra.left() + ra.width()), ra.left() - (rb.left() + rb.width()))
            dy = max(rb.top() - (ra.top() + ra.height()), ra.top() - (rb.top() + rb.height()))
            gap = max(dx, dy)
            if gap > 200:
                continue
            m.min_gap = min(m.min_gap, gap)
            if gap < theme.MIN_GAP_PX:
                m.problem("gap", f"{gap}px between {a.text()[:12]!r} and {b.text()[:12]!r}")
    return m


# -- paging -----------------------------------------------------------------------------------------
def _content_seen(paged) -> tuple[bool, bool]:
    """(something of the content is in view, everything of it has been reached)."""
    vp = paged.area.viewport()
    view = QRect(QPoint(0, 0), vp.size())
    bottom, any_in_view = 0, False
    for w in paged.content.findChildren(QWidget):
        if not w.isVisible() or not isinstance(w, (QLabel, QAbstractButton)):
            continue
        r = QRect(w.mapTo(vp, QPoint(0, 0)), w.size())
        bottom = max(bottom, r.bottom())
        if r.intersected(view).height() >= min(20, r.height()):
            any_in_view = True
    return any_in_view, bottom <= view.bottom() + 1


def walk_pages(paged, on_page, where: str, blank: list[str]) -> int:
    """Turn `paged` (a PagedScroll) from its first page to its last with 下一页, calling
    on_page(n) on each; blank or endless pages go to `blank`. Returns the page count."""
    app = QApplication.instance()
    paged.to_top()
    app.processEvents()
    n = 1
    while True:
        for _ in range(3):
            app.processEvents()
        any_in_view, all_seen = _content_seen(paged)
        if not any_in_view:
            blank.append(f"{where} page {n} shows nothing")
        if os.environ.get("AUDIT_DEBUG") and all_seen and paged.down.isEnabled():
            bar = paged.area.verticalScrollBar()
            print("DEBUG", where, n, bar.value(), bar.maximum(), paged.content.height(), paged.area.viewport().height())
        if on_page is not None:
            on_page(n)
        down = paged.down
        if all_seen and down.isVisible() and down.isEnabled():
            blank.append(f"{where} page {n}: all is seen but 下一页 is still on")
        if not (down.isVisible() and down.isEnabled()) or n >= 40:
            break
        down.click()
        app.processEvents()
        n += 1
    return n


# -- the walk -------------------------------------------------------------------------------------
def _make_window(catalogue, region: str, config: Config):
    from kiosk.ui.app import create_window

    w = create_window(catalogue, KioskConfig(region=region, text_size=config.text_size, theme=config.theme))
    w.resize(*SIZES[config.orientation])
    w.show()
    w._warmed = True  # no background warm-up mid-audit (it is done below, as at Home)
    w.warm_up()
    QApplication.processEvents()
    return w


def _current(w):
    return w.screens[w.ctx.session.screen]


def _sample_service(catalogue, region: str):
    """The service with the most materials (the longest checklist) and one with a question
    of the most answers (the most to fit on one screen)."""
    services = catalogue.services(region)
    longest = max(services, key=lambda s: (len(s.materials), len(s.questions)))
    asked = [s for s in services if s.questions]
    many = max(asked, key=lambda s: max(len(q.options) for q in s.questions)) if asked else None
    return longest, many


def _answer_first(session) -> None:
    while session.screen is Screen.QUESTION and session.question is not None:
        session.answer(session.question.options[0].id)


def check_questions(w, run: RunResult) -> None:
    """Every answer of every question of every service on screen without paging. The
    questions a service asks depend on earlier answers: the answers are explored until
    each question has been on screen once."""
    s = w.ctx.session
    app = QApplication.instance()
    for svc in w.ctx.catalogue.services(w.ctx.region.id):
        wanted = {q.id for q in svc.questions}
        seen: set[str] = set()
        paths: list[tuple[str, ...]] = [()]
        while paths and seen != wanted:
            path = paths.pop()
            s.go_home()
            s.choose_service(svc.id)
            for oid in path:
                s.answer(oid)
            q = s.question if s.screen is Screen.QUESTION else None
            if q is None:
                continue
            paths += [path + (o.id,) for o in reversed(q.options)]
            if q.id in seen:
                continue
            seen.add(q.id)
            app.processEvents()
            run.questions_checked += 1
            for o in q.options:
                b = w.findChild(QAbstractButton, f"answer:{o.id}")
                if b is None or not b.isVisible():
                    run.hidden_options.append(f"{svc.id}/{q.id}: {o.label} missing")
                    continue
                full = QRect(b.mapTo(w, QPoint(0, 0)), b.size())
                if shown_rect(b, w) != full or not w.rect().contains(full):
                    run.hidden_options.append(f"{svc.id}/{q.id}: {o.label} not fully on screen")
        if seen != wanted:
            run.hidden_options.append(f"{svc.id}: questions never asked: {sorted(wanted - seen)}")


def check_checklists(w, run: RunResult, services) -> None:
    """Every page of each checklist (更多信息 open) has content; 下一页 ends with it."""
    s = w.ctx.session
    for svc in services:
        s.go_home()
        s.choose_service(svc.id)
        _answer_first(s)
        screen = _current(w)
        screen.toggle_more()
        walk_pages(screen.page, None, f"checklist {svc.id}", run.blank_pages)
        run.checklists_paged += 1


def audit_run(catalogue, region: str, config: Config, shots: Path | None = None,
              all_checklists: bool = False, checklist_sample: int = 4) -> RunResult:
    run = RunResult(region, config)
    w = _make_window(catalogue, region, config)
    app = QApplication.instance()
    s = w.ctx.session

    def measure(top, name: str, paged=None, shot: str | None = None, within=None) -> None:
        def on_page(n: int) -> None:
            run.pages.append(measure_page(top, config, name, n, within))
            if shots is not None and shot and n == 1 and (config.name in ("portrait", "landscape")
                                                          or shot in VARIANT_SHOTS):
                top.grab().save(str(shots / f"{shot}-{config.name}.png"))
        if paged is None:
            on_page(1)
        else:
            walk_pages(paged, on_page, name, run.blank_pages)

    try:
        # Home: 返回 and 首页 are not there
        measure(w, "home", _current(w).page, "home")
        for name in ("backButton", "homeButton"):
            if w.findChild(QAbstractButton, name).isVisible():
                run.pages[-1].problem("shown on Home", name)
        # lists: the biggest topic, and an audience
        services = catalogue.services(region)
        topic = max((t for t in w.ctx.topics), key=lambda t: sum(1 for x in services if t.id in x.topics))
        s.choose_topic(topic.id)
        measure(w, "services", _current(w).page, "services")
        s.go_home()
        s.choose_audience(services[0].audience)
        measure(w, "services-audience", _current(w).page)
        # search: empty, then with results
        s.go_home()
        s.open_search()
        measure(w, "search-empty", None, "search-empty")
        s.set_query("ydjy")
        measure(w, "search", _current(w).results, "search")
        # a question (the one with the most answers), then its checklist with 更多信息
        longest, many = _sample_service(catalogue, region)
        if many is not None:
            s.go_home()
            s.choose_service(many.id)
            while s.screen is Screen.QUESTION and len(s.question.options) < max(len(q.options) for q in many.questions):
                s.answer(s.question.options[0].id)
            measure(w, "question", _current(w).page, "question")
        s.go_home()
        s.choose_service(longest.id)
        _answer_first(s)
        _current(w).toggle_more()
        measure(w, "checklist", _current(w).page, "checklist")
        # print preview
        w.ctx.printing.start(s)
        controller = w.ctx.printing.load()
        dialog = controller.dialog
        app.processEvents()
        if dialog is not None:
            for _ in range(3):
                app.processEvents()
            if dialog.qr is not None and shown_rect(dialog.qr, dialog) != QRect(dialog.qr.mapTo(dialog, QPoint(0, 0)),
                                                                                  dialog.qr.size()):
                run.blank_pages.append("print preview: QR code not whole on the first screen")
            measure(dialog, "print-preview", None, "print-preview")
            pager = dialog.pager
            n = 1
            while pager.down.isEnabled() and n < 30:
                pager.down.click()
                app.processEvents()
                n += 1
                run.pages.append(measure_page(dialog, config, "print-preview", n))
            controller.close()
            app.processEvents()
        # halls, policy
        s.go_home()
        s.open_halls()
        measure(w, "halls", _current(w).page, "halls")
        if catalogue.policy_topics(region):
            s.go_home()
            s.open_policy()
            measure(w, "policy-list", _current(w).page, "policy-list")
            s.open_policy(catalogue.policy_topics(region)[0].id)
            measure(w, "policy", _current(w).page, "policy")
        # the idle countdown, over a checklist
        s.go_home()
        s.choose_service(longest.id)
        _answer_first(s)
        w.overlay.start()
        measure(w, "idle-countdown", None, "idle-countdown", within=w.overlay)
        w.overlay.timer.stop()
        w.overlay.hide()
        # the closed screen: Home outside the opening hours (a Friday evening, a closed date ahead)
        s.go_home()
        config_before, clock_before = w.ctx.config, w.ctx.clock
        w.ctx.config = replace(config_before, opening_hours=AUDIT_HOURS, closed_dates=AUDIT_CLOSED)
        w.ctx.clock = lambda: AUDIT_NOW
        w.show_current()
        if w.stack.currentWidget() is not w.closed_screen:
            run.blank_pages.append("closed: the closed screen did not show outside the opening hours")
        measure(w, "closed", w.closed_screen.page, "closed")
        for name in ("backButton", "homeButton"):
            if w.findChild(QAbstractButton, name).isVisible():
                run.pages[-1].problem("shown on the closed screen", name)
        w.ctx.config, w.ctx.clock = config_before, clock_before
        s.go_home()
        # the maintenance screen
        from kiosk.ui.citizen.maintenance import MaintenanceScreen

        hotline = w.ctx.region.hotline.number if w.ctx.region.hotline else None
        mw = MaintenanceScreen(hotline)
        mw.resize(*SIZES[config.orientation])
        mw.show()
        app.processEvents()
        measure(mw, "maintenance", None, "maintenance")
        mw.close()
        mw.deleteLater()
        # no hidden choice, no blank page (layout only: the theme does not move anything)
        if config.theme == "normal":
            check_questions(w, run)
            ordered = sorted(services, key=lambda x: -len(x.materials))
            if all_checklists:
                chosen = ordered
            else:  # the longest, the shortest, and some between
                step = max(1, len(ordered) // max(checklist_sample - 1, 1))
                picked = {x.id: x for x in [*ordered[::step], ordered[-1]]}
                chosen = list(picked.values())[:checklist_sample + 1]
            check_checklists(w, run, chosen)
        s.go_home()
    finally:
        w.close()
        w.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        app.processEvents()
    return run


def audit(catalogue, regions=REGIONS, configs=CONFIGS, shots: Path | None = None, shot_region: str = "shenyang",
          all_checklists: bool = False, checklist_sample: int = 4) -> AuditReport:
    report = AuditReport()
    for config in configs:
        for region in regions:
            report.runs.append(audit_run(catalogue, region, config, shots if region == shot_region else None,
                                         all_checklists, checklist_sample))
    return report


# -- the report -------------------------------------------------------------------------------------
def _fmt(x: float, unit: str = "", digits: int = 0) -> str:
    if x in (99.0, 999.0, 9999):
        return "—"
    return f"{x:.{digits}f}{unit}"


def write_markdown(report: AuditReport, path: Path) -> None:
    out = ["# Accessibility audit", "",
           "Written by `tools/accessibility_audit.py` (run by `tests/test_accessibility.py`): the real kiosk window,",
           "every citizen screen and every page, measured as drawn. Thresholds: text at least "
           f"{theme.MIN_TEXT_PX['normal']} px (大字 {theme.MIN_TEXT_PX['large']} px), line spacing at least "
           f"{theme.MIN_LINE_SPACING}, contrast at least {theme.MIN_CONTRAST}:1 (sampled from the grabbed image), "
           f"targets at least {theme.MIN_TARGET_PX}×{theme.MIN_TARGET_PX} px, gaps at least {theme.MIN_GAP_PX} px.",
           "Each number is the smallest on any page of the screen.", ""]
    problems = report.problems
    out.append(f"**Result: {'no problems' if not problems else f'{len(problems)} problems'}** — "
               f"{sum(len(r.pages) for r in report.runs)} pages measured, "
               f"{sum(r.questions_checked for r in report.runs)} questions checked for hidden answers, "
               f"{sum(r.checklists_paged for r in report.runs)} checklists paged through for blank pages.")
    out.append("")
    by_config: dict[Config, list[RunResult]] = {}
    for r in report.runs:
        by_config.setdefault(r.config, []).append(r)
    for config, runs in by_config.items():
        out += [f"## {config.title}", "",
                "| region | screen | pages | texts | min text px | min line spacing | min contrast | "
                "min target px | min gap px | problems |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in runs:
            for screen, pages in r.screens().items():
                out.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                    r.region, screen, len(pages), sum(p.texts for p in pages),
                    _fmt(min(p.min_px for p in pages)), _fmt(min(p.min_line_spacing for p in pages), digits=2),
                    _fmt(min(p.min_contrast for p in pages), ":1", 1), _fmt(min(p.min_target for p in pages)),
                    _fmt(min(p.min_gap for p in pages)), sum(len(p.problems) for p in pages)))
            extra = (f"{r.region}: {r.questions_checked} questions, hidden answers {len(r.hidden_options)}; "
                     f"{r.checklists_paged} checklists paged, blank pages {len(r.blank_pages)}")
            out.append(f"| {r.region} | *answers, pages* | | | | | | | | {extra} |")
        out.append("")
    if problems:
        out += ["## Problems", ""] + [f"- {p}" for p in problems] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--screens", type=Path, default=None, help="write Shenyang's screenshots here")
    ap.add_argument("--report", type=Path, default=Path("docs/accessibility.md"))
    ap.add_argument("--all-checklists", action="store_true", help="page through every checklist, not a sample")
    args = ap.parse_args(argv)
    from kiosk import paths
    from kiosk.db.build import build_catalogue
    from kiosk.db.service import CatalogueService

    app = QApplication.instance() or QApplication([])  # noqa: F841
    db = paths.catalogue_db_path()
    if not db.exists():
        build_catalogue(paths.seed_dir(), db)
    if args.screens:
        args.screens.mkdir(parents=True, exist_ok=True)
    report = audit(CatalogueService(db), shots=args.screens, all_checklists=args.all_checklists)
    write_markdown(report, args.report)
    for p in report.problems:
        print(p)
    print(f"{len(report.problems)} problems; report: {args.report}")
    return 0 if not report.problems else 1


if __name__ == "__main__":
    sys.exit(main())
