"""The on-screen preview draws the printed document (same display list), readable at
kiosk sizes; the print dialog reports the printer's answer without blocking."""

import pytest

from kiosk.config import PrinterConfig
from kiosk.printing.layout import TextOp, layout, paper_spec
from kiosk.ui.citizen.print_preview import PrintDialog, PrintPreview, render_image
from tests.printing_support import Listener, free_port, image_qr_codes, make_doc


@pytest.fixture
def doc(catalogue):
    d, _ = make_doc(catalogue, "shenyang", "flexible-enrol", {"hukou": "nonlocal", "applicant": "proxy"})
    return d


@pytest.mark.parametrize("paper", ["a4", "80mm", "58mm"])
def test_preview_is_readable_and_shows_the_same_pages(qtbot, doc, paper):
    w = PrintPreview(doc, paper)
    qtbot.addWidget(w)
    w.resize(1000, 1400)
    w.show()
    qtbot.waitExposed(w)
    body = paper_spec(paper).body
    page_w = max(pg.width for pg in w.sheet.pages)
    fits_at_28px = page_w * 28 / body <= w.viewport().width() - 40
    if fits_at_28px:
        assert body * w.scale >= 28  # body text at least 28 px
    assert w.horizontalScrollBar().maximum() == 0  # never a sideways drag
    assert w.sheet.pages == layout(doc, paper)  # exactly what the PDF draws
    texts = [op.text for page in w.sheet.pages for op in page.ops if isinstance(op, TextOp)]
    assert doc.service_name in "".join(texts)


def test_preview_image_qr_decodes(qtbot, doc, tmp_path):
    img = render_image(doc, "80mm", 3.0)
    path = tmp_path / "preview.png"
    assert img.save(str(path))
    assert image_qr_codes(path) == ["http://zwfw.shenyang.gov.cn/"]


def test_dialog_prints_off_the_gui_thread(qtbot, doc):
    lis = Listener(status={1: b"\x12", 4: b"\x12"})
    d = PrintDialog(None, doc, PrinterConfig(kind="escpos", address=lis.address), "80mm")
    qtbot.addWidget(d)
    d.show()
    d.print_button.click()
    assert d.status.text() == "正在打印，请稍候…"
    qtbot.waitUntil(lambda: d.print_result is not None, timeout=10000)
    assert d.print_result.ok and d.status.text() == "清单已打印，请取走。"
    assert doc.service_name.encode("gb18030") in lis.wait()


def test_dialog_fault_keeps_the_checklist_and_says_where_to_go(qtbot, doc):
    d = PrintDialog(None, doc, PrinterConfig(kind="escpos", address=f"tcp://127.0.0.1:{free_port()}"), "80mm")
    qtbot.addWidget(d)
    d.show()
    d.print_button.click()
    qtbot.waitUntil(lambda: d.print_result is not None, timeout=10000)
    assert d.status.text() == "打印机暂时不可用，请扫码或到公共业务服务部及各分中心综合窗口咨询"
    assert d.preview.isVisible() and d.print_button.isEnabled()  # try again, or scan the QR


def test_dialog_without_printer(qtbot, doc):
    d = PrintDialog(None, doc, PrinterConfig(kind="none"), "80mm")
    qtbot.addWidget(d)
    d.show()
    assert not d.print_button.isVisible()
    assert d.status.text().startswith("本机暂不提供打印，请扫码或到")
