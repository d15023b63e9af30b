"""The seed's shape check (kiosk/catalogue/schema.py) by hand: each kind of field, each
message and the line it points at, and a record that conforms gives nothing."""

from __future__ import annotations

from kiosk.catalogue.schema import Problem, validate
from kiosk.catalogue.yamlload import load_yaml

ITEM = {"text": ("str", True), "ref": ("str", True)}
SPEC = {
    "name": ("str", True), "ref": ("str", True), "days": ("int", False), "blank": ("bool", False),
    "tags": ("strlist", False), "when": ("when", False), "when_any": ("whenany", False), "rows": ("any", False),
    "form": (("rec", {"title": ("str", True)}), False), "items": (("list", ITEM), False),
}


def check(tmp_path, text: str) -> list[tuple[int, str]]:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    problems = validate(load_yaml(path), SPEC, "t.yaml")
    assert all(p.file == "t.yaml" for p in problems)
    return [(p.line, p.message) for p in problems]


def test_every_kind_of_wrong_field(tmp_path):
    assert check(tmp_path, """\
name: ""
days: -1
blank: "yes"
tags: [a, 1]
when: {who: []}
when_any: []
rows: 42
form: {}
items:
  - text: t
  - nope: 1
  - just text
extra: 1
""") == [
        (13, "extra: unknown field (expected one of: name, ref, days, blank, tags, when, when_any, rows, form, "
             "items)"),
        (1, "name: expected non-empty text, got ''"),
        (1, "record: missing provenance (ref)"),
        (2, "days: expected a whole number >= 0, got -1"),
        (3, "blank: expected true/false"),
        (4, "tags: expected a list of text"),
        (5, "when.who: expected an option id or a list of option ids"),
        (6, "when_any: expected a non-empty list of conditions"),
        (8, "form.title: required field missing"),
        (10, "items[0]: missing provenance (ref)"),
        (11, "items[1].nope: unknown field (expected one of: text, ref)"),
        (11, "items[1].text: required field missing"),
        (11, "items[1]: missing provenance (ref)"),
        (10, "items[2].: expected a mapping"),
    ]


def test_more_wrong_fields(tmp_path):
    assert check(tmp_path, """\
name:
ref: §1
days: true
when: [a]
when_any: [{who: x}, 5, {who: [1]}]
tags: x
items: x
form: x
""") == [
        (1, "name: must not be empty"),
        (3, "days: expected a whole number >= 0, got True"),
        (6, "tags: expected a list of text"),
        (4, "when: expected a mapping question -> option(s)"),
        (5, "when_any: expected a mapping question -> option(s)"),
        (5, "when_any.who: expected an option id or a list of option ids"),
        (1, "form.: expected a mapping"),
        (7, "items: expected a list"),
    ]
    assert check(tmp_path, "ref: §1\nname: 1\nwhen: {}\nwhen_any: [{}]\n") == [
        (2, "name: expected non-empty text, got 1"),
        (3, "when: expected a mapping question -> option(s)"),
        (4, "when_any: expected a mapping question -> option(s)"),
    ]
    assert check(tmp_path, "ref: '  '\nname: x\nform:\n  title: ''\n") == [
        (1, "ref: expected non-empty text, got '  '"),
        (4, "form.title: expected non-empty text, got ''"),
    ]


def test_a_record_that_conforms_gives_nothing(tmp_path):
    assert check(tmp_path, """\
name: 名称
ref: §1
days: 0
blank: false
tags: [a, b]
when: {who: proxy, age: [old, young]}
when_any: [{who: self}, {age: [old]}]
rows: [[1, 2]]
form: {title: 表}
items: [{text: t, ref: §2}]
""") == []
    assert check(tmp_path, "name: x\nref: §1\ndays: 7\ntags: []\n") == []


def test_without_line_numbers_the_first_line_is_named():
    assert validate({"name": "x"}, SPEC, "f") == [Problem("f", 1, "record: missing provenance (ref)")]
    assert validate([], SPEC, "f") == [Problem("f", 1, "record: expected a mapping")]
    assert validate({"name": "x", "ref": "r", "items": [{"ref": "r"}]}, SPEC, "f") == [
        Problem("f", 1, "items[0].text: required field missing")]
    assert str(Problem("seed/a.yaml", 12, "name: must not be empty")) == "seed/a.yaml:12: name: must not be empty"


def test_a_record_below_comments_names_its_own_line(tmp_path):
    assert check(tmp_path, "# a comment\n# another\nname: x\nref: §1\nform: x\nwhen: {a: x, b: []}\n") == [
        (6, "when.b: expected an option id or a list of option ids"),  # after an option given as text
        (3, "form.: expected a mapping"),
    ]


def test_provenance_names_the_record_whatever_its_name():
    spec = {"ref": ("str", False), "boxX": (("rec", {"ref": ("str", True)}), True)}
    assert validate({"boxX": {}}, spec, "f") == [Problem("f", 1, "boxX: missing provenance (ref)")]
