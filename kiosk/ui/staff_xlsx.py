"""表格导入导出: the catalogue as an .xlsx workbook, exported to the exchange directory
(a USB stick when one is mounted); an import is checked cell by cell, shows what it
will change, and is applied all at once — or, with any error, not at all."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.staff.edits import EditError
from kiosk.staff.xlsx import apply_import, exchange_dirs, export_workbook, plan_import, workbooks
from kiosk.ui.widgets import PagedScroll, button, card, clear_layout, label

MAX_SHOWN = 200


class XlsxScreen(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.plan = None
        self.message = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.page = PagedScroll()
        lay.addWidget(self.page, 1)
        self.actions = QHBoxLayout()
        self.actions.setContentsMargins(32, 0, 32, 16)
        self.actions.setSpacing(20)
        lay.addLayout(self.actions)

    def refresh(self) -> None:
        self.plan = None
        self.message = ""
        self.draw()

    def _actions(self, buttons) -> None:
        clear_layout(self.actions)
        for b in buttons:
            self.actions.addWidget(b, 1)

    def draw(self) -> None:
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
        self.plan = plan_import(path, self.c.ctx.catalogue)
        self.draw()

    def draw_plan(self) -> None:
        plan = self.plan
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
            self._actions([button("取消", self.cancel, name="xlsx:cancel"),
                           button("确认导入", self.apply, role="primary", name="xlsx:apply")])
        body.addStretch(1)

    def apply(self) -> None:
        try:
            n = apply_import(self.plan, self.c.edits, self.c.who)
            self.message = f"已导入 {n} 处修改。"
        except (EditError, ValueError) as exc:
            self.message = f"没有导入：{exc}"
        self.plan = None
        self.draw()

    def cancel(self) -> None:
        self.plan = None
        self.message = ""
        self.draw()
