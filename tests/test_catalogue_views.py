"""Render everything the catalogue holds, on what a citizen reads: a walk over every
stored field of every service fails when a value reaches neither the `kiosk show` text
nor the printed checklist. Both draw from the one GuideView (kiosk.catalogue.view);
tests/test_guide_view.py walks the same fields over all four renderers (text, JSON,
screen, paper)."""

from dataclasses import fields, is_dataclass
from datetime import datetime

from kiosk.catalogue.cleaning import URL_RE, match_key
from kiosk.catalogue.guide import build_guide
from kiosk.catalogue.textview import guide_as_text
from kiosk.printing.document import build_document

# Not text a citizen reads, each shown another way:
NOT_RENDERED = {
    "ref", "older_ref", "newer_ref", "deferrable_ref",  # provenance: JSON, 来源 line
    "id", "region", "topics", "policy_topics", "questions", "kind", "document", "subject",  # ids
    "condition", "type", "blank", "days", "deferrable_days", "deadline_days",  # shown as 适用…, 窗口办 …
    "differences", "no_materials",  # `kiosk differences`; the path check
    "catalogue_version", "listed_by", "evidence",  # trace line; 还列有 label; an id (its name is shown)
}


def stored_strings(obj, path="service"):
    if is_dataclass(obj):
        for f in fields(obj):
            if f.name not in NOT_RENDERED:
                yield from stored_strings(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, list):
        for x in obj:
            yield from stored_strings(x, path)
    elif isinstance(obj, str) and obj.strip():
        yield path, obj


def test_every_stored_value_reaches_a_view(catalogue):
    missing = []
    walked = 0
    for region in catalogue.regions():
        halls = catalogue.halls(region.id)
        for svc in catalogue.services(region.id):
            guide = build_guide(svc)  # no answers: everything that can apply
            text = guide_as_text(guide, region, halls, catalogue.policy_topics(region.id, svc.id))
            paper = build_document(guide, region, halls[0], serial="W", now=datetime(2026, 1, 1)).plain_text()
            shown = match_key(text) + match_key(paper)
            for path, value in stored_strings(svc):
                walked += 1
                if match_key(value.rstrip("。")) not in shown:
                    missing.append(f"{region.id}/{svc.id} {path}: {value[:40]}")
        for hall in halls:  # every hall's name, address, phone, directions, note: in `kiosk show`
            for path, value in stored_strings(hall, f"hall {hall.id}"):
                walked += 1
                if match_key(value) not in match_key(text):
                    missing.append(f"{region.id} {path}: {value[:40]}")
    assert walked > 3000  # 3376 + the halls when written
    assert missing == []


def test_absent_values_are_not_invented(catalogue):
    """The other way round: a service shows no channel, phone or URL it does not hold."""
    import re

    for region in catalogue.regions():
        for svc in catalogue.services(region.id):
            text = guide_as_text(build_guide(svc), region, catalogue.halls(region.id), [])
            held = " ".join(v for _, v in stored_strings(svc))
            halls = " ".join(f"{h.address} {h.phone} {h.directions}" for h in catalogue.halls(region.id))
            hotline = region.hotline.number if region.hotline else ""
            for url in URL_RE.findall(text):
                assert url in held, (svc.id, url)
            for number in re.findall(r"\d{3,4}-\d{7,8}(?:-\d-\d)?|\b\d{8}\b", text):
                assert number in held or number in halls or number in hotline, (svc.id, number)
