"""Every service of each document's own list is in the catalogue.

The expected lists are read from the documents themselves, not typed in here.
"""

import re

import pytest

from kiosk.catalogue.cleaning import clean_document_text
from tests.conftest import SEED

DOC000 = "000_56952294bcb9045a.txt"
DOC001 = "001_59261023aeffb4ef.txt"
DOC003 = "003_822cd1e46fb8ab05.txt"
DOC004 = "004_709bd3044cefa219.txt"
CN_NUM = "一二三四五六七八九十"


def read(doc):
    return clean_document_text((SEED / "sources" / doc).read_text(encoding="utf-8"))


def section(ref: str, doc: str) -> str | None:
    """'000_x.txt §3.1①' -> '3.1①' when the ref cites `doc`."""
    if not ref.startswith(doc + " §"):
        return None
    return ref.split(" §", 1)[1]


def list_000() -> set[str]:
    text = read(DOC000)
    body = text[text.index("合规办事业务指南"): text.index("违规禁办事项清单")]
    tops = re.findall(r"^(\d+)\.\s*[^\d\s]", body, re.M)
    subs = re.findall(r"^(\d+\.\d)\s*\S+-\S+", body, re.M)  # 3.1 灵活就业人员参保登记-参保登记
    with_subs = {s.split(".")[0] for s in subs}
    return {t for t in tops if t not in with_subs} | set(subs)


def list_001() -> set[str]:
    text = read(DOC001)
    body = text[text.index("第二部分 政务服务"): text.index("（详见附件 2）")]
    items, chapter, has_sub = set(), None, {}
    for line in body.splitlines():
        m = re.match(rf"^([{CN_NUM}]+)、", line)
        if m:
            chapter = m.group(1)
            has_sub.setdefault(chapter, False)
            continue
        m = re.match(rf"^[（(]\s*([{CN_NUM}]+)\s*[）)]", line)
        if m and chapter:
            items.add(f"{chapter}({m.group(1)})")
            has_sub[chapter] = True
    items |= {c for c, sub in has_sub.items() if not sub}
    return items


def list_003() -> set[str]:
    text = (SEED / "sources" / DOC003).read_text(encoding="utf-8")
    table = text[text.index("## 医保权力事项清单"): text.index("# 办事不找关系路径")]
    return set(re.findall(r"\t(\d+)\t[^\t]+\t\d+\t", table))


def list_004() -> set[str]:
    text = (SEED / "sources" / DOC004).read_text(encoding="utf-8")
    table = text[text.index("医保权力事项清单"): text.index("合规办事业务指南\n")]
    return set(re.findall(rf"^([{CN_NUM}]+)、[^\t]+\t1\t", table, re.M))


def test_document_lists_have_the_sizes_the_documents_state():
    assert len(list_000()) == 29  # 24 items, 3 and 4 split into 3.1–3.4 and 4.1–4.3
    assert len(list_001()) == 32  # "第二部分 政务服务 32 项公开事项"
    assert len(list_003()) == 24
    assert len(list_004()) == 31


def top_sections(services, doc, level):
    found = set()
    for s in services:
        for ref in s.sources:
            sec = section(ref, doc)
            if sec:
                found.add(level(sec))
    return found


def test_shenyang_has_every_item_of_000(catalogue):
    services = catalogue.services("shenyang")
    got = {section(s.ref, DOC000) for s in services} - {None}
    assert got == list_000()


def test_shenyang_merges_every_item_of_001(catalogue):
    services = catalogue.services("shenyang")
    got = top_sections(services, DOC001, lambda sec: sec.split()[0].replace("（", "(").replace("）", ")"))
    assert got == list_001()


def test_fushun_has_every_item_of_003(catalogue):
    got = {section(s.ref, DOC003) for s in catalogue.services("fushun")}
    assert {g.split(".")[0] for g in got if g} == list_003()


def test_kaiyuan_has_every_item_of_004(catalogue):
    got = {section(s.ref, DOC004).split()[0] for s in catalogue.services("kaiyuan")}
    assert got == list_004()


# Services whose documents list no material, by reading them (not from the catalogue):
# 004 §二十六 1 「全额资助无需缴费，无需个人办理和提供任何材料」; 004 §二十六 2 lists only
# where to pay. Every other service's section lists materials.
NO_MATERIALS_IN_DOCUMENT = {("kaiyuan", "assistance-full-subsidy"), ("kaiyuan", "assistance-partial-subsidy")}
# 004 §二十六 1: nothing to do, so no channel either.
NO_CHANNEL_IN_DOCUMENT = {("kaiyuan", "assistance-full-subsidy")}


@pytest.mark.parametrize("region", ["shenyang", "fushun", "kaiyuan"])
def test_every_service_has_materials_or_says_why_and_a_channel(catalogue, region):
    for s in catalogue.services(region):
        key = (region, s.id)
        assert s.name and s.category and s.audience in ("个人", "单位", "医药机构")
        assert s.ref and all(" §" in r for r in s.sources)
        if key in NO_MATERIALS_IN_DOCUMENT:
            assert s.materials == [] and s.older_materials == [], key
        else:  # where the 2025 guide is silent, the 2020 guide's list still counts (SCHEMA.md)
            assert s.materials or s.older_materials, f"{key}: its documents list materials, the catalogue has none"
        for m in s.materials:
            assert m.text.strip() and m.ref.split(" §")[0].endswith(".txt"), key
        if key in NO_CHANNEL_IN_DOCUMENT:
            assert s.channels == [], key
        else:
            assert s.channels and all(c.text.strip() for c in s.channels), f"{key}: no channel"

