"""A checklist a clerk can trace: every printed checklist carries the catalogue's
version, the guide (and its date) it follows and a short hash of exactly what was
printed; `kiosk show --json` gives the same hash for the same answers and hall."""

import json
import shutil
import sqlite3
import subprocess
from datetime import datetime

from kiosk.catalogue.guide import build_guide
from kiosk.db.service import CatalogueService
from kiosk.printing.document import build_document


def doc_for(catalogue, region, service, answers, serial="A", now=datetime(2026, 1, 1, 9, 0)):
    g = build_guide(catalogue.service(region, service), answers)
    return build_document(g, catalogue.region(region), catalogue.halls(region)[0], serial=serial, now=now)


def test_printed_pdf_carries_version_guide_and_the_hash_show_gives(kiosk_stdout, tmp_path):
    args = ["--region", "shenyang", "--service", "flexible-enrol", "--answer", "hukou=nonlocal",
            "--answer", "applicant=proxy", "--hall", "heping"]
    shown = json.loads(kiosk_stdout("show", *args, "--json"))["checklist"]
    assert len(shown["hash"]) == 8 and int(shown["hash"], 16) >= 0
    assert shown["follows"] == "2025 年《沈阳市医疗保障事务服务中心 办事不找关系指南》"
    assert shown["catalogue_version"].startswith("seed-")
    pdf = tmp_path / "c.pdf"
    out = kiosk_stdout("print", *args, "--pdf", str(pdf))
    assert out.rstrip().endswith(f"校验码 {shown['hash']}")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.replace("\n", "")
    assert f"目录版本 {shown['catalogue_version']}" in text
    assert "依据 2025 年《沈阳市医疗保障事务服务中心 办事不找关系指南》" in text
    assert f"校验码 {shown['hash']}" in text


def test_hash_ignores_serial_and_time_but_not_content(catalogue):
    a = doc_for(catalogue, "shenyang", "flexible-enrol", {"hukou": "local", "applicant": "self"})
    b = doc_for(catalogue, "shenyang", "flexible-enrol", {"hukou": "local", "applicant": "self"},
                serial="B", now=datetime(2026, 6, 1, 15, 30))
    assert a.content_hash == b.content_hash
    other = doc_for(catalogue, "shenyang", "flexible-enrol", {"hukou": "nonlocal", "applicant": "self"})
    assert other.content_hash != a.content_hash
    a.materials[0] = type(a.materials[0])(name=a.materials[0].name + "（复印件）")
    assert a.content_hash != b.content_hash  # one changed line on paper, another hash
    assert a.blocks()[-1].text.endswith(f"校验码 {a.content_hash}")


def test_guide_date_per_region(catalogue):
    assert doc_for(catalogue, "shenyang", "maternity-allowance", {}).follows == "2025 年 12 月《沈阳市医疗保险经办政策手册》"
    assert doc_for(catalogue, "fushun", "unit-registration", {}).follows == \
        "《抚顺市医疗保障事务服务中心 办事不找关系指南》（未注明日期）"
    assert doc_for(catalogue, "kaiyuan", "unit-registration", {}).follows == \
        "《开原市医疗保障局 办事不找关系指南》（未注明日期）"


def test_catalogue_version_is_the_installed_bundles(catalogue_db, tmp_path):
    db = tmp_path / "c.sqlite"
    shutil.copy(catalogue_db, db)
    con = sqlite3.connect(db)
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('bundle_version', '2026-12-01.1')")
    con.commit()
    con.close()
    cat = CatalogueService(db)
    try:
        doc = doc_for(cat, "kaiyuan", "unit-registration", {})
        assert doc.catalogue_version == "2026-12-01.1"
        assert doc.trace_line.startswith("目录版本 2026-12-01.1 · 依据 《开原市医疗保障局 办事不找关系指南》")
    finally:
        cat.close()
