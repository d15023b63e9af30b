"""政策速查: the handbook's reference data — rates, reimbursement tables, maternity tables."""

from __future__ import annotations

from kiosk.ui.citizen.plainwords import explain_in
from kiosk.ui.widgets import PagedScreen, button, card, label


class PolicyScreen(PagedScreen):
    title = "政策速查"


    def refresh(self) -> None:
        ctx, s = self.ctx, self.ctx.session
        self.page.clear()
        body = self.page.body
        topics = ctx.catalogue.policy_topics(ctx.region.id)
        chosen = next((t for t in topics if t.id == s.step.policy_topic), None)
        if chosen is None:
            body.addWidget(label("政策速查", role="h1"))
            body.addWidget(label("请选择要了解的政策", role="muted"))
            for t in topics:
                body.addWidget(button(t.title, (lambda tid=t.id: s.open_policy(tid)), role="list",
                                      name=f"policy:{t.id}"))
            body.addStretch(1)
            return
        body.addWidget(label(chosen.title, role="h1", name="policyTitle"))
        for f in chosen.facts:
            frame, lay = card()
            lay.addWidget(label(f.label, role="muted"))
            lay.addWidget(label(f.value, role="h2"))
            if f.note:
                lay.addWidget(label(f.note, role="small"))
            body.addWidget(frame)
        for tb in chosen.tables:
            frame, lay = card()
            frame.setObjectName("policyTable")
            lay.addWidget(label(tb.title, role="h2"))
            for row in tb.rows:
                lines = [f"{col}：{cell}" for col, cell in zip(tb.columns, row, strict=False) if cell]
                lay.addWidget(label("\n".join(lines)))
                lay.addWidget(label("—" * 8, role="muted"))
            for n in tb.notes:
                lay.addWidget(label(n.text, role="small"))
            body.addWidget(frame)
        for p in chosen.paragraphs:
            body.addWidget(label(p.text))
        if chosen.basis:
            body.addWidget(label(chosen.basis.text, role="small"))
        # no file names or § here: the reference stays on staff screens and in the CLI
        explain_in(self.page.content, lambda text: label(text, role="small", name="glossaryNote"))
        body.addStretch(1)
