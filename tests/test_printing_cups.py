"""Printing through a real CUPS daemon with a cups-pdf queue (scripts/test-services.sh
starts it and names the queue in KIOSK_TEST_CUPS_QUEUE), reading the produced PDF
back; and the faults: no such queue, CUPS stopped, a queue that rejects jobs, a
paused printer — each a citizen message within seconds."""

import os
import pwd
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.config import PrinterConfig
from kiosk.printing import print_checklist
from tests.printing_support import make_doc, need, pdf_qr_codes, pdf_text

QUEUE = os.environ.get("KIOSK_TEST_CUPS_QUEUE", "kiosk-pdf")


def _scheduler_running() -> bool:
    out = subprocess.run(["lpstat", "-r"], capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=10)
    return b"scheduler is running" in out.stdout


@pytest.fixture(scope="module")
def cups_queue():
    need("cupsd", "lp", "lpstat", "lpadmin")
    if not _scheduler_running():
        pytest.fail("cupsd is installed but not running: run the tests through scripts/test.sh, "
                    "which starts it (scripts/test-services.sh)")
    out = subprocess.run(["lpstat", "-p", QUEUE], capture_output=True, env={**os.environ, "LC_ALL": "C"})
    assert out.returncode == 0, f"queue {QUEUE} missing: {out.stderr.decode()}"
    return QUEUE


def _pdf_dir() -> Path:
    return Path(os.environ.get("KIOSK_TEST_CUPS_PDF_DIR") or Path(pwd.getpwuid(os.getuid()).pw_dir) / "PDF")


def _job_pdf(job: str) -> Path:
    number = job.rsplit("-", 1)[1]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        hits = [p for p in _pdf_dir().glob(f"*job_{number}.pdf") if p.stat().st_size > 0]
        if hits:
            return hits[0]
        time.sleep(0.1)
    raise AssertionError(f"no cups-pdf output for job {job} in {_pdf_dir()}")


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_print_through_cups_pdf_and_read_back(catalogue, cups_queue, tmp_path, paper):
    doc, guide = make_doc(catalogue, "shenyang", "maternity-allowance", {"allowance_kind": "birth",
                                                                          "applicant": "proxy"})
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="cups", queue=cups_queue, paper=paper, timeout=20))
    assert result.ok, result
    assert result.message == "清单已打印，请取走。"
    assert time.monotonic() - started < 20
    pdf = _job_pdf(result.job)
    flat = "".join(pdf_text(pdf).split())
    assert doc.service_name in flat  # Chinese text survives CUPS' PostScript round trip
    for m in guide.materials:
        assert "".join(m.display_name.split()) in flat, m.display_name
    assert pdf_qr_codes(pdf, tmp_path) == ["http://zwfw.shenyang.gov.cn/"]


def test_kaiyuan_without_online_address_prints_where_to_go(catalogue, cups_queue, tmp_path):
    doc, _ = make_doc(catalogue, "kaiyuan", "resident-enrol", {"hukou": "local"})
    result = print_checklist(doc, PrinterConfig(kind="cups", queue=cups_queue, paper="a4", timeout=20))
    assert result.ok, result
    pdf = _job_pdf(result.job)
    assert "请到开原市医疗保障事务服务中心一楼11号窗口办理" in "".join(pdf_text(pdf).split())
    assert pdf_qr_codes(pdf, tmp_path) == []


def _assert_quick_fault(result, started, fault, limit=5.0):
    assert not result.ok
    assert result.fault == fault, result
    assert result.message.startswith("打印机暂时不可用，请")
    assert time.monotonic() - started < limit


def test_nonexistent_queue(catalogue, cups_queue, caplog):
    doc, _ = make_doc(catalogue, "kaiyuan", "account-withdrawal")
    started = time.monotonic()
    with caplog.at_level("WARNING", logger="kiosk.printing"):
        result = print_checklist(doc, PrinterConfig(kind="cups", queue="no-such-printer", paper="a4"))
    _assert_quick_fault(result, started, "not-found")
    assert result.message == "打印机暂时不可用，请扫码或到一楼 15 号窗口咨询"
    assert any("no-such-printer" in r.getMessage() and "not-found" in r.getMessage() for r in caplog.records)


def test_cups_stopped(catalogue, cups_queue, monkeypatch):
    """The client finds no scheduler: what a stopped cupsd looks like to the kiosk."""
    monkeypatch.setenv("CUPS_SERVER", "/run/cups/kiosk-test-stopped.sock")
    doc, _ = make_doc(catalogue, "shenyang", "flexible-enrol")
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="cups", queue=cups_queue, paper="a4"))
    _assert_quick_fault(result, started, "offline")
    assert "scheduler" in result.detail


@pytest.fixture
def second_queue(cups_queue):
    name = "kiosk-pdf-faults"
    subprocess.run(["lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-P",
                    "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"], capture_output=True, check=True, timeout=20)
    yield name
    subprocess.run(["lpadmin", "-x", name], capture_output=True, timeout=20)


def test_queue_rejecting_jobs(catalogue, second_queue):
    subprocess.run(["cupsreject", "-r", "test", second_queue], check=True, timeout=20)
    doc, _ = make_doc(catalogue, "shenyang", "flexible-enrol")
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="cups", queue=second_queue, paper="a4"))
    _assert_quick_fault(result, started, "refused")


def test_paused_printer(catalogue, second_queue):
    subprocess.run(["cupsdisable", "-r", "cover open", second_queue], check=True, timeout=20)
    doc, _ = make_doc(catalogue, "shenyang", "flexible-enrol")
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="cups", queue=second_queue, paper="a4"))
    _assert_quick_fault(result, started, "offline")
    assert "cover open" in result.detail
    out = subprocess.run(["lpstat", "-o", second_queue], capture_output=True, timeout=20).stdout
    assert out.strip() == b""  # nothing left queued to print later for somebody else


def test_job_that_cannot_finish_is_cancelled(catalogue, second_queue):
    """A printer that takes the job but never prints it (here: a backend that cannot
    connect): the kiosk gives up after the timeout and cancels the job."""
    subprocess.run(["lpadmin", "-p", second_queue, "-v", "socket://127.0.0.1:9"], check=True,
                   capture_output=True, timeout=20)
    doc, _ = make_doc(catalogue, "shenyang", "flexible-enrol")
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="cups", queue=second_queue, paper="a4", timeout=3))
    assert not result.ok and result.fault in ("timeout", "offline"), result
    assert time.monotonic() - started < 8
    time.sleep(0.5)
    out = subprocess.run(["lpstat", "-o", second_queue], capture_output=True, timeout=20).stdout
    assert out.strip() == b""
