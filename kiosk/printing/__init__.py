"""Printing the citizen's checklist: one document, four renderers.

No Qt in this package (the preview widget lives in kiosk/ui/citizen/print_preview.py).

The document
    doc = make_checklist(guide, region, hall)          # ChecklistDocument
        guide:  kiosk.catalogue.guide.build_guide(service, answers)
        region: catalogue.region(region_id); hall: the configured Hall or None
        Allocates the ticket serial (per-day counter in the data directory) and
        stamps the time. `build_document(...)` (document.py) does the same with a
        serial of your own. doc.blocks() is its content; doc.fault_message is the
        sentence shown when printing fails; doc.online_url is the QR payload (or None).

Printing — never raises, never hangs; call it off the GUI thread (it blocks for up
to `printer_config.timeout` seconds plus a little):
    result = print_checklist(doc, printer_config)      # PrintResult
        printer_config: kiosk.config.PrinterConfig (kind none|cups|escpos, queue,
        address, paper a4|80mm|58mm, encoding gb18030|gbk, timeout, qr native|image)
    result.ok       True when the printer took the job
    result.message  what to tell the citizen, in Chinese: '清单已打印，请取走。' or
                    e.g. '打印机暂时不可用，请扫码或到一楼15号窗口咨询'
    result.fault    None | 'no-printer' | 'not-found' | 'offline' | 'paper-out' |
                    'refused' | 'disconnected' | 'timeout' | 'error'
    result.detail   for staff (also logged on logger 'kiosk.printing'); no personal data
    result = save_pdf(doc, path, paper="a4")           # the same, to a PDF file

Renderers (each of the same document):
    pdf.render_pdf(doc, paper) -> bytes, pdf.write_pdf(doc, path, paper)
    escpos.escpos_bytes(doc, paper, encoding, qr) -> bytes
    layout.layout(doc, paper) -> [Page]   # the display list both PDF and preview draw
    kiosk.ui.citizen.print_preview.PrintPreview(doc, paper)   # QWidget, what you see is what prints

In the kiosk UI
    kiosk.ui.citizen.print_preview.PrintController(ctx).start(session)
        what the checklist screen's 打印清单 calls: builds the document from
        session.guide, ctx.region and ctx.hall, opens PrintDialog (preview, 打印, 返回),
        prints on a worker thread with ctx.config.printer and shows result.message.
    kiosk.ui.citizen.print_preview.PrintDialog(parent, doc, printer_config, paper)
    kiosk.ui.citizen.print_preview.render_image(doc, paper, scale) -> QImage
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.printing.document import ChecklistDocument, build_document
from kiosk.printing.serials import next_serial

log = logging.getLogger("kiosk.printing")
log.addHandler(logging.NullHandler())  # the application decides where staff logs go

FAULTS = ("no-printer", "not-found", "offline", "paper-out", "refused", "disconnected", "timeout", "error")
OK_MESSAGE = "清单已打印，请取走。"


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    message: str  # for the citizen, Chinese
    fault: str | None = None  # one of FAULTS when not ok
    detail: str = ""  # for staff, English, no personal data
    job: str | None = None  # CUPS job id, file path …
    seconds: float = 0.0


def make_checklist(guide, region, hall, *, now: datetime | None = None,
                   serial: str | None = None) -> ChecklistDocument:
    """The checklist document for a guide, with a fresh ticket serial."""
    now = now or datetime.now()
    return build_document(guide, region, hall, serial=serial or next_serial(now), now=now)


def describe(printer_config) -> str:
    kind = getattr(printer_config, "kind", "none")
    if kind == "cups":
        return f"cups:{printer_config.queue or '?'}"
    if kind == "escpos":
        return f"escpos:{printer_config.address or '?'}"
    return kind


def _fault(doc: ChecklistDocument, kind: str, detail: str, where: str, started: float) -> PrintResult:
    detail = " ".join(str(detail).split())
    log.warning("print fault %s on %s: %s [service %s/%s, serial %s]", kind, where, detail,
                doc.region_id, doc.service_id, doc.serial)
    return PrintResult(False, doc.fault_message, kind, detail, seconds=time.monotonic() - started)


def print_checklist(doc: ChecklistDocument, printer_config) -> PrintResult:
    """Print on the configured printer. Every fault comes back as a PrintResult."""
    started = time.monotonic()
    where = describe(printer_config)
    try:
        kind = printer_config.kind
        timeout = float(getattr(printer_config, "timeout", 8.0) or 8.0)
        paper = getattr(printer_config, "paper", "80mm")
        if kind == "cups":
            from kiosk.printing.cups import CupsFault, lp_options, print_pdf_cups
            from kiosk.printing.layout import MM, layout
            from kiosk.printing.pdf import render_pdf

            pdf = render_pdf(doc, paper)
            height_mm = None if paper == "a4" else layout(doc, paper)[0].height / MM
            try:
                job = print_pdf_cups(pdf, printer_config.queue, timeout, title=f"checklist-{doc.serial}",
                                     options=lp_options(paper, height_mm))
            except CupsFault as exc:
                return _fault(doc, exc.kind, exc.detail, where, started)
            log.info("printed checklist %s (%s/%s) on %s as job %s in %.1f s", doc.serial, doc.region_id,
                     doc.service_id, where, job, time.monotonic() - started)
            return PrintResult(True, OK_MESSAGE, job=job, seconds=time.monotonic() - started)
        if kind == "escpos":
            from kiosk.printing.escpos import EscposFault, escpos_bytes, send_escpos

            if paper not in ("80mm", "58mm"):
                log.warning("ESC/POS printer configured with paper %r; printing 80mm", paper)
                paper = "80mm"
            data = escpos_bytes(doc, paper, getattr(printer_config, "encoding", "gb18030"),
                                getattr(printer_config, "qr", "native"))
            try:
                note = send_escpos(data, printer_config.address, timeout)
            except EscposFault as exc:
                return _fault(doc, exc.kind, exc.detail, where, started)
            if note:
                log.warning("printer %s: %s", where, note)
            log.info("printed checklist %s (%s/%s) on %s, %d bytes in %.1f s", doc.serial, doc.region_id,
                     doc.service_id, where, len(data), time.monotonic() - started)
            return PrintResult(True, OK_MESSAGE, detail=note, job=printer_config.address,
                               seconds=time.monotonic() - started)
        return _fault(doc, "no-printer", f"no printer configured (printer.kind={kind!r})", where, started)
    except Exception as exc:  # a bug or an unexpected environment: never reaches the citizen
        log.exception("printing checklist %s on %s failed", doc.serial, where)
        return PrintResult(False, doc.fault_message, "error", f"{type(exc).__name__}: {exc}",
                           seconds=time.monotonic() - started)


def save_pdf(doc: ChecklistDocument, path: Path | str, paper: str = "a4") -> PrintResult:
    """Write the checklist as a PDF file. Never raises."""
    started = time.monotonic()
    try:
        from kiosk.printing.pdf import write_pdf

        out = write_pdf(doc, path, paper)
    except ValueError as exc:
        return _fault(doc, "error", str(exc), f"pdf:{path}", started)
    except OSError as exc:
        return _fault(doc, "error", f"cannot write {path}: {exc.strerror or exc}", f"pdf:{path}", started)
    except Exception as exc:
        log.exception("writing checklist PDF %s failed", path)
        return PrintResult(False, doc.fault_message, "error", f"{type(exc).__name__}: {exc}",
                           seconds=time.monotonic() - started)
    return PrintResult(True, "清单已保存。", job=str(out), seconds=time.monotonic() - started)


__all__ = ["FAULTS", "ChecklistDocument", "PrintResult", "build_document", "describe", "make_checklist",
           "next_serial", "print_checklist", "save_pdf"]
