"""Staff login: the PIN pad, the staff name (kept with every edit), and the first-run
screen that sets the PIN and the hall when none is configured."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.staff.pin import MAX_DIGITS, MIN_DIGITS, pin_problem
from kiosk.staff.state import StateError
from kiosk.ui.staff.config import hall_labels
from kiosk.ui.staff.keyboard import Keyboard
from kiosk.ui.widgets import PagedScroll, button, clear_layout, grid, label


def digit_pad(on_digit, on_back, on_clear, prefix: str = "pin") -> QWidget:
    w = QWidget()
    g = QGridLayout(w)
    g.setContentsMargins(0, 0, 0, 0)
    g.setSpacing(16)
    for i, d in enumerate("123456789"):
        g.addWidget(button(d, (lambda d=d: on_digit(d)), role="tile", name=f"{prefix}:{d}"), i // 3, i % 3)
    g.addWidget(button("清除", on_clear, role="tile", name=f"{prefix}:clear"), 3, 0)
    g.addWidget(button("0", lambda: on_digit("0"), role="tile", name=f"{prefix}:0"), 3, 1)
    g.addWidget(button("删除", on_back, role="tile", name=f"{prefix}:back"), 3, 2)
    return w


def dots(n: int) -> str:
    return " ".join("●" for _ in range(n)) if n else "　"


class PinScreen(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.entered = ""
        lay = QVBoxLayout(self)
        # 1080 px high (landscape) must hold the title, the dots, two message lines, four rows
        # of 116 px keys 16 px apart and 确定: at 48/24 px it needed 1,122 px and the last row
        # of keys was cut off (measured on a 1920x1080 display)
        lay.setContentsMargins(64, 24, 64, 24)
        lay.setSpacing(12)
        lay.addStretch(1)
        lay.addWidget(label("工作人员登录", role="h1"), alignment=Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(label("请输入工作人员密码", role="muted"), alignment=Qt.AlignmentFlag.AlignHCenter)
        self.display = label(dots(0), role="h1", wrap=False, name="pinDots")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.display)
        self.message = label("", role="strong", name="pinMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.message)
        self.warning = label("", role="muted", name="pinWarning")
        self.warning.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.warning)
        pad = digit_pad(self.digit, self.back, self.clear)
        pad.setFixedWidth(600)
        lay.addWidget(pad, alignment=Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.ok = button("确定", self.submit, role="primary", name="pinOk")
        row.addWidget(button("返回", self.c.leave, name="pinCancel"))
        row.addWidget(self.ok)
        holder = QWidget()
        holder.setLayout(row)
        holder.setFixedWidth(600)
        lay.addWidget(holder, alignment=Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(1)
        self.lock_timer = QTimer(self)
        self.lock_timer.setInterval(1000)
        self.lock_timer.timeout.connect(self.refresh)

    def reset(self) -> None:
        self.entered = ""
        self.message.setText("")
        self.warning.setText(self.c.state.warning or "" if self.c.state is not None else "")
        self.refresh()

    def refresh(self) -> None:
        self.display.setText(dots(len(self.entered)))
        locked = self.c.pin.locked_for()
        self.ok.setEnabled(not locked)
        if locked:
            self.message.setText(f"密码错误次数过多，已锁定。请 {locked // 60} 分 {locked % 60:02d} 秒后再试。")
            self.lock_timer.start()
        elif self.lock_timer.isActive():
            self.lock_timer.stop()
            self.message.setText("")

    def digit(self, d: str) -> None:
        if len(self.entered) < MAX_DIGITS:
            self.entered += d
        self.refresh()

    def back(self) -> None:
        self.entered = self.entered[:-1]
        self.refresh()

    def clear(self) -> None:
        self.entered = ""
        self.refresh()

    def submit(self) -> None:
        try:
            attempt = self.c.pin.check(self.entered)
        except StateError:
            self.message.setText("无法读取工作人员设置，请联系维护人员。")
            return
        self.entered = ""
        if attempt.ok:
            self.message.setText("")
            self.c.logged_in()
            return
        if attempt.locked_for:
            self.refresh()
        else:
            self.message.setText(f"密码错误，还可以再试 {attempt.tries_left} 次。")
            self.refresh()


class NameScreen(QWidget):
    """Who is working: the name goes into the audit trail of every edit."""

    def __init__(self, controller):
        super().__init__()
        self.c = controller
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 32, 48, 24)
        lay.setSpacing(18)
        lay.addWidget(label("请输入您的姓名或工号", role="h1"))
        lay.addWidget(label("姓名会记入每一条资料修改记录。", role="muted"))
        self.field = QLineEdit()
        self.field.setObjectName("staffName")
        self.field.setPlaceholderText("例如：王丽 或 A012")
        lay.addWidget(self.field)
        self.recent = QHBoxLayout()
        self.recent.setSpacing(12)
        lay.addLayout(self.recent)
        self.message = label("", role="strong", name="nameMessage")
        lay.addWidget(self.message)
        self.keyboard = Keyboard(controller.corpus)
        self.keyboard.set_target(self.field)
        lay.addWidget(self.keyboard)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(button("退出", self.c.leave, name="nameCancel"))
        row.addWidget(button("确定", self.submit, role="primary", name="nameOk"))
        lay.addLayout(row)
        lay.addStretch(1)

    def reset(self) -> None:
        self.field.clear()
        self.message.setText("")
        self.keyboard.set_target(self.field)
        clear_layout(self.recent)
        names = self.c.edits.names()[:4]
        if names:
            self.recent.addWidget(label("最近：", role="muted", wrap=False))
        for n in names:
            self.recent.addWidget(button(n, (lambda n=n: self.field.setText(n)), name=f"name:{n}"), 1)

    def submit(self) -> None:
        name = " ".join(self.field.text().split())
        if not name:
            self.message.setText("请先输入姓名或工号。")
            return
        self.c.start_work(name[:40])


class FirstRunScreen(QWidget):
    """首次设置: the hall this kiosk stands in and the staff PIN."""

    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.region = controller.ctx.config.region
        self.hall = controller.ctx.config.hall
        self.pins = ["", ""]
        self.active = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.page = PagedScroll()
        lay.addWidget(self.page, 1)
        row = QHBoxLayout()
        row.setContentsMargins(32, 0, 32, 16)
        self.message = label("", role="strong", name="firstRunMessage")
        row.addWidget(self.message, 2)
        row.addWidget(button("完成设置", self.submit, role="primary", name="frDone"), 1)
        lay.addLayout(row)

    def reset(self) -> None:
        self.pins = ["", ""]
        self.active = 0
        self.message.setText("")
        self.refresh()

    def refresh(self) -> None:
        ctx = self.c.ctx
        self.page.clear()
        body = self.page.body
        body.addWidget(label("首次设置", role="h1"))
        body.addWidget(label("本机还没有工作人员密码。请选择本机所在的大厅，并设置工作人员密码。", role="muted"))
        body.addWidget(label("1. 所在地区", role="h2"))
        regions = [button(r.name, (lambda r=r.id: self.choose_region(r)), name=f"frRegion:{r.id}")
                   for r in ctx.catalogue.regions()]
        for b, r in zip(regions, ctx.catalogue.regions(), strict=False):
            b.setCheckable(True)
            b.setChecked(r.id == self.region)
        body.addWidget(grid(regions, 3, ctx.sizes.gap))
        body.addWidget(label("2. 本机所在大厅", role="h2"))
        halls = ctx.catalogue.halls(self.region)
        if halls and self.hall not in {h.id for h in halls}:
            self.hall = halls[0].id
        hall_buttons = []
        labels = hall_labels(halls)
        for h in halls:
            b = button(labels[h.id], (lambda h=h.id: self.choose_hall(h)), name=f"frHall:{h.id}")
            b.setCheckable(True)
            b.setChecked(h.id == self.hall)
            hall_buttons.append(b)
        body.addWidget(grid(hall_buttons, 2 if ctx.portrait else 3, 12))
        body.addWidget(label(f"3. 工作人员密码（{MIN_DIGITS} 到 {MAX_DIGITS} 位数字，输入两次）", role="h2"))
        fields = []
        for i, title in enumerate(("新密码", "再输入一次")):
            b = button(f"{title}：{dots(len(self.pins[i]))}", (lambda i=i: self.select(i)), name=f"frPin{i + 1}")
            b.setCheckable(True)
            b.setChecked(i == self.active)
            fields.append(b)
        body.addWidget(grid(fields, 2, ctx.sizes.gap))
        pad = digit_pad(self.digit, self.back, self.clear, prefix="frpin")
        pad.setMaximumWidth(720)
        body.addWidget(pad, alignment=Qt.AlignmentFlag.AlignHCenter)
        body.addStretch(1)

    def choose_region(self, region: str) -> None:
        self.region, self.hall = region, ""
        self.refresh()

    def choose_hall(self, hall: str) -> None:
        self.hall = hall
        self.refresh()

    def select(self, i: int) -> None:
        self.active = i
        self.refresh()

    def digit(self, d: str) -> None:
        if len(self.pins[self.active]) < MAX_DIGITS:
            self.pins[self.active] += d
        self.refresh()

    def back(self) -> None:
        self.pins[self.active] = self.pins[self.active][:-1]
        self.refresh()

    def clear(self) -> None:
        self.pins[self.active] = ""
        self.refresh()

    def submit(self) -> None:
        if self.c.entry_page() != "firstrun":  # set up meanwhile (or its PIN record lost): never here
            self.c.show_page("reset" if not self.c.pin.configured else "pin")
            return
        problem = pin_problem(self.pins[0])
        if problem:
            self.message.setText(problem)
            return
        if self.pins[0] != self.pins[1]:
            self.message.setText("两次输入的密码不一致，请重新输入。")
            self.pins = ["", ""]
            self.active = 0
            self.refresh()
            return
        from dataclasses import replace

        error = self.c.save_config(replace(self.c.ctx.config, region=self.region, hall=self.hall))
        if error:
            self.message.setText(error)
            return
        try:
            self.c.pin.set_pin(self.pins[0])
        except (ValueError, StateError) as exc:
            self.message.setText(f"密码没有保存：{exc}")
            return
        self.c.mark_set_up("the first-run screen")
        self.c.show_page("name")


class ResetScreen(QWidget):
    """需要重置: this terminal was set up but its PIN record is lost or unreadable. Staff
    mode stays locked; only `kiosk staff reset-pin`, run as root on the terminal, opens it."""

    def __init__(self, controller):
        super().__init__()
        self.c = controller
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 48, 64, 48)
        lay.setSpacing(24)
        lay.addStretch(1)
        lay.addWidget(label("需要重置", role="h1", name="resetTitle"), alignment=Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(label("本机的工作人员密码记录丢失或无法读取，工作人员模式已锁定。", role="h2"))
        lay.addWidget(label("请联系运维人员：在本机上以管理员（root）身份运行 kiosk staff reset-pin "
                            "设置新密码。在此之前，本机照常为群众服务。", role="muted"))
        lay.addWidget(button("返回", self.c.leave, role="primary", name="resetBack"), alignment=Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(1)

    def reset(self) -> None:
        pass
