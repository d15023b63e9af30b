"""The personal checklist: exactly the materials for the citizen's answers, where to
go, how long it takes — and the details behind a 更多信息 control.

Drawn from the guide's one view (kiosk.catalogue.view.GuideView), as `kiosk show` and
the printed checklist are: the screen chooses how a piece looks, not which fields."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.catalogue.view import CHANNEL_LABELS, GuideView, MaterialView, build_view
from kiosk.ui.citizen.plainwords import citizen_note, explain_in
from kiosk.ui.qr import qr_pixmap
from kiosk.ui.widgets import PagedScroll, ScreenBase, TextLabel, button, card, label


class ChecklistScreen(ScreenBase):
    title = "办事清单"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.more_open = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.page = PagedScroll()
        lay.addWidget(self.page, 1)
        # 打印清单 shares the row of 上一页/下一页: a landscape screen keeps ~110 px more
        # of the checklist in view
        self.action_row = self.page.nav
        self.print_button = button("打印清单", self.print_checklist, role="primary", name="printButton")
        self.action_row.addWidget(self.print_button)

    # -- helpers --------------------------------------------------------------------------
    def _section(self, title: str, role: str = "card", name: str | None = None):
        frame, lay = card(role)
        if name:
            frame.setObjectName(name)
        lay.addWidget(label(title, role="h2"))
        self.page.body.addWidget(frame)
        return lay

    def toggle_more(self) -> None:
        self.more_open = not self.more_open
        self.refresh(keep_scroll=True)

    def print_checklist(self) -> None:
        if self.ctx.printing is not None:
            self.ctx.printing.start(self.ctx.session, self.window())

    # -- drawing ----------------------------------------------------------------------------
    def view(self) -> GuideView | None:
        """The view of the session's guide at this kiosk's hall (None before a service)."""
        ctx = self.ctx
        guide = ctx.session.guide
        if guide is None:
            return None
        halls = [ctx.hall] if ctx.hall is not None else []
        return build_view(guide, ctx.region, halls, ctx.catalogue.policy_topics(ctx.region.id, guide.service.id),
                          ctx.hall, trace=False)

    def refresh(self, keep_scroll: bool = False) -> None:
        ctx = self.ctx
        s = ctx.session
        v = self.view()
        if v is None:
            return
        bar = self.page.area.verticalScrollBar()
        pos = bar.value()
        self.page.clear()
        if not keep_scroll:
            self.more_open = False
        self.print_button.setVisible(ctx.printing is not None)
        body = self.page.body
        body.addWidget(label(v.service_name, role="h1", name="checklistTitle"))
        if v.answers:
            body.addWidget(label("您的情况：" + "，".join(a.option for a in v.answers), role="muted"))

        # materials
        lay = self._section(f"请带齐以下材料（共 {len(v.materials)} 项）", name="materials")
        if not v.materials:
            lay.addWidget(label("办事指南未列出需提供的材料，请到窗口咨询。"))
        for m in v.materials:
            lay.addWidget(self._material(m, v))
        if v.older_materials_note:  # an older guide's list where the newer is silent
            lay.addWidget(label(v.older_materials_note, role="small", name="olderMaterials"))
        if v.deferrable_items:
            lay = self._section("可以先受理、以后补交的材料（容缺受理）", name="deferrable")
            for d in v.deferrable_items:
                lay.addWidget(label(f"· {d.text}", name="deferrableItem"))
                extra = "；".join(x for x in (d.deadline_label, f"资料来源：{d.source}" if d.source else "",
                                               f"补正方式：{d.method}" if d.method else "") if x)
                if extra:
                    lay.addWidget(label(extra, role="small"))

        if v.refusals:
            lay = self._section("⚠ 以下情形不予受理", role="warning", name="refusals")
            for r in v.refusals:
                lay.addWidget(label(f"· {r.text}"))

        self._channels(v)
        if v.time_limit:
            lay = self._section("办理时限", name="timeLimit")
            lay.addWidget(label(v.time_limit.text))
        if v.tips or v.notes:
            lay = self._section("温馨提示", name="tips")
            for t in [*v.tips, *v.notes]:
                lay.addWidget(label(t.text))
        self._phones_and_hall(v)

        if v.policy:
            lay = self._section("相关政策（政策速查）", name="policyLinks")
            for link in v.policy:
                lay.addWidget(button(link.label, (lambda tid=link.id: s.open_policy(tid)), role="list",
                                     name=f"policy:{link.id}"))

        more = button("▼ 更多信息（办理条件、办理环节、设定依据）" if not self.more_open else "▲ 收起更多信息",
                      self.toggle_more, name="moreButton")
        body.addWidget(more)
        if self.more_open:
            self._more(v)
        # no file names or § here: provenance is for staff screens and the CLI
        explain_in(self.page.content, lambda text: label(text, role="small", name="glossaryNote"))
        body.addStretch(1)
        if keep_scroll:
            self.page.area.verticalScrollBar().setValue(pos)

    def _material(self, m: MaterialView, v: GuideView) -> QWidget:
        w = QWidget()
        w.setObjectName("material")
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 8, 0, 8)
        lay.setSpacing(6)
        lay.addWidget(label(f"{m.number}. □ {m.display_name}", name="materialName"))
        badges = QHBoxLayout()
        badges.setSpacing(10)
        if m.original:
            badges.addWidget(self._badge(m.original, "badge"))
        if m.requirement:
            badges.addWidget(self._badge(m.requirement, "badge"))
        if m.deferrable_deadline:
            badges.addWidget(self._badge(f"可容缺 · {m.deferrable}", "badge-warn", "deferrableBadge"))
        badges.addStretch(1)
        if badges.count() > 1:
            lay.addLayout(badges)
        if m.situations and not v.complete:
            lay.addWidget(label("适用：" + "；".join(m.situations), role="small"))
        if m.source:
            lay.addWidget(label(f"资料来源：{m.source}", role="small"))
        if m.form:
            where = f" — {m.form.where}" if m.form.where else ""
            lay.addWidget(label(f"表格：{m.form.title or m.display_name}{where}", role="small"))
        note = citizen_note(m.note)
        if note:
            lay.addWidget(label(note, role="small"))
        return w

    @staticmethod
    def _badge(text: str, role: str, name: str | None = None) -> QLabel:
        b = TextLabel(text)
        b.setProperty("role", role)
        if name:
            b.setObjectName(name)
        return b

    def _channels(self, v: GuideView) -> None:
        lay = self._section("去哪里办", name="channels")
        if not v.channels:
            lay.addWidget(label("办事指南未列出办理渠道，请到窗口咨询。"))
        for c in v.channels:
            lay.addWidget(label(c.summary_with(citizen_note(c.note)), name=f"channel:{c.type}"))
        if v.online_url:
            row = QHBoxLayout()
            qr = QLabel()
            qr.setObjectName("qrCode")
            qr.setPixmap(qr_pixmap(v.online_url, 280))
            qr.setFixedSize(300, 300)
            qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
            qr.setStyleSheet("background: white; border-radius: 8px;")
            row.addWidget(qr)
            row.addWidget(label(f"用手机扫码，在网上办理：\n{v.online_name or CHANNEL_LABELS['online']}\n{v.online_url}"),
                          1)
            lay.addLayout(row)

    def _phones_and_hall(self, v: GuideView) -> None:
        lay = self._section("咨询电话与办理地点", name="contact")
        for line in v.phone_lines:
            lay.addWidget(label(f"☎ {line}"))
        hall = v.hall
        if hall is not None:
            lay.addWidget(label(f"本大厅：{hall.name}"))
            lay.addWidget(label(f"地址：{hall.address}" if hall.address else "地址：办事指南未给出，请咨询工作人员"))
            if hall.phone:
                lay.addWidget(label(f"电话：{hall.phone}"))
            if hall.directions:
                lay.addWidget(label(f"乘车：{hall.directions}", role="small"))

    def _more(self, v: GuideView) -> None:
        # the older document's 注意事项 under its own name (Shenyang's 2020 guide; none elsewhere)
        sections = (("办理对象及条件", v.intro, "intro"), ("办理环节", v.steps, "steps"),
                    ("设定依据", v.legal_basis, "legalBasis"),
                    *((f"注意事项（{g.label or '较早文件'}）", g.items, "olderNotes")
                      for g in v.note_groups(v.older_notes)))
        for title, items, name in sections:
            if items:
                lay = self._section(title, name=name)
                for t in items:
                    lay.addWidget(label(t.text))
        if not any(items for _, items, _ in sections):
            self.page.body.addWidget(label("办事指南没有更多信息。", role="muted"))

    def speech_text(self) -> str:
        v = self.view()
        if v is None:
            return ""
        parts = [f"{v.service_name}。请带齐以下材料："]
        parts += [f"第{m.number}项，{m.display_name}。" for m in v.materials]
        if v.time_limit:
            parts.append(f"办理时限：{v.time_limit.text}。")
        return "".join(parts)
