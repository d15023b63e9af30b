"""The services of one audience or topic, as big buttons."""

from __future__ import annotations

from kiosk.ui.citizen.plainwords import explain_in
from kiosk.ui.widgets import PagedScreen, WrapButton, label


class ServiceListScreen(PagedScreen):
    title = "选择业务"


    def heading(self) -> str:
        step = self.ctx.session.step
        if step.topic:
            label_ = next((t.label for t in self.ctx.topics if t.id == step.topic), step.topic)
            return f"{label_}：请选择具体业务"
        if step.audience:
            return f"{step.audience}业务：请选择具体业务"
        return "请选择具体业务"

    def refresh(self) -> None:
        self.page.clear()
        body = self.page.body
        body.addWidget(label(self.heading(), role="h1", name="servicesHeading"))
        services = self.ctx.session.listed_services()
        if not services:
            body.addWidget(label("没有找到相关业务。请返回上一步，或到窗口咨询。"))
        for s in services:
            body.addWidget(WrapButton(s.name, f"{s.category} · {s.audience}",
                                      (lambda sid=s.id: self.ctx.session.choose_service(sid)),
                                      name=f"service:{s.id}"))
        explain_in(self.page.content, lambda text: label(text, role="small", name="glossaryNote"))
        body.addStretch(1)

    def speech_text(self) -> str:
        names = "；".join(s.name for s in self.ctx.session.listed_services())
        return f"{self.heading()}。{names}"
