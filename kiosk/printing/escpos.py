"""ESC/POS thermal receipt printers (python-escpos): network, USB and serial.

`escpos_bytes(doc, paper, encoding, qr)` renders the checklist to the exact bytes a
58 mm or 80 mm printer receives; `send_escpos(data, address, timeout)` delivers them.

Chinese text is encoded here, deliberately, as GB18030 or GBK (the printer profile's
`encoding`), after `FS &` switches the printer to Chinese character mode: python-escpos'
own text() neither sends that command nor keeps full-width punctuation in a string
without CJK characters. The QR code is the printer's native one (GS ( k, model 2) or,
for printers without it, a raster image of the same matrix; the paper is cut at the
end. python-escpos builds the QR, image and cut commands and opens the connection.

Addresses: tcp://HOST[:PORT] (default port 9100), usb://VID:PID (hex),
serial:///dev/ttyS0[?baudrate=9600].
"""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import parse_qs, urlsplit

from kiosk.printing.document import ChecklistDocument
from kiosk.printing.layout import display_width, qr_matrix, wrap

log = logging.getLogger("kiosk.printing")

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"
INIT = ESC + b"@"
CHINESE_MODE = FS + b"&"  # select Kanji (Chinese) character mode
STATUS_PRINTER = DLE + EOT + b"\x01"  # real-time status: printer (bit 3 = offline)
STATUS_PAPER = DLE + EOT + b"\x04"  # real-time status: roll paper sensor
PAPER_END_BITS = 0x60
PAPER_NEAR_END_BITS = 0x0C
OFFLINE_BIT = 0x08

# Characters per line of font A (12x24 dots); a Chinese character takes two.
COLUMNS = {"80mm": 48, "58mm": 32}
QR_MODULE_DOTS = {"80mm": 7, "58mm": 5}


class EscposFault(Exception):
    """A delivery fault. kind: not-found | offline | paper-out | disconnected | timeout | refused."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


# -- rendering ---------------------------------------------------------------------------------
def _align(n: int) -> bytes:
    return ESC + b"a" + bytes([n])


def _bold(on: bool) -> bytes:
    return ESC + b"E" + (b"\x01" if on else b"\x00")


def _size(double_height: bool) -> bytes:
    # GS ! for ASCII, FS ! for Chinese characters (bit 3 = double height)
    return GS + b"!" + (b"\x01" if double_height else b"\x00") + FS + b"!" + (b"\x08" if double_height else b"\x00")


def _qr_commands(payload: str, paper: str, mode: str) -> bytes:
    from escpos.constants import QR_ECLEVEL_M
    from escpos.printer import Dummy

    p = Dummy()
    if mode == "image":
        from PIL import Image

        matrix = qr_matrix(payload)
        dots = QR_MODULE_DOTS[paper]
        n = len(matrix)
        img = Image.new("1", (n * dots, n * dots), 1)
        px = img.load()
        assert px is not None  # a new in-memory image always has pixels
        for y, row in enumerate(matrix):
            for x, on in enumerate(row):
                if on:
                    for dy in range(dots):
                        for dx in range(dots):
                            px[x * dots + dx, y * dots + dy] = 0
        p.image(img, impl="bitImageRaster")
    else:
        p.qr(payload, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS[paper], native=True)
    return p.output


def _cut() -> bytes:
    from escpos.printer import Dummy

    p = Dummy()
    p.cut(mode="PART")  # feeds past the tear bar first; falls back to a full cut
    return p.output


def escpos_bytes(doc: ChecklistDocument, paper: str = "80mm", encoding: str = "gb18030",
                 qr: str = "native") -> bytes:
    """The checklist as the byte stream of an ESC/POS printer in Chinese mode."""
    if paper not in COLUMNS:
        raise ValueError(f"ESC/POS paper must be 80mm or 58mm, not {paper!r}")
    if encoding not in ("gb18030", "gbk"):
        raise ValueError(f"unknown encoding {encoding!r}")
    cols = COLUMNS[paper]
    out = bytearray(INIT + CHINESE_MODE)

    def enc(text: str) -> bytes:
        return text.encode(encoding, errors="replace")

    def lines(text: str, *, indent: int = 0, first: str = "", center=False):
        """Wrapped lines; continuation lines (and the first, after `first`) indented."""
        for i, ln in enumerate(wrap(text, cols - indent, display_width)):
            if center:
                lead = ""
            elif i == 0 and first:
                lead = first + " " * max(1, indent - display_width(first))
            else:
                lead = " " * indent
            out.extend(enc(lead + ln) + LF)

    indent = 0
    for blk in doc.blocks():
        k = blk.kind
        if k in ("hall", "caption", "footer"):
            out.extend(_align(1))
            lines(blk.text, center=True)
            out.extend(_align(0))
        elif k == "title":
            out.extend(_align(1) + _bold(True) + _size(True))
            lines(blk.text, center=True)
            out.extend(_size(False) + _bold(False) + _align(0))
        elif k == "meta" or k == "text":
            lines(blk.text)
            indent = 0
        elif k == "rule":
            out.extend(enc("-" * cols) + LF)
        elif k == "heading":
            out.extend(LF + _bold(True))
            lines(f"【{blk.text}】")
            out.extend(_bold(False))
        elif k == "check":
            prefix = f"□{blk.number:>2}."
            indent = display_width(prefix) + 1
            lines(blk.text, indent=indent, first=prefix)
        elif k == "item":
            indent = 3
            lines(blk.text, indent=indent, first="·")
        elif k == "detail":
            lines(blk.text, indent=indent)
        elif k == "qr":
            out.extend(_align(1) + _qr_commands(blk.text, paper, qr) + LF + _align(0))
        elif k == "url":
            out.extend(_align(1))
            for ln in wrap(blk.text, cols, display_width):
                out.extend(ln.encode("ascii", errors="replace") + LF)
            out.extend(_align(0))
    out.extend(_cut())
    return bytes(out)


# -- delivery ----------------------------------------------------------------------------------
class _Link:
    """A python-escpos printer used as a byte pipe with bounded waits."""

    def __init__(self, address: str, timeout: float):
        from escpos.exceptions import DeviceNotFoundError

        self.address = address
        self.kind = ""
        url = urlsplit(address)
        try:
            if url.scheme == "tcp":
                from escpos.printer import Network

                if not url.hostname:
                    raise EscposFault("not-found", f"no host in {address!r}")
                self.kind = "tcp"
                self.printer = Network(url.hostname, url.port or 9100, timeout=min(timeout, 4.0))
                self.printer.open()
                self.sock: socket.socket = self.printer.device
                self.sock.settimeout(timeout)
            elif url.scheme == "usb":
                from escpos.printer import Usb

                vid, _, pid = (url.netloc or url.path.strip("/")).partition(":")
                self.kind = "usb"
                self.printer = Usb(int(vid, 16), int(pid, 16), timeout=int(timeout * 1000))
                self.printer.open()
            elif url.scheme == "serial":
                from escpos.printer import Serial

                q = parse_qs(url.query)
                baud = int(q.get("baudrate", ["9600"])[0])
                self.kind = "serial"
                self.printer = Serial(url.path, baudrate=baud, timeout=timeout)
                self.printer.open()
            else:
                raise EscposFault("not-found", f"unsupported printer address {address!r} "
                                  "(tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyX)")
        except EscposFault:
            raise
        except DeviceNotFoundError as exc:
            raise EscposFault("offline", f"{address}: {str(exc).strip()}") from exc
        except TimeoutError as exc:
            raise EscposFault("timeout", f"{address}: connection timed out") from exc
        except (OSError, ValueError) as exc:
            raise EscposFault("offline", f"{address}: {exc}") from exc
        except Exception as exc:  # pyusb/pyserial errors of their own kinds
            raise EscposFault("offline", f"{address}: {type(exc).__name__}: {exc}") from exc

    def send(self, data: bytes) -> None:
        if self.kind == "tcp":
            self.sock.sendall(data)
        else:
            self.printer._raw(data)

    def read(self, wait: float) -> bytes | None:
        """Up to a few status bytes; None if nothing came within `wait`; b'' at EOF (tcp)."""
        if self.kind == "tcp":
            old = self.sock.gettimeout()
            self.sock.settimeout(max(wait, 0.01))
            try:
                return self.sock.recv(16)
            except TimeoutError:
                return None
            finally:
                self.sock.settimeout(old)
        if self.kind == "serial":
            dev = self.printer.device
            old = dev.timeout
            dev.timeout = wait
            try:
                return dev.read(16) or None
            finally:
                dev.timeout = old
        try:  # usb
            data = bytes(self.printer.device.read(self.printer.in_ep, 16, int(wait * 1000)))
            return data or None
        except Exception:
            return None

    def close(self) -> None:
        try:
            if self.kind == "tcp":
                self.sock.close()
            else:
                self.printer.close()
        except Exception:
            pass


def _status_byte(b: int) -> bool:
    """A real-time status byte has bits 1 and 4 set and bits 0 and 7 clear."""
    return b & 0x93 == 0x12


def _check_status(answer: bytes | None, address: str, when: str) -> str:
    """Judge the answer to DLE EOT 1 + DLE EOT 4: a note ('' or 'paper near end'), or
    EscposFault. Only two real-time status bytes count as an answer: silence is a
    timeout, anything else (garbage, a partial answer) a printer that cannot be trusted."""
    if answer is None:
        raise EscposFault("timeout", f"{address}: no answer to the status query {when}")
    if answer == b"":
        raise EscposFault("disconnected", f"{address}: the printer closed the connection {when}")
    if len(answer) < 2 and all(_status_byte(b) for b in answer):
        raise EscposFault("timeout", f"{address}: an incomplete answer to the status query {when}")
    if len(answer) != 2 or not all(_status_byte(b) for b in answer):
        raise EscposFault("offline", f"{address}: not a status answer {when}: {answer[:8].hex(' ')}")
    if answer[0] & OFFLINE_BIT:
        raise EscposFault("offline", f"{address}: printer reports offline {when} (status {answer[0]:#04x})")
    if answer[1] & PAPER_END_BITS == PAPER_END_BITS:
        raise EscposFault("paper-out", f"{address}: paper end {when} (status {answer[1]:#04x})")
    return "paper near end" if answer[1] & PAPER_NEAR_END_BITS else ""


def send_escpos(data: bytes, address: str, timeout: float = 8.0) -> str:
    """Deliver a job. Returns a note for staff ('' or e.g. 'paper near end').

    The printer's real-time status (DLE EOT 1, DLE EOT 4) is asked before the job, so
    that an offline printer or an empty roll fails fast and nothing is printed, and
    again after it: the job counts as printed only when that second answer comes, is
    a status and says paper is present. A printer that stays silent (timeout), talks
    garbage or hangs up is a fault, never 'printed'. Raises EscposFault.
    """
    deadline = time.monotonic() + timeout
    link = _Link(address, timeout)
    try:
        try:
            link.send(STATUS_PRINTER + STATUS_PAPER)
            answer = _collect(link, 2, min(1.0, timeout / 4))
        except (TimeoutError, OSError) as exc:
            raise EscposFault("disconnected", f"{address}: status query failed: {exc}") from exc
        _check_status(answer, address, "before the job")
        try:
            for i in range(0, len(data), 1024):
                if time.monotonic() > deadline:
                    raise EscposFault("timeout", f"{address}: job not delivered within {timeout:g} s")
                link.send(data[i:i + 1024])
            link.send(STATUS_PRINTER + STATUS_PAPER)
            after = _collect(link, 2, max(0.5, deadline - time.monotonic()))
        except TimeoutError as exc:
            raise EscposFault("timeout", f"{address}: printer stopped accepting data") from exc
        except OSError as exc:
            raise EscposFault("disconnected", f"{address}: connection lost mid-job: {exc}") from exc
        return _check_status(after, address, "after the job")
    finally:
        link.close()


def _collect(link: _Link, n: int, wait: float) -> bytes | None:
    """Read n status bytes within `wait` seconds: None if none came, b'' at EOF."""
    end = time.monotonic() + wait
    got = b""
    while len(got) < n:
        left = end - time.monotonic()
        if left <= 0:
            break
        chunk = link.read(left)
        if chunk is None:
            break
        if chunk == b"":
            return got or b""
        got += chunk
    return got or None
