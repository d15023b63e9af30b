"""One view of a guide: every piece a citizen sees for the given answers, chosen once.

`build_view(guide, region, halls, policy, hall=...)` turns a guide (kiosk.catalogue.guide)
into a frozen `GuideView`. Every renderer draws from it and from nothing else: the
`kiosk show` text and JSON (kiosk.catalogue.textview), the checklist screen
(kiosk.ui.citizen.checklist) and the printed checklist on A4 and 80/58 mm paper
(kiosk.printing.document). A renderer chooses how a piece looks, never which stored
fields of a service make it up. No Qt here.

What it holds: the service and the situation answered; the materials (text, source,
原件/复印件, form, count, 容缺 with its deadline, the shared evidence type and its
defaults); the older guide's list where the newer is silent (seed/SCHEMA.md);
不予受理; the channels (window, online address and QR payload, menu paths); the
time limit; tips and notes; the halls with address, phone and directions; phones and
the hotline; provenance (refs, sources, differences); the catalogue's version, the
guide it follows and the printed checklist's trace (its content hash).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from kiosk.catalogue.guide import Guide
from kiosk.catalogue.model import (
    Channel,
    Condition,
    Hall,
    PolicyTopic,
    Region,
    condition_questions,
    deadline_label,
    older_materials_line,
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


def _channel_head(c: Channel) -> str:
    """Where/how, from the parsed fields (falls back to the text), without the note."""
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
    return f"{label}：" + " ".join(parts)


def channel_summary(c: Channel) -> str:
    """One line describing where/how, with the channel's note."""
    return _summary(_channel_head(c), c.note, c.blank)


def _summary(head: str, note: str | None, blank: bool) -> str:
    return head if blank or not note else f"{head} （{note}）"


# -- the pieces ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OptionView:
    id: str
    label: str


@dataclass(frozen=True)
class QuestionView:
    id: str
    text: str
    options: tuple[OptionView, ...]


@dataclass(frozen=True)
class AnswerView:
    """One answered question: '参保人是哪里的户籍？' '外地户籍'."""
    question_id: str
    question: str
    option_id: str
    option: str

    @property
    def situation(self) -> str:
        """The situation in a few words: the option, or with its question when the option is
        meaningless alone ('是', '不是', '需要')."""
        if len(self.option) <= 3:
            return f"{self.question.rstrip('？?')}：{self.option}"
        return self.option


@dataclass(frozen=True)
class TextView:
    """A sentence of a document: intro, tip, note, step, 设定依据, 不予受理, older 注意事项."""
    text: str
    ref: str
    condition: Condition | None = None
    label: str | None = None
    situations: tuple[str, ...] = ()  # the answers it applies to (〔适用：…〕)
    open_situations: tuple[str, ...] = ()  # the same, only while one of its questions is unanswered


@dataclass(frozen=True)
class FormView:
    title: str | None
    where: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class MaterialView:
    """A 要件 as a citizen reads it."""
    number: int  # its place in the list (1 …); 0 for an older guide's item
    text: str  # verbatim
    ref: str
    name: str | None
    display_name: str  # the name, else the text
    original: str | None  # 原件 / 复印件 …, the material's own or its evidence type's default
    requirement: str | None
    source: str | None
    form: FormView | None
    note: str | None
    condition: Condition | None
    deferrable_deadline: str | None  # 可容缺: the document's 补正期限 text
    deferrable_days: int | None
    deferrable_ref: str | None
    listed_by: str | None  # an older guide's item: which guide lists it
    evidence: str | None  # the shared evidence type's id (vocabulary.yaml)
    situations: tuple[str, ...] = ()
    open_situations: tuple[str, ...] = ()

    @property
    def deferrable(self) -> str:
        """'补正期限：10个工作日', or '' when it is not 可容缺."""
        return deadline_label(self.deferrable_deadline)

    @property
    def form_line(self) -> str:
        """'表格：《…》（在…领取）', or '' without a form."""
        if not self.form:
            return ""
        where = f"（{self.form.where}）" if self.form.where else ""
        return f"表格：{self.form.title or self.display_name}{where}"

    @property
    def shows_text(self) -> bool:
        """The verbatim text differs from the name shown (a renderer adds 原文：…)."""
        return bool(self.name) and self.name != self.text


@dataclass(frozen=True)
class DeferrableView:
    """A 容缺 item of the document's list that is not one of the materials."""
    text: str
    ref: str
    source: str | None
    deadline: str | None
    deadline_days: int | None
    method: str | None

    @property
    def deadline_label(self) -> str:
        return deadline_label(self.deadline)


@dataclass(frozen=True)
class RefusalView:
    """不予受理: a condition under which the application is refused."""
    text: str
    ref: str
    condition: Condition | None
    label: str | None  # the document's caption of the list
    group: str | None  # the caption when it is not just the service's name


@dataclass(frozen=True)
class ChannelView:
    """A way to apply, with the summary every renderer prints."""
    type: str
    text: str  # verbatim
    ref: str
    place: str | None
    window: str | None
    name: str | None
    url: str | None
    app: str | None
    path: tuple[str, ...]
    email: str | None
    note: str | None
    blank: bool
    condition: Condition | None
    label: str  # the document's own label: 窗口办, 现场办, 网上办 …
    head: str  # the summary without the note: '网上办：沈阳政务服务网 http://… 进入【主页】-…'
    menu: str  # the menu path as the document writes it, or ''
    situations: tuple[str, ...] = ()
    open_situations: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return _summary(self.head, self.note, self.blank)

    def summary_with(self, note: str | None) -> str:
        """The summary with another rendering of the note (the screen's plain words)."""
        return _summary(self.head, note, self.blank)


@dataclass(frozen=True)
class WindowView:
    """Where to go in person: a window or an office (现场办)."""
    place: str | None
    window: str | None  # '一楼15号窗口' as the catalogue has it
    text: str  # the channel's full text, the fallback
    kind: str = "窗口"  # the document's word for it: 窗口 / 现场办 (an office, not a window)

    @property
    def label(self) -> str:
        """'开原市医疗保障事务服务中心 一楼15号窗口', or the place, or the channel text."""
        if self.place and self.window and self.window not in self.place:
            return f"{self.place} {self.window}"
        return self.place or self.window or _strip_prefix(self.text)

    @property
    def short(self) -> str:
        """Where to go in a sentence: the window number when there is one, else the place."""
        return self.window or self.place or _strip_prefix(self.text)


def _strip_prefix(text: str) -> str:
    for sep in ("：", ":"):
        head, found, tail = text.partition(sep)
        if found and len(head) <= 6 and tail.strip():
            return tail.strip()
    return text.strip()


@dataclass(frozen=True)
class PhoneView:
    number: str
    label: str | None
    ref: str


@dataclass(frozen=True)
class TimeLimitView:
    text: str
    days: int | None
    ref: str


@dataclass(frozen=True)
class DifferenceView:
    field: str
    older: str
    older_ref: str | None
    newer: str | None
    newer_ref: str | None
    note: str | None
    subject: str = ""
    region: str = ""
    document: str = ""
    kind: str = ""


@dataclass(frozen=True)
class HallView:
    region: str
    id: str
    name: str
    ref: str
    address: str | None
    phone: str | None
    directions: str | None
    note: str | None
    differences: tuple[DifferenceView, ...] = ()


@dataclass(frozen=True)
class PolicyLink:
    id: str
    title: str | None

    @property
    def label(self) -> str:
        return self.title or self.id


@dataclass(frozen=True)
class NoteGroup:
    """Texts under the document they come from: (label, items); '' for the newest guide's."""
    label: str
    items: tuple[TextView, ...]


@dataclass(frozen=True)
class Trace:
    """What lets a clerk tell whether a printed checklist is current."""
    hash: str  # 8 hex digits of what the checklist at `hall` prints (kiosk.printing.document)
    catalogue_version: str
    follows: str
    hall: str  # the hall the checklist is printed for
    line: str  # '目录版本 … · 依据 … · 校验码 …'


@dataclass(frozen=True)
class GuideView:
    """Everything a citizen sees of one service for the given answers."""
    # the service
    region_id: str
    region_name: str
    service_id: str
    service_name: str
    category: str
    audience: str
    topics: tuple[str, ...]
    # the situation answered
    questions: tuple[QuestionView, ...]
    answers: tuple[AnswerView, ...]
    unanswered: tuple[QuestionView, ...]  # questions whose answer would still change the list
    # what to bring
    materials: tuple[MaterialView, ...]
    older_materials: tuple[MaterialView, ...]  # an older guide's, where the newer is silent
    older_materials_note: str  # 「2020 年公开指南还列有：…，请以窗口要求为准。」 or ''
    deferrable_items: tuple[DeferrableView, ...]
    refusals: tuple[RefusalView, ...]
    # how and where
    channels: tuple[ChannelView, ...]
    windows: tuple[WindowView, ...]  # the channels' windows and offices, each once
    online_url: str | None  # the QR payload, exactly as the catalogue has it
    online_name: str | None  # e.g. '沈阳政务服务网'
    time_limit: TimeLimitView | None
    intro: tuple[TextView, ...]
    tips: tuple[TextView, ...]
    notes: tuple[TextView, ...]
    steps: tuple[TextView, ...]
    legal_basis: tuple[TextView, ...]
    older_notes: tuple[TextView, ...]  # 注意事项 of older documents
    # whom to ask
    phones: tuple[PhoneView, ...]  # the service's
    hotline: PhoneView | None  # the region's
    phone_lines: tuple[str, ...]  # each number once with all its labels: '024-12345（咨询电话、热线）'
    halls: tuple[HallView, ...]  # every hall of the region
    hall: HallView | None  # the hall the kiosk stands in (the printed checklist's)
    policy: tuple[PolicyLink, ...]
    # provenance and trace
    ref: str
    sources: tuple[str, ...]
    differences: tuple[DifferenceView, ...]
    follows: str  # the newest guide the service follows, with its date
    catalogue_version: str
    trace: Trace | None = None

    @property
    def complete(self) -> bool:
        return not self.unanswered

    @property
    def answer_map(self) -> dict[str, str]:
        return {a.question_id: a.option_id for a in self.answers}

    @property
    def situations(self) -> list[str]:
        return [a.situation for a in self.answers]

    @staticmethod
    def note_groups(items: tuple[TextView, ...]) -> list[NoteGroup]:
        """Items grouped under the document they come from (their label), in order."""
        groups: dict[str, list[TextView]] = {}
        for t in items:
            groups.setdefault(t.label or "", []).append(t)
        return [NoteGroup(label, tuple(group)) for label, group in groups.items()]


# -- building ---------------------------------------------------------------------------------
def _difference(d) -> DifferenceView:
    return DifferenceView(d.field, d.older, d.older_ref, d.newer, d.newer_ref, d.note, d.subject, d.region,
                          d.document, d.kind)


def hall_view(h: Hall) -> HallView:
    return HallView(h.region, h.id, h.name, h.ref, h.address, h.phone, h.directions, h.note,
                    tuple(_difference(d) for d in h.differences))


def _phone(p) -> PhoneView:
    return PhoneView(p.number, p.label, p.ref)


def build_view(guide: Guide, region: Region, halls: list[Hall], policy: list[PolicyTopic],
               hall: Hall | None = None, *, trace: bool = True) -> GuideView:
    """The view of `guide` in `region`; `hall` is the kiosk's (the printed checklist's),
    by default the first of `halls`. With `trace`, the view carries the hash of the
    checklist that would be printed for it (kiosk.printing.document)."""
    svc = guide.service
    if hall is None and halls:
        hall = halls[0]
    unanswered = guide.unanswered
    open_questions = {q.id for q in unanswered}

    def situ(item) -> tuple[tuple[str, ...], tuple[str, ...]]:
        s = tuple(guide.situations(item))
        return s, (s if condition_questions(getattr(item, "condition", None)) & open_questions else ())

    def texts(items) -> tuple[TextView, ...]:
        return tuple(TextView(t.text, t.ref, t.condition, t.label, *situ(t)) for t in items)

    def material(number: int, m) -> MaterialView:
        form = FormView(m.form.title, m.form.where, m.form.url) if m.form else None
        return MaterialView(number, m.text, m.ref, m.name, m.display_name, m.original, m.requirement, m.source,
                            form, m.note, m.condition, m.deferrable_deadline, m.deferrable_days, m.deferrable_ref,
                            m.listed_by, m.evidence, *situ(m))

    def channel(c: Channel) -> ChannelView:
        return ChannelView(c.type, c.text, c.ref, c.place, c.window, c.name, c.url, c.app, tuple(c.path), c.email,
                           c.note, c.blank, c.condition, channel_label(c), _channel_head(c), menu_text(c), *situ(c))

    questions = tuple(QuestionView(q.id, q.text, tuple(OptionView(o.id, o.label) for o in q.options))
                      for q in svc.questions)
    answers = []
    for q in svc.questions:  # in the service's order
        if q.id in guide.answers:
            opt = q.option(guide.answers[q.id])
            assert opt is not None  # build_guide validated the answers
            answers.append(AnswerView(q.id, q.text, opt.id, opt.label))
    channels = tuple(channel(c) for c in guide.channels)
    windows: list[WindowView] = []
    for c in guide.channels:
        if c.type in ("window", "office") and not c.blank:
            w = WindowView(c.place, c.window, c.text, "窗口" if c.type == "window" else "现场办")
            if w.label not in (x.label for x in windows):
                windows.append(w)
    online_url = guide.online_url
    online_name = next((c.name for c in guide.channels if c.type == "online" and c.url == online_url),
                       None) if online_url else None
    numbers: dict[str, list[str]] = {}
    for p in [*svc.phones, *([region.hotline] if region.hotline else [])]:
        labels = numbers.setdefault(p.number, [])
        if p.label and p.label not in labels:
            labels.append(p.label)
    phone_lines = tuple(number + (f"（{'、'.join(labels)}）" if labels else "") for number, labels in numbers.items())
    view = GuideView(
        region_id=region.id, region_name=region.name, service_id=svc.id, service_name=svc.name,
        category=svc.category, audience=svc.audience, topics=tuple(svc.topics),
        questions=questions, answers=tuple(answers),
        unanswered=tuple(q for q in questions if q.id in open_questions),
        materials=tuple(material(i, m) for i, m in enumerate(guide.materials, 1)),
        older_materials=tuple(material(0, m) for m in guide.older_materials),
        older_materials_note=older_materials_line(guide.older_materials),
        deferrable_items=tuple(DeferrableView(d.text, d.ref, d.source, d.deadline, d.deadline_days, d.method)
                               for d in guide.deferrable_items),
        refusals=tuple(RefusalView(r.text, r.ref, r.condition, r.label,
                                   r.label if r.label and r.label != svc.name else None) for r in guide.refusals),
        channels=channels, windows=tuple(windows), online_url=online_url, online_name=online_name,
        time_limit=TimeLimitView(svc.time_limit.text, svc.time_limit.days, svc.time_limit.ref)
        if svc.time_limit else None,
        intro=texts(guide.intro), tips=texts(guide.tips), notes=texts(guide.notes), steps=texts(guide.steps),
        legal_basis=texts(guide.legal_basis), older_notes=texts(svc.older_notes),
        phones=tuple(_phone(p) for p in svc.phones), hotline=_phone(region.hotline) if region.hotline else None,
        phone_lines=phone_lines, halls=tuple(hall_view(h) for h in halls),
        hall=hall_view(hall) if hall is not None else None,
        policy=tuple(PolicyLink(t.id, t.title) for t in policy),
        ref=svc.ref, sources=tuple(svc.sources), differences=tuple(_difference(d) for d in svc.differences),
        follows=svc.follows, catalogue_version=svc.catalogue_version,
    )
    if not trace:
        return view
    from kiosk.printing.document import document_from_view  # the checklist is drawn from this view

    doc = document_from_view(view, serial="")
    return replace(view, trace=Trace(doc.content_hash, doc.catalogue_version, doc.follows, doc.hall_name,
                                     doc.trace_line))
