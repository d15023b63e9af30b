"""One question per screen: big answer buttons and "第 2 步，共 4 步".

Every answer is on screen at once, never below the fold (a choice a person cannot see
is a choice they cannot make): the answers sit in a fixed area under the question, in
two columns on a landscape screen when there are more than two; only the question text
above them scrolls, if it ever needs to."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kiosk.ui.citizen.plainwords import explain_in
from kiosk.ui.widgets import PagedScroll, ScreenBase, WrapButton, clear_layout, label


class QuestionScreen(ScreenBase):
    title = "回答问题"

    def __init__(self, ctx):
        super().__init__(ctx)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.page = PagedScroll()
        lay.addWidget(self.page, 0)
        self.options = QWidget()
        self.options.setObjectName("answers")
        self.options_grid = QGridLayout(self.options)
        lay.addWidget(self.options, 0)
        # the answers right under the question, the free space below them (the question
        # area gives way, and scrolls, only when a long question would not fit)
        lay.addStretch(1)

    def columns(self, count: int) -> int:
        return 2 if not self.ctx.portrait and count > 2 else 1

    def refresh(self) -> None:
        s = self.ctx.session
        self.page.clear()
        clear_layout(self.options_grid)
        body = self.page.body
        q = s.question
        if q is None:
            return
        gap = max(self.ctx.sizes.gap, 16)
        n, total = s.progress
        body.addWidget(label(f"第 {n} 步，共 {total} 步", role="progress", name="progress"))
        body.addWidget(label(s.service.name, role="h2"))
        body.addSpacing(self.ctx.sizes.gap)
        body.addWidget(label(q.text, role="h1", name="questionText"))
        explain_in(self.page.content, lambda text: label(text, role="small", name="glossaryNote"))
        body.addStretch(1)
        g = self.options_grid
        g.setContentsMargins(32, 0, 32, 24)
        g.setSpacing(gap)
        cols = self.columns(len(q.options))
        for i, o in enumerate(q.options):
            g.addWidget(WrapButton(o.label, "", (lambda oid=o.id: s.answer(oid)), role="answer",
                                   name=f"answer:{o.id}"), i // cols, i % cols)
        for c in range(2):
            g.setColumnStretch(c, 1 if c < cols else 0)

    def speech_text(self) -> str:
        q = self.ctx.session.question
        if q is None:
            return ""
        options = "；".join(f"{o.label}" for o in q.options)
        return f"{q.text}请选择：{options}。"
