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

Limits (a workbook is a stranger's file): at most MAX_FILE_BYTES on disk and
MAX_XML_BYTES unpacked, MAX_ROWS rows per sheet and MAX_CELLS filled cells in all,
and MAX_SECONDS of reading; past any of them the import stops with a message. The
sheets are read with openpyxl's read_only mode, row by row, ignoring the sheet's own
size claim, so one stray cell at row 1,048,576 costs nothing. Run it off the UI
thread (kiosk/ui/staff/xlsx.py does) on a `snapshot(catalogue)`.

An import that deletes more than DELETE_CONFIRM_ABOVE items of one field (a sheet
left with only its header would empty that field of every service) needs
`apply_import(plan, edits, who, confirmed=True)`; `plan.deletions` says how many.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.catalogue.model import Service
from kiosk.staff.edits import FIELD_LABELS, ITEM_ATTRS, _same, clean_attrs, item_label, new_item, with_attrs

SHEETS = {f: FIELD_LABELS[f] for f in ("materials", "channels", "time_limit", "tips", "refusals", "deferrable_items")}
HEAD = [("region", "地区"), ("service", "业务编号"), ("service_name", "业务名称（仅供参考）")]
POSITION = ("position", "序号")
REF = ("ref", "出处（仅供参考）")
README_SHEET = "说明"

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_XML_BYTES = 200 * 1024 * 1024  # unpacked, all members
MAX_ROWS = 5000  # per sheet, the header included
MAX_CELLS = 200_000  # filled cells of the six sheets' columns
MAX_SECONDS = 30.0
DELETE_CONFIRM_ABOVE = 3  # deleting more items than this from one field needs a confirmation


class ImportLimit(Exception):
    """A workbook past one of the limits; the message is for staff (Chinese)."""


class CatalogueSnapshot:
    """What an import reads of the catalogue, taken on the UI thread so that the worker
    thread never touches the catalogue's SQLite connection."""

    def __init__(self, catalogue):
        self._regions = list(catalogue.regions())
        self._services = {r.id: list(catalogue.services(r.id)) for r in self._regions}

    def regions(self):
        return list(self._regions)

    def services(self, region_id: str):
        return list(self._services.get(region_id, []))


def snapshot(catalogue) -> CatalogueSnapshot:
    return CatalogueSnapshot(catalogue)


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
    deletions: dict[str, int] = field(default_factory=dict)  # field -> items the import deletes

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def large_deletions(self) -> dict[str, int]:
        """The fields that lose more than DELETE_CONFIRM_ABOVE items: confirmation needed."""
        return {f: n for f, n in self.deletions.items() if n > DELETE_CONFIRM_ABOVE}

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.large_deletions)

    def deletion_summary(self) -> str:
        return "、".join(f"{FIELD_LABELS[f]} {n} 项" for f, n in self.large_deletions.items())


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


def _check_file(path: Path) -> None:
    """Size limits before openpyxl sees the file (a zip bomb unpacks in memory)."""
    import zipfile

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportLimit(f"{path.name}: 文件太大（{size // (1024 * 1024)} MB），上限 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    with zipfile.ZipFile(path) as zf:
        unpacked = sum(max(0, i.file_size) for i in zf.infolist())
    if unpacked > MAX_XML_BYTES:
        raise ImportLimit(f"{path.name}: 解压后太大（{unpacked // (1024 * 1024)} MB），"
                          f"上限 {MAX_XML_BYTES // (1024 * 1024)} MB")


class _Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.cells = 0

    def tick(self, title: str, rnum: int, filled: int) -> None:
        self.cells += filled
        if self.cells > MAX_CELLS:
            raise ImportLimit(f"{title}!第 {rnum} 行: 表格内容超过上限 {MAX_CELLS} 个单元格，已停止检查")
        if time.monotonic() > self.deadline:
            raise ImportLimit(f"{title}!第 {rnum} 行: 检查超过 {self.seconds:g} 秒仍未读完，已停止；"
                              "请删除多余的行、列或格式后再试")


def _read_sheet(ws, title: str, ncols: int, budget: _Budget) -> list[tuple[int, list]]:
    """(row number, the first ncols values) of every row, the header first. Past
    MAX_ROWS: ImportLimit. The sheet's own dimension is ignored (it can claim 1,048,576
    rows): only rows the file really has are read, and reading stops at the limit."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    rows = []
    for rnum, row in enumerate(ws.iter_rows(min_row=1, max_col=ncols, values_only=True), 1):
        if rnum > MAX_ROWS:
            raise ImportLimit(f"{title}!A{rnum}: 工作表超过 {MAX_ROWS} 行（第 {MAX_ROWS} 行以后还有内容或格式），"
                              "请删除多余的行")
        values = [_cell_value(v) for v in list(row)[:ncols]]
        values += [None] * (ncols - len(values))
        filled = sum(v not in (None, "") for v in values)
        budget.tick(title, rnum, filled)
        rows.append((rnum, values))
    return rows


def _text(v) -> str:
    """A cell value in a message (bounded, never raising)."""
    try:
        return _short("" if v is None else v, 40)
    except ValueError:  # an integer too long to print
        return "（数值过大）"


def plan_import(path: Path, catalogue, max_seconds: float = MAX_SECONDS) -> ImportPlan:
    """Read and validate the workbook; compute what it would change. Writes nothing.
    `catalogue`: the service layer or a snapshot(catalogue) of it."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    plan = ImportPlan(path)
    budget = _Budget(max_seconds)
    sheets: dict[str, list[tuple[int, list]]] = {}
    try:
        _check_file(path)
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            for fld, title in SHEETS.items():
                if title in wb.sheetnames:
                    sheets[fld] = _read_sheet(wb[title], title, len(columns(fld)), budget)
        finally:
            wb.close()
    except ImportLimit as exc:
        plan.errors.append(str(exc))
        return plan
    except OSError as exc:
        plan.errors.append(f"{path.name}: 无法读取文件（{exc.strerror or exc}）")
        return plan
    except Exception as exc:  # zip, XML, not a workbook at all: openpyxl raises many kinds
        plan.errors.append(f"{path.name}: 不是有效的 xlsx 文件（{type(exc).__name__}）")
        return plan
    regions = {r.id: r for r in catalogue.regions()}
    services = {(r, s.id): s for r in regions for s in catalogue.services(r)}
    for fld, title in SHEETS.items():
        if fld not in sheets:
            plan.errors.append(f"{title}: 缺少工作表“{title}”")
            continue
        cols = columns(fld)
        rows_read = sheets[fld]
        header = rows_read[0][1] if rows_read else [None] * len(cols)
        bad_header = False
        for i, (_key, label) in enumerate(cols):
            got = header[i]
            if got != label:
                hint = "（表头单元格不能合并、留空或删除）" if got in (None, "") else ""
                plan.errors.append(f"{title}!{get_column_letter(i + 1)}1: 表头应为“{label}”，实为“{_text(got)}”{hint}")
                bad_header = True
        if bad_header:
            continue
        index = {key: i for i, (key, _) in enumerate(cols)}
        rows: dict[tuple[str, str], dict[int, dict]] = {}
        for rnum, values in rows_read[1:]:
            if all(v in (None, "") for v in values):
                continue

            def at(key, rnum=rnum, title=title, index=index):
                return f"{title}!{get_column_letter(index[key] + 1)}{rnum}"

            region, sid = values[index["region"]], values[index["service"]]
            if not isinstance(region, str) or region not in regions:
                plan.errors.append(f"{at('region')}: 地区“{_text(region)}”不存在，应为 {', '.join(regions)} 之一")
                continue
            if not isinstance(sid, str) or (region, sid) not in services:
                plan.errors.append(f"{at('service')}: 业务编号“{_text(sid)}”在 {region} 中不存在")
                continue
            pos = 1
            if fld != "time_limit":
                pos = values[index["position"]]
                if not isinstance(pos, int) or isinstance(pos, bool) or not 1 <= pos <= 999:
                    plan.errors.append(f"{at('position')}: 序号应为 1 到 999 的整数，实为“{_text(pos)}”")
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
            for pos in sorted(by_pos):
                attrs = {k: v for k, v in by_pos[pos].items() if k != "_row"}
                base = old[pos - 1] if pos - 1 < len(old) else None
                new.append(with_attrs(base, attrs) if base is not None else new_item(fld, attrs, ""))
            lines = _diff_lines(fld, old, new)
            if lines:
                value = (new[0] if new else None) if fld == "time_limit" else new
                plan.changes.append(Change(region, svc, fld, value, lines))
                if len(new) < len(old):
                    plan.deletions[fld] = plan.deletions.get(fld, 0) + len(old) - len(new)
    if plan.errors:
        plan.changes = []
        plan.deletions = {}
    return plan


class NeedsConfirmation(ValueError):
    """The import deletes more than a few items of a field and was not confirmed."""


def apply_import(plan: ImportPlan, edits, who: str, confirmed: bool = False) -> int:
    """Apply every change of a valid plan in one transaction; returns how many fields
    changed. Large deletions (plan.needs_confirmation) only with confirmed=True."""
    if not plan.ok:
        raise ValueError("a workbook with errors cannot be imported")
    if plan.needs_confirmation and not confirmed:
        raise NeedsConfirmation(f"此次导入将删除 {plan.deletion_summary()}，需要确认后才能导入")
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
