"""本机设置: region and hall, printer (none / CUPS queue / ESC/POS address, 打印测试页),
paper width, idle timeout, orientation, default text size and theme, and the hall's
opening hours (per weekday, closed dates, night blank; kiosk/hours.py). Saved to
config.json (atomically) and applied to the citizen screens at once."""

from __future__ import annotations

import copy
import re
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.config import PAPERS
from kiosk.staff import testpage
from kiosk.ui.staff.keyboard import Keyboard
from kiosk.ui.widgets import PagedScroll, button, card, grid, label

PRINTER_KINDS = (("none", "不使用打印机"), ("cups", "CUPS 打印队列"), ("escpos", "ESC/POS 小票打印机"))
PAPER_LABELS = {"a4": "A4 纸", "80mm": "80 毫米小票", "58mm": "58 毫米小票"}
ORIENTATION_LABELS = (("auto", "按屏幕自动"), ("portrait", "竖屏"), ("landscape", "横屏"))
TEXT_SIZE_LABELS = (("normal", "标准字号"), ("large", "大字"))
THEME_LABELS = (("normal", "标准配色"), ("contrast", "高对比"))
# the hours fields typed on the keyboard: key -> (title, what to type)
HOURS_FIELDS = {
    **{f"hours.{day}": (f"{name}办公时间", "如 08:30-11:30，13:00-17:00；留空为休息")
       for day, name in (("mon", "周一"), ("tue", "周二"), ("wed", "周三"), ("thu", "周四"), ("fri", "周五"),
                         ("sat", "周六"), ("sun", "周日"))},
    "closed_dates": ("休息日期", "如 2027-01-01，2027-02-16"),
    "night_blank": ("夜间黑屏", "如 21:00-07:00；留空为不黑屏"),
}
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_ASCII_TIME = str.maketrans("：－—–~～", ":-----")


def hours_text(cfg, key: str) -> str:
    """What the staff field shows for an hours key of `cfg` (the inverse of set_hours_text)."""
    if key.startswith("hours."):
        return "，".join(cfg.opening_hours.get(key.split(".")[1], []))
    if key == "closed_dates":
        return "，".join(cfg.closed_dates)
    return cfg.night_blank


def set_hours_text(cfg, key: str, text: str) -> None:
    """Put what staff typed into the draft `cfg` as config.json holds it; checked on save."""
    # the keyboard offers ： and － beside : and -; the hours want the ASCII ones
    text = text.translate(_ASCII_TIME)
    parts = [x for x in _SEPARATORS.split(text.strip()) if x]
    if key.startswith("hours."):
        cfg.opening_hours = {**cfg.opening_hours, key.split(".")[1]: parts}
        if not any(cfg.opening_hours.values()):
            cfg.opening_hours = {}  # nothing typed on any day: always open, as before
    elif key == "closed_dates":
        cfg.closed_dates = parts
    else:
        cfg.night_blank = text.strip()


def hall_labels(halls) -> dict[str, str]:
    """Hall names without the prefix they all share (沈阳市医疗保障事务服务中心…), for buttons."""
    import os

    names = [h.name for h in halls]
    prefix = os.path.commonprefix(names) if len(names) > 2 else ""
    if len(prefix) < 4:
        prefix = ""
    return {h.id: (h.name[len(prefix):] or h.name) for h in halls}


class _Relay(QObject):
    done = Signal(bool, str)


class ConfigScreen(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.draft = copy.deepcopy(controller.ctx.config)
        self.editing: str | None = None  # printer.queue | printer.address while the keyboard shows
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)  # the keyboard beside the page in landscape
        lay.addLayout(self.body, 1)
        self.page = PagedScroll()
        self.body.addWidget(self.page, 1)
        self.keyboard_box = QWidget()
        kb_lay = QVBoxLayout(self.keyboard_box)
        kb_lay.setContentsMargins(32, 0, 32, 0)
        self.kb_title = label("", role="strong")
        kb_lay.addWidget(self.kb_title)
        self.kb_field = QLineEdit()
        self.kb_field.setObjectName("cfgField")
        self.kb_field.textChanged.connect(self._typed)
        kb_lay.addWidget(self.kb_field)
        self.keyboard = Keyboard(controller.corpus)
        self.keyboard.pinyin = False
        self.keyboard._draw()
        kb_lay.addWidget(self.keyboard)
        kb_lay.addStretch(1)
        self.keyboard_box.hide()
        self.body.addWidget(self.keyboard_box)
        row = QHBoxLayout()
        row.setContentsMargins(32, 0, 32, 16)
        row.setSpacing(20)
        self.message = label("", role="strong", name="configMessage")
        row.addWidget(self.message, 2)
        row.addWidget(button("保存设置", self.save, role="primary", name="cfg:save"), 1)
        lay.addLayout(row)
        self.relay = _Relay(self)
        self.relay.done.connect(self._printed)

    # -- drawing ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Opened (again): a fresh draft of the configuration in force."""
        self.draft = copy.deepcopy(self.c.ctx.config)
        self.editing = None
        self.message.setText("")
        self._draw()

    def _choices(self, title: str, options, current, key: str, columns: int = 3):
        if self.editing and not self.c.ctx.portrait and columns > 1:
            columns = min(columns, 2)  # the keyboard takes the right half
        buttons = []
        for value, text in options:
            b = button(text, (lambda v=value: self.set(key, v)), name=f"cfg:{key}:{value}")
            b.setCheckable(True)
            b.setChecked(value == current)
            buttons.append(b)
        frame, lay = card()
        lay.addWidget(label(title, role="h2"))
        lay.addWidget(grid(buttons, columns, 16))
        self.page.body.addWidget(frame)
        return lay

    def _draw(self) -> None:
        ctx, d = self.c.ctx, self.draft
        pos = self.page.area.verticalScrollBar().value()
        self.page.clear()
        body = self.page.body
        body.addWidget(label("本机设置", role="h1"))
        cat = ctx.catalogue
        self._choices("所在地区", [(r.id, r.name) for r in cat.regions()], d.region, "region")
        halls = cat.halls(d.region)
        labels = hall_labels(halls)
        self._choices("本机所在大厅（首页顶部显示其名称、电话）", [(h.id, labels[h.id]) for h in halls],
                      d.hall or (halls[0].id if halls else ""), "hall",
                      2 if ctx.portrait else (1 if self.editing else 3))
        lay = self._choices("打印机", PRINTER_KINDS, d.printer.kind, "printer.kind")
        if d.printer.kind in ("cups", "escpos"):
            key = "printer.queue" if d.printer.kind == "cups" else "printer.address"
            title = "CUPS 队列名" if d.printer.kind == "cups" else "打印机地址（tcp://IP:9100、usb://VID:PID 或 serial:///dev/ttyS0）"
            lay.addWidget(label(title, role="muted"))
            row = QHBoxLayout()
            value = getattr(d.printer, key.split(".")[1])
            row.addWidget(label(value or "（未填写）", role="h2", name=f"cfgValue:{key}"), 3)
            row.addWidget(button("完成" if self.editing == key else "输入", (lambda k=key: self.edit(k)),
                                 name=f"cfg:edit:{key}"), 1)
            lay.addLayout(row)
        if d.printer.kind != "none" and testpage.available():
            lay.addWidget(button("打印测试页", self.print_test, name="cfg:testPrint"))
        self._choices("纸张宽度", [(p, PAPER_LABELS[p]) for p in PAPERS], d.printer.paper, "printer.paper")
        frame, lay = card()
        lay.addWidget(label("无人操作多久后询问“还在使用吗？”", role="h2"))
        row = QHBoxLayout()
        row.addWidget(button("－ 10 秒", lambda: self.step_idle(-10), name="cfg:idleLess"), 1)
        value = label(f"{d.idle_timeout} 秒", role="h2", wrap=False, name="cfgIdle")
        row.addWidget(value, 1)
        row.addWidget(button("＋ 10 秒", lambda: self.step_idle(10), name="cfg:idleMore"), 1)
        lay.addLayout(row)
        body.addWidget(frame)
        self._hours_card()
        self._choices("屏幕方向", ORIENTATION_LABELS, d.orientation, "orientation")
        self._choices("默认字号", TEXT_SIZE_LABELS, d.text_size, "text_size", 2)
        self._choices("默认配色", THEME_LABELS, d.theme, "theme", 2)
        body.addStretch(1)
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if ctx.portrait else QBoxLayout.Direction.LeftToRight)
        self.body.setStretch(1, 0 if ctx.portrait else 1)
        self.keyboard_box.setVisible(self.editing is not None)
        self.page.area.verticalScrollBar().setValue(pos)

    def _hours_card(self) -> None:
        d = self.draft
        frame, lay = card()
        lay.addWidget(label("本大厅办公时间", role="h2"))
        lay.addWidget(label("不填写任何一天：全天开放。填写后，未填写的日子为休息；办公时间以外，"
                            "首页显示“本厅已下班”和网上办、掌上办、咨询电话。", role="muted"))
        for key, (title, _hint) in HOURS_FIELDS.items():
            text = hours_text(d, key)
            if not text and key.startswith("hours."):
                text = "休息" if d.opening_hours else "全天开放"
            row = QHBoxLayout()
            row.addWidget(label(title.removesuffix("办公时间"), role="strong", wrap=False), 1)
            row.addWidget(label(text or "（未填写）", name=f"cfgValue:{key}"), 3)
            row.addWidget(button("完成" if self.editing == key else "输入", (lambda k=key: self.edit(k)),
                                 name=f"cfg:edit:{key}"), 1)
            lay.addLayout(row)
        self.page.body.addWidget(frame)

    # -- changes ------------------------------------------------------------------------------------------
    def set(self, key: str, value) -> None:
        self.message.setText("")
        if key.startswith("printer."):
            setattr(self.draft.printer, key.split(".")[1], value)
            if key == "printer.kind":
                self.editing = None
        else:
            setattr(self.draft, key, value)
            if key == "region":
                self.draft.hall = ""
        self._draw()

    def step_idle(self, delta: int) -> None:
        self.draft.idle_timeout = max(20, min(3600, self.draft.idle_timeout + delta))
        self._draw()

    def edit(self, key: str) -> None:
        """Show (or hide) the keyboard with the field being typed, below the page."""
        self.editing = None if self.editing == key else key
        if self.editing:
            if key in HOURS_FIELDS:
                title, hint = HOURS_FIELDS[key]
                self.kb_title.setText(f"{title}（{hint}）")
                self.kb_field.setText(hours_text(self.draft, key))
                self.keyboard.symbols = True  # digits, ':' and '-' first
                self.keyboard._draw()
            else:
                self.kb_title.setText("CUPS 队列名" if key == "printer.queue" else "打印机地址")
                self.kb_field.setText(getattr(self.draft.printer, key.split(".")[1]))
                self.keyboard.symbols = False
                self.keyboard._draw()
            self.keyboard.set_target(self.kb_field)
            self.kb_field.setFocus()
        self._draw()

    def _typed(self, text: str) -> None:
        if self.editing in HOURS_FIELDS:
            set_hours_text(self.draft, self.editing, text)
            shown = self.findChild(QLabel, f"cfgValue:{self.editing}")
            if shown is not None:
                shown.setText(text.strip() or "（未填写）")
        elif self.editing:
            setattr(self.draft.printer, self.editing.split(".")[1], text.strip())
            shown = self.findChild(QLabel, f"cfgValue:{self.editing}")
            if shown is not None:
                shown.setText(text.strip() or "（未填写）")

    def save(self) -> None:
        from kiosk.config import config_from_dict

        cfg, problems = config_from_dict(self.draft.to_dict(), "设置")
        if problems:
            self.message.setText("；".join(problems))
            return
        if cfg.printer.kind == "cups" and not cfg.printer.queue:
            self.message.setText("请填写 CUPS 队列名。")
            return
        if cfg.printer.kind == "escpos" and not cfg.printer.address.startswith(("tcp://", "usb://", "serial://")):
            self.message.setText("打印机地址应以 tcp://、usb:// 或 serial:// 开头。")
            return
        if cfg.printer.kind == "escpos" and cfg.printer.paper == "a4":
            self.message.setText("小票打印机请选择 80 毫米或 58 毫米纸张。")
            return
        error = self.c.save_config(cfg)
        self.editing = None
        self.draft = copy.deepcopy(cfg)
        self.message.setText(error or "设置已保存，已在自助机上生效。")
        self._draw()

    def print_test(self) -> None:
        self.message.setText("正在打印测试页，请稍候…")
        catalogue, cfg, relay = self.c.ctx.catalogue, copy.deepcopy(self.draft), self.relay

        def work():
            try:
                ok, text = testpage.print_test_page(catalogue, cfg)
            except Exception as exc:  # noqa: BLE001 - shown to staff, never raised into Qt
                ok, text = False, f"测试页没有打印：{exc}"
            relay.done.emit(ok, text)

        threading.Thread(target=work, name="kiosk-testpage", daemon=True).start()

    def _printed(self, ok: bool, text: str) -> None:
        self.message.setText(text)
