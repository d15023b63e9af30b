"""业务资料: browse the services of the kiosk's region and edit their materials,
channels, time limit, tips, refusals and 容缺 items on the touch screen; the audit
trail (修改记录) with 撤销; the recorded differences between documents for review.

Every change goes through kiosk.staff.edits.EditStore (provenance "staff edit", who,
when, old value); the citizen screens read the edited catalogue at once."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLineEdit, QPlainTextEdit, QStackedWidget, QVBoxLayout, QWidget

from kiosk.staff.edits import FIELD_LABELS, ITEM_ATTRS, EditError, item_attrs, item_label
from kiosk.ui.staff.keyboard import Keyboard
from kiosk.ui.widgets import PagedScroll, WrapButton, button, card, label

LONG_TEXT = {("channels", "text"), ("tips", "text"), ("refusals", "text"), ("deferrable_items", "text"),
             ("materials", "name")}
SOURCE_LABELS = {"staff edit": "触屏修改", "xlsx import": "表格导入", "revert": "撤销"}


class _Field(QPlainTextEdit):
    """A text field that hands itself to the keyboard when tapped."""

    def __init__(self, text: str, on_focus, lines: int):
        super().__init__(text)
        self.on_focus = on_focus
        self.setTabChangesFocus(True)
        self.setFixedHeight(24 + lines * 44)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self.on_focus(self)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.setPlainText(text)


class _Line(QLineEdit):
    def __init__(self, text: str, on_focus):
        super().__init__(text)
        self.on_focus = on_focus

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self.on_focus(self)


class CatalogueScreen(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.service_id: str | None = None
        self.editing: tuple[str, int | None] | None = None
        self.confirm_delete: tuple[str, int] | None = None
        self.fields: dict[str, _Field | _Line] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages)
        self.list_page = PagedScroll()
        self.service_page = PagedScroll()
        self.history_page = PagedScroll()
        self.diff_page = PagedScroll()
        self.editor = QWidget()
        ed = QVBoxLayout(self.editor)
        ed.setContentsMargins(0, 0, 0, 0)
        ed.setSpacing(8)
        self.editor_body = QBoxLayout(QBoxLayout.Direction.TopToBottom)  # side by side in landscape
        self.editor_body.setSpacing(8)
        ed.addLayout(self.editor_body, 1)
        self.editor_page = PagedScroll()
        self.editor_body.addWidget(self.editor_page, 1)
        kb_box = QWidget()
        kb_lay = QVBoxLayout(kb_box)
        kb_lay.setContentsMargins(32, 0, 32, 0)
        self.keyboard = Keyboard(controller.corpus)
        kb_lay.addWidget(self.keyboard)
        kb_lay.addStretch(1)
        self.editor_body.addWidget(kb_box)
        row = QHBoxLayout()
        row.setContentsMargins(32, 0, 32, 16)
        row.setSpacing(20)
        self.editor_message = label("", role="strong", name="editorMessage")
        row.addWidget(self.editor_message, 2)
        row.addWidget(button("取消", self.close_editor, name="editor:cancel"), 1)
        row.addWidget(button("保存修改", self.save_item, role="primary", name="editor:save"), 1)
        ed.addLayout(row)
        for p in (self.list_page, self.service_page, self.history_page, self.diff_page, self.editor):
            self.pages.addWidget(p)
        self.message = ""

    @property
    def ctx(self):
        return self.c.ctx

    def refresh(self) -> None:
        self.service_id = None
        self.show_list()

    # -- the services ---------------------------------------------------------------------------
    def show_list(self) -> None:
        ctx = self.ctx
        page = self.list_page
        page.clear()
        body = page.body
        body.addWidget(label(f"业务资料 · {ctx.region.name}", role="h1"))
        body.addWidget(label("点业务可修改其材料、办理渠道、时限、提示、不予受理和容缺事项。每次修改都记录修改人、时间和原内容，"
                             "可以撤销。", role="muted"))
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(button("修改记录（可撤销）", self.show_history, name="cat:history"))
        row.addWidget(button("文件之间的差异", self.show_differences, name="cat:differences"))
        body.addLayout(row)
        edits = self.c.edits
        for svc in ctx.catalogue.services(ctx.region.id):
            changed = edits.overridden(svc.region, svc.id)
            sub = f"{svc.category} · {svc.audience}"
            if changed:
                sub += " · 已修改：" + "、".join(FIELD_LABELS[f] for f in changed)
            body.addWidget(WrapButton(svc.name, sub, (lambda sid=svc.id: self.open_service(sid)),
                                      name=f"edit:{svc.id}"))
        body.addStretch(1)
        self.pages.setCurrentWidget(page)

    def open_service(self, service_id: str, message: str = "") -> None:
        self.service_id = service_id
        self.confirm_delete = None
        self.message = message
        self.show_service()

    def show_service(self, keep_scroll: bool = False) -> None:
        ctx = self.ctx
        svc = ctx.catalogue.service(ctx.region.id, self.service_id)
        page = self.service_page
        pos = page.area.verticalScrollBar().value()
        page.clear()
        body = page.body
        top = QHBoxLayout()
        top.addWidget(button("◀ 全部业务", self.show_list, name="cat:back"), 1)
        top.addWidget(button("本业务的修改记录", lambda: self.show_history(self.service_id), name="cat:serviceHistory"), 1)
        body.addLayout(top)
        body.addWidget(label(svc.name, role="h1", name="editServiceTitle"))
        if self.message:
            body.addWidget(label(self.message, role="strong", name="serviceMessage"))
        for fld, title in FIELD_LABELS.items():
            frame, lay = card()
            lay.addWidget(label(title, role="h2"))
            items = [svc.time_limit] if fld == "time_limit" else list(getattr(svc, fld))
            if fld == "time_limit" and svc.time_limit is None:
                items = []
            if not items:
                lay.addWidget(label("（无）", role="muted"))
            for i, item in enumerate(items):
                lay.addWidget(self._item_row(fld, i, item))
            if fld == "time_limit":
                if not items:
                    lay.addWidget(button("填写办理时限", lambda: self.open_editor("time_limit", None), name="add:time_limit"))
            else:
                lay.addWidget(button(f"＋ 新增{title}", (lambda f=fld: self.open_editor(f, None)), name=f"add:{fld}"))
            body.addWidget(frame)
        body.addStretch(1)
        self.pages.setCurrentWidget(page)
        if keep_scroll:
            page.area.verticalScrollBar().setValue(pos)

    def _item_row(self, fld: str, i: int, item) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 6, 0, 6)
        lay.setSpacing(6)
        text = item_label(fld, item)
        extra = []
        if fld == "materials":
            extra = [x for x in (item.original, item.requirement,
                                 f"可容缺 · {item.deferrable_deadline}" if item.deferrable_deadline else None) if x]
        if fld == "time_limit" and item.days is not None:
            extra = [f"{item.days} 个工作日"]
        prefix = "" if fld == "time_limit" else f"{i + 1}. "
        lay.addWidget(label(prefix + text + (f"（{'；'.join(extra)}）" if extra else ""), name=f"itemText:{fld}:{i}"))
        lay.addWidget(label(f"出处：{item.ref}", role="small"))
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(button("修改", (lambda: self.open_editor(fld, i)), name=f"item:{fld}:{i}"), 1)
        if fld != "time_limit":
            confirming = self.confirm_delete == (fld, i)
            row.addWidget(button("确认删除？" if confirming else "删除", (lambda: self.delete(fld, i)),
                                 name=f"del:{fld}:{i}"), 1)
        row.addStretch(1)
        lay.addLayout(row)
        return w

    def delete(self, fld: str, i: int) -> None:
        if self.confirm_delete != (fld, i):
            self.confirm_delete = (fld, i)
            self.show_service(keep_scroll=True)
            return
        svc = self.ctx.catalogue.service(self.ctx.region.id, self.service_id)
        try:
            e = self.c.edits.remove_item(svc, fld, i, self.c.who)
            self.message = f"已删除（修改记录 #{e.id}，可撤销）。"
        except EditError as exc:
            self.message = str(exc)
        self.confirm_delete = None
        self.show_service(keep_scroll=True)

    # -- the editor --------------------------------------------------------------------------------------
    def open_editor(self, fld: str, index: int | None) -> None:
        svc = self.ctx.catalogue.service(self.ctx.region.id, self.service_id)
        if fld == "time_limit":
            item = svc.time_limit
        else:
            item = getattr(svc, fld)[index] if index is not None else None
        self.editing = (fld, index)
        values = item_attrs(fld, item)
        page = self.editor_page
        page.clear()
        body = page.body
        what = FIELD_LABELS[fld] + ("" if fld == "time_limit" else (f" 第 {index + 1} 项" if index is not None else " 新增"))
        body.addWidget(label(f"{svc.name} · {what}", role="h2", name="editorTitle"))
        body.addWidget(label("点一个输入框，再用屏幕键盘输入。拼音：按字母后点选汉字。", role="small"))
        self.fields = {}
        first = None
        for attr, title in ITEM_ATTRS[fld]:
            body.addWidget(label(title, role="strong"))
            f: _Field | _Line
            if (fld, attr) in LONG_TEXT:
                f = _Field(values[attr], self.keyboard.set_target, 3 if fld != "materials" else 2)
            else:
                f = _Line(values[attr], self.keyboard.set_target)
            f.setObjectName(f"attr:{attr}")
            self.fields[attr] = f
            body.addWidget(f)
            first = first or f
        if fld == "materials":
            body.addWidget(label("原件/复印件可填：原件、复印件、原件及复印件、原件或复印件，或留空。", role="small"))
        if fld == "channels":
            body.addWidget(label("类型：window 窗口、online 网上、app 掌上、wechat 公众号、miniprogram 小程序、"
                                 "kiosk 自助机、agency 代办、hospital 医疗机构、email 邮箱、office 现场。", role="small"))
        body.addStretch(1)
        self.editor_message.setText("")
        portrait = self.ctx.portrait
        self.editor_body.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        self.editor_body.setStretch(0, 1)
        self.editor_body.setStretch(1, 0 if portrait else 1)
        self.keyboard.set_target(first)
        self.pages.setCurrentWidget(self.editor)
        if first is not None:
            first.setFocus()

    def close_editor(self) -> None:
        self.editing = None
        self.show_service(keep_scroll=True)

    def save_item(self) -> None:
        if self.editing is None:
            return
        fld, index = self.editing
        attrs = {a: f.text() for a, f in self.fields.items()}
        svc = self.ctx.catalogue.service(self.ctx.region.id, self.service_id)
        try:
            e = self.c.edits.set_item(svc, fld, index, attrs, self.c.who)
        except EditError as exc:
            self.editor_message.setText(str(exc))
            return
        self.editing = None
        self.message = f"已保存（修改记录 #{e.id}，可撤销）。"
        self.show_service(keep_scroll=True)

    # -- the audit trail -----------------------------------------------------------------------------------------
    def show_history(self, service_id: str | None = None) -> None:
        ctx, edits = self.ctx, self.c.edits
        page = self.history_page
        page.clear()
        body = page.body
        back = (lambda: self.open_service(service_id)) if service_id else self.show_list
        body.addWidget(button("◀ 返回", back, name="history:back"))
        body.addWidget(label("修改记录", role="h1"))
        if self.message and service_id is None:
            body.addWidget(label(self.message, role="strong"))
        rows = edits.history(ctx.region.id, service_id)
        if not rows:
            body.addWidget(label("还没有修改。", role="muted"))
        names = {s.id: s.name for s in ctx.catalogue.services(ctx.region.id)}
        for e in rows:
            frame, lay = card()
            frame.setObjectName(f"audit:{e.id}")
            lay.addWidget(label(f"#{e.id}  {e.at} · {e.who} · {SOURCE_LABELS.get(e.source, e.source)}", role="strong"))
            lay.addWidget(label(f"{names.get(e.service_id, e.service_id)} · {FIELD_LABELS.get(e.field, e.field)}"))
            lay.addWidget(label(e.summary, role="small"))
            if e.reverted_by:
                lay.addWidget(label(f"已撤销（#{e.reverted_by}）", role="muted"))
            elif edits.revertable(e):
                lay.addWidget(button("撤销这次修改", (lambda i=e.id: self.revert(i, service_id)), name=f"revert:{e.id}"))
            body.addWidget(frame)
        body.addStretch(1)
        self.pages.setCurrentWidget(page)

    def revert(self, edit_id: int, service_id: str | None) -> None:
        try:
            r = self.c.edits.revert(edit_id, self.c.who)
            self.message = f"已撤销 #{edit_id}（记录为 #{r.id}）。"
        except EditError as exc:
            self.message = str(exc)
        if service_id:
            self.open_service(service_id, self.message)
        else:
            self.show_history(None)

    # -- differences between documents ---------------------------------------------------------------------------
    def show_differences(self) -> None:
        ctx = self.ctx
        page = self.diff_page
        page.clear()
        body = page.body
        body.addWidget(button("◀ 返回", self.show_list, name="diff:back"))
        body.addWidget(label("文件之间的差异（较新的文件为准）", role="h1"))
        body.addWidget(label("办事指南之间不一致的地方。自助机按较新的文件显示；请核对，如需更正可在业务资料中修改。",
                             role="muted"))
        names = {s.id: s.name for s in ctx.catalogue.services(ctx.region.id)}
        # edits whose document value has since been corrected come first: 需复核
        diffs = self.c.edits.stale_as_differences(ctx.catalogue, ctx.region.id) + ctx.catalogue.differences(ctx.region.id)
        if not diffs:
            body.addWidget(label("没有记录的差异。", role="muted"))
        for i, d in enumerate(diffs):
            frame, lay = card()
            frame.setObjectName(f"difference:{i}")
            flag = "⚠ 需复核 · " if d.kind == "staff-edit" else ""
            lay.addWidget(label(f"{flag}{names.get(d.subject, d.subject)} · {d.field}", role="strong"))
            lay.addWidget(label(f"较早：{d.older}（{d.older_ref or '—'}）", role="small"))
            lay.addWidget(label(f"较新：{d.newer or '—'}（{d.newer_ref or '—'}）", role="small"))
            if d.note:
                lay.addWidget(label(f"说明：{d.note}", role="small"))
            body.addWidget(frame)
        body.addStretch(1)
        self.pages.setCurrentWidget(page)


__all__ = ["CatalogueScreen"]
