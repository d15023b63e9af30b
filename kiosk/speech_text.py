"""What 朗读 says: screen text turned into words a person says, and each screen's script.

`spoken(text)` rewrites what the eye reads into what the ear needs:

- quantities, money, percentages, decimals and dates in Chinese numerals, by cn2an
  (「30 个工作日」→ 三十个工作日, 「1.5万元」→ 一点五万元, 「50%」→ 百分之五十,
  「2025年12月31日」→ 二零二五年十二月三十一日);
- phone numbers digit by digit, in the groups they are written in, with a pause between
  groups (024-12345-1-7 → 零二四，一二三四五，一，七; 8-digit numbers in two fours);
- house numbers as people say them: up to three digits as a number (长白西路五十一号),
  longer ones digit by digit, 19-12号 as 十九杠十二号; room numbers and three-digit bus
  routes digit by digit (一一六路);
- Latin letters spelled (APP → A P P, H座 → H 座); web and mail addresses replaced by
  「网址见屏幕」/「邮箱见屏幕」: nobody can take them down by ear.

`screen_script(ctx)` is the text for the screen the session is on; the checklist is read
whole and in order, each part under a short spoken name. No Qt here.
"""

from __future__ import annotations

import re

DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
URL_SAY = "，网址见屏幕，"
MAIL_SAY = "，地址见屏幕，"

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9._~:/?#@!$&'*+,;=%\-]+"
                  r"|\b[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:gov\.cn|com\.cn|cn|com|net|org|vip)\b"
                  r"(?:/[A-Za-z0-9._~:/?#@!$&'*+,;=%\-]*)?")
_MAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# a phone written in groups: 024-12345-1-7, 024-31912673, 400-123-4567 (first group ≥ 3 digits)
_PHONE_GROUPS = re.compile(r"(?<![\d.])\d{3,4}(?:-\d+)+(?![\d.]|号|[-])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# a long number with no unit after it: a phone (53997899, 12345), read digit by digit
UNITS = "元角分万亿个项次人天日月年周岁号楼层室米里公斤克份张页件%％倍"
_LONG = re.compile(rf"(?<![\d.])\d{{5,}}(?![\d.]|[{UNITS}])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_CLOCK = re.compile(r"(?<![\d.])(\d{1,2})[:：](\d{2})(?!\d)")
_DOC_YEAR = re.compile(r"([〔\[（(])(\d{4})([〕\]）)])")
_HOUSE = re.compile(r"(?<![\d.])(\d+)(?:(?<=[路街段巷道里村]\d)-(\d+)|(?<=[路街段巷道里村]\d\d)-(\d+)"
                    r"|(?<=[路街段巷道里村]\d\d\d)-(\d+)|(?<=[路街段巷道里村]\d\d\d\d)-(\d+))?(号|栋|单元)")
_ROOM = re.compile(r"(?<![\d.])(\d{3,})(室|房间)")
_ROUTE = re.compile(r"(?<![\d.])(\d{3,})(路|线)")
_RANGE = re.compile(r"(?<=\d)\s*[-~～—–]\s*(?=[\d零一二三四五六七八九十])")
_LIST_NO = re.compile(r"(^|\n|\s)(\d{1,2})[.、](?!\d)")
_LATIN = re.compile(r"[A-Za-z]+")


def digits(s: str) -> str:
    """'024' -> '零二四'."""
    return "".join(DIGITS.get(c, c) for c in s)


def number(s: str) -> str:
    """'51' -> '五十一'; a cardinal, as cn2an says it (digit by digit if it cannot)."""
    import cn2an

    try:
        return cn2an.an2cn(s)
    except Exception:  # noqa: BLE001 - a number cn2an does not take is read digit by digit
        return digits(s)


def _phone(groups: list[str]) -> str:
    return "，".join(digits(g) for g in groups if g)


def _long(m: re.Match) -> str:
    s = m.group()
    if len(s) == 8:
        return _phone([s[:4], s[4:]])
    if len(s) == 7:
        return _phone([s[:3], s[3:]])
    if len(s) == 11:
        return _phone([s[:3], s[3:7], s[7:]])
    return digits(s)


def _house(m: re.Match) -> str:
    main, *subs, unit = m.groups()
    sub = next((x for x in subs if x), None)

    def say(n: str) -> str:
        return number(n) if len(n) <= 3 else digits(n)

    return say(main) + (f"杠{say(sub)}" if sub else "") + unit


def _clock(m: re.Match) -> str:
    h, mm = m.groups()
    if int(h) > 24 or int(mm) > 59:
        return m.group()
    if mm == "00":
        return f"{number(h)}点"
    if mm == "30":
        return f"{number(h)}点半"
    return f"{number(h)}点{number(mm)}分"


def _spell(m: re.Match) -> str:
    return " " + " ".join(m.group().upper()) + " "


def spoken(text: str) -> str:
    """The text as the voice should say it (see the module's docstring)."""
    import cn2an

    t = _MAIL.sub(MAIL_SAY, text)
    t = _URL.sub(URL_SAY, t)
    t = _ISO_DATE.sub(r"\1年\2月\3日", t)
    t = _PHONE_GROUPS.sub(lambda m: "，" + _phone(m.group().split("-")) + "，", t)
    t = _MOBILE.sub(lambda m: "，" + _long(m) + "，", t)
    t = _DOC_YEAR.sub(lambda m: m.group(1) + digits(m.group(2)) + m.group(3), t)
    t = _ROOM.sub(lambda m: digits(m.group(1)) + m.group(2), t)
    t = _ROUTE.sub(lambda m: digits(m.group(1)) + m.group(2), t)
    t = _HOUSE.sub(_house, t)
    t = _RANGE.sub("至", t)
    t = _CLOCK.sub(_clock, t)
    t = _LONG.sub(lambda m: "，" + _long(m) + "，", t)
    t = _LIST_NO.sub(lambda m: f"{m.group(1)}{number(m.group(2))}、", t)
    t = _LATIN.sub(_spell, t)
    try:
        t = cn2an.transform(t, "an2cn")
    except Exception:  # noqa: BLE001 - what cn2an cannot read stays; the voice reads digits one by one
        pass
    t = re.sub(r"(?<=[\u4e00-\u9fff])[ \t]+(?=[\u4e00-\u9fff])", "", t)  # 「30 个」: no gap once in words
    t = re.sub(r"[ \t]*，[ \t]*", "，", t)
    t = re.sub(r"，{2,}", "，", t)
    t = re.sub(r"([，。；：、（(])\s*，", r"\1", t)
    t = re.sub(r"，\s*([，。；：、）)])", r"\1", t)
    return re.sub(r"[ \t]{2,}", " ", t).strip(" ，")


# -- what each screen says ---------------------------------------------------------------------------
def checklist_script(guide, region, hall) -> str:
    """The whole checklist, in order, each part under a short spoken name (drawn from the
    guide's one view, as the screen and the paper are: kiosk.catalogue.view)."""
    from kiosk.catalogue.view import build_view

    v = build_view(guide, region, [hall] if hall is not None else [], [], hall, trace=False)
    parts = [f"{v.service_name}。"]
    if v.materials:
        parts.append(f"材料，共{len(v.materials)}项。")
        for m in v.materials:
            extra = "，".join(x for x in (m.original, m.requirement) if x)
            later = f"，可以以后补交，{m.deferrable}" if m.deferrable_deadline else ""
            parts.append(f"第{m.number}项，{m.display_name}" + (f"，{extra}" if extra else "") + f"{later}。")
    else:
        parts.append("材料：办事指南未列出，请到窗口咨询。")
    parts.append("去哪里办。")
    for c in v.channels:
        summary = c.summary
        if c.type == "online" or c.url:
            summary = summary.split("：", 1)[0] + "：用手机扫屏幕上的二维码办理"
        parts.append(summary.rstrip("。") + "。")
    if not v.channels:
        parts.append("办事指南未列出办理渠道，请到窗口咨询。")
    if v.hall is not None:
        address = v.hall.address.rstrip("。") if v.hall.address else "请咨询工作人员"
        parts.append(f"本大厅：{v.hall.name}，地址：{address}。")
    if v.time_limit:
        parts.append(f"办理时限。{v.time_limit.text.rstrip('。')}。")
    if v.refusals:
        parts.append("不予受理。以下情形不予受理：" + "；".join(r.text.rstrip("。；") for r in v.refusals) + "。")
    if v.deferrable_items:
        parts.append("可以以后补交的材料。")
        for d in v.deferrable_items:
            when = d.deadline_label
            parts.append(d.text.rstrip("。；") + (f"，{when}" if when else "") + "。")
    if v.tips or v.notes:
        parts.append("提示。" + "".join(t.text.rstrip("。") + "。" for t in [*v.tips, *v.notes]))
    if v.phone_lines:
        parts.append("电话。" + "；".join(v.phone_lines) + "。")
    return "".join(parts)


def policy_script(topics, chosen) -> str:
    if chosen is None:
        return "政策速查。请选择要了解的政策：" + "；".join(t.title for t in topics) + "。"
    parts = [f"{chosen.title}。"]
    parts += [f"{f.label}：{f.value}" + (f"，{f.note}" if f.note else "") + "。" for f in chosen.facts]
    for tb in chosen.tables:
        parts.append(f"{tb.title}。")
        for row in tb.rows:
            parts.append("，".join(f"{col}{cell}" for col, cell in zip(tb.columns, row, strict=False) if cell) + "。")
        parts += [n.text.rstrip("。") + "。" for n in tb.notes]
    parts += [p.text.rstrip("。") + "。" for p in chosen.paragraphs]
    return "".join(parts)


def search_script(session, shown: int = 12) -> str:
    query = session.step.query
    if not query:
        return "搜索业务。请点屏幕下方的字母按键输入拼音或首字母，或点常用词。"
    found = session.search_results()[:shown]
    if not found:
        return "没有找到，请换个词试试，或到窗口咨询。"
    return f"找到{len(found)}项业务：" + "；".join(s.name for s in found) + "。"


SCRIPTED = ("checklist", "policy", "search", "halls")  # screens screen_script always has words for


def has_script(ctx, screen_widget=None) -> bool:
    """Is there anything to read on this screen (cheap: no search is run)?"""
    if ctx.session.screen.value in SCRIPTED:
        return ctx.session.screen.value != "checklist" or ctx.session.step.service_id is not None
    return bool(screen_widget.speech_text()) if screen_widget is not None else False


def screen_script(ctx, screen_widget=None) -> str:
    """What 朗读 says on the screen the session is on ('' = nothing to read)."""
    from kiosk.session import Screen

    s = ctx.session
    if s.screen is Screen.CHECKLIST:
        guide = s.guide
        return checklist_script(guide, ctx.region, ctx.hall) if guide is not None else ""
    if s.screen is Screen.POLICY:
        topics = ctx.catalogue.policy_topics(ctx.region.id)
        chosen = next((t for t in topics if t.id == s.step.policy_topic), None)
        return policy_script(topics, chosen)
    if s.screen is Screen.SEARCH:
        return search_script(s)
    if s.screen is Screen.HALLS:
        halls = ctx.catalogue.halls(ctx.region.id)
        phone = f"电话：{ctx.region.hotline.number}。" if ctx.region.hotline else ""
        return f"{ctx.region.name}医保服务大厅。{phone}" + "".join(
            f"{h.name}，地址：{(h.address or '未给出').rstrip('。')}" + (f"，电话：{h.phone}" if h.phone else "") + "。"
            for h in halls)
    return screen_widget.speech_text() if screen_widget is not None else ""
