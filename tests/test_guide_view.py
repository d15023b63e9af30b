"""One view of a guide, drawn by all: a walk over every stored field of every service of
the three regions fails when a stored value reaches none of the renderers — the
`kiosk show` text, `kiosk show --json`, the checklist screen and the printed checklist.

Each renderer draws from one GuideView (kiosk.catalogue.view). The walk builds the view
once per service and hands the same view to all four, so a field dropped from the view
vanishes from all of them, and the walk says which (test_a_field_dropped_from_the_view_…
drops one and watches the walk report it).
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk.catalogue.cleaning import match_key
from kiosk.catalogue.guide import build_guide
from kiosk.catalogue.textview import view_as_dict, view_as_text
from kiosk.catalogue.view import GuideView, build_view
from kiosk.printing.document import document_from_view
from kiosk.ui.citizen.checklist import ChecklistScreen

# Stored fields no renderer shows, each deliberately, with the reason. Everything else a
# service stores must reach the text, the JSON, the screen or the paper.
NEVER_SHOWN = {
    # Service.no_materials: each item's text is the transcriber's `comment:` on why the
    # document lists no materials for those answers; it feeds the path check only
    "no_materials": "a transcriber's comment for the path check, never shown",
}

RENDERERS = ("text", "json", "screen", "paper")


def stored_values(obj, path="service"):
    """(path, field name, value) of every stored leaf: every non-empty string, number and
    true flag of every field, recursively (conditions as the whole condition)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            if f.name in NEVER_SHOWN:
                continue
            value = getattr(obj, f.name)
            if f.name == "condition" and value:
                yield f"{path}.condition", "condition", value
            else:
                yield from _leaf(value, f"{path}.{f.name}", f.name)


def _leaf(value, path, name):
    if is_dataclass(value):
        yield from stored_values(value, path)
    elif isinstance(value, list):
        for i, x in enumerate(value):
            yield from _leaf(x, f"{path}[{i}]", name)
    elif isinstance(value, bool):
        if value:
            yield path, name, value
    elif isinstance(value, (int, str)) and str(value).strip():
        yield path, name, value


def json_pairs(data, out=None) -> set[tuple[str, str]]:
    """Every (key, value) of the JSON at any depth; a list's elements each under its key."""
    out = set() if out is None else out
    if isinstance(data, dict):
        for k, v in data.items():
            out.add((k, json.dumps(v, sort_keys=True, ensure_ascii=False)))
            if isinstance(v, list):
                for x in v:
                    out.add((k, json.dumps(x, sort_keys=True, ensure_ascii=False)))
            json_pairs(v, out)
    elif isinstance(data, list):
        for x in data:
            json_pairs(x, out)
    return out


@pytest.fixture(scope="module")
def screen(qapp, catalogue):
    """The real checklist screen, drawing whatever view it is given (更多信息 open)."""
    ctx = SimpleNamespace(catalogue=catalogue, session=SimpleNamespace(guide=None), printing=None,
                          region=None, hall=None)
    s = ChecklistScreen(ctx)
    yield s
    s.deleteLater()


def screen_text(screen: ChecklistScreen, view: GuideView) -> str:
    screen.view = lambda: view  # type: ignore[method-assign]
    screen.more_open = True
    screen.refresh(keep_scroll=True)
    out = [w.text() for w in screen.findChildren(QLabel)]
    out += [b.text() for b in screen.findChildren(QAbstractButton)]
    return "\n".join(out)


def rendered(view: GuideView, screen: ChecklistScreen) -> dict:
    """What each renderer makes of one view."""
    return {
        "text": match_key(view_as_text(view)),
        "json": json_pairs(json.loads(json.dumps(view_as_dict(view), ensure_ascii=False))),
        "screen": match_key(screen_text(screen, view)),
        "paper": match_key(document_from_view(view, serial="W", now=datetime(2026, 1, 1)).plain_text()),
    }


def reached_by(name: str, value, shown: dict) -> list[str]:
    out = []
    if isinstance(value, str):
        key = match_key(value.rstrip("。"))
        out += [r for r in ("text", "screen", "paper") if key in shown[r]]
    if (name, json.dumps(value, sort_keys=True, ensure_ascii=False)) in shown["json"]:
        out.append("json")
    return out


def unreached(svc, view: GuideView, screen: ChecklistScreen) -> list[str]:
    shown = rendered(view, screen)
    return [f"{svc.region}/{svc.id} {path}: {str(value)[:40]}"
            for path, name, value in stored_values(svc) if not reached_by(name, value, shown)]


def view_for(catalogue, region, svc) -> GuideView:
    halls = catalogue.halls(region.id)
    # no answers: everything that can apply (each answer path shows a subset of it)
    return build_view(build_guide(svc), region, halls, catalogue.policy_topics(region.id, svc.id), halls[0])


def test_every_stored_value_reaches_a_renderer(catalogue, screen):
    missing: list[str] = []
    walked = 0
    by_renderer = dict.fromkeys(RENDERERS, 0)
    regions = catalogue.regions()
    assert sorted(r.id for r in regions) == ["fushun", "kaiyuan", "shenyang"]
    for region in regions:
        for svc in catalogue.services(region.id):
            view = view_for(catalogue, region, svc)
            screen.ctx.region, screen.ctx.hall = region, None
            shown = rendered(view, screen)
            for path, name, value in stored_values(svc):
                walked += 1
                reached = reached_by(name, value, shown)
                for r in reached:
                    by_renderer[r] += 1
                if not reached:
                    missing.append(f"{region.id}/{svc.id} {path}: {str(value)[:40]}")
    assert missing == []
    assert walked > 5000, walked  # 93 services
    # the citizen's renderers carry the words; the JSON carries every value
    assert by_renderer["json"] > 0.9 * walked and by_renderer["text"] > 0.5 * walked
    assert by_renderer["screen"] > 0.3 * walked and by_renderer["paper"] > 0.2 * walked


def test_every_hall_field_reaches_show(catalogue, screen):
    with_address = 0
    for region in catalogue.regions():
        halls = catalogue.halls(region.id)
        svc = catalogue.services(region.id)[0]
        shown = rendered(view_for(catalogue, region, svc), screen)
        for hall in halls:
            for path, name, value in stored_values(hall, f"hall {hall.id}"):
                assert reached_by(name, value, shown), (region.id, path, value)
            # the kiosk's own hall: its address and directions on screen, its address on paper
            here = rendered(build_view(build_guide(svc), region, halls, [], hall), screen)
            if hall.address:
                with_address += 1
                assert match_key(hall.address) in here["screen"] and match_key(hall.address) in here["paper"]
            if hall.directions:
                assert match_key(hall.directions) in here["screen"]
    assert with_address >= 10


def _own_words(m, field) -> bool:
    """The material's value of `field` is words of its own, not part of its verbatim text
    (a requirement cut from the text still reaches the citizen with the text)."""
    value = getattr(m, field)
    return bool(value) and (not isinstance(value, str) or match_key(value) not in match_key(m.text))


@pytest.mark.parametrize("field", [
    "requirement",  # a detail every citizen renderer prints: dropped from the view, it reaches none
    "source",  # 资料来源: text, screen and paper
    "deferrable_days",  # a number only the JSON carries (the days of a 容缺 deadline)
])
def test_a_field_dropped_from_the_view_is_reported(catalogue, screen, field):
    region, svc = next((r, s) for r in catalogue.regions() for s in catalogue.services(r.id)
                       if any(_own_words(m, field) for m in s.materials))
    view = view_for(catalogue, region, svc)
    assert unreached(svc, view, screen) == []
    dropped = replace(view, materials=tuple(replace(m, **{field: None}) for m in view.materials))
    missing = unreached(svc, dropped, screen)
    assert missing and all(f".{field}:" in m for m in missing), missing


def test_the_renderers_share_the_view_and_the_trace(catalogue):
    """`kiosk show --json`'s trace is the printed checklist's hash for the same answers
    and hall, and the JSON keeps its keys (extended, never renamed)."""
    region = catalogue.region("fushun")
    halls = catalogue.halls("fushun")
    svc = catalogue.service("fushun", "maternity-allowance")
    view = build_view(build_guide(svc), region, halls, [], halls[0])
    doc = document_from_view(view, serial="X", now=datetime(2026, 3, 1))
    data = view_as_dict(view)
    assert data["checklist"]["hash"] == doc.content_hash == view.trace.hash
    assert data["checklist"]["hall"] == halls[0].name
    for key in ("id", "name", "category", "audience", "topics", "region", "ref", "sources", "answers",
                "complete", "questions", "intro", "materials", "older_materials", "older_materials_note",
                "deferrable_items", "refusals", "channels", "online_url", "time_limit", "tips", "notes",
                "phones", "hotline", "steps", "legal_basis", "older_notes", "differences", "policy_topics",
                "halls", "checklist"):
        assert key in data, key
    # the 网上办 menu path the document gives, on every renderer that shows channels
    assert "[首页] - [地方版]" in view_as_text(view)
    assert any("[首页] - [地方版]" in c["summary"] for c in data["channels"])
