"""Plain data classes of the catalogue, shared by the seed loader, the database
service layer, the CLI, the session flow and printing. No Qt, no SQL here."""

from __future__ import annotations

from dataclasses import dataclass, field

# A condition: all of {question: [options]} must hold; or any of a list of such maps.
Condition = dict  # {"all": {qid: [oid, ...]}, "any": [{qid: [oid]}, ...]}


def deadline_label(text: str | None) -> str:
    """'10个工作日' or '补正期限：10个工作日' -> '补正期限：10个工作日'."""
    if not text:
        return ""
    return text if text.startswith("补正") else f"补正期限：{text}"


def document_label(doc: Document, short: bool = False) -> str:
    """'2020 年《市医保局全面推进…》' (or, short, '2020 年公开指南'): how a citizen is told
    which document a text is from."""
    date = doc.date or ""
    year = f"{date[:4]} 年" if date and date[:4].isdigit() else ""
    if year and not short and len(date) == 7 and date[5:].isdigit():  # '2025-12'
        year += f" {int(date[5:])} 月"
    if short and doc.short_title:
        return f"{year}{doc.short_title}"
    return f"{year}《{doc.title}》"


def older_materials_line(items: list[Material]) -> str:
    """「2020 年公开指南还列有：…，请以窗口要求为准」, one sentence per older guide."""
    groups: dict[str, list[str]] = {}
    for m in items:
        groups.setdefault(m.listed_by or "较早的办事指南", []).append(m.text.rstrip("。；;"))
    return "".join(f"{label}还列有：{'；'.join(texts)}，请以窗口要求为准。" for label, texts in groups.items())


def normalize_condition(when: dict | None, when_any: list | None) -> Condition | None:
    def norm(m):
        return {str(q): ([v] if isinstance(v, str) else [str(x) for x in v]) for q, v in m.items()}

    if not when and not when_any:
        return None
    cond: Condition = {}
    if when:
        cond["all"] = norm(when)
    if when_any:
        cond["any"] = [norm(m) for m in when_any]
    return cond


def condition_questions(cond: Condition | None) -> set[str]:
    if not cond:
        return set()
    qs = set(cond.get("all", {}))
    for m in cond.get("any", []):
        qs |= set(m)
    return qs


def condition_holds(cond: Condition | None, answers: dict[str, str]) -> bool:
    """True when the condition can apply: no answered question contradicts it.

    An unanswered question never excludes an item, so with no answers everything
    that can apply is shown.
    """
    if not cond:
        return True

    def ok(m):
        return all(q not in answers or answers[q] in opts for q, opts in m.items())

    if not ok(cond.get("all", {})):
        return False
    anys = cond.get("any")
    return not anys or any(ok(m) for m in anys)


# Every dataclass here has a docstring: without one, dataclasses builds it from
# inspect.signature at import, which the kiosk's start-up pays for each class.


@dataclass
class Option:
    """One answer to a situational question (本人/代办 …)."""

    id: str
    label: str


@dataclass
class Question:
    """A situational question whose answer changes what a citizen must bring."""

    id: str
    text: str
    options: list[Option]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass
class TextItem:
    """A sentence of a document (tip, note, step, 设定依据 …), cited, maybe conditional."""

    text: str
    ref: str
    condition: Condition | None = None
    label: str | None = None


@dataclass
class Phone:
    """A phone number as a document gives it, with what it is for."""

    number: str
    label: str | None
    ref: str


@dataclass
class Form:
    """A form to fill in: its title, where to get it, its download address."""

    title: str | None
    where: str | None = None
    url: str | None = None


@dataclass
class Material:
    """A 要件: what to bring, original or copy, where it comes from; may be 可容缺."""

    text: str
    ref: str
    name: str | None = None
    original: str | None = None
    requirement: str | None = None
    source: str | None = None
    form: Form | None = None
    note: str | None = None
    condition: Condition | None = None
    deferrable_deadline: str | None = None  # 可容缺: 补正期限 text
    deferrable_days: int | None = None
    deferrable_ref: str | None = None
    listed_by: str | None = None  # '2020 年公开指南': an older guide's item the newer is silent on
    evidence: str | None = None  # the shared evidence type (vocabulary.yaml), e.g. 'valid-id'

    @property
    def display_name(self) -> str:
        return self.name or self.text


@dataclass
class Channel:
    """A way to apply: 窗口办 (window), 网上办 (address), 掌上办 (app menu path), 一体机 …."""

    type: str
    text: str
    ref: str
    place: str | None = None
    window: str | None = None
    name: str | None = None
    url: str | None = None
    app: str | None = None
    path: list[str] = field(default_factory=list)
    email: str | None = None
    note: str | None = None
    blank: bool = False
    condition: Condition | None = None


@dataclass
class TimeLimit:
    """办理时限: the document's words and, where it says, the number of working days."""

    text: str
    days: int | None
    ref: str


@dataclass
class DeferrableItem:
    """A 容缺 item of the document's list that is not one of the service's materials."""
    text: str
    ref: str
    source: str | None = None
    deadline: str | None = None
    deadline_days: int | None = None
    method: str | None = None


@dataclass
class Difference:
    """Where two documents disagree: the older value, the newer one that wins, why."""

    field: str
    older: str
    older_ref: str | None
    newer: str | None
    newer_ref: str | None
    note: str | None
    subject: str = ""  # e.g. the service or hall it concerns
    region: str = ""  # the region whose service or hall it concerns (ids repeat across regions)
    document: str = ""  # the source file of the record that holds it
    kind: str = ""  # service | hall


@dataclass
class Service:
    """One service of a hall's guide (办事指南), transcribed with its provenance."""

    region: str
    id: str
    name: str
    category: str
    audience: str
    topics: list[str]
    ref: str
    sources: list[str] = field(default_factory=list)  # every document section merged in
    intro: list[TextItem] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    # materials an older guide lists where the newer is silent (not contradicting): shown
    # labelled 「2020 年公开指南还列有：…，请以窗口要求为准」 (seed/SCHEMA.md)
    older_materials: list[Material] = field(default_factory=list)
    deferrable_items: list[DeferrableItem] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    time_limit: TimeLimit | None = None
    tips: list[TextItem] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    notes: list[TextItem] = field(default_factory=list)
    refusals: list[TextItem] = field(default_factory=list)
    steps: list[TextItem] = field(default_factory=list)
    legal_basis: list[TextItem] = field(default_factory=list)
    older_notes: list[TextItem] = field(default_factory=list)  # 注意事项 of older documents
    differences: list[Difference] = field(default_factory=list)
    policy_topics: list[str] = field(default_factory=list)
    # answers for which the document lists no materials (text: the transcriber's comment)
    no_materials: list[TextItem] = field(default_factory=list)
    follows: str = ""  # the newest guide it follows, e.g. '2025 年《…办事不找关系指南》' (set at load)
    catalogue_version: str = ""  # of the built catalogue it was read from (set by the service layer)

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)


@dataclass
class Hall:
    """A service hall: address, phone and directions as the documents give them."""

    region: str
    id: str
    name: str
    ref: str
    address: str | None = None
    phone: str | None = None
    directions: str | None = None
    note: str | None = None
    differences: list[Difference] = field(default_factory=list)


@dataclass
class PolicyTable:
    """A table of a policy handbook (rates, reimbursement …), cited."""

    title: str | None
    columns: list[str]
    rows: list[list[str]]
    ref: str
    notes: list[TextItem] = field(default_factory=list)


@dataclass
class PolicyFact:
    """One labelled figure of a policy topic (a rate, a limit …), cited."""

    label: str
    value: str
    ref: str
    note: str | None = None


@dataclass
class PolicyTopic:
    """政策速查: one topic of a policy handbook with its facts and tables."""

    region: str
    id: str
    title: str | None
    ref: str
    basis: TextItem | None = None
    paragraphs: list[TextItem] = field(default_factory=list)
    facts: list[PolicyFact] = field(default_factory=list)
    tables: list[PolicyTable] = field(default_factory=list)
    services: list[str] = field(default_factory=list)


@dataclass
class Region:
    """A city whose documents the catalogue holds, with its hotline."""

    id: str
    name: str
    hotline: Phone | None = None
    note: str | None = None


@dataclass
class Document:
    """One of the official source documents, by file name, issuer and date."""

    file: str
    title: str | None
    issuer: str
    region: str
    date: str | None
    rank: int
    date_note: str | None = None
    side_headings: bool = False  # section names in a side column (see sections.py)
    short_title: str | None = None  # 公开指南: the name a citizen is shown


@dataclass
class Topic:
    """A thing citizens come for (参保登记, 报销 …): the Home screen's tiles."""

    id: str
    label: str


@dataclass
class Catalogue:
    """Everything transcribed from the documents, before it is built into SQLite."""

    documents: list[Document]
    topics: list[Topic]
    regions: list[Region] = field(default_factory=list)
    halls: list[Hall] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    policy_topics: list[PolicyTopic] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)


# -- plain-data round trip (the built catalogue stores each region as one JSON document) --
def _items(data, cls):
    return [cls(**d) for d in data or []]


def service_from_dict(d: dict) -> Service:
    d = dict(d)
    d["intro"] = _items(d.get("intro"), TextItem)
    d["questions"] = [Question(q["id"], q["text"], _items(q["options"], Option)) for q in d.get("questions") or []]
    for key in ("materials", "older_materials"):
        d[key] = [Material(**{**m, "form": Form(**m["form"]) if m.get("form") else None}) for m in d.get(key) or []]
    d["deferrable_items"] = _items(d.get("deferrable_items"), DeferrableItem)
    d["channels"] = _items(d.get("channels"), Channel)
    d["time_limit"] = TimeLimit(**d["time_limit"]) if d.get("time_limit") else None
    for key in ("tips", "notes", "refusals", "steps", "legal_basis", "older_notes", "no_materials"):
        d[key] = _items(d.get(key), TextItem)
    d["phones"] = _items(d.get("phones"), Phone)
    d["differences"] = _items(d.get("differences"), Difference)
    return Service(**d)


def hall_from_dict(d: dict) -> Hall:
    return Hall(**{**d, "differences": _items(d.get("differences"), Difference)})


def policy_topic_from_dict(d: dict) -> PolicyTopic:
    return PolicyTopic(**{
        **d, "basis": TextItem(**d["basis"]) if d.get("basis") else None,
        "paragraphs": _items(d.get("paragraphs"), TextItem), "facts": _items(d.get("facts"), PolicyFact),
        "tables": [PolicyTable(**{**t, "notes": _items(t.get("notes"), TextItem)}) for t in d.get("tables") or []],
    })


def region_from_dict(d: dict) -> Region:
    return Region(**{**d, "hotline": Phone(**d["hotline"]) if d.get("hotline") else None})
