"""The catalogue change form's rows: one row per item of a list field (materials, tips,
不予受理, 容缺), text inputs per attribute, instead of the field's JSON.

Each existing item travels with its full JSON in a hidden input (`item-<i>-base`):
attributes the form does not show (ref, condition, evidence, ...) are kept as they
are; the inputs replace the shown ones. A row ticked 删除 is dropped; an empty new row
is ignored. The result is validated by kiosk.fleet.publish.check_value like JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from kiosk.fleet.publish import PublishError

# (attribute, label); "form.title" is the title of the material's form (a nested object)
ROW_FIELDS: dict[str, list[tuple[str, str]]] = {
    "materials": [("text", "材料（全文）"), ("name", "材料名称"), ("original", "原件/复印件"), ("source", "来源"),
                  ("requirement", "要求"), ("form.title", "表格名称"), ("form.where", "表格领取"),
                  ("form.url", "表格网址"), ("note", "备注"), ("deferrable_deadline", "容缺补正期限")],
    "tips": [("text", "提示内容")],
    "refusals": [("text", "不予受理情形")],
    "deferrable_items": [("text", "材料"), ("source", "来源"), ("deadline", "补正期限"), ("method", "补正方式")],
}
NEW_ROWS = 3  # empty rows offered for new items
MAX_ROWS = 300
MAX_TEXT = 2000
ROW_KEY = re.compile(r"^item-([0-9]{1,4})-")


def _get(item: dict, attr: str) -> str:
    if attr.startswith("form."):
        form = item.get("form") or {}
        value = form.get(attr[5:]) if isinstance(form, dict) else None
    else:
        value = item.get(attr)
    return "" if value is None else str(value)


def rows_of(field: str, items) -> list[dict]:
    """The rows for the current items, then NEW_ROWS empty ones: {"base", "values", "delete"}."""
    attrs = [a for a, _ in ROW_FIELDS[field]]
    rows = [{"base": json.dumps(item, ensure_ascii=False, sort_keys=True),
             "values": {a: _get(item, a) for a in attrs}, "delete": False}
            for item in (items or []) if isinstance(item, dict)]
    return rows + [{"base": "", "values": dict.fromkeys(attrs, ""), "delete": False} for _ in range(NEW_ROWS)]


def submitted_rows(field: str, form: Mapping) -> list[dict]:
    """The rows as the browser sent them (to show them again with an error)."""
    attrs = [a for a, _ in ROW_FIELDS[field]]
    indices = sorted({int(m.group(1)) for k in form if (m := ROW_KEY.match(str(k)))})[:MAX_ROWS]
    return [{"base": str(form.get(f"item-{i}-base", "")),
             "values": {a: str(form.get(f"item-{i}-{a}", ""))[:MAX_TEXT] for a in attrs},
             "delete": bool(form.get(f"item-{i}-delete"))} for i in indices]


def value_from_rows(field: str, form: Mapping) -> list[dict]:
    """The field's new value (a list of items) from the rows; PublishError (Chinese) naming the row."""
    if field not in ROW_FIELDS:
        raise PublishError("这一项没有逐行表单，请用 JSON 提交")
    labels = dict(ROW_FIELDS[field])
    rows = submitted_rows(field, form)
    if len({int(m.group(1)) for k in form if (m := ROW_KEY.match(str(k)))}) > MAX_ROWS:
        raise PublishError(f"行数超过 {MAX_ROWS}")
    out = []
    for n, row in enumerate(rows, 1):
        if row["delete"]:
            continue
        try:
            loaded = json.loads(row["base"]) if row["base"] else {}
        except (ValueError, RecursionError):
            loaded = None
        if not isinstance(loaded, dict):
            raise PublishError(f"第 {n} 行的原始内容已损坏，请重新载入现行内容")
        base: dict = loaded
        values = {a: v.strip() for a, v in row["values"].items()}
        if not base and not any(values.values()):
            continue  # an empty new row
        item: dict = dict(base) if base else {"text": "", "ref": ""}
        old_form = item.get("form")
        form_obj: dict = dict(old_form) if isinstance(old_form, dict) else {}
        for attr, v in values.items():
            if any(ord(c) < 32 for c in v):
                raise PublishError(f"第 {n} 行 {labels[attr]}：请只填一行文字")
            if attr.startswith("form."):
                key = attr[5:]
                if v or form_obj.get(key) not in (None, ""):
                    form_obj[key] = v or None
            elif v or item.get(attr) not in (None, ""):
                item[attr] = v or None
        if "form.title" in labels:
            item["form"] = {"title": form_obj.get("title"), **form_obj} if any(form_obj.values()) else None
        if not item.get("text"):
            raise PublishError(f"第 {n} 行：请填写“{labels['text']}”（不要的行请勾选删除）")
        out.append(item)
    return out
