"""本厅已下班: Home outside the hall's opening hours (kiosk/hours.py).

Shown instead of Home — never in the middle of a citizen's session (the window switches
only at Home, kiosk/ui/app.py). It says when the hall opens again, the week's hours, and
where to go meanwhile: the region's online addresses (with QR codes) and apps as the
catalogue names them (CatalogueService.region_channels), and the region's hotline. The
service list is not offered: nobody can be served here now.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from kiosk.hours import DAY_NAMES, DAYS, Hours, day_text, days_text, week_lines, when_text
from kiosk.ui.qr import qr_pixmap
from kiosk.ui.widgets import PagedScreen, card, label

MAX_ONLINE = 2  # QR codes on the screen
MAX_APPS = 3
MIN_SERVICES = 2  # a channel shown here is one several of the region's services share

APP_KINDS = {"app": "手机应用", "wechat": "微信公众号", "miniprogram": "小程序"}


def heading(hours: Hours, now: datetime) -> str:
    """本厅已下班 / 今日休息 / 午间休息 / 尚未开始办公."""
    spans = hours.spans_on(now.date())
    if not spans:
        return "今日休息"
    minute = now.hour * 60 + now.minute
    if minute < spans[0].start:
        return "尚未开始办公"
    if minute >= spans[-1].end:
        return "本厅已下班"
    return "午间休息"


# who stands at the kiosk: citizens and employers' clerks; a clinic's or pharmacy's own
# channels (医药机构, e.g. Shenyang's institution site) would only puzzle them here
CITIZEN_AUDIENCES = ("个人", "单位")


class ClosedScreen(PagedScreen):
    title = "已下班"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.hours = Hours()
        self.now = datetime(2000, 1, 1)

    def channels(self):
        """(online with URLs, apps) shown: those several services share, the most shared first."""
        shared = [c for c in self.ctx.catalogue.region_channels(self.ctx.region.id, CITIZEN_AUDIENCES)
                  if len(c.services) >= MIN_SERVICES]
        online = [c for c in shared if c.url][:MAX_ONLINE]
        apps, seen = [], set()
        for c in shared:
            if c.url or not c.name:
                continue
            # one account, worded two ways by the documents (沈阳智慧医保公众号 / 沈阳智慧医保微信公众号):
            # listed once, as the most services name it
            same = (c.type, str(c.name).replace("微信", "").replace(" ", ""))
            if same not in seen:
                seen.add(same)
                apps.append(c)
        return online, apps[:MAX_APPS]

    def phone(self) -> tuple[str, str] | None:
        """(label, number): the region's hotline, else this hall's phone."""
        ctx = self.ctx
        if ctx.region.hotline:
            return ctx.region.hotline.label or "咨询电话", ctx.region.hotline.number
        if ctx.hall is not None and ctx.hall.phone:
            return "本大厅电话", ctx.hall.phone
        return None

    def show_at(self, hours: Hours, now: datetime) -> None:
        self.hours, self.now = hours, now
        self.refresh()

    def refresh(self) -> None:
        ctx, hours, now = self.ctx, self.hours, self.now
        self.page.clear()
        body = self.page.body
        title = label(heading(hours, now), role="h1", name="closedTitle")
        nxt = hours.next_opening(now)
        when = (f"下次办公时间：{when_text(nxt, now)}" if nxt is not None
                else "暂停办公，恢复时间请拨打咨询电话")
        next_label = label(when, role="h2", name="closedNext")
        week = self._week()
        away = self._away()
        contact = self._contact()
        if ctx.portrait:
            body.addWidget(title)
            body.addWidget(next_label)
            if contact is not None:
                body.addWidget(contact)
            if away is not None:
                body.addWidget(away)
            body.addWidget(week)
        else:
            row = QHBoxLayout()
            row.setSpacing(ctx.sizes.gap * 2)
            left = QVBoxLayout()
            left.setSpacing(ctx.sizes.gap)
            left.addWidget(title)
            left.addWidget(next_label)
            if contact is not None:
                left.addWidget(contact)
            left.addWidget(week)
            left.addStretch(1)
            row.addLayout(left, 1)
            if away is not None:
                right = QVBoxLayout()
                right.addWidget(away)
                right.addStretch(1)
                row.addLayout(right, 1)
            body.addLayout(row)
        body.addStretch(1)

    def _week(self):
        hours, now = self.hours, self.now
        frame, lay = card()
        frame.setObjectName("closedWeek")
        lay.addWidget(label("本大厅办公时间", role="h2"))
        today = now.date()
        weekday = DAY_NAMES[DAYS[today.weekday()]]
        holiday = "（休息日）" if today in hours.closed else ""
        lay.addWidget(label(f"今天（{weekday}）：{day_text(hours.spans_on(today))}{holiday}", role="strong",
                            name="closedToday"))
        for days, text in week_lines(hours):
            lay.addWidget(label(f"{days_text(days)}：{text}", name=f"closedDays:{days[0]}"))
        upcoming = sorted(d for d in hours.closed if d > today)[:3]
        if upcoming:
            dates = "、".join(f"{d.month}月{d.day}日" for d in upcoming)
            lay.addWidget(label(f"以下日期休息：{dates}", role="muted", name="closedDates"))
        return frame

    def _away(self):
        online, apps = self.channels()
        if not online and not apps:
            return None
        frame, lay = card()
        frame.setObjectName("closedChannels")
        lay.addWidget(label("不用来大厅，也可以这样办", role="h2"))
        for c in online:
            row = QHBoxLayout()
            row.setSpacing(self.ctx.sizes.gap)
            qr = QLabel()
            qr.setObjectName("closedQr")
            qr.setPixmap(qr_pixmap(c.url, 240))
            qr.setFixedSize(260, 260)
            qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
            qr.setStyleSheet("background: white; border-radius: 8px;")
            qr.setToolTip(c.url)
            row.addWidget(qr)
            row.addWidget(label(f"网上办：{c.name or '网站'}\n用手机扫码打开：\n{c.url}", name="closedOnline"), 1)
            lay.addLayout(row)
        for c in apps:
            lay.addWidget(label(f"掌上办（{APP_KINDS.get(c.type, '手机')}）：{c.name}", name="closedApp"))
        return frame

    def _contact(self):
        phone = self.phone()
        if phone is None:
            return None
        frame, lay = card()
        frame.setObjectName("closedPhone")
        lay.addWidget(label(f"☎ {phone[0]}：{phone[1]}", role="h2", name="closedHotline"))
        return frame

    def speech_text(self) -> str:
        nxt = self.hours.next_opening(self.now)
        parts = [heading(self.hours, self.now) + "。"]
        if nxt is not None:
            parts.append(f"下次办公时间：{when_text(nxt, self.now)}。")
        online, apps = self.channels()
        if online or apps:
            parts.append("可以在网上或手机上办理：" + "，".join(c.name or "网站" for c in online + apps) + "。")
        phone = self.phone()
        if phone is not None:
            parts.append(f"{phone[0]}：{phone[1]}。")
        return "".join(parts)
