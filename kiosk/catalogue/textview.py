"""A guide as readable text (the CLI's `show`) and as a JSON-ready dict."""

from __future__ import annotations

import re
from dataclasses import asdict

from kiosk.catalogue.cleaning import match_key
from kiosk.catalogue.guide import Guide
from kiosk.catalogue.model import (
    Channel,
    Hall,
    PolicyTopic,
    Region,
    deadline_label,
    older_materials_line,
    older_note_groups,
)

CHANNEL_LABELS = {
    "window": "窗口办", "online": "网上办", "app": "掌上办", "wechat": "公众号", "miniprogram": "小程序",
    "kiosk": "一体机/自助办", "agency": "代办机构", "hospital": "医疗机构办理", "email": "网上办（邮箱）",
    "office": "现场办",
}


_DOC_LABEL_RE = re.compile(r"^(?:[①-⑳]|[（(]\d+[)）])?\s*([\u4e00-\u9fff]{1,4}办)\s*[：:]")


def channel_label(c: Channel) -> str:
    """The document's own label of a channel (现场办, 线下办, 窗口办 …), else the type's."""
    m = _DOC_LABEL_RE.match(c.text)
    return m.group(1) if m else CHANNEL_LABELS.get(c.type, c.type)


def menu_text(c: Channel) -> str:
    """The menu path exactly as the document writes it, e.g. 进入【主页】-【账户查询】/【权益证明】
    or [首页] - [地方版] (the check makes sure every path item is in the text, in order)."""
    if not c.path:
        return ""
    text = c.text
    i = text.find(c.path[0])
    if i < 0:
        return " - ".join(c.path)
    if i > 0 and text[i - 1] in "【[":
        i -= 1
    if text[max(0, i - 2):i] == "进入":
        i -= 2
    j = i
    for item in c.path:
        j = text.find(item, j) + len(item)
    if j < len(text) and text[j] in "】]":
        j += 1
    return text[i:j]


def channel_summary(c: Channel) -> str:
    """One line describing where/how, from the parsed fields (falls back to the text)."""
    label = channel_label(c)
    if c.blank:
        return f"{label}：文件未给出具体地址"
    parts: list[str] = []
    if c.type == "window":
        parts.append(c.place or c.text)
        if c.window and c.window not in (c.place or ""):
            parts.append(c.window)
    elif c.type in ("app", "wechat", "miniprogram"):
        parts.append(c.app or c.name or c.text)
        if c.path:
            parts.append(menu_text(c))
    elif c.type == "online":
        parts.append(" ".join(x for x in (c.name, c.url) if x) or c.text)
        if c.path:
            parts.append(menu_text(c))
        if not c.url:
            parts.append("（文件未给出网址）")
    elif c.type == "email":
        parts.append(c.email or c.text)
    else:
        parts.append(c.place or c.name or c.text)
    if c.note:
        parts.append(f"（{c.note}）")
    return f"{label}：" + " ".join(parts)


def phone_lines(service, region: Region) -> list[str]:
    """The service's phones and the region's hotline, each number once with all its labels."""
    numbers: dict[str, list[str]] = {}
    for p in [*service.phones, *([region.hotline] if region.hotline else [])]:
        labels = numbers.setdefault(p.number, [])
        if p.label and p.label not in labels:
            labels.append(p.label)
    return [number + (f"（{'、'.join(labels)}）" if labels else "") for number, labels in numbers.items()]


def _situ(guide: Guide, item) -> str:
    s = guide.situations(item)
    return f"〔适用：{'；'.join(s)}〕" if s else ""


def guide_as_text(guide: Guide, region: Region, halls: list[Hall], policy: list[PolicyTopic]) -> str:
    svc = guide.service
    out: list[str] = []
    w = out.append
    w(f"{svc.name}")
    w(f"事项类别：{svc.category}    办理对象：{svc.audience}    地区：{region.name}")
    if guide.answers:
        chosen = []
        for q in svc.questions:
            if q.id in guide.answers:
                opt = q.option(guide.answers[q.id])
                assert opt is not None  # the guide only holds answers among the options
                chosen.append(f"{q.text} {opt.label}")
        w("您的情况：" + "；".join(chosen))
    if guide.unanswered and svc.questions:
        w("尚未回答：" + "；".join(q.text for q in guide.unanswered) + "（以下列出所有可能适用的内容）")
    if guide.intro:
        w("\n【办理对象及条件】")
        for t in guide.intro:
            w(f"  {t.text} {_situ(guide, t)}".rstrip())
    w("\n【需提供要件】")
    if not guide.materials:
        w("  较新的办事指南未列出需提供的要件" if guide.older_materials else "  文件未列出需提供的要件")
    for i, m in enumerate(guide.materials, 1):
        w(f"  {i}. {m.display_name} {_situ(guide, m)}".rstrip())
        detail = []
        if m.original:
            detail.append(m.original)
        if m.requirement:
            detail.append(m.requirement)
        if m.source:
            detail.append(f"资料来源：{m.source}")
        if m.form:
            where = f"（{m.form.where}）" if m.form.where else ""
            detail.append(f"表格：{m.form.title or m.display_name}{where}")
        if m.deferrable_deadline:
            detail.append(f"可容缺，{deadline_label(m.deferrable_deadline)}")
        if m.note:
            detail.append(m.note)
        if m.name and m.name != m.text:
            detail.append(f"原文：{m.text}")
        if detail:
            w("     " + "；".join(detail))
    if guide.older_materials:  # silence is not absence (seed/SCHEMA.md)
        w(f"  {older_materials_line(guide.older_materials)}")
    if guide.deferrable_items:
        w("\n【可容缺受理的材料（可先受理，限期补正）】")
        for d in guide.deferrable_items:
            extra = "；".join(x for x in (f"资料来源：{d.source}" if d.source else "",
                                           deadline_label(d.deadline),
                                           f"补正方式：{d.method}" if d.method else "") if x)
            w(f"  · {d.text}  {extra}".rstrip())
    if guide.refusals:
        w("\n【以下情形不予受理】")
        for r in guide.refusals:
            w(f"  · {r.text}" + (f"  （{r.label}）" if r.label else ""))
    w("\n【办理渠道】")
    if not guide.channels:
        w("  文件未列出办理渠道")
    for c in guide.channels:
        summary = channel_summary(c)
        w(f"  · {summary} {_situ(guide, c)}".rstrip())
        if match_key(c.text) not in match_key(summary):  # the document's own words too
            w(f"     原文：{c.text}")
    if svc.time_limit:
        w(f"\n【办理时限】{svc.time_limit.text}")
    if guide.tips:
        w("\n【温馨提示】")
        for t in guide.tips:
            w(f"  {t.text}")
    if guide.notes:
        w("\n【注】")
        for t in guide.notes:
            w(f"  {t.text}" + (f"（{t.label}）" if t.label else ""))
    if svc.phones or region.hotline:
        w("\n【咨询电话】")
        for line in phone_lines(svc, region):
            w(f"  {line}")
    for title, items in (("办理环节", guide.steps), ("设定依据", guide.legal_basis)):
        for label, group in older_note_groups(items):  # each under the document it is from
            w(f"\n【{title}" + (f"（{label}）" if label else "") + "】")
            for t in group:
                w(f"  {t.text}")
    for label, items in older_note_groups(svc.older_notes):
        w(f"\n【注意事项（{label or '较早文件'}）】")
        for t in items:
            w(f"  {t.text}")
    if policy:
        w("\n【相关政策】" + "、".join(t.title or t.id for t in policy) + "（kiosk policy 查看）")
    if halls:
        w("\n【办理地点】")
        for h in halls:
            w(f"  {h.name}：{h.address or '地址文件未给出'}" + (f"  电话 {h.phone}" if h.phone else ""))
            if h.directions:
                w(f"    乘车：{h.directions}")
            if h.note:
                w(f"    说明：{h.note}")
    if svc.differences:
        w(f"\n【文件差异】{len(svc.differences)} 处（以较新文件为准；kiosk differences 查看）")
    if svc.follows:
        w(f"\n【依据】{svc.follows}")
    w("\n【来源】" + "；".join(svc.sources))
    return "\n".join(out) + "\n"


def guide_as_dict(guide: Guide, region: Region, halls: list[Hall], policy: list[PolicyTopic]) -> dict:
    svc = guide.service

    def with_situations(items):
        return [asdict(x) | {"situations": guide.situations(x)} for x in items]

    return {
        "id": svc.id, "name": svc.name, "category": svc.category, "audience": svc.audience,
        "topics": svc.topics, "region": region.id, "ref": svc.ref, "sources": svc.sources,
        "answers": guide.answers, "complete": guide.complete,
        "questions": [asdict(q) for q in svc.questions],
        "intro": with_situations(guide.intro),
        "materials": with_situations(guide.materials),
        "older_materials": [asdict(m) for m in guide.older_materials],
        "older_materials_note": older_materials_line(guide.older_materials) or None,
        "deferrable_items": [asdict(d) for d in guide.deferrable_items],
        "refusals": [asdict(r) for r in guide.refusals],
        "channels": with_situations(guide.channels),
        "online_url": guide.online_url,
        "time_limit": asdict(svc.time_limit) if svc.time_limit else None,
        "tips": with_situations(guide.tips),
        "notes": with_situations(guide.notes),
        "phones": [asdict(p) for p in svc.phones],
        "hotline": asdict(region.hotline) if region.hotline else None,
        "steps": with_situations(guide.steps),
        "legal_basis": with_situations(guide.legal_basis),
        "older_notes": [asdict(t) for t in svc.older_notes],
        "differences": [asdict(d) for d in svc.differences],
        "policy_topics": [t.id for t in policy],
        "halls": [asdict(h) for h in halls],
    }


def policy_as_text(t: PolicyTopic) -> str:
    out = [f"■ {t.title}  （{t.ref}）"]
    if t.basis:
        out.append(f"  {t.basis.text}")
    for p in t.paragraphs:
        out.append(f"  {p.text}")
    for f in t.facts:
        out.append(f"  · {f.label}：{f.value}" + (f"（{f.note}）" if f.note else ""))
    for tb in t.tables:
        out.append(f"  【{tb.title}】")
        out.append("  " + " | ".join(tb.columns))
        for r in tb.rows:
            out.append("  " + " | ".join(r))
        for n in tb.notes:
            out.append(f"  {n.text}")
    return "\n".join(out) + "\n\n"
