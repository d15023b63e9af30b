"""Staff edits of the catalogue: kept in the state database with an audit trail,
applied as an overlay whenever the service layer reads a service.

Per item (issue 15): changing, removing or adding one material (channel, tip …) stores
that one item and a fingerprint of the document item it replaced. The overlay replays a
field's edits on the catalogue *as built now*: an edit applies to the item whose
document value still has its fingerprint, so a rebuild that corrects another item of the
list shows the correction. When the document corrected the very item (or the whole
field, for a whole-field edit such as an xlsx import or the time limit), the edit is
not applied — the document's new value shows — and it is flagged for staff review
(`stale()`: the staff 差异 screen and `kiosk differences`).

An edit replaces one *field* of one service (its materials, channels, time limit,
tips, refusals or 容缺 items) with a new value; the audit row keeps who, when, the
source ('staff edit', 'xlsx import', 'revert'), the old and the new value. Items an
edit changes or adds carry the provenance `staff edit · <who> · <when>` as their
`ref`; unchanged items keep the document's reference.

The built catalogue is never written: it is rebuilt from seed/ and swapped whole, and
the overlay applies the edits to whatever catalogue is current, so they survive.

Reverting: per field the edits form a stack (a revert pops the newest edit that is
still in force). Only the newest edit in force on a field can be reverted; its
revert restores exactly the value before it — the built catalogue's, if that is what
it replaced.

    edits = EditStore(store)                                # kiosk.staff.state.StateStore
    catalogue.set_overlay(edits)                            # CatalogueService
    edits.set_item(catalogue.service(r, s), "materials", 2, {"name": "…"}, who="张三")
    edits.revert(edit_id, who="张三")
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from kiosk.catalogue.model import Channel, DeferrableItem, Form, Material, Service, TextItem, TimeLimit
from kiosk.catalogue.schema import CHANNEL_TYPES, ORIGINAL_VALUES
from kiosk.staff.state import StateError, catalogue_edits

log = logging.getLogger("kiosk.staff")

PROVENANCE = "staff edit"

FIELD_LABELS = {
    "materials": "材料", "channels": "办理渠道", "time_limit": "办理时限", "tips": "温馨提示",
    "refusals": "不予受理", "deferrable_items": "容缺受理",
}
FIELDS = tuple(FIELD_LABELS)

# The attributes of an item staff can edit, in the order shown, with their labels.
ITEM_ATTRS: dict[str, list[tuple[str, str]]] = {
    "materials": [("name", "材料名称"), ("original", "原件/复印件"), ("requirement", "要求"),
                  ("source", "来源"), ("note", "备注"), ("deferrable_deadline", "容缺补正期限")],
    "channels": [("type", "类型"), ("text", "渠道说明"), ("place", "地点"), ("window", "窗口"), ("url", "网址"),
                 ("app", "APP/公众号"), ("note", "备注")],
    "time_limit": [("text", "办理时限"), ("days", "工作日数")],
    "tips": [("text", "提示内容")],
    "refusals": [("text", "不予受理情形")],
    "deferrable_items": [("text", "材料"), ("source", "来源"), ("deadline", "补正期限"), ("method", "补正方式")],
}
REQUIRED = {("materials", "name"), ("channels", "type"), ("channels", "text"), ("time_limit", "text"),
            ("tips", "text"), ("refusals", "text"), ("deferrable_items", "text")}


class EditError(Exception):
    """An edit that cannot be made (invalid value, nothing to revert, disk full …); Chinese message."""


# -- values <-> JSON ------------------------------------------------------------------------------
def to_plain(field: str, value):
    if field == "time_limit":
        return asdict(value) if value is not None else None
    return [asdict(x) for x in value]


def from_plain(field: str, data):
    if field == "time_limit":
        return TimeLimit(**data) if data else None
    if field == "materials":
        return [Material(**{**d, "form": Form(**d["form"]) if d.get("form") else None}) for d in data]
    cls = {"channels": Channel, "tips": TextItem, "refusals": TextItem, "deferrable_items": DeferrableItem}[field]
    return [cls(**d) for d in data]


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def fingerprint(item) -> str:
    """16 hex digits of SHA-256 over an item's (or a field's) plain value."""
    import hashlib

    data = asdict(item) if hasattr(item, "__dataclass_fields__") else item
    return hashlib.sha256(_dump(data).encode("utf-8")).hexdigest()[:16]


def _plain_item(field: str, item):
    return asdict(item) if item is not None else None


def _item_from_plain(field: str, data):
    if field == "time_limit":
        return from_plain(field, data)
    return from_plain(field, [data])[0]


def item_label(field: str, item) -> str:
    if item is None:
        return "（无）"
    if isinstance(item, Material):
        return item.display_name
    return getattr(item, "text", "") or ""


def _short(text: str, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- validation (shared by the touch screen and the xlsx import) ------------------------------------
def clean_attrs(field: str, data: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Normalise the edited attributes of one item; returns (values, [(attr, problem)])."""
    out, problems = {}, []
    labels = dict(ITEM_ATTRS[field])
    for attr, raw in data.items():
        if attr not in labels:
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value == "":
            value = None
        if value is None and (field, attr) in REQUIRED:
            problems.append((attr, f"“{labels[attr]}”不能为空"))
        elif attr == "original" and value is not None and value not in ORIGINAL_VALUES:
            problems.append((attr, f"“{labels[attr]}”应为 {'、'.join(sorted(ORIGINAL_VALUES))} 之一或留空，"
                                   f"实为“{value}”"))
        elif attr == "type" and value not in CHANNEL_TYPES:
            problems.append((attr, f"“{labels[attr]}”应为 {', '.join(sorted(CHANNEL_TYPES))} 之一，实为“{value}”"))
        elif attr == "days" and value is not None:
            try:
                number = float(value)
                if number != int(number) or not 0 <= number <= 365:
                    raise ValueError
                value = int(number)
            except (TypeError, ValueError):
                problems.append((attr, f"“{labels[attr]}”应为 0 到 365 的整数或留空，实为“{value}”"))
        elif attr == "url" and value is not None and not str(value).startswith(("http://", "https://")):
            problems.append((attr, f"“{labels[attr]}”应以 http:// 或 https:// 开头，实为“{value}”"))
        elif value is not None and not isinstance(value, (str, int)):
            problems.append((attr, f"“{labels[attr]}”应为文字"))
        elif isinstance(value, int) and attr != "days":
            value = str(value)
        out[attr] = value
    return out, problems


def new_item(field: str, attrs: dict, ref: str):
    """A new item of `field` from edited attributes."""
    if field == "materials":
        return Material(text=attrs.get("name") or "", ref=ref, **{k: v for k, v in attrs.items()})
    if field == "channels":
        return Channel(ref=ref, **attrs)
    if field == "time_limit":
        return TimeLimit(attrs.get("text") or "", attrs.get("days"), ref)
    if field in ("tips", "refusals"):
        return TextItem(attrs.get("text") or "", ref)
    return DeferrableItem(ref=ref, **attrs)


def with_attrs(item, attrs: dict):
    """A copy of `item` with edited attributes (a material's verbatim text follows a new name)."""
    changes = dict(attrs)
    if isinstance(item, Material) and "name" in changes:
        if changes["name"] == item.display_name:
            del changes["name"]  # shown as display_name; unchanged
        else:
            changes["text"] = changes["name"]
    return replace(item, **changes)


def _same(a, b) -> bool:
    """Equal apart from the provenance."""
    if a is None or b is None:
        return a is b
    return {k: v for k, v in asdict(a).items() if k != "ref"} == {k: v for k, v in asdict(b).items() if k != "ref"}


# -- the store ----------------------------------------------------------------------------------------
@dataclass
class Edit:
    id: int
    at: str
    who: str
    source: str
    region: str
    service_id: str
    field: str
    old_value: object  # plain JSON data
    old_was_base: bool
    new_value: object  # plain JSON data; None with a revert to the built catalogue
    summary: str
    reverts: int | None
    reverted_by: int | None
    op: str = "field"  # replace | remove | add | field
    base_fp: str | None = None  # fingerprint of the document item (or field) it replaced
    item_value: object = None  # plain JSON of the item after a replace or add

    @property
    def back_to_base(self) -> bool:
        return self.source == "revert" and self.new_value is None and self.reverts is not None


def _edit_from_row(r) -> Edit | None:
    """An audit row as an Edit; None (with a warning) for a malformed row — bad JSON, an
    unknown field or source, a value the field's items cannot be built from — so that one
    damaged row never stops the catalogue (and Home) from drawing."""
    try:
        if r["field"] not in FIELD_LABELS or r["source"] not in ("staff edit", "xlsx import", "revert"):
            raise ValueError(f"unknown field or source {r['field']!r}/{r['source']!r}")
        if not isinstance(r["region"], str) or not isinstance(r["service_id"], str):
            raise ValueError("no region or service")
        old = json.loads(r["old_value"]) if r["old_value"] is not None else None
        new = json.loads(r["new_value"]) if r["new_value"] is not None else None
        if new is not None:
            value = from_plain(r["field"], new)  # raises on a value the overlay could not apply
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(getattr(item, "text", ""), str):
                    raise TypeError(f"{r['field']}: an item's text is {type(item.text).__name__}")
        op = r.get("op") or "field"
        if op not in ("field", "replace", "remove", "add"):
            raise ValueError(f"unknown operation {op!r}")
        item = json.loads(r["item_value"]) if r.get("item_value") else None
        return Edit(r["id"], str(r["at"] or ""), str(r["who"] or ""), r["source"], r["region"], r["service_id"],
                    r["field"], old, bool(r["old_was_base"]), new, str(r["summary"] or ""),
                    r["reverts"], r["reverted_by"], op, r.get("base_fp"), item)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        log.warning("catalogue edit #%s skipped, malformed: %s: %s", r["id"], type(exc).__name__, exc)
        return None


class EditStore:
    """The overlay the service layer applies (CatalogueService.set_overlay) and the
    operations of the catalogue maintenance screen and the xlsx import."""

    def __init__(self, store, clock: Callable[[], datetime] = datetime.now):
        self.store = store
        self.clock = clock
        self._listeners: list[Callable[[str, str], None]] = []
        self._load()

    # -- reading -----------------------------------------------------------------------------
    def _load(self) -> None:
        self.edits: list[Edit] = []
        try:
            with self.store.engine.connect() as conn:
                rows = conn.execute(select(catalogue_edits).order_by(catalogue_edits.c.id)).mappings().all()
        except SQLAlchemyError as exc:
            log.error("reading the catalogue edits failed; showing the catalogue without them: %s", exc)
            rows = []
        for r in rows:
            edit = _edit_from_row(r)
            if edit is not None:
                self.edits.append(edit)
        self._stale: dict[tuple[str, str], list[tuple[Edit, str]]] = {}
        self._display_fp: dict[tuple[str, str, str], list[str]] = {}
        self._stacks: dict[tuple[str, str, str], list[Edit]] = {}
        self._in_force: dict[tuple[str, str, str], Edit | None] = {}
        for e in self.edits:
            key = (e.region, e.service_id, e.field)
            stack = self._stacks.setdefault(key, [])
            if e.source == "revert":
                if stack and stack[-1].id == e.reverts:
                    stack.pop()
            else:
                stack.append(e)
            self._in_force[key] = None if e.back_to_base else e

    def subscribe(self, listener: Callable[[str, str], None]) -> None:
        """Called with (region, service_id) after every change."""
        self._listeners.append(listener)

    def history(self, region: str | None = None, service_id: str | None = None) -> list[Edit]:
        """The audit trail, newest first."""
        return [e for e in reversed(self.edits)
                if (region is None or e.region == region) and (service_id is None or e.service_id == service_id)]

    def revertable(self, edit: Edit) -> bool:
        stack = self._stacks.get((edit.region, edit.service_id, edit.field), [])
        return edit.source != "revert" and bool(stack) and stack[-1].id == edit.id

    def overridden(self, region: str, service_id: str) -> dict[str, Edit]:
        """The fields of a service whose value comes from an edit in force."""
        return {f: e for (r, s, f), e in self._in_force.items() if r == region and s == service_id and e}

    # -- the overlay (called by CatalogueService._load) -------------------------------------------------
    def apply(self, svc: Service) -> Service:
        stale: list[tuple[Edit, str]] = []
        used: list[Edit] = []
        for (region, sid, field), stack in self._stacks.items():
            if region != svc.region or sid != svc.id or not stack:
                continue
            value, applied, flagged = self._replay(field, getattr(svc, field), stack)
            setattr(svc, field, value)
            if field != "time_limit":
                self._display_fp[(region, sid, field)] = [fp for fp, _ in self._last_entries]
            used += applied
            stale += flagged
        self._stale[(svc.region, svc.id)] = stale
        if used:
            latest = max(used, key=lambda e: e.id)
            svc.sources = [*svc.sources, f"{PROVENANCE} · {latest.who} · {latest.at}"]
        return svc

    def _replay(self, field: str, base, stack: list[Edit]):
        """The field's value with the edits in force replayed on `base` (the catalogue as
        built now), the edits applied, and the ones whose document value changed."""
        applied, stale = [], []
        if field == "time_limit":
            value = base
            for e in stack:
                if e.old_was_base and _dump(e.old_value) != _dump(to_plain(field, base)):
                    stale.append((e, "文件中的办理时限已更正"))
                    continue
                value = from_plain(field, e.new_value)
                applied.append(e)
            self._last_entries = []
            return value, applied, stale
        entries = [(fingerprint(x), x) for x in base]
        for e in stack:
            if e.op in ("replace", "remove"):
                at = next((i for i, (fp, _) in enumerate(entries) if fp == e.base_fp), None)
                if at is None:
                    stale.append((e, "修改所依据的文件内容已更正"))
                    continue
                if e.op == "replace":
                    assert e.base_fp is not None  # it matched an entry's fingerprint
                    entries[at] = (e.base_fp, _item_from_plain(field, e.item_value))
                else:
                    del entries[at]
            elif e.op == "add":
                item = _item_from_plain(field, e.item_value)
                entries.append((fingerprint(item), item))
            else:  # a whole field (xlsx import, older rows): only on the document value it replaced
                if e.old_was_base and _dump(e.old_value) != _dump(to_plain(field, [x for _, x in entries])):
                    stale.append((e, "修改所依据的文件内容已更正"))
                    continue
                entries = [(fingerprint(x), x) for x in from_plain(field, e.new_value)]
            applied.append(e)
        self._last_entries = entries
        return [x for _, x in entries], applied, stale

    def stale_as_differences(self, catalogue, region: str) -> list:
        """The region's flagged edits as Differences (kind 'staff-edit'), for `kiosk differences`
        and the staff 差异 screen: the edit's value against the document's value now."""
        from kiosk.catalogue.model import Difference

        catalogue.services(region)  # read (and overlay) every service: flags are found on reading
        out = []
        for e, why in self.stale(region):
            label = FIELD_LABELS.get(e.field, e.field)
            older = e.item_value if e.item_value is not None else e.new_value
            out.append(Difference(
                field=e.field, older=f"工作人员修改 #{e.id}（{e.who} · {e.at}）：{_short(_dump(older), 120)}",
                older_ref=f"{PROVENANCE} · {e.who} · {e.at}", newer=f"{label}：以文件现在的内容显示", newer_ref=None,
                note=f"{why}；此修改暂停使用，请复核后重新修改或撤销（{e.summary}）", subject=e.service_id,
                region=e.region, document="", kind="staff-edit"))
        return out

    def stale(self, region: str | None = None, service_id: str | None = None) -> list[tuple[Edit, str]]:
        """Edits not applied because the document value they replaced has changed, with why
        (known for the services read since the last change)."""
        return [(e, why) for (r, s), items in self._stale.items() for e, why in items
                if (region is None or r == region) and (service_id is None or s == service_id)]

    # -- writing -------------------------------------------------------------------------------------------
    def _now(self) -> str:
        return self.clock().strftime("%Y-%m-%d %H:%M")

    def provenance(self, who: str, at: str) -> str:
        return f"{PROVENANCE} · {who} · {at}"

    def change(self, svc: Service, field: str, new_value, who: str, summary: str,
               source: str = "staff edit") -> Edit:
        """Replace a field of a service (as the kiosk shows it now) with `new_value`."""
        return self.change_many([(svc, field, new_value, summary)], who, source)[0]

    def change_many(self, changes: list[tuple], who: str, source: str = "staff edit") -> list[Edit]:
        """Several field changes in one transaction: all are saved, or none. A change is
        (svc, field, new_value, summary), or with (op, base_fp, index) for one item."""
        who = who.strip() or "未署名"
        at = self._now()
        rows = []
        for svc, field, new_value, summary, *item in changes:
            op, base_fp, index = item if item else ("field", None, None)
            if field not in FIELD_LABELS:
                raise EditError(f"不能修改“{field}”")
            old = getattr(svc, field)
            marked = self._mark(field, old, new_value, self.provenance(who, at))
            in_force = self._in_force.get((svc.region, svc.id, field))
            item_value = None
            if op in ("replace", "add"):
                item_value = _dump(_plain_item(field, marked[index if op == "replace" else -1]))
            if op == "field" and in_force is None:
                base_fp = fingerprint(to_plain(field, old))
            rows.append(dict(at=at, who=who, source=source, region=svc.region, service_id=svc.id, field=field,
                             old_value=_dump(to_plain(field, old)), old_was_base=in_force is None,
                             new_value=_dump(to_plain(field, marked)), summary=summary,
                             reverts=None, reverted_by=None, op=op, base_fp=base_fp, item_value=item_value))
        ids = self._insert(rows)
        self._load()
        for svc, *_ in changes:
            self._changed(svc.region, svc.id)
        return [next(e for e in self.edits if e.id == i) for i in ids]

    def _insert(self, rows: list[dict], mark_reverted: tuple[int, int] | None = None) -> list[int]:
        try:
            with self.store.engine.begin() as conn:
                ids = [conn.execute(catalogue_edits.insert().values(**row)).inserted_primary_key[0] for row in rows]
                if mark_reverted:
                    edit_id, _ = mark_reverted
                    conn.execute(update(catalogue_edits).where(catalogue_edits.c.id == edit_id)
                                 .values(reverted_by=ids[0]))
        except (SQLAlchemyError, OSError) as exc:
            log.error("saving a catalogue edit failed, nothing changed: %s", exc)
            raise EditError("保存失败（存储空间不足或无法写入），资料没有改变。") from exc
        return ids

    @staticmethod
    def _mark(field: str, old, new, provenance: str):
        """Give the changed and added items the staff-edit provenance."""
        if field == "time_limit":
            if new is None or _same(old, new):
                return new if new is None else replace(new, ref=old.ref)
            return replace(new, ref=provenance)
        out = []
        for item in new:
            kept = next((o for o in old if _same(o, item)), None)
            out.append(replace(item, ref=kept.ref) if kept else replace(item, ref=provenance))
        return out

    def _changed(self, region: str, service_id: str) -> None:
        for fn in list(self._listeners):
            fn(region, service_id)

    def revert(self, edit_id: int, who: str) -> Edit:
        edit = next((e for e in self.edits if e.id == edit_id), None)
        if edit is None:
            raise EditError(f"没有编号为 {edit_id} 的修改")
        if edit.source == "revert" or edit.reverted_by is not None:
            raise EditError("这条记录已撤销或本身就是撤销")
        if not self.revertable(edit):
            newer = self._stacks[(edit.region, edit.service_id, edit.field)][-1]
            raise EditError(f"同一栏目之后还有修改（#{newer.id}），请先撤销较新的修改")
        label = FIELD_LABELS[edit.field]
        row = dict(at=self._now(), who=who.strip() or "未署名", source="revert", region=edit.region,
                   service_id=edit.service_id, field=edit.field, old_value=_dump(edit.new_value),
                   old_was_base=False, new_value=None if edit.old_was_base else _dump(edit.old_value),
                   summary=f"撤销 #{edit.id}（{label}：{_short(edit.summary, 60)}）", reverts=edit.id,
                   reverted_by=None)
        [new_id] = self._insert([row], mark_reverted=(edit.id, 0))
        self._load()
        self._changed(edit.region, edit.service_id)
        return next(e for e in self.edits if e.id == new_id)

    # -- item operations of the touch screen -----------------------------------------------------------------
    def set_item(self, svc: Service, field: str, index: int | None, attrs: dict, who: str) -> Edit:
        """Change item `index` of a list field (None: add a new item); for time_limit the index is ignored."""
        values, problems = clean_attrs(field, attrs)
        if problems:
            raise EditError("；".join(p for _, p in problems))
        label = FIELD_LABELS[field]
        if field == "time_limit":
            old = svc.time_limit
            new = with_attrs(old, values) if old else new_item(field, values, "")
            if _same(old, new):
                raise EditError("没有改动")
            summary = f"{label}：“{_short(item_label(field, old))}” → “{_short(new.text)}”"
            return self.change(svc, field, new, who, summary)
        items = list(getattr(svc, field))
        if index is None:
            item = new_item(field, values, "")
            items.append(item)
            summary = f"{label} 新增第 {len(items)} 项：“{_short(item_label(field, item))}”"
            return self.change_many([(svc, field, items, summary, "add", None, None)], who)[0]
        else:
            old = items[index]
            item = with_attrs(old, values)
            if _same(old, item):
                raise EditError("没有改动")
            labels = dict(ITEM_ATTRS[field])
            diffs = [f"{labels[a]}“{_short(getattr(old, a) or '', 24)}”→“{_short(v or '', 24)}”"
                     for a, v in values.items() if getattr(old, a) != v]
            items[index] = item
            summary = f"{label} 第 {index + 1} 项（{_short(item_label(field, old), 20)}）：" + "；".join(diffs)
        return self.change_many([(svc, field, items, summary, "replace", self._base_fp(svc, field, index), index)],
                                who)[0]

    def _base_fp(self, svc: Service, field: str, index: int) -> str:
        """The fingerprint of the document item shown at `index` (kept through earlier edits)."""
        shown = self._display_fp.get((svc.region, svc.id, field))
        if shown is not None and len(shown) == len(getattr(svc, field)):
            return shown[index]
        return fingerprint(getattr(svc, field)[index])

    def remove_item(self, svc: Service, field: str, index: int, who: str) -> Edit:
        if field == "time_limit":
            raise EditError("办理时限不能删除，可以修改")
        base_fp = self._base_fp(svc, field, index)
        items = list(getattr(svc, field))
        old = items.pop(index)
        summary = f"{FIELD_LABELS[field]} 删除第 {index + 1} 项：“{_short(item_label(field, old))}”"
        return self.change_many([(svc, field, items, summary, "remove", base_fp, index)], who)[0]

    def names(self) -> list[str]:
        """Staff names seen in the audit trail, most recent first (login shortcuts)."""
        return list(dict.fromkeys(e.who for e in reversed(self.edits)))


def item_attrs(field: str, item) -> dict:
    """The editable attributes of an item, as text for the editor."""
    if item is None:
        return {a: "" for a, _ in ITEM_ATTRS[field]}
    out = {}
    for a, _ in ITEM_ATTRS[field]:
        v = item.display_name if (a == "name" and isinstance(item, Material)) else getattr(item, a)
        out[a] = "" if v is None else str(v)
    return out


__all__ = ["EditStore", "EditError", "Edit", "FIELD_LABELS", "ITEM_ATTRS", "PROVENANCE", "StateError",
           "clean_attrs", "from_plain", "item_attrs", "to_plain"]
