"""One question per screen: big answer buttons and "第 2 步，共 4 步"."""

from __future__ import annotations

from kiosk.ui.widgets import PagedScreen, WrapButton, label


class QuestionScreen(PagedScreen):
    title = "回答问题"


    def refresh(self) -> None:
        s = self.ctx.session
        self.page.clear()
        body = self.page.body
        q = s.question
        if q is None:
            return
        n, total = s.progress
        body.addWidget(label(f"第 {n} 步，共 {total} 步", role="progress", name="progress"))
        body.addWidget(label(s.service.name, role="h2"))
        body.addSpacing(self.ctx.sizes.gap)
        body.addWidget(label(q.text, role="h1", name="questionText"))
        body.addSpacing(self.ctx.sizes.gap)
        for o in q.options:
            body.addWidget(WrapButton(o.label, "", (lambda oid=o.id: s.answer(oid)), role="answer",
                                      name=f"answer:{o.id}"))
        body.addStretch(1)

    def speech_text(self) -> str:
        q = self.ctx.session.question
        if q is None:
            return ""
        options = "；".join(f"{o.label}" for o in q.options)
        return f"{q.text}请选择：{options}。"
