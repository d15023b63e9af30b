"""Fault injection for staff mode and printing (issue 12): ESC/POS printers on
127.0.0.1 that never answer, talk garbage, hang up or run out of paper; fuzzed
workbooks for the xlsx import. Every case asserts: no traceback, no hang, the
citizen's message, and nothing reported as printed or saved that was not."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from kiosk.config import PrinterConfig
from kiosk.printing import OK_MESSAGE, print_checklist
from tests.printing_support import make_doc

FAULT_MESSAGE = "打印机暂时不可用，请扫码或到一楼 15 号窗口咨询"
OK_STATUS = b"\x12"  # a real-time status byte: online, paper present
PAPER_END = b"\x72"  # DLE EOT 4: roll paper end sensor (bits 5 and 6)


class FakePrinter:
    """An ESC/POS printer on 127.0.0.1 (ephemeral port) driven by `answer(n, query)`:
    called for the n-th DLE EOT query (0-based) with its function byte, it returns the
    bytes to send back, None to stay silent, or "close" to hang up."""

    def __init__(self, answer, on_connect: bytes = b""):
        self.answer = answer
        self.on_connect = on_connect
        self.data = bytearray()
        self.queries: list[int] = []
        self.done = threading.Event()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.server.settimeout(10)
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            self.done.set()
            return
        conn.settimeout(10)
        scanned = 0
        try:
            if self.on_connect:
                conn.sendall(self.on_connect)
            while chunk := conn.recv(4096):
                self.data += chunk
                while (i := self.data.find(b"\x10\x04", scanned)) != -1 and i + 2 < len(self.data):
                    scanned = i + 3
                    reply = self.answer(len(self.queries), self.data[i + 2])
                    self.queries.append(self.data[i + 2])
                    if reply == "close":
                        return
                    if reply:
                        conn.sendall(reply)
        except OSError:
            pass
        finally:
            conn.close()
            self.server.close()
            self.done.set()

    def wait(self, timeout: float = 10) -> bytes:
        self.done.wait(timeout)
        return bytes(self.data)


@pytest.fixture(scope="module")
def doc(catalogue):
    d, _ = make_doc(catalogue, "kaiyuan", "account-withdrawal", {"withdrawal_reason": "death"})
    return d


def _print(doc, printer, timeout=3.0):
    started = time.monotonic()
    result = print_checklist(doc, PrinterConfig(kind="escpos", address=printer.address, paper="80mm",
                                                timeout=timeout))
    return result, time.monotonic() - started


def _job_sent(doc, printer) -> bool:
    return doc.service_name.encode("gb18030") in printer.wait(5)


def test_a_printer_that_answers_after_the_job_with_paper_is_printed(doc):
    p = FakePrinter(lambda n, q: OK_STATUS)
    result, seconds = _print(doc, p)
    assert result.ok and result.message == OK_MESSAGE and result.fault is None, result
    assert p.queries == [1, 4, 1, 4]  # before the job and after it
    assert _job_sent(doc, p) and seconds < 3


@pytest.mark.parametrize("name, answer, fault, job_sent", [
    # silent from the start: nothing is printed blind, no 已打印
    ("silent", lambda n, q: None, "timeout", False),
    # answers before the job, then never again: the job went out but is not confirmed
    ("silent after the job", lambda n, q: OK_STATUS if n < 2 else None, "timeout", True),
    # garbage instead of status bytes (an HTTP server, a modem, a wrong port)
    ("garbage", lambda n, q: b"HTTP/1.1 400 Bad Request\r\n", "offline", False),
    ("garbage after the job", lambda n, q: OK_STATUS if n < 2 else b"\xff\x00", "offline", True),
    ("one byte of two", lambda n, q: OK_STATUS if n in (0, 1, 2) else None, "timeout", True),
    # hangs up at the first query, or after the job before answering
    ("closes at once", lambda n, q: "close", "disconnected", False),
    ("closes after the job", lambda n, q: OK_STATUS if n < 2 else "close", "disconnected", True),
    # paper end before the job: not sent; paper ran out during the job: not printed
    ("paper out", lambda n, q: PAPER_END if q == 4 else OK_STATUS, "paper-out", False),
    ("paper out after the job", lambda n, q: PAPER_END if (q == 4 and n >= 2) else OK_STATUS, "paper-out", True),
    # offline (cover open) after the job
    ("offline after the job", lambda n, q: b"\x1a" if (q == 1 and n >= 2) else OK_STATUS, "offline", True),
])
def test_printer_faults_are_never_reported_as_printed(doc, name, answer, fault, job_sent):
    p = FakePrinter(answer)
    result, seconds = _print(doc, p, timeout=2.0)
    assert not result.ok, name
    assert result.fault == fault, (name, result)
    assert result.message == FAULT_MESSAGE and result.message != OK_MESSAGE
    assert "Traceback" not in result.detail
    assert seconds < 4, (name, seconds)  # bounded by the printer timeout, no hang
    assert _job_sent(doc, p) is job_sent, name


def test_unsolicited_bytes_before_the_status_are_garbage(doc):
    p = FakePrinter(lambda n, q: OK_STATUS, on_connect=b"\x00\x00\x00")
    result, _ = _print(doc, p)
    assert not result.ok and result.fault == "offline", result
    assert not _job_sent(doc, p)


def test_kiosk_print_with_a_silent_printer_exits_1_with_the_message(catalogue_db, capsys):
    from kiosk.cli import main

    p = FakePrinter(lambda n, q: None)
    code = main(["--db", str(catalogue_db), "print", "--region", "kaiyuan", "--service", "account-withdrawal",
                 "--escpos", p.address])
    err = capsys.readouterr().err
    assert code == 1
    assert FAULT_MESSAGE in err and "Traceback" not in err


@pytest.mark.parametrize("flag", ["--printer", "--escpos", "--pdf"])
@pytest.mark.parametrize("value", ["", "  "])
def test_empty_printer_names_are_refused(catalogue_db, capsys, flag, value, monkeypatch):
    """`--printer ""` once went to the ESC/POS path; now an empty target is a usage error
    and nothing is sent anywhere."""
    from kiosk import cli

    sent = []
    monkeypatch.setattr("kiosk.printing.print_checklist", lambda *a, **k: sent.append(a))
    code = cli.main(["--db", str(catalogue_db), "print", "--region", "kaiyuan", "--service", "account-withdrawal",
                     flag, value])
    err = capsys.readouterr().err
    assert code == 2 and sent == []
    assert f"{flag} needs a value" in err and "Traceback" not in err


def test_empty_queue_in_the_config_is_a_fault_not_the_escpos_path(doc, monkeypatch):
    import kiosk.printing.escpos as escpos

    monkeypatch.setattr(escpos, "send_escpos", lambda *a, **k: pytest.fail("sent to the ESC/POS path"))
    for queue in ("", "   "):
        result = print_checklist(doc, PrinterConfig(kind="cups", queue=queue, paper="80mm"))
        assert not result.ok and result.fault == "not-found" and "printer.queue is empty" in result.detail
        assert result.message == FAULT_MESSAGE


def test_config_set_refuses_an_empty_cups_queue(tmp_path, monkeypatch, capsys):
    import json

    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(tmp_path))
    assert main(["config", "set", "printer.kind", "cups"]) == 0
    assert "printer.queue is empty" in capsys.readouterr().err  # warned: not yet usable
    assert main(["config", "set", "printer.queue", ""]) == 2
    assert "empty queue name" in capsys.readouterr().err
    assert json.loads((tmp_path / "config.json").read_text())["printer"]["queue"] == ""
    assert main(["config", "set", "printer.queue", "receipt"]) == 0
    assert main(["config", "show"]) == 0
    assert "printer.queue is empty" not in capsys.readouterr().err
