"""The checklist document: one model that the preview, the PDF, CUPS and ESC/POS
renderers all draw from.

`document_from_view(view, serial=..., now=...)` turns the one view of a citizen's guide
(kiosk.catalogue.view.GuideView, which `kiosk show` and the checklist screen draw too)
into a `ChecklistDocument`; `build_document(guide, region, hall, ...)` builds that view
for the hall first. `doc.blocks()` is its
content in reading order as typographic blocks (title, heading, tick-box item …), so
every renderer prints the same words in the same order and only the typography
differs. No Qt, no I/O here.

No personal data: the answers are situations (本人/代办, 本市/外地户籍 …) and appear
only as which situation the list is for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kiosk.catalogue.guide import Guide
from kiosk.catalogue.model import Hall, Region
from kiosk.catalogue.view import GuideView, WindowView, build_view

TITLE = "办事材料清单"
ADDRESS_UNKNOWN = "地址以大厅公告为准"
DISCLAIMER = "本清单仅供参考，以窗口受理为准。"


@dataclass(frozen=True)
class MaterialLine:
    """One material to bring, with a tick box on paper."""
    name: str
    original: str | None = None  # 原件 / 复印件 / 原件及复印件 …
    source: str | None = None  # where it comes from (资料来源)
    requirement: str | None = None
    deferrable: str | None = None  # '补正期限：10个工作日' when it may be handed in later (可容缺)
    situations: tuple[str, ...] = ()  # only while some question is unanswered

    def details(self) -> list[str]:
        out = []
        if self.original:
            out.append(self.original)
        if self.source:
            out.append(f"来源：{self.source}")
        if self.requirement:
            out.append(self.requirement)
        if self.deferrable:
            out.append(f"可容缺，{self.deferrable}")
        if self.situations:
            out.append(f"适用：{'；'.join(self.situations)}")
        return out


@dataclass(frozen=True)
class DeferrableLine:
    """A 容缺 item of the document's list that is not one of the materials."""
    text: str
    source: str | None = None
    deadline: str | None = None  # '补正期限：20 个工作日'
    method: str | None = None

    def details(self) -> list[str]:
        out = []
        if self.source:
            out.append(f"来源：{self.source}")
        if self.deadline:
            out.append(self.deadline)
        if self.method:
            out.append(f"补正方式：{self.method}")
        return out


@dataclass(frozen=True)
class RefusalLine:
    text: str
    group: str | None = None  # a sub-caption such as '下列医疗费用不纳入基本医疗保险基金支付范围'


WindowLine = WindowView  # where to go in person, as the view gives it


@dataclass(frozen=True)
class Block:
    """One typographic unit of the document, in reading order.

    kind: hall | title | meta | rule | heading | check | item | detail | text | caption | qr | url
          | footer
    - check: a material with a tick box; `number` is its position
    - item: a bullet line (容缺 items, refusal conditions, phones)
    - detail: a smaller indented line under the preceding check/item
    - qr: `text` is the QR payload (a URL, ASCII); url: the same URL printed under it
    """
    kind: str
    text: str = ""
    number: int | None = None


@dataclass
class ChecklistDocument:
    region_id: str
    region_name: str
    service_id: str
    service_name: str
    hall_name: str
    hall_address: str | None
    hall_phone: str | None
    printed_at: datetime
    serial: str
    situations: list[str] = field(default_factory=list)
    unanswered: bool = False  # some question unanswered: everything that can apply is listed
    materials: list[MaterialLine] = field(default_factory=list)
    deferrable_items: list[DeferrableLine] = field(default_factory=list)
    refusals: list[RefusalLine] = field(default_factory=list)
    windows: list[WindowLine] = field(default_factory=list)
    time_limit: str | None = None
    phones: list[tuple[str, str | None]] = field(default_factory=list)  # (number, label)
    online_url: str | None = None  # the QR payload, exactly as the catalogue has it
    online_name: str | None = None  # e.g. '沈阳政务服务网'
    older_materials: str | None = None  # 「2020 年公开指南还列有：…，请以窗口要求为准。」
    catalogue_version: str = ""  # the built catalogue's version (bundle version or seed digest)
    follows: str = ""  # the guide (document and date) the list follows

    # -- tracing a paper back to its guide ------------------------------------------------
    @property
    def content_hash(self) -> str:
        """8 hex digits of SHA-256 over exactly what is printed, less the serial and the time
        (so `kiosk show --json` gives the same for the same answers, hall and catalogue)."""
        import hashlib

        h = hashlib.sha256()
        for blk in self._content():
            if blk.kind == "meta" and (blk.text.startswith(TITLE) or blk.text.startswith("打印时间")):
                continue
            h.update(f"{blk.kind}\t{blk.number or ''}\t{blk.text}\n".encode())
        return h.hexdigest()[:8]

    @property
    def trace_line(self) -> str:
        """'目录版本 … · 依据 2025 年《…》 · 校验码 1a2b3c4d': lets a clerk tell whether a paper is current."""
        parts = []
        if self.catalogue_version:
            parts.append(f"目录版本 {self.catalogue_version}")
        if self.follows:
            parts.append(f"依据 {self.follows}")
        parts.append(f"校验码 {self.content_hash}")
        return " · ".join(parts)
    # the documents the checklist comes from, by title and year (never a file name):
    # '沈阳市医疗保障事务服务中心 办事不找关系指南（2025）' (kiosk.ui.citizen.plainwords.document_titles)
    source_titles: list[str] = field(default_factory=list)

    # -- where to go -----------------------------------------------------------------
    @property
    def has_qr(self) -> bool:
        return bool(self.online_url)

    @property
    def where_to_go(self) -> str:
        """The window (or its place) for a sentence like '请到…咨询'."""
        if self.windows:
            return self.windows[0].short
        return "服务窗口"

    @property
    def fault_message(self) -> str:
        """What the citizen is told when the printer fails."""
        if self.has_qr:
            return f"打印机暂时不可用，请扫码或到{self.where_to_go}咨询"
        return f"打印机暂时不可用，请到{self.where_to_go}咨询"

    @property
    def no_qr_hint(self) -> str:
        if self.windows:
            return f"本事项文件未给出网上办理地址，请到{self.windows[0].label}办理。"
        return f"本事项文件未给出网上办理地址，请到{self.hall_name}服务窗口咨询办理。"

    @property
    def printed_at_text(self) -> str:
        return self.printed_at.strftime("%Y-%m-%d %H:%M")

    # -- content -----------------------------------------------------------------------
    def blocks(self) -> list[Block]:
        """The content, then the trace line (version, guide, hash of the content above)."""
        return [*self._content(), Block("footer", self.trace_line)]

    def _content(self) -> list[Block]:
        b: list[Block] = []
        add = lambda kind, text="", number=None: b.append(Block(kind, text, number))  # noqa: E731
        add("hall", self.hall_name)
        add("title", self.service_name)
        add("meta", f"{TITLE}　编号：{self.serial}")
        add("meta", f"打印时间：{self.printed_at_text}")
        if self.situations:
            add("meta", "适用情形：" + "；".join(self.situations))
        if self.unanswered:
            add("meta", "未选择全部情形，以下列出所有可能需要的材料")
        add("rule")

        add("heading", f"需提供材料（共{len(self.materials)}项）" if self.materials
            else "需提供材料")
        if not self.materials:
            add("text", "较新的办事指南未列出需提供的材料，请到窗口咨询。" if self.older_materials
                else "文件未列出需提供的材料，请到窗口咨询。")
        for i, m in enumerate(self.materials, 1):
            add("check", m.name, i)
            if m.details():
                add("detail", "；".join(m.details()))
        if self.older_materials:
            add("text", self.older_materials)

        if self.deferrable_items:
            add("heading", "可容缺受理（可先受理，限期补正）")
            for d in self.deferrable_items:
                add("item", d.text)
                if d.details():
                    add("detail", "；".join(d.details()))

        if self.refusals:
            add("heading", "以下情形不予受理")
            group = None
            for r in self.refusals:
                if r.group and r.group != group:
                    add("text", f"{r.group}：")
                group = r.group
                add("item", r.text)

        add("heading", "办理地点")
        if self.windows:
            for w in self.windows:
                add("text", f"{w.kind}：{w.label}")
        add("text", f"大厅地址：{self.hall_address}" if self.hall_address else ADDRESS_UNKNOWN)
        if self.time_limit:
            add("text", f"办理时限：{self.time_limit}")
        if self.phones:
            add("heading", "咨询电话")
            for number, label in self.phones:
                add("item", f"{label}：{number}" if label else number)

        add("rule")
        if self.online_url:
            add("caption", "扫码网上办理")
            if self.online_name:
                add("caption", self.online_name)
            add("qr", self.online_url)
            add("url", self.online_url)
        else:
            add("text", self.no_qr_hint)
        if self.source_titles:
            add("text", "依据：" + "；".join(self.source_titles))
        add("footer", DISCLAIMER)
        return b

    def plain_text(self) -> str:
        """The document as plain lines (logs of no personal data, tests, debugging)."""
        out = []
        for blk in self.blocks():
            if blk.kind == "rule":
                out.append("—" * 8)
            elif blk.kind == "check":
                out.append(f"□ {blk.number}. {blk.text}")
            elif blk.kind == "item":
                out.append(f"· {blk.text}")
            elif blk.kind == "detail":
                out.append(f"    {blk.text}")
            elif blk.kind == "heading":
                out.append(f"【{blk.text}】")
            elif blk.kind == "qr":
                out.append(f"[QR {blk.text}]")
            else:
                out.append(blk.text)
        return "\n".join(out) + "\n"


# -- building ------------------------------------------------------------------------------
def document_from_view(view: GuideView, *, serial: str, now: datetime | None = None) -> ChecklistDocument:
    """The printable checklist of a guide's view: what of the view goes on paper.

    A hall's address or phone the documents do not give stay None (the ticket then
    says 地址以大厅公告为准); nothing is invented. The QR payload is the view's online
    URL exactly as the catalogue has it, or none.
    """
    materials = [
        MaterialLine(name=m.display_name, original=m.original, source=m.source, requirement=m.requirement,
                     deferrable=m.deferrable or None, situations=m.open_situations)
        for m in view.materials
    ]
    deferrable = [DeferrableLine(d.text, d.source, d.deadline_label or None, d.method) for d in view.deferrable_items]
    refusals = [RefusalLine(r.text, r.group) for r in view.refusals]
    phones: list[tuple[str, str | None]] = []

    def add_phone(number: str | None, label: str | None):
        if number and number not in (p[0] for p in phones):
            phones.append((number, label))

    for p in view.phones:
        add_phone(p.number, p.label)
    if view.hotline:
        add_phone(view.hotline.number, view.hotline.label or "热线")
    hall = view.hall
    if hall is not None:
        add_phone(hall.phone, "大厅电话")
    return ChecklistDocument(
        region_id=view.region_id, region_name=view.region_name, service_id=view.service_id,
        service_name=view.service_name, hall_name=hall.name if hall else view.region_name,
        hall_address=hall.address if hall else None, hall_phone=hall.phone if hall else None,
        printed_at=(now or datetime.now()).replace(microsecond=0), serial=serial,
        situations=view.situations, unanswered=not view.complete,
        materials=materials, deferrable_items=deferrable, refusals=refusals, windows=list(view.windows),
        time_limit=view.time_limit.text if view.time_limit else None,
        phones=phones, online_url=view.online_url, online_name=view.online_name,
        older_materials=view.older_materials_note or None,
        catalogue_version=view.catalogue_version, follows=view.follows,
    )


def build_document(guide: Guide, region: Region, hall: Hall | None, *, serial: str,
                   now: datetime | None = None) -> ChecklistDocument:
    """The printable checklist for a guide, the region and the hall the kiosk stands in."""
    view = build_view(guide, region, [hall] if hall is not None else [], [], hall, trace=False)
    return document_from_view(view, serial=serial, now=now)
