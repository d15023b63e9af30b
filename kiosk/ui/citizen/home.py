"""Home: the hall, tiles by audience and by the things people come for, search."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.ui.widgets import PagedScreen, WrapButton, button, grid, label

AUDIENCE_HINTS = {"个人": "参保人、家属办理", "单位": "用人单位经办人办理", "医药机构": "医院、药店办理"}


class HomeScreen(PagedScreen):
    title = "首页"


    def refresh(self) -> None:
        ctx, body = self.ctx, self.page.body
        self.page.clear()
        services = ctx.catalogue.services(ctx.region.id)
        search = button("搜索业务（可输入拼音或首字母）", ctx.session.open_search, role="primary", name="searchButton")
        audiences = [a for a in ("个人", "单位", "医药机构") if any(s.audience == a for s in services)]
        audience_tiles = [WrapButton(a, AUDIENCE_HINTS.get(a, ""), (lambda a=a: ctx.session.choose_audience(a)),
                                     role="tile", name=f"audience:{a}") for a in audiences]
        topics = [t for t in ctx.topics if any(t.id in s.topics for s in services)]
        topic_tiles = []
        for t in topics:
            n = sum(1 for s in services if t.id in s.topics)
            topic_tiles.append(WrapButton(t.label, f"{n} 项业务", (lambda t=t: ctx.session.choose_topic(t.id)),
                                          role="tile", name=f"topic:{t.id}"))
        extra = [button("办理地点与电话", ctx.session.open_halls, name="hallsButton")]
        if ctx.catalogue.policy_topics(ctx.region.id):
            extra.append(button("政策速查", ctx.session.open_policy, name="policyButton"))

        if ctx.portrait:
            body.addWidget(label("您好！请选择您要办理的业务", role="h1"))
            body.addWidget(search)
            body.addWidget(label("常办事项", role="h2"))
            body.addWidget(grid(topic_tiles, 3, ctx.sizes.gap))
            body.addWidget(label("按办理对象", role="h2"))
            body.addWidget(grid(audience_tiles, 3, ctx.sizes.gap))
            body.addWidget(grid(extra, 2, ctx.sizes.gap))
        else:
            row = QHBoxLayout()
            row.setSpacing(ctx.sizes.gap * 2)
            left = QVBoxLayout()
            left.setSpacing(ctx.sizes.gap)
            left.addWidget(label("您好！请选择要办理的业务", role="h1"))
            left.addWidget(search)
            left.addWidget(label("按办理对象", role="h2"))
            for t in audience_tiles:
                left.addWidget(t)
            for b in extra:
                left.addWidget(b)
            left.addStretch(1)
            right = QVBoxLayout()
            right.setSpacing(ctx.sizes.gap)
            right.addWidget(label("常办事项", role="h2"))
            right.addWidget(grid(topic_tiles, 3, ctx.sizes.gap))
            right.addStretch(1)
            row.addLayout(left, 1)
            row.addLayout(right, 2)
            body.addLayout(row)
        body.addStretch(1)

    def speech_text(self) -> str:
        return "您好，请选择您要办理的业务。可以按办理对象选择，也可以按常办事项选择，或者搜索业务。"
