"""表格导入导出: the catalogue as an .xlsx workbook, exported to the exchange directory
(a USB stick when one is mounted); an import is checked cell by cell, shows what it
will change, and is applied all at once — or, with any error, not at all.

The check runs on a worker thread (kiosk.staff.xlsx has limits on size, rows, cells
and time): the screen says 正在检查 and stays responsive. An import that deletes more
than a few items of a field asks for an explicit second confirmation with the count."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.staff.edits import EditError
from kiosk.staff.xlsx import ImportPlan, apply_import, exchange_dirs, export_workbook, plan_import, snapshot, workbooks
from kiosk.ui.widgets import PagedScroll, button, card, clear_layout, label

log = logging.getLogger("kiosk.staff")

MAX_SHOWN = 200


class _Relay(QObject):
    done = Signal(object, object)  # (token, ImportPlan), delivered on the UI thread


class XlsxScreen(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.plan: ImportPlan | None = None
        self.message = ""
        self.checking: Path | None = None  # the path being checked on the worker thread
        self._token = None
        self._relay = _Relay(self)
        self._relay.done.connect(self._checked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.page = PagedScroll()
        lay.addWidget(self.page, 1)
        self.action_row = QHBoxLayout()
        self.action_row.setContentsMargins(32, 0, 32, 16)
        self.action_row.setSpacing(20)
        lay.addLayout(self.action_row)

    def refresh(self) -> None:
        self.plan = None
        self.message = ""
        self.checking = None
        self._token = None  # a check still running is forgotten
        self.draw()

    def _actions(self, buttons) -> None:
        clear_layout(self.action_row)
        for b in buttons:
            self.action_row.addWidget(b, 1)

    def draw(self) -> None:
        if self.checking is not None:
            return self.draw_checking()
        if self.plan is not None:
            return self.draw_plan()
        self.page.clear()
        body = self.page.body
        body.addWidget(label("表格导入导出", role="h1"))
        if self.message:
            body.addWidget(label(self.message, role="strong", name="xlsxMessage"))
        dirs = exchange_dirs()
        frame, lay = card()
        lay.addWidget(label("导出", role="h2"))
        lay.addWidget(label(f"把全部业务资料导出为 Excel 表格，保存到：{dirs[-1]}", role="muted"))
        lay.addWidget(button("导出业务资料表", self.export, role="primary", name="xlsx:export"))
        body.addWidget(frame)
        frame, lay = card()
        lay.addWidget(label("导入", role="h2"))
        lay.addWidget(label("选择一个表格：先逐格检查并列出将要修改的内容，确认后才导入；有任何错误则不导入。", role="muted"))
        files = workbooks(dirs)
        if not files:
            lay.addWidget(label("没有找到表格文件（.xlsx）。请插入 U 盘，或把文件放到：" + str(dirs[0]), role="small"))
        for p in files[:20]:
            when = datetime.fromtimestamp(p.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
            lay.addWidget(button(f"{p.name}（{when}）", (lambda p=p: self.check(p)), role="list",
                                 name=f"xlsx:file:{p.name}"))
        body.addWidget(frame)
        body.addStretch(1)
        self._actions([])

    def export(self) -> None:
        target = exchange_dirs()[-1] / f"业务资料-{datetime.now():%Y%m%d-%H%M%S}.xlsx"
        try:
            n = export_workbook(self.c.ctx.catalogue, target)
            self.message = f"已导出 {n} 项业务：{target}"
        except OSError as exc:
            self.message = f"导出失败（{exc.strerror or exc}），没有写入文件。"
        self.draw()

    def check(self, path) -> None:
        """Check the workbook on a worker thread; _checked() shows the result."""
        token = object()
        self._token, self.checking, self.plan = token, path, None
        snap, relay = snapshot(self.c.ctx.catalogue), self._relay

        def work():
            try:
                plan = plan_import(path, snap)
            except Exception as exc:  # a bug must not kill the thread silently or reach the screen as a trace
                log.exception("checking workbook %s failed", getattr(path, "name", path))
                plan = ImportPlan(path, errors=[f"检查表格时出错（{type(exc).__name__}），没有导入任何内容。"])
            relay.done.emit(token, plan)

        threading.Thread(target=work, name="kiosk-xlsx-check", daemon=True).start()
        self.draw()

    def _checked(self, token, plan) -> None:
        if token is not self._token:
            return  # left the screen (or checked another file) meanwhile
        self._token, self.checking, self.plan = None, None, plan
        self.draw()

    def draw_checking(self) -> None:
        assert self.checking is not None  # draw() checked it
        self.page.clear()
        body = self.page.body
        body.addWidget(label(f"导入 {self.checking.name}", role="h1"))
        body.addWidget(label("正在检查表格，请稍候……（大文件可能需要几秒钟）", role="h2", name="xlsxChecking"))
        body.addStretch(1)
        self._actions([button("取消", self.cancel, name="xlsx:cancel")])

    def draw_plan(self) -> None:
        plan = self.plan
        assert plan is not None  # draw() checked it
        self.page.clear()
        body = self.page.body
        body.addWidget(label(f"导入 {plan.path.name}", role="h1"))
        if plan.errors:
            frame, lay = card("warning")
            lay.addWidget(label(f"表格有 {len(plan.errors)} 处错误，整个文件不会导入。请改正后再试：", role="h2",
                                name="xlsxErrorsTitle"))
            for e in plan.errors[:MAX_SHOWN]:
                lay.addWidget(label(e, name="xlsxError"))
            if len(plan.errors) > MAX_SHOWN:
                lay.addWidget(label(f"……另有 {len(plan.errors) - MAX_SHOWN} 处", role="small"))
            body.addWidget(frame)
            self._actions([button("返回", self.cancel, name="xlsx:cancel")])
        elif not plan.changes:
            body.addWidget(label("表格与现在的资料完全一致，没有需要导入的修改。", role="h2", name="xlsxNoChanges"))
            self._actions([button("返回", self.cancel, name="xlsx:cancel")])
        else:
            regions = {r.id: r.name for r in self.c.ctx.catalogue.regions()}
            body.addWidget(label(f"将修改 {len(plan.changes)} 处（导入后每处都记入修改记录，可撤销）：", role="h2",
                                 name="xlsxChangesTitle"))
            for ch in plan.changes[:MAX_SHOWN]:
                frame, lay = card()
                lay.addWidget(label(f"{regions.get(ch.region, ch.region)} · {ch.service.name}", role="strong"))
                for line in ch.lines:
                    lay.addWidget(label(f"{ch.summary.split('：')[0]}：{line}", role="small", name="xlsxChange"))
                body.addWidget(frame)
            if plan.needs_confirmation:
                frame, lay = card("warning")
                lay.addWidget(label(f"注意：此次导入将删除 {plan.deletion_summary()}。", role="h2",
                                    name="xlsxDeletions"))
                lay.addWidget(label("如果表格只剩表头或被误删了行，请取消。确认无误才按“确认删除并导入”。"))
                body.insertWidget(1, frame)
                self._actions([button("取消", self.cancel, name="xlsx:cancel"),
                               button("确认删除并导入", lambda: self.apply(confirmed=True), role="primary",
                                      name="xlsx:applyDeleting")])
            else:
                self._actions([button("取消", self.cancel, name="xlsx:cancel"),
                               button("确认导入", self.apply, role="primary", name="xlsx:apply")])
        body.addStretch(1)

    def apply(self, confirmed: bool = False) -> None:
        assert self.plan is not None  # its buttons are only shown with a plan
        try:
            n = apply_import(self.plan, self.c.edits, self.c.who, confirmed=confirmed)
            self.message = f"已导入 {n} 处修改。"
        except (EditError, ValueError) as exc:
            self.message = f"没有导入：{exc}"
        self.plan = None
        self.draw()

    def cancel(self) -> None:
        self.plan = None
        self.checking = None
        self._token = None
        self.message = ""
        self.draw()
