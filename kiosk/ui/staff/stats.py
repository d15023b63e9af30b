"""使用统计: what citizens come for — sessions per service, per day and per hour,
prints, printer faults, abandoned sessions and the median time to the checklist.
Aggregated counters only (kiosk.staff.stats); bar charts drawn with QPainter."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from kiosk.staff.stats import read_figures
from kiosk.ui.widgets import PagedScroll, button, card, grid, label

PERIODS = (("7", "近 7 天"), ("30", "近 30 天"), ("all", "全部"))


class BarChart(QWidget):
    """Bars with their value on top (vertical) or at their end (horizontal, long labels)."""

    def __init__(self, items: list[tuple[str, int]], palette, sizes, horizontal: bool = False,
                 name: str | None = None):
        super().__init__()
        self.items, self.p, self.sizes, self.horizontal = items, palette, sizes, horizontal
        if name:
            self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.sizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        if self.horizontal:
            return QSize(800, max(1, len(self.items)) * (self.sizes.small + 30) + 16)
        return QSize(800, 340)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPixelSize(self.sizes.small)
        p.setFont(font)
        fm = p.fontMetrics()
        fg, bar, muted = QColor(self.p.fg), QColor(self.p.accent), QColor(self.p.muted)
        top = max((v for _, v in self.items), default=0) or 1
        w, h = self.width(), self.height()
        if not self.items:
            p.setPen(muted)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "暂无数据")
            return
        if self.horizontal:
            label_w = min(int(w * 0.45), max(fm.horizontalAdvance(t) for t, _ in self.items) + 16)
            row_h = self.sizes.small + 30
            value_w = fm.horizontalAdvance(str(top)) + 16
            for i, (text, value) in enumerate(self.items):
                y = 8 + i * row_h
                p.setPen(fg)
                shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, label_w - 16)
                p.drawText(QRectF(0, y, label_w - 16, row_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
                length = (w - label_w - value_w) * value / top
                p.fillRect(QRectF(label_w, y + 6, max(2.0, length), row_h - 12), bar)
                p.drawText(QRectF(label_w + length + 8, y, value_w, row_h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(value))
            return
        base = h - fm.height() - 12
        head = fm.height() + 6
        n = len(self.items)
        slot = w / n
        every = 1
        widest = max(fm.horizontalAdvance(t) for t, _ in self.items) + 8
        while widest * 1.0 > slot * every and every < n:
            every += 1
        for i, (text, value) in enumerate(self.items):
            x = i * slot
            bh = (base - head) * value / top
            p.fillRect(QRectF(x + slot * 0.15, base - bh, slot * 0.7, bh), bar)
            p.setPen(fg)
            if value:
                p.drawText(QRectF(x - 20, base - bh - head, slot + 40, head), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                           str(value))
            if i % every == 0:
                p.setPen(muted)
                p.drawText(QRectF(x - 40, base + 6, slot + 80, fm.height() + 4), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        p.setPen(muted)
        p.drawLine(0, int(base), w, int(base))


class StatsScreen(QWidget):
    def __init__(self, controller, today=date.today):
        super().__init__()
        self.c = controller
        self.today = today
        self.period = "7"
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.page = PagedScroll()
        lay.addWidget(self.page)

    def refresh(self) -> None:
        self.draw()

    def set_period(self, period: str) -> None:
        self.period = period
        self.draw()

    def draw(self) -> None:
        ctx = self.c.ctx
        self.page.clear()
        body = self.page.body
        body.addWidget(label(f"使用统计 · {ctx.region.name}", role="h1"))
        body.addWidget(label("只统计次数和用时，不记录任何个人信息和回答。", role="muted"))
        buttons = []
        for key, text in PERIODS:
            b = button(text, (lambda k=key: self.set_period(k)), name=f"stats:period:{key}")
            b.setCheckable(True)
            b.setChecked(key == self.period)
            buttons.append(b)
        body.addWidget(grid(buttons, 3, 16))
        days = None if self.period == "all" else int(self.period)
        since = (self.today() - timedelta(days=days - 1)).isoformat() if days else None
        f = read_figures(self.c.state, ctx.region.id, since)
        t = f.totals
        med = f.median_seconds
        med_text = "—" if med is None else (f"{med:.0f} 秒" if med < 120 else f"{med / 60:.1f} 分钟")
        tiles = [("使用人次", t["session"]), ("看到清单", t["checklist"]), ("中途离开", t["abandoned"]),
                 ("打印", t["print"]), ("打印故障", t["printer_fault"]), ("到清单用时（中位数）", med_text)]
        cells = []
        for title, value in tiles:
            frame, lay = card()
            lay.addWidget(label(str(value), role="h1", wrap=False, name=f"statsTotal:{title}"))
            lay.addWidget(label(title, role="small"))
            cells.append(frame)
        body.addWidget(grid(cells, 3 if ctx.portrait else 6, 16))
        names = {s.id: s.name for s in ctx.catalogue.services(ctx.region.id)}
        ranked = sorted(((names.get(sid, sid) if sid else "未选业务（只浏览）", c.get("session", 0))
                         for sid, c in f.by_service.items()), key=lambda x: -x[1])[:10]
        self._chart("各业务使用人次（前 10 项）", ranked, True, "chart:services")
        if days:
            first = self.today() - timedelta(days=days - 1)
            span = [first + timedelta(days=i) for i in range(days)]
        else:
            keys = sorted(f.by_day)
            start = date.fromisoformat(keys[0]) if keys else self.today()
            span = [start + timedelta(days=i) for i in range((self.today() - start).days + 1)][-60:]
        per_day = [(f"{d.month}/{d.day}", f.by_day.get(d.isoformat(), {}).get("session", 0)) for d in span]
        self._chart("每天使用人次", per_day, False, "chart:days")
        used = [h for h, c in f.by_hour.items() if c.get("session")]
        first, last = min([6, *used]), max([21, *used])
        per_hour = [(f"{h}", f.by_hour.get(h, {}).get("session", 0)) for h in range(first, last + 1)]
        self._chart(f"各时段使用人次（{first} 点至 {last} 点）", per_hour, False, "chart:hours")
        faults = [(names.get(sid, sid) or "未选业务", c.get("printer_fault", 0))
                  for sid, c in f.by_service.items() if c.get("printer_fault")]
        if faults:
            self._chart("打印故障（按业务）", sorted(faults, key=lambda x: -x[1])[:10], True, "chart:faults")
        body.addWidget(label("导出明细：在终端运行 kiosk stats --csv", role="small"))
        body.addStretch(1)

    def _chart(self, title: str, items, horizontal: bool, name: str) -> None:
        frame, lay = card()
        lay.addWidget(label(title, role="h2"))
        lay.addWidget(BarChart(items, self.c.ctx.palette, self.c.ctx.sizes, horizontal, name))
        self.page.body.addWidget(frame)


__all__ = ["BarChart", "StatsScreen"]
