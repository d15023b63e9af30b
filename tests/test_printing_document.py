"""The checklist document: built from the catalogue's guide, nothing invented, no
personal data; ticket serials; the fault message."""

import json
from datetime import date, datetime

import pytest

from kiosk.catalogue.model import deadline_label
from kiosk.printing.document import ADDRESS_UNKNOWN, build_document
from kiosk.printing.layout import PAPERS, QrOp, TextOp, layout
from kiosk.printing.serials import COUNTER_FILE, next_serial
from tests.printing_support import NOW, make_doc


def test_document_holds_the_guide(catalogue):
    doc, guide = make_doc(catalogue, "shenyang", "flexible-enrol", {"hukou": "nonlocal", "applicant": "proxy"})
    text = doc.plain_text()
    assert doc.service_name == "灵活就业人员参保登记-参保登记"
    assert doc.hall_name == "沈阳市医疗保障事务服务中心"
    assert "2026-11-25 09:30" in text and "20261125-0042" in text
    for m in guide.materials:
        assert m.display_name in text
    assert "□ 1. 本人身份证和居住证" in text and "来源：申报人或赋能数据" in text
    assert "窗口：公共业务服务部及各分中心综合窗口" in text
    assert "大厅地址：皇姑区崇山中路103号，社保大厦二楼。" in text
    assert "办理时限：即时办结（不含网办）" in text
    assert "024-12345-1-7" in text
    # the QR payload is the catalogue's URL exactly
    assert doc.online_url == guide.online_url == "http://zwfw.shenyang.gov.cn/"
    assert [b.text for b in doc.blocks() if b.kind == "qr"] == ["http://zwfw.shenyang.gov.cn/"]
    # the answers appear only as the situation the list is for
    assert "适用情形：外地户籍；他人代办" in text


def test_deferrable_and_refusals(catalogue):
    doc, guide = make_doc(catalogue, "fushun", "maternity-allowance")
    text = doc.plain_text()
    assert "可容缺受理（可先受理，限期补正）" in text
    for d in guide.deferrable_items:
        assert d.text in text and deadline_label(d.deadline) in text
    assert "以下情形不予受理" in text
    for r in guide.refusals:
        assert r.text in text
    doc, guide = make_doc(catalogue, "kaiyuan", "outpatient-reimbursement")
    text = doc.plain_text()
    for m in guide.materials:  # each material with its 容缺 deadline
        assert f"可容缺，{deadline_label(m.deferrable_deadline)}" in text
    assert "下列医疗费用不纳入基本医疗保险基金支付范围：" in text  # the refusals' caption


def test_no_online_address_no_qr_and_where_to_go(catalogue):
    # Kaiyuan's 城乡居民参保登记 has a blank 网上办: no QR, the ticket names the window.
    doc, guide = make_doc(catalogue, "kaiyuan", "resident-enrol", {"hukou": "local"})
    assert guide.online_url is None and doc.online_url is None
    kinds = [b.kind for b in doc.blocks()]
    assert "qr" not in kinds and "url" not in kinds
    assert "请到开原市医疗保障事务服务中心 一楼 11 号窗口办理" in doc.plain_text()
    assert doc.fault_message == "打印机暂时不可用，请到一楼 11 号窗口咨询"
    for paper in PAPERS:
        assert not any(isinstance(op, QrOp) for page in layout(doc, paper) for op in page.ops)


def test_hall_without_address_is_not_invented(catalogue):
    doc, _ = make_doc(catalogue, "kaiyuan", "account-withdrawal")
    assert doc.hall_address is None and doc.hall_phone is None
    assert ADDRESS_UNKNOWN in doc.plain_text()
    assert doc.fault_message == "打印机暂时不可用，请扫码或到一楼 15 号窗口咨询"


def test_fault_message_without_window_number_names_the_place(catalogue):
    doc, _ = make_doc(catalogue, "shenyang", "flexible-enrol")
    assert doc.fault_message == "打印机暂时不可用，请扫码或到公共业务服务部及各分中心综合窗口咨询"


def test_unanswered_questions_mark_each_conditional_material(catalogue):
    doc, _ = make_doc(catalogue, "shenyang", "flexible-enrol")  # no answers
    text = doc.plain_text()
    assert "未选择全部情形" in text
    assert "适用：外地户籍" in text and "适用：他人代办" in text
    doc, _ = make_doc(catalogue, "shenyang", "flexible-enrol", {"hukou": "nonlocal", "applicant": "proxy"})
    assert "适用：" not in doc.plain_text()


def test_every_service_builds_and_fits_every_paper(catalogue):
    """All services of all regions: every line inside the page, QR only with a URL."""
    for region in catalogue.regions():
        halls = catalogue.halls(region.id)
        for svc in catalogue.services(region.id):
            from kiosk.catalogue.guide import build_guide

            guide = build_guide(svc, {})
            doc = build_document(guide, region, halls[0] if halls else None, serial="20261125-0001", now=NOW)
            assert doc.online_url == guide.online_url
            for paper, spec in PAPERS.items():
                pages = layout(doc, paper)
                assert (len(pages) == 1) if spec.roll else (len(pages) >= 1)
                for page in pages:
                    for op in page.ops:
                        if isinstance(op, TextOp):
                            from kiosk.printing.layout import text_width

                            right = op.x + text_width(op.text, op.size)
                            assert op.x >= spec.margin_x - 0.01, (svc.id, paper, op.text)
                            assert right <= page.width - spec.margin_x + 0.5, (svc.id, paper, op.text)
                            assert 0 < op.baseline <= page.height, (svc.id, paper, op.text)
                        elif isinstance(op, QrOp):
                            assert op.x >= 0 and op.x + op.size <= page.width
                            assert op.y + op.size <= page.height


def test_no_personal_data_is_kept(catalogue, tmp_path):
    """A citizen's typed search and answers reach the checklist only as the situation it
    is for, and nothing of them is left in any file once the session has ended."""
    from dataclasses import asdict

    from kiosk.printing import save_pdf
    from kiosk.session import KioskSession
    from kiosk.staff.state import StateStore
    from kiosk.staff.stats import UsageRecorder

    typed = "zhangsan13800138000"  # what a person might type into the search box
    store = StateStore(tmp_path / "state.sqlite")
    recorder = UsageRecorder(store)
    session = KioskSession(catalogue, "shenyang")
    session.on_finished(lambda stats, reason: recorder.session_finished(stats, reason, "shenyang"))
    session.open_search()
    session.set_query(typed)
    session.choose_service("flexible-enrol")
    for option in ("nonlocal", "proxy"):  # hukou=外地户籍, applicant=他人代办
        session.answer(option)
    doc = build_document(session.guide, catalogue.region("shenyang"), catalogue.halls("shenyang")[0],
                         serial=next_serial(NOW, tmp_path), now=NOW)
    document_text = json.dumps(asdict(doc), ensure_ascii=False, default=str)
    assert typed not in document_text
    assert "外地户籍" in doc.plain_text() and "他人代办" in doc.plain_text()  # the situation, on paper
    assert save_pdf(doc, tmp_path / "paper" / "checklist.pdf", "80mm").ok  # the citizen's own paper
    recorder.print_result("shenyang", "flexible-enrol", True)
    session.reset("home")
    store.close()
    kept = [p for p in tmp_path.rglob("*") if p.is_file() and "paper" not in p.parts]
    assert {p.name for p in kept} >= {"state.sqlite", COUNTER_FILE}
    for path in kept:
        data = path.read_bytes()
        for secret in (typed, "外地户籍", "他人代办", "nonlocal", "proxy", "hukou", "applicant"):
            assert secret.encode("utf-8") not in data, (path.name, secret)


def test_serials_count_per_day_and_persist(tmp_path):
    d1 = datetime(2026, 11, 25, 9, 0)
    assert next_serial(d1, tmp_path) == "20261125-0001"
    assert next_serial(d1, tmp_path) == "20261125-0002"
    assert json.loads((tmp_path / COUNTER_FILE).read_text()) == {"date": "2026-11-25", "last": 2}
    assert next_serial(date(2026, 11, 26), tmp_path) == "20261126-0001"  # a new day starts at 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # atomic: no leftovers


def test_serial_survives_a_damaged_counter(tmp_path):
    (tmp_path / COUNTER_FILE).write_text("{not json")
    assert next_serial(datetime(2026, 11, 25), tmp_path) == "20261125-0001"
    assert next_serial(datetime(2026, 11, 25), tmp_path) == "20261125-0002"


def test_serials_are_unique_across_threads(tmp_path):
    import threading

    out = []
    lock = threading.Lock()

    def take():
        s = next_serial(datetime(2026, 11, 25), tmp_path)
        with lock:
            out.append(s)

    threads = [threading.Thread(target=take) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 20


def test_make_checklist_uses_the_data_dir(catalogue, _private_data_dir):
    from kiosk.catalogue.guide import build_guide
    from kiosk.printing import make_checklist

    svc = catalogue.service("fushun", "resident-enrol")
    a = make_checklist(build_guide(svc, {}), catalogue.region("fushun"), catalogue.halls("fushun")[0])
    b = make_checklist(build_guide(svc, {}), catalogue.region("fushun"), catalogue.halls("fushun")[0])
    assert a.serial != b.serial and a.serial[:8] == b.serial[:8]
    assert (_private_data_dir / COUNTER_FILE).exists()


@pytest.mark.parametrize("label", ["是", "不是"])
def test_short_answer_labels_carry_their_question(catalogue, label):
    svc = catalogue.service("shenyang", "flexible-retire")
    q = svc.question("flexible_status")
    opt = next(o for o in q.options if o.label == label)
    doc, _ = make_doc(catalogue, "shenyang", "flexible-retire", {"flexible_status": opt.id})
    assert any(s.endswith(f"：{label}") and q.text.rstrip("？") in s for s in doc.situations)


def test_document_is_built_without_qt():
    """The document and its layout are plain Python: the CLI prints without a display."""
    import subprocess
    import sys

    code = ("import sys, kiosk.printing.document, kiosk.printing.layout, kiosk.printing.pdf; "
            "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
