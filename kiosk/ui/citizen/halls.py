"""All halls of the region with address, phone and directions."""

from __future__ import annotations

from kiosk.ui.widgets import PagedScreen, card, label


class HallsScreen(PagedScreen):
    title = "办理地点"


    def refresh(self) -> None:
        ctx = self.ctx
        self.page.clear()
        body = self.page.body
        body.addWidget(label(f"{ctx.region.name}医保服务大厅", role="h1"))
        if ctx.region.hotline:
            h = ctx.region.hotline
            body.addWidget(label(f"☎ {h.label or '电话'}：{h.number}", role="h2"))
        for hall in ctx.catalogue.halls(ctx.region.id):
            frame, lay = card()
            frame.setObjectName(f"hall:{hall.id}")
            here = "（本大厅）" if ctx.hall and hall.id == ctx.hall.id else ""
            lay.addWidget(label(hall.name + here, role="h2"))
            lay.addWidget(label(f"地址：{hall.address}" if hall.address else "地址：办事指南未给出"))
            lay.addWidget(label(f"电话：{hall.phone}" if hall.phone else "电话：办事指南未给出"))
            if hall.directions:
                lay.addWidget(label(f"乘车：{hall.directions}", role="small"))
            if hall.note:
                lay.addWidget(label(hall.note, role="small"))
            body.addWidget(frame)
        body.addStretch(1)

    def speech_text(self) -> str:
        return "；".join(f"{h.name}，地址：{h.address or '未给出'}" for h in self.ctx.catalogue.halls(self.ctx.region.id))
