"""A guide as readable text (the CLI's `show`) and as a JSON-ready dict, both drawn from
the guide's one view (kiosk.catalogue.view.GuideView)."""

from __future__ import annotations

from dataclasses import asdict

from kiosk.catalogue.cleaning import match_key
from kiosk.catalogue.guide import Guide
from kiosk.catalogue.model import Hall, PolicyTopic, Region
from kiosk.catalogue.view import (  # noqa: F401 - re-exported: the helpers' old home
    CHANNEL_LABELS,
    GuideView,
    build_view,
    channel_label,
    channel_summary,
    menu_text,
)


def _situ(item) -> str:
    return f"〔适用：{'；'.join(item.situations)}〕" if item.situations else ""


def guide_as_text(guide: Guide, region: Region, halls: list[Hall], policy: list[PolicyTopic]) -> str:
    return view_as_text(build_view(guide, region, halls, policy, trace=False))


def guide_as_dict(guide: Guide, region: Region, halls: list[Hall], policy: list[PolicyTopic]) -> dict:
    return view_as_dict(build_view(guide, region, halls, policy, trace=False))


def view_as_text(v: GuideView) -> str:
    """`kiosk show`: every piece of the view, under the documents' headings."""
    out: list[str] = []
    w = out.append
    w(f"{v.service_name}")
    w(f"事项类别：{v.category}    办理对象：{v.audience}    地区：{v.region_name}")
    if v.answers:
        w("您的情况：" + "；".join(f"{a.question} {a.option}" for a in v.answers))
    if v.unanswered and v.questions:
        w("尚未回答：" + "；".join(q.text for q in v.unanswered) + "（以下列出所有可能适用的内容）")
    if v.intro:
        w("\n【办理对象及条件】")
        for t in v.intro:
            w(f"  {t.text} {_situ(t)}".rstrip())
    w("\n【需提供要件】")
    if not v.materials:
        w("  较新的办事指南未列出需提供的要件" if v.older_materials else "  文件未列出需提供的要件")
    for m in v.materials:
        w(f"  {m.number}. {m.display_name} {_situ(m)}".rstrip())
        detail = []
        if m.original:
            detail.append(m.original)
        if m.requirement:
            detail.append(m.requirement)
        if m.source:
            detail.append(f"资料来源：{m.source}")
        if m.form:
            detail.append(m.form_line)
        if m.deferrable_deadline:
            detail.append(f"可容缺，{m.deferrable}")
        if m.note:
            detail.append(m.note)
        if m.shows_text:
            detail.append(f"原文：{m.text}")
        if detail:
            w("     " + "；".join(detail))
    if v.older_materials_note:  # silence is not absence (seed/SCHEMA.md)
        w(f"  {v.older_materials_note}")
    if v.deferrable_items:
        w("\n【可容缺受理的材料（可先受理，限期补正）】")
        for d in v.deferrable_items:
            extra = "；".join(x for x in (f"资料来源：{d.source}" if d.source else "", d.deadline_label,
                                           f"补正方式：{d.method}" if d.method else "") if x)
            w(f"  · {d.text}  {extra}".rstrip())
    if v.refusals:
        w("\n【以下情形不予受理】")
        for r in v.refusals:
            w(f"  · {r.text}" + (f"  （{r.label}）" if r.label else ""))
    w("\n【办理渠道】")
    if not v.channels:
        w("  文件未列出办理渠道")
    for c in v.channels:
        w(f"  · {c.summary} {_situ(c)}".rstrip())
        if match_key(c.text) not in match_key(c.summary):  # the document's own words too
            w(f"     原文：{c.text}")
    if v.time_limit:
        w(f"\n【办理时限】{v.time_limit.text}")
    if v.tips:
        w("\n【温馨提示】")
        for t in v.tips:
            w(f"  {t.text}")
    if v.notes:
        w("\n【注】")
        for t in v.notes:
            w(f"  {t.text}" + (f"（{t.label}）" if t.label else ""))
    if v.phone_lines:
        w("\n【咨询电话】")
        for line in v.phone_lines:
            w(f"  {line}")
    for title, items in (("办理环节", v.steps), ("设定依据", v.legal_basis)):
        for g in v.note_groups(items):  # each under the document it is from
            w(f"\n【{title}" + (f"（{g.label}）" if g.label else "") + "】")
            for t in g.items:
                w(f"  {t.text}")
    for g in v.note_groups(v.older_notes):
        w(f"\n【注意事项（{g.label or '较早文件'}）】")
        for t in g.items:
            w(f"  {t.text}")
    if v.policy:
        w("\n【相关政策】" + "、".join(t.label for t in v.policy) + "（kiosk policy 查看）")
    if v.halls:
        w("\n【办理地点】")
        for h in v.halls:
            w(f"  {h.name}：{h.address or '地址文件未给出'}" + (f"  电话 {h.phone}" if h.phone else ""))
            if h.directions:
                w(f"    乘车：{h.directions}")
            if h.note:
                w(f"    说明：{h.note}")
    if v.differences:
        w(f"\n【文件差异】{len(v.differences)} 处（以较新文件为准；kiosk differences 查看）")
    if v.follows:
        w(f"\n【依据】{v.follows}")
    w("\n【来源】" + "；".join(v.sources))
    return "\n".join(out) + "\n"


def view_as_dict(v: GuideView) -> dict:
    """`kiosk show --json`: the view's pieces under the keys the CLI has always used
    (extended, never renamed), plus `checklist`, the printed checklist's trace."""

    def items(xs, drop=()):
        return [{k: x for k, x in asdict(i).items() if k not in drop} for i in xs]

    plain = ("open_situations",)
    return {
        "id": v.service_id, "name": v.service_name, "category": v.category, "audience": v.audience,
        "topics": list(v.topics), "region": v.region_id, "ref": v.ref, "sources": list(v.sources),
        "answers": v.answer_map, "complete": v.complete,
        "situations": v.situations,
        "questions": items(v.questions),
        "unanswered": [q.id for q in v.unanswered],
        "intro": items(v.intro, plain),
        "materials": [asdict(m) | {"display_name": m.display_name, "deferrable": m.deferrable or None}
                      for m in v.materials],
        "older_materials": items(v.older_materials),
        "older_materials_note": v.older_materials_note or None,
        "deferrable_items": items(v.deferrable_items),
        "refusals": items(v.refusals),
        "channels": [asdict(c) | {"summary": c.summary} for c in v.channels],
        "windows": [asdict(w) | {"label": w.label} for w in v.windows],
        "online_url": v.online_url,
        "online_name": v.online_name,
        "time_limit": asdict(v.time_limit) if v.time_limit else None,
        "tips": items(v.tips, plain),
        "notes": items(v.notes, plain),
        "phones": items(v.phones),
        "hotline": asdict(v.hotline) if v.hotline else None,
        "phone_lines": list(v.phone_lines),
        "steps": items(v.steps, plain),
        "legal_basis": items(v.legal_basis, plain),
        "older_notes": items(v.older_notes, ("situations", "open_situations")),
        "differences": items(v.differences),
        "policy_topics": [t.id for t in v.policy],
        "policy": items(v.policy),
        "halls": items(v.halls),
        "hall": asdict(v.hall) if v.hall else None,
        "follows": v.follows or None,
        "catalogue_version": v.catalogue_version or None,
        **({"checklist": asdict(v.trace)} if v.trace else {}),
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
