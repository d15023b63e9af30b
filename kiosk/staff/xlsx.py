"""The catalogue as an .xlsx workbook (openpyxl) office staff can edit in a spreadsheet.

    export_workbook(catalogue, path)                 # every region and service, as shown now
    plan = plan_import(path, catalogue)              # validated cell by cell, nothing written
    plan.errors    ['材料!F12: “原件/复印件”应为 …', ...]     (sheet!cell: message)
    plan.changes   what the import would change, field by field, with a summary
    apply_import(plan, edits, who)                   # all changes in one transaction, or none

One sheet per editable field (材料, 办理渠道, 办理时限, 温馨提示, 不予受理, 容缺受理); a row
is one item: 地区 and 业务编号 say whose, 序号 its position (the item at that position is
the one edited: columns the sheet does not have — conditions, forms — are kept from
it), the editable columns follow, 出处 is for reading only. Deleting a row deletes the
item; a new 序号 adds one. A workbook with any error changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.catalogue.model import Service
from kiosk.staff.edits import FIELD_LABELS, ITEM_ATTRS, _same, clean_attrs, item_label, new_item, with_attrs

SHEETS = {f: FIELD_LABELS[f] for f in ("materials", "channels", "time_limit", "tips", "refusals", "deferrable_items")}
HEAD = [("region", "地区"), ("service", "业务编号"), ("service_name", "业务名称（仅供参考）")]
POSITION = ("position", "序号")
REF = ("ref", "出处（仅供参考）")
README_SHEET = "说明"


def columns(fld: str) -> list[tuple[str, str]]:
    pos = [] if fld == "time_limit" else [POSITION]
    return [*HEAD, *pos, *ITEM_ATTRS[fld], REF]


def _items(svc: Service, fld: str) -> list:
    value = getattr(svc, fld)
    if fld == "time_limit":
        return [value] if value is not None else []
    return list(value)


# -- export ---------------------------------------------------------------------------------------------
def export_workbook(catalogue, path: Path) -> int:
    """Write the workbook atomically; returns the number of services written."""
    import os
    import tempfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    info = wb.active
    info.title = README_SHEET
    for line in (
        "医保自助一体机 业务资料表",
        "每个工作表是一类资料，每行是一项：地区、业务编号说明属于哪项业务，序号是该项在清单中的位置。",
        "可修改灰色表头以外的内容；“业务名称”和“出处”仅供参考，修改无效。",
        "删除一行即删除该项；增加一行（新的序号）即新增一项。",
        "导入时逐格检查，有任何错误则整个文件不导入，并指出出错的单元格（如 材料!F12）。",
        "“原件/复印件”可填：原件、复印件、原件及复印件、原件或复印件，或留空。",
    ):
        info.append([line])
    info.column_dimensions["A"].width = 100
    head_fill = PatternFill("solid", fgColor="DDDDDD")
    services = 0
    for fld, title in SHEETS.items():
        ws = wb.create_sheet(title)
        cols = columns(fld)
        ws.append([label for _, label in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = head_fill
        for region in catalogue.regions():
            for svc in catalogue.services(region.id):
                if fld == "materials":
                    services += 1
                for i, item in enumerate(_items(svc, fld), 1):
                    row = [region.id, svc.id, svc.name]
                    if fld != "time_limit":
                        row.append(i)
                    for attr, _ in ITEM_ATTRS[fld]:
                        v = item.display_name if (attr == "name" and hasattr(item, "display_name")) else getattr(item, attr)
                        row.append(v)
                    row.append(item.ref)
                    ws.append(row)
        for i, (_key, label) in enumerate(cols, 1):
            letter = ws.cell(row=1, column=i).column_letter
            ws.column_dimensions[letter].width = 14 if len(label) <= 4 else 30
            for c in ws[letter][1:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return services


# -- import ---------------------------------------------------------------------------------------------
@dataclass
class Change:
    region: str
    service: Service
    field: str
    new_value: object
    lines: list[str]  # what changes, for the preview

    @property
    def summary(self) -> str:
        return f"{FIELD_LABELS[self.field]}：" + "；".join(self.lines)


@dataclass
class ImportPlan:
    path: Path
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_value(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return v.strip()
    return v


def _short(text, n=30) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _diff_lines(fld: str, old: list, new: list) -> list[str]:
    lines = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a is None:
            lines.append(f"新增第 {i + 1} 项“{_short(item_label(fld, b))}”")
        elif b is None:
            lines.append(f"删除第 {i + 1} 项“{_short(item_label(fld, a))}”")
        elif not _same(a, b):
            labels = dict(ITEM_ATTRS[fld])
            diffs = [f"{labels[k]}“{_short(getattr(a, k), 16)}”→“{_short(getattr(b, k), 16)}”"
                     for k in labels if getattr(a, k) != getattr(b, k)]
            where = "" if fld == "time_limit" else f"第 {i + 1} 项"
            lines.append(f"{where}{'，'.join(diffs)}")
    return lines


def plan_import(path: Path, catalogue) -> ImportPlan:
    """Read and validate the workbook; compute what it would change. Writes nothing."""
    from openpyxl import load_workbook

    path = Path(path)
    plan = ImportPlan(path)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # zip, XML, not a workbook at all: openpyxl raises many kinds
        plan.errors.append(f"{path.name}: 不是有效的 xlsx 文件（{type(exc).__name__}）")
        return plan
    regions = {r.id: r for r in catalogue.regions()}
    services = {(r, s.id): s for r in regions for s in catalogue.services(r)}
    for fld, title in SHEETS.items():
        if title not in wb.sheetnames:
            plan.errors.append(f"{title}: 缺少工作表“{title}”")
            continue
        ws = wb[title]
        cols = columns(fld)
        header = [_cell_value(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), [])]
        bad_header = False
        for i, (_key, label) in enumerate(cols):
            got = header[i] if i < len(header) else None
            if got != label:
                letter = ws.cell(row=1, column=i + 1).column_letter
                plan.errors.append(f"{title}!{letter}1: 表头应为“{label}”，实为“{got or ''}”")
                bad_header = True
        if bad_header:
            continue
        index = {key: i for i, (key, _) in enumerate(cols)}
        rows: dict[tuple[str, str], dict[int, dict]] = {}
        for row in ws.iter_rows(min_row=2):
            cells = list(row) + [None] * (len(cols) - len(row))
            values = [_cell_value(c.value) if c is not None else None for c in cells[:len(cols)]]
            if all(v in (None, "") for v in values):
                continue
            rnum = next(c.row for c in cells if c is not None)

            def at(key):
                return f"{title}!{ws.cell(row=rnum, column=index[key] + 1).coordinate}"

            region, sid = values[index["region"]], values[index["service"]]
            if region not in regions:
                plan.errors.append(f"{at('region')}: 地区“{region or ''}”不存在，应为 {', '.join(regions)} 之一")
                continue
            if (region, sid) not in services:
                plan.errors.append(f"{at('service')}: 业务编号“{sid or ''}”在 {region} 中不存在")
                continue
            pos = 1
            if fld != "time_limit":
                pos = values[index["position"]]
                if not isinstance(pos, int) or isinstance(pos, bool) or not 1 <= pos <= 999:
                    plan.errors.append(f"{at('position')}: 序号应为 1 到 999 的整数，实为“{pos if pos is not None else ''}”")
                    continue
            seen = rows.setdefault((region, sid), {})
            if pos in seen:
                what = "办理时限只能有一行" if fld == "time_limit" else f"序号 {pos} 重复（第 {seen[pos]['_row']} 行已有）"
                plan.errors.append(f"{at('position' if fld != 'time_limit' else 'service')}: {what}")
                continue
            attrs = {a: values[index[a]] for a, _ in ITEM_ATTRS[fld]}
            cleaned, problems = clean_attrs(fld, attrs)
            for attr, problem in problems:
                plan.errors.append(f"{at(attr)}: {problem}")
            cleaned["_row"] = rnum
            seen[pos] = cleaned
        if plan.errors:
            continue
        for (region, sid), svc in services.items():
            by_pos = rows.get((region, sid), {})
            old = _items(svc, fld)
            new = []
            for n, pos in enumerate(sorted(by_pos)):
                attrs = {k: v for k, v in by_pos[pos].items() if k != "_row"}
                base = old[pos - 1] if pos - 1 < len(old) else None
                new.append(with_attrs(base, attrs) if base is not None else new_item(fld, attrs, ""))
            lines = _diff_lines(fld, old, new)
            if lines:
                value = (new[0] if new else None) if fld == "time_limit" else new
                plan.changes.append(Change(region, svc, fld, value, lines))
    if plan.errors:
        plan.changes = []
    return plan


def apply_import(plan: ImportPlan, edits, who: str) -> int:
    """Apply every change of a valid plan in one transaction; returns how many fields changed."""
    if not plan.ok:
        raise ValueError("a workbook with errors cannot be imported")
    if not plan.changes:
        return 0
    edits.change_many([(c.service, c.field, c.new_value, f"表格导入 {plan.path.name}：{c.summary}")
                       for c in plan.changes], who, source="xlsx import")
    return len(plan.changes)


# -- where workbooks are exchanged --------------------------------------------------------------------------
def exchange_dirs() -> list[Path]:
    """Where the staff screen exports to and looks for workbooks to import: the
    directory in KIOSK_EXCHANGE_DIR (or <data dir>/exchange), then USB sticks mounted
    under /media or /run/media. Exports go to the last one (a stick, when there is one)."""
    import os

    from kiosk import paths

    dirs = [Path(os.environ.get("KIOSK_EXCHANGE_DIR") or paths.data_dir() / "exchange")]
    for root in (Path("/media"), Path("/run/media")):
        try:
            for user in sorted(root.iterdir()):
                dirs += [d for d in sorted(user.iterdir()) if d.is_dir() and os.access(d, os.W_OK)]
        except OSError:
            continue
    return dirs


def workbooks(dirs: list[Path]) -> list[Path]:
    """The .xlsx files in those directories, newest first (no hidden or lock files)."""
    found = []
    for d in dirs:
        try:
            found += [p for p in d.glob("*.xlsx") if p.is_file() and not p.name.startswith((".", "~$"))]
        except OSError:
            continue
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)
