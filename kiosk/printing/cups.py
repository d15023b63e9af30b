"""Printing a PDF through the CUPS spooler with its command-line clients.

`print_pdf_cups(pdf, queue, timeout)` checks the queue (`lpstat -p`), spools the job
with `lp -d QUEUE`, then watches `lpstat -o` until the job has left the queue. Every
command runs with a timeout and the C locale (its messages are parsed). pycups is not
used: it needs libcups2-dev and a compiler to install; `lp` needs neither.

Faults raise CupsFault with a kind: not-found (no such queue, no CUPS client),
offline (scheduler down, printer disabled/paused), paper-out (printer reports
media-empty/media-needed), refused (queue rejects jobs), timeout (the job did not
finish in time; it is cancelled so that it never prints later for somebody else).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time

log = logging.getLogger("kiosk.printing")

POLL = 0.15
PAPER_REASONS = ("media-empty", "media-needed", "media-jam")


class CupsFault(Exception):
    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def _env() -> dict:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    return env


def _run(args: list[str], timeout: float, data: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, input=data, capture_output=True, timeout=max(timeout, 0.2),
                              env=_env(), check=False)
    except subprocess.TimeoutExpired as exc:
        raise CupsFault("timeout", f"{args[0]} did not answer within {timeout:.1f} s") from exc
    except FileNotFoundError as exc:
        raise CupsFault("not-found", f"{args[0]} not found (install cups-client)") from exc


def _text(proc: subprocess.CompletedProcess) -> str:
    return (proc.stdout + proc.stderr).decode("utf-8", errors="replace").strip()


def _scheduler_down(text: str) -> bool:
    t = text.lower()
    return any(s in t for s in ("unable to connect", "bad file descriptor", "connection refused",
                                "scheduler is not running", "no such file or directory"))


def queue_state(queue: str, timeout: float = 3.0) -> dict:
    """{'enabled': bool, 'printing': job or None, 'reasons': [...], 'message': str}.
    Raises CupsFault (not-found, offline) when the queue or the scheduler is missing."""
    proc = _run(["lpstat", "-l", "-p", queue], timeout)
    text = _text(proc)
    if proc.returncode != 0 or not text.startswith(f"printer {queue} "):
        # With the scheduler down lpstat only says 'Invalid destination': ask it directly.
        if _scheduler_down(text) or "not running" in _text(_run(["lpstat", "-r"], timeout)):
            raise CupsFault("offline", f"CUPS scheduler not reachable: {text or 'no answer'}")
        if "invalid destination" in text.lower() or "does not exist" in text.lower() or not text:
            raise CupsFault("not-found", f"no CUPS queue {queue!r}: {text or 'unknown destination'}")
        raise CupsFault("offline", f"lpstat -p {queue}: {text}")
    first, _, rest = text.partition("\n")
    reasons: list[str] = []
    m = re.search(r"^\s*Alerts:\s*(.*)$", rest, re.M)
    if m and m.group(1).strip() != "none":
        reasons = m.group(1).split()
    printing = re.search(r"now printing (\S+?)\.?(\s|$)", first)
    message_lines = [ln.strip() for ln in rest.splitlines() if ln.startswith("\t") and ":" not in ln]
    return {"enabled": " disabled " not in f" {first} ", "printing": printing.group(1) if printing else None,
            "reasons": reasons, "message": " ".join(message_lines)}


def _check_ready(queue: str, state: dict) -> None:
    paper = [r for r in state["reasons"] if r.startswith(PAPER_REASONS)]
    if paper:
        raise CupsFault("paper-out", f"queue {queue}: {' '.join(paper)} {state['message']}".strip())
    if not state["enabled"]:
        raise CupsFault("offline", f"queue {queue} is disabled: {state['message'] or ' '.join(state['reasons'])}")
    offline = [r for r in state["reasons"] if r.startswith(("offline", "shutdown"))]
    if offline:
        raise CupsFault("offline", f"queue {queue}: {' '.join(offline)}")


def _pending(queue: str, job: str, timeout: float) -> bool:
    proc = _run(["lpstat", "-o", queue], timeout)
    if proc.returncode != 0:
        text = _text(proc)
        if _scheduler_down(text):
            raise CupsFault("offline", f"CUPS scheduler went away during the job: {text}")
        raise CupsFault("offline", f"lpstat -o {queue}: {text}")
    return any(line.split()[:1] == [job] for line in proc.stdout.decode(errors="replace").splitlines())


def _cancel(job: str) -> None:
    try:
        subprocess.run(["cancel", job], capture_output=True, timeout=2, env=_env(), check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not cancel CUPS job %s: %s", job, exc)


def lp_options(paper: str, page_height_mm: float | None = None) -> list[str]:
    if paper == "a4":
        return ["-o", "media=A4"]
    width = 80 if paper == "80mm" else 58
    if page_height_mm:
        return ["-o", f"media=Custom.{width}x{max(page_height_mm, 30):.0f}mm"]
    return []


def print_pdf_cups(pdf: bytes, queue: str, timeout: float = 8.0, *, title: str = "checklist",
                   options: list[str] | None = None) -> str:
    """Spool a PDF to a CUPS queue and wait until it has been printed. Returns the job id."""
    if not queue or not queue.strip():
        raise CupsFault("not-found", "no CUPS queue configured (printer.queue is empty)")
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        raise CupsFault("not-found", "the CUPS client (lp, lpstat) is not installed")
    deadline = time.monotonic() + timeout

    def left() -> float:
        return deadline - time.monotonic()

    _check_ready(queue, queue_state(queue, min(3.0, left())))
    proc = _run(["lp", "-d", queue, "-t", title, *(options or []), "--", "-"], min(5.0, max(left(), 0.5)), pdf)
    text = _text(proc)
    if proc.returncode != 0:
        low = text.lower()
        if "not accepting" in low:
            raise CupsFault("refused", f"queue {queue} rejects jobs: {text}")
        if "does not exist" in low or "not found" in low:
            raise CupsFault("not-found", f"no CUPS queue {queue!r}: {text}")
        if _scheduler_down(text):
            raise CupsFault("offline", f"CUPS scheduler not reachable: {text}")
        raise CupsFault("refused", f"lp refused the job: {text}")
    m = re.search(r"request id is (\S+)", text)
    if not m:
        raise CupsFault("refused", f"lp gave no job id: {text}")
    job = m.group(1)
    try:
        while _pending(queue, job, min(2.0, max(left(), 0.2))):
            if left() <= 0:
                # Not printed in time (printer unreachable, jammed, or just too slow for
                # the configured timeout): cancel, so that it never comes out later
                # for the next citizen.
                _cancel(job)
                state = queue_state(queue, 2.0)
                try:
                    _check_ready(queue, state)
                except CupsFault as exc:
                    raise CupsFault(exc.kind, f"job {job} cancelled: {exc.detail}") from exc
                raise CupsFault("timeout", f"job {job} not printed within {timeout:g} s "
                                f"({state['message'] or ' '.join(state['reasons']) or 'no printer alert'}); "
                                "cancelled")
            time.sleep(POLL)
    except CupsFault as exc:
        if exc.kind == "timeout" and "cancelled" not in exc.detail:
            _cancel(job)
        raise
    return job
