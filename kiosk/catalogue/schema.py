"""The shape of every record in `seed/` (see seed/SCHEMA.md), checked field by field.

A spec maps field name -> (kind, required). Kinds:
  "str", "int", "bool", "strlist", "when", "whenany", "any"
  ("rec", SPEC)      a nested mapping
  ("list", SPEC)     a list of mappings
Fields a spec does not name are errors (they are usually typos).
"""

from __future__ import annotations

from dataclasses import dataclass

REF = ("str", True)
# `comment`: a transcriber's remark (why a record reads as it does); checked for invented
# URLs, numbers and windows like every field, never shown to a citizen.
COMMENT = ("str", False)
TEXT_ITEM = {"text": ("str", True), "ref": REF, "when": ("when", False), "when_any": ("whenany", False),
             "label": ("str", False), "comment": COMMENT}
PHONE = {"number": ("str", True), "label": ("str", False), "ref": REF, "comment": COMMENT}
OPTION = {"id": ("str", True), "label": ("str", True)}
QUESTION = {"id": ("str", True), "text": ("str", True), "options": (("list", OPTION), True)}
FORM = {"title": ("str", False), "where": ("str", False), "url": ("str", False)}
MATERIAL = {
    "text": ("str", True), "name": ("str", False), "original": ("str", False),
    "requirement": ("str", False), "source": ("str", False), "form": (("rec", FORM), False),
    "when": ("when", False), "when_any": ("whenany", False), "note": ("str", False), "ref": REF,
    "comment": COMMENT,
    # only in an older document's merged item: the newer guide is silent on it (not contradicting)
    "silent": ("bool", False),
    "evidence": ("str", False),  # an id of vocabulary.yaml's evidence: its name is the display name
}
CHANNEL = {
    "type": ("str", True), "text": ("str", True), "place": ("str", False), "window": ("str", False),
    "name": ("str", False), "url": ("str", False), "app": ("str", False), "path": ("strlist", False),
    "email": ("str", False), "note": ("str", False), "blank": ("bool", False),
    "when": ("when", False), "when_any": ("whenany", False), "ref": REF, "comment": COMMENT,
}
TIME_LIMIT = {"text": ("str", True), "days": ("int", False), "ref": REF, "comment": COMMENT}
DIFFERENCE = {
    "field": ("str", True), "older": ("any", True), "newer": ("any", False),
    "older_ref": ("str", False), "newer_ref": ("str", False), "note": ("str", False),
    "comment": COMMENT,
}
# Answers for which the document lists no 要件 at all (checked by the path enumeration:
# a path without materials must be declared here, and a declared one must have none).
NO_MATERIALS = {"when": ("when", False), "when_any": ("whenany", False), "ref": REF, "comment": COMMENT}
SERVICE = {
    "id": ("str", True), "name": ("str", True), "category": ("str", True), "audience": ("str", True),
    "topics": ("strlist", True), "ref": REF,
    "intro": (("list", TEXT_ITEM), False),
    "questions": ("strlist", False), "local_questions": (("list", QUESTION), False),
    "materials": (("list", MATERIAL), False), "channels": (("list", CHANNEL), False),
    "time_limit": (("rec", TIME_LIMIT), False), "tips": (("list", TEXT_ITEM), False),
    "phones": (("list", PHONE), False), "notes": (("list", TEXT_ITEM), False),
    "steps": (("list", TEXT_ITEM), False), "legal_basis": (("list", TEXT_ITEM), False),
    "differences": (("list", DIFFERENCE), False), "comment": COMMENT,
    "no_materials": (("list", NO_MATERIALS), False),
}
REFUSAL_LIST = {
    "matter": ("str", True), "heading": ("str", False), "applies_to": ("strlist", True),
    "ref": REF, "note": ("str", False), "items": (("list", TEXT_ITEM), True),
    "notes": (("list", TEXT_ITEM), False), "comment": COMMENT,
}
DEADLINE = {"text": ("str", True), "days": ("int", False), "ref": REF}
DEFERRABLE_ITEM = {
    "text": ("str", True), "source": ("str", False), "matches": ("str", False),
    "method": ("str", False), "ref": REF, "comment": COMMENT,
}
DEFERRABLE_LIST = {
    "matter": ("str", True), "applies_to": ("strlist", True), "deadline": (("rec", DEADLINE), True),
    "method": ("str", False), "note": ("str", False), "ref": REF,
    "items": (("list", DEFERRABLE_ITEM), True), "notes": (("list", TEXT_ITEM), False), "comment": COMMENT,
}
SERVICES_FILE = {
    "document": ("str", True), "region": ("str", True),
    "services": (("list", SERVICE), True),
    "refusal_lists": (("list", REFUSAL_LIST), False),
    "deferrable_lists": (("list", DEFERRABLE_LIST), False),
}
OLDER_ITEM = {
    "ref": REF, "title": ("str", True), "merge_into": ("str", False),
    "service": (("rec", SERVICE), False),
    "materials": (("list", MATERIAL), False), "time_limit": (("rec", TIME_LIMIT), False),
    "steps": (("list", TEXT_ITEM), False), "notes": (("list", TEXT_ITEM), False),
    "legal_basis": (("list", TEXT_ITEM), False), "differences": (("list", DIFFERENCE), False),
    "comment": COMMENT,
}
ITEMS_FILE = {"document": ("str", True), "region": ("str", True), "items": (("list", OLDER_ITEM), True)}
FACT = {"label": ("str", True), "value": ("str", True), "ref": REF, "note": ("str", False), "comment": COMMENT}
TABLE = {
    "title": ("str", True), "columns": ("strlist", True), "rows": ("any", True),
    "notes": (("list", TEXT_ITEM), False), "ref": REF,
}
POLICY_TOPIC = {
    "id": ("str", True), "title": ("str", True), "ref": REF,
    "basis": (("rec", TEXT_ITEM), False), "paragraphs": (("list", TEXT_ITEM), False),
    "facts": (("list", FACT), False), "tables": (("list", TABLE), False),
    "services": ("strlist", False),
}
SERVICE_UPDATE = {
    "service": ("str", True), "ref": REF, "questions": ("strlist", False),
    "local_questions": (("list", QUESTION), False), "materials": (("list", MATERIAL), False),
    "notes": (("list", TEXT_ITEM), False), "tips": (("list", TEXT_ITEM), False),
    "note": ("str", False), "comment": COMMENT,
}
POLICY_FILE = {
    "document": ("str", True), "region": ("str", True),
    "policy_topics": (("list", POLICY_TOPIC), True),
    "service_updates": (("list", SERVICE_UPDATE), False),
}
HOTLINE = {"number": ("str", True), "label": ("str", False), "ref": REF}
REGION = {"id": ("str", True), "name": ("str", True), "hotline": (("rec", HOTLINE), False),
          "note": ("str", False), "comment": COMMENT}
HALL = {
    "id": ("str", True), "name": ("str", True), "address": ("str", False), "phone": ("str", False),
    "directions": ("str", False), "note": ("str", False), "ref": REF,
    "differences": (("list", DIFFERENCE), False), "comment": COMMENT,
}
REGION_FILE = {"document": ("str", True), "region": (("rec", REGION), True), "halls": (("list", HALL), True)}

CHANNEL_TYPES = {"window", "online", "app", "wechat", "miniprogram", "kiosk", "agency", "hospital",
                 "email", "office"}
ORIGINAL_VALUES = {"原件", "复印件", "原件及复印件", "原件或复印件"}


@dataclass
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _line(obj, key=None) -> int:
    if key is not None and hasattr(obj, "line_of"):
        return obj.line_of(key)
    return getattr(obj, "line", 0) or 1


def validate(obj, spec: dict, file: str, where: str = "", parent=None) -> list[Problem]:
    """Check `obj` against `spec`; returns the problems (empty when it conforms)."""
    problems: list[Problem] = []
    if not isinstance(obj, dict):
        problems.append(Problem(file, _line(parent or obj), f"{where or 'record'}: expected a mapping"))
        return problems
    for key in obj:
        if key not in spec:
            problems.append(Problem(file, _line(obj, key),
                                    f"{where}{key}: unknown field (expected one of: {', '.join(spec)})"))
    for key, (kind, required) in spec.items():
        value = obj.get(key)
        line = _line(obj, key)
        label = f"{where}{key}"
        if value is None:
            if required:
                if key == "ref":
                    problems.append(Problem(file, _line(obj), f"{where.rstrip('.') or 'record'}: missing provenance (ref)"))
                elif key not in obj:
                    problems.append(Problem(file, _line(obj), f"{label}: required field missing"))
                else:
                    problems.append(Problem(file, line, f"{label}: must not be empty"))
            continue
        if kind == "str":
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(file, line, f"{label}: expected non-empty text, got {value!r}"))
        elif kind == "int":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(Problem(file, line, f"{label}: expected a whole number >= 0, got {value!r}"))
        elif kind == "bool":
            if not isinstance(value, bool):
                problems.append(Problem(file, line, f"{label}: expected true/false"))
        elif kind == "strlist":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(Problem(file, line, f"{label}: expected a list of text"))
        elif kind == "when":
            problems += _validate_when(value, file, line, label)
        elif kind == "whenany":
            if not isinstance(value, list) or not value:
                problems.append(Problem(file, line, f"{label}: expected a non-empty list of conditions"))
            else:
                for cond in value:
                    problems += _validate_when(cond, file, line, label)
        elif kind == "any":
            pass
        elif isinstance(kind, tuple) and kind[0] == "rec":
            problems += validate(value, kind[1], file, f"{label}.", obj)
        elif isinstance(kind, tuple) and kind[0] == "list":
            if not isinstance(value, list):
                problems.append(Problem(file, line, f"{label}: expected a list"))
            else:
                for i, item in enumerate(value):
                    problems += validate(item, kind[1], file, f"{label}[{i}].", value)
    return problems


def _validate_when(value, file, line, label) -> list[Problem]:
    if not isinstance(value, dict) or not value:
        return [Problem(file, line, f"{label}: expected a mapping question -> option(s)")]
    out = []
    for q, opts in value.items():
        if isinstance(opts, str):
            continue
        if not isinstance(opts, list) or not opts or not all(isinstance(o, str) for o in opts):
            out.append(Problem(file, line, f"{label}.{q}: expected an option id or a list of option ids"))
    return out
