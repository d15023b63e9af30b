"""ESC/POS: the bytes a thermal printer on 127.0.0.1 receives (GB18030/GBK Chinese
mode, native or image QR, cut), and the faults: a printer that hangs up mid-job, an
unreachable port, an empty roll, an offline printer."""

import os
import re
import time

import pytest

from kiosk.config import PrinterConfig
from kiosk.printing import print_checklist
from kiosk.printing.escpos import CHINESE_MODE, INIT, escpos_bytes
from tests.printing_support import Listener, free_port, make_doc

QR_STORE = re.compile(rb"\x1d\(k(..)\x31\x50\x30", re.S)  # GS ( k pL pH cn=49 fn=80 m=48: store data
CUT = re.compile(rb"\x1dV[\x00\x01\x30\x31]|\x1dV[\x41\x42].")


def qr_payloads(data: bytes) -> list[str]:
    out = []
    for m in QR_STORE.finditer(data):
        n = m.group(1)[0] + 256 * m.group(1)[1] - 3
        out.append(data[m.end():m.end() + n].decode("ascii"))
    return out


@pytest.fixture
def doc(catalogue):
    d, _ = make_doc(catalogue, "kaiyuan", "account-withdrawal", {"withdrawal_reason": "death"})
    return d


def test_bytes_to_a_listener(doc):
    lis = Listener(status={1: b"\x12", 4: b"\x12"})
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=lis.address, paper="80mm",
                                                encoding="gb18030"))
    data = lis.wait()
    assert result.ok, result
    assert time.monotonic() - started < 5
    assert INIT + CHINESE_MODE in data  # ESC @, then FS & (Chinese character mode)
    assert data.index(CHINESE_MODE) < data.index(doc.service_name.encode("gb18030"))
    assert "参保人员个人账户一次性支取".encode("gb18030") in data
    assert "□ 1. 有效身份证件".encode("gb18030") in data
    assert "可容缺，补正期限：5个工作日".encode("gb18030") in data  # full-width punctuation kept
    assert qr_payloads(data) == ["http://wt.tlyb.vip/hallEnter/#/"]
    assert b"\x1d(k\x03\x001Q0" in data  # print the stored symbol
    assert CUT.search(data[:-6][-8:]), data[-16:]  # cut at the end of the job
    assert data.startswith(b"\x10\x04\x01\x10\x04\x04")  # status asked before the job
    assert data.endswith(b"\x10\x04\x01\x10\x04\x04")  # and after it


def test_gbk_profile_and_58mm(doc):
    data = escpos_bytes(doc, "58mm", "gbk")
    assert doc.service_name.encode("gbk") in data
    # 32 columns: no printed line is wider (a Chinese character is two columns)
    body = data.split(CHINESE_MODE, 1)[1]
    for line in re.split(rb"\n", body):
        text = re.sub(rb"[\x1b\x1c\x1d].{2}", b"", line)
        if b"\x1d(k" in line or not text:
            continue
        try:
            s = text.decode("gbk")
        except UnicodeDecodeError:
            continue
        assert sum(1 if ord(c) < 0x80 else 2 for c in s) <= 32, s


def test_characters_outside_gbk_do_not_break_the_job(doc):
    from dataclasses import replace

    odd = replace(doc, service_name="医保𠀀测试")  # a CJK Ext-B character GBK lacks
    assert "医保".encode("gbk") in escpos_bytes(odd, "80mm", "gbk")
    assert "𠀀".encode("gb18030") in escpos_bytes(odd, "80mm", "gb18030")


def test_image_qr_fallback(doc):
    data = escpos_bytes(doc, "80mm", "gb18030", qr="image")
    assert qr_payloads(data) == []
    assert b"\x1dv0" in data  # GS v 0: raster bit image
    assert CUT.search(data[-8:])


def test_no_qr_without_url(catalogue):
    d, _ = make_doc(catalogue, "kaiyuan", "resident-enrol", {"hukou": "local"})
    data = escpos_bytes(d, "80mm")
    assert qr_payloads(data) == [] and b"\x1dv0" not in data
    text = data.decode("gb18030", errors="ignore").replace("\n", "")
    assert "本事项文件未给出网上办理地址，请到开原市医疗保障事务服务中心 一楼 11 号窗口办理" in text


def test_silent_printer_is_a_fault_and_gets_no_job(doc):
    lis = Listener(status=None)  # never answers status queries
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=lis.address, paper="58mm"))
    _assert_fault(result, started, "timeout")
    lis.close()
    assert doc.service_name.encode("gb18030") not in lis.wait(2)  # not printed blind


def _assert_fault(result, started, fault):
    assert not result.ok and result.fault == fault, result
    assert result.message == "打印机暂时不可用，请扫码或到一楼 15 号窗口咨询"
    assert time.monotonic() - started < 5


def test_listener_closes_mid_job(doc):
    lis = Listener(status={1: b"\x12", 4: b"\x12"}, close_after=64)
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=lis.address, paper="80mm"))
    _assert_fault(result, started, "disconnected")


def test_unreachable_port(doc):
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=f"tcp://127.0.0.1:{free_port()}"))
    _assert_fault(result, started, "offline")


def test_paper_end_reported_before_printing(doc):
    lis = Listener(status={1: b"\x12", 4: b"\x72"})  # roll paper end sensor
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=lis.address))
    _assert_fault(result, started, "paper-out")
    assert doc.service_name.encode("gb18030") not in lis.wait()  # nothing printed


def test_offline_printer(doc):
    lis = Listener(status={1: b"\x1a", 4: b"\x12"})  # bit 3: offline (cover open …)
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=lis.address))
    _assert_fault(result, started, "offline")


def test_bad_address_and_no_printer(doc):
    r = print_checklist(doc, PrinterConfig(kind="escpos", address="lpt://1"))
    assert not r.ok and r.fault == "not-found"
    r = print_checklist(doc, PrinterConfig(kind="none"))
    assert not r.ok and r.fault == "no-printer" and r.message.startswith("打印机暂时不可用")


def test_serial_printer_through_a_pty(doc):
    """A real serial port (a pseudo-terminal) through python-escpos' Serial printer; the
    other end answers the status queries as a printer with paper does."""
    import select
    import threading
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    got = bytearray()
    stop = threading.Event()

    def printer():
        scanned = 0
        while not stop.is_set():
            if not select.select([master], [], [], 0.05)[0]:
                continue
            got.extend(os.read(master, 65536))
            while (i := got.find(b"\x10\x04", scanned)) != -1 and i + 2 < len(got):
                os.write(master, b"\x12")
                scanned = i + 3

    t = threading.Thread(target=printer, daemon=True)
    t.start()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=f"serial://{path}", timeout=3))
    stop.set()
    t.join(2)
    os.close(master)
    os.close(slave)
    assert result.ok, result
    assert doc.service_name.encode("gb18030") in got and CUT.search(bytes(got)[:-6][-8:])
