"""The PDF renderer in A4, 80 mm and 58 mm: page sizes, embedded CJK font, text and QR
read back with poppler and zbar."""

import subprocess

import pytest

from kiosk.printing import save_pdf
from kiosk.printing.layout import MM
from kiosk.printing.pdf import render_pdf, write_pdf
from tests.printing_support import make_doc, need, pdf_page_sizes, pdf_qr_codes, pdf_text

PAPERS = ["a4", "80mm", "58mm"]


@pytest.mark.parametrize("paper", PAPERS)
def test_pdf_text_qr_and_size(catalogue, tmp_path, paper):
    doc, guide = make_doc(catalogue, "shenyang", "maternity-allowance", {"allowance_kind": "birth",
                                                                          "applicant": "proxy"})
    path = write_pdf(doc, tmp_path / f"checklist-{paper}.pdf", paper)
    text = pdf_text(path)
    flat = "".join(text.split())
    assert doc.service_name in flat
    for m in guide.materials:
        assert "".join(m.display_name.split()) in flat, m.display_name
    assert "编号" in flat and doc.serial in flat
    assert pdf_qr_codes(path, tmp_path) == [guide.online_url]
    sizes = pdf_page_sizes(path)
    if paper == "a4":
        assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in sizes)
    else:
        width = 80 if paper == "80mm" else 58
        assert len(sizes) == 1
        w, h = sizes[0]
        assert abs(w - width * MM) < 1
        assert 100 * MM < h < 600 * MM  # a continuous roll: as long as the content


def test_roll_height_follows_content(catalogue):
    from kiosk.printing.layout import layout

    short, _ = make_doc(catalogue, "kaiyuan", "unit-record-query")
    long, _ = make_doc(catalogue, "shenyang", "maternity-medical-payment")
    for paper in ("80mm", "58mm"):
        assert layout(short, paper)[0].height < layout(long, paper)[0].height


def test_font_is_embedded_truetype(catalogue, tmp_path):
    need("pdffonts")
    doc, _ = make_doc(catalogue, "fushun", "resident-enrol")
    path = write_pdf(doc, tmp_path / "c.pdf", "80mm")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    rows = [ln for ln in out.splitlines()[2:] if ln.strip()]
    cjk = [r for r in rows if "WenQuanYi" in r]
    assert cjk, out
    for r in cjk:
        assert "TrueType" in r and " yes yes yes " in f" {' '.join(r.split()[-5:-2])} ", r  # emb sub uni
    assert "STSong" not in out


def test_no_url_no_qr_in_pdf(catalogue, tmp_path):
    doc, _ = make_doc(catalogue, "kaiyuan", "resident-enrol", {"hukou": "nonlocal"})
    path = write_pdf(doc, tmp_path / "k.pdf", "58mm")
    assert pdf_qr_codes(path, tmp_path) == []
    assert "一楼 11 号窗口" in pdf_text(path)


def test_save_pdf_reports_faults_without_raising(catalogue, tmp_path):
    doc, _ = make_doc(catalogue, "fushun", "resident-enrol")
    ok = save_pdf(doc, tmp_path / "ok.pdf", "a4")
    assert ok.ok and (tmp_path / "ok.pdf").read_bytes().startswith(b"%PDF")
    (tmp_path / "file").write_text("x")
    bad = save_pdf(doc, tmp_path / "file" / "sub.pdf", "a4")  # a file where a folder should be
    assert not bad.ok and bad.fault == "error" and bad.message.startswith("打印机暂时不可用")
    assert not save_pdf(doc, tmp_path / "x.pdf", "a3").ok


def test_render_is_deterministic_in_content(catalogue, tmp_path):
    """The same document renders to the same text every time."""
    doc, guide = make_doc(catalogue, "fushun", "resident-enrol", {"resident_action": "new", "hukou": "local"})
    texts = []
    for n in range(2):
        path = tmp_path / f"run{n}.pdf"
        path.write_bytes(render_pdf(doc, "a4"))
        texts.append(pdf_text(path))
    assert texts[0] == texts[1]
    flat = "".join(texts[0].split())
    assert doc.service_name in flat and doc.serial in flat
    for m in guide.materials:
        assert "".join(m.display_name.split()) in flat, m.display_name
    with pytest.raises(ValueError):
        render_pdf(doc, "legal")
