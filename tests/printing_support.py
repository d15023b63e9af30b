"""Shared helpers of the printing tests: checklist documents from the shipped catalogue,
a recording ESC/POS listener on 127.0.0.1, and the tools that read PDFs back."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.catalogue.guide import build_guide
from kiosk.printing.document import build_document

NOW = datetime(2026, 11, 25, 9, 30)


def make_doc(catalogue, region: str, service: str, answers: dict | None = None, hall_index: int = 0,
             serial: str = "20261125-0042"):
    svc = catalogue.service(region, service)
    guide = build_guide(svc, answers or {})
    halls = catalogue.halls(region)
    return build_document(guide, catalogue.region(region), halls[hall_index] if halls else None,
                          serial=serial, now=NOW), guide


def need(*tools: str) -> None:
    """Skip when a tool is truly absent (scripts/test.sh installs them all)."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (scripts/setup.sh --test installs it)")


def pdf_text(path: Path) -> str:
    need("pdftotext")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          timeout=30).stdout.decode("utf-8")


def pdf_qr_codes(path: Path, tmp: Path, dpi: int = 200) -> list[str]:
    """Every QR code zbarimg finds on the PDF's pages rendered at `dpi`."""
    need("pdftoppm", "zbarimg")
    prefix = tmp / f"{path.stem}-render"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(prefix)], check=True, timeout=60)
    codes = []
    for png in sorted(tmp.glob(f"{prefix.name}*.png")):
        codes += image_qr_codes(png)
    return codes


def image_qr_codes(png: Path) -> list[str]:
    need("zbarimg")
    proc = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, timeout=30)
    return [ln for ln in proc.stdout.decode("utf-8", errors="replace").splitlines() if ln]


def pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    need("pdfinfo")
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, check=True,
                         timeout=30).stdout.decode()
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            parts = line.split("size:")[1].split()
            sizes.append((float(parts[0]), float(parts[2])))
    return sizes


class Listener:
    """A TCP server on 127.0.0.1 (ephemeral port) that records what one client sends.

    status: bytes answered to each real-time status query (DLE EOT n), or None to stay
    silent like a printer without status support; close_after: hang up after that
    many bytes (a printer that drops the connection mid-job).
    """

    def __init__(self, status: dict[int, bytes] | None = None, close_after: int | None = None):
        self.status = status
        self.close_after = close_after
        self.data = bytearray()
        self._scanned = 0
        self.done = threading.Event()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            self.done.set()
            return
        conn.settimeout(10)
        try:
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                self.data += chunk
                if self.status is not None:
                    while True:
                        i = self.data.find(b"\x10\x04", self._scanned)
                        if i == -1 or i + 2 >= len(self.data):
                            break
                        conn.sendall(self.status.get(self.data[i + 2], b"\x12"))
                        self._scanned = i + 3
                if self.close_after is not None and len(self.data) >= self.close_after:
                    break
        except OSError:
            pass
        finally:
            conn.close()
            self.server.close()
            self.done.set()

    def wait(self, timeout: float = 10) -> bytes:
        self.done.wait(timeout)
        return bytes(self.data)

    def close(self) -> None:
        try:
            self.server.close()
        except OSError:
            pass


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
