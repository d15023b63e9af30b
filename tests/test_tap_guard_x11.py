"""Double taps through a real X server: `kiosk run` under Xvfb, tapped with xdotool.

This is the path a finger takes on a terminal with an X touch screen: the X server's
input, Qt's xcb platform, the window's QWindow, the tap guard. The kiosk reports each
screen it shows (screen, service, number of answers, where its buttons are) to a file
named by KIOSK_STATE_DUMP, a test-only hook that writes nothing a citizen chose.
Xvfb and xdotool come with `scripts/setup.sh --test` (CI runs it); without them the test
is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.staff.pin import PinGate
from kiosk.staff.state import StateStore

TIMEOUT = 60


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed: `bash scripts/setup.sh --test` installs xvfb and xdotool; "
                    "the X-level double-tap test did NOT run")
    return path


@pytest.fixture
def xserver():
    """Xvfb on a display number it picks itself (-displayfd): no clash with other runs."""
    need("xdotool")
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([need("Xvfb"), "-displayfd", str(write_end), "-screen", "0", "1080x1920x24",
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write_end,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    number = b""
    deadline = time.monotonic() + 20
    while not number.endswith(b"\n"):
        ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            proc.kill()
            pytest.fail("Xvfb did not report its display within 20 s")
        chunk = os.read(read_end, 16)
        if not chunk:
            pytest.fail(f"Xvfb exited ({proc.poll()}) before reporting its display")
        number += chunk
    os.close(read_end)
    yield f":{number.decode().strip()}"
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


class Kiosk:
    def __init__(self, display: str, tmp: Path, catalogue_db: Path, region: str):
        data = tmp / "data"
        data.mkdir()
        shutil.copy(catalogue_db, data / "catalogue.sqlite")
        state = StateStore(data / "state.sqlite")
        PinGate(state).set_pin("246810")  # a configured terminal: no first-run screen
        state.close()
        config = tmp / "config"
        config.mkdir()
        (config / "config.json").write_text(json.dumps({"region": region}), encoding="utf-8")
        self.dump = tmp / "screens.jsonl"
        self.display = display
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", KIOSK_DATA_DIR=str(data),
                   KIOSK_CONFIG_DIR=str(config), KIOSK_LOG_DIR=str(tmp / "log"), KIOSK_STATE_DUMP=str(self.dump))
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--size", "1080x1920"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=open(tmp / "kiosk.err", "w"))  # noqa: SIM115 - open for the child's life
        self.err = tmp / "kiosk.err"
        self.window = self.xdotool("search", "--sync", "--onlyvisible", "--name", "医保自助服务").split()[0]

    def xdotool(self, *args: str) -> str:
        r = subprocess.run([need("xdotool"), *args], env=dict(os.environ, DISPLAY=self.display),
                           capture_output=True, text=True, timeout=TIMEOUT)
        assert r.returncode == 0, (args, r.stderr)
        return r.stdout

    def screens(self) -> list[dict]:
        if not self.dump.exists():
            return []
        return [json.loads(x) for x in self.dump.read_text(encoding="utf-8").splitlines() if x.strip()]

    def wait_for(self, pred, what: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            shown = self.screens()
            if shown and pred(shown[-1]):
                return shown[-1]
            assert self.proc.poll() is None, f"the kiosk exited: {self.err.read_text()[-2000:]}"
            time.sleep(0.05)
        pytest.fail(f"never saw {what}; last screens: {[(s['screen'], s['service']) for s in self.screens()[-3:]]}")

    def tap(self, button: dict, name: str, repeat: int = 1, delay_ms: int = 80) -> None:
        x, y, w, h = button["buttons"][name]
        self.xdotool("mousemove", "--window", self.window, str(x + w // 2), str(y + h // 2),
                     "click", "--repeat", str(repeat), "--delay", str(delay_ms), "1")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def kiosk_on_x(xserver, tmp_path, catalogue_db):
    made = []

    def start(region="fushun"):
        k = Kiosk(xserver, tmp_path, catalogue_db, region)
        made.append(k)
        return k

    yield start
    for k in made:
        k.close()


def test_a_double_tap_at_the_x_level_acts_once(kiosk_on_x):
    """Fushun: 参保登记 → double tap (80 ms) on 城乡居民参保登记 → its first question,
    unanswered (it used to land on 终止参保). Then a deliberate tap acts."""
    k = kiosk_on_x("fushun")
    home = k.wait_for(lambda s: s["screen"] == "home" and "topic:enrolment" in s["buttons"], "Home")
    time.sleep(2.0)  # the kiosk warms up 1.5 s after Home: a person arrives after that
    k.tap(home, "topic:enrolment")
    services = k.wait_for(lambda s: s["screen"] == "services", "the 参保登记 list")
    assert "service:resident-enrol" in services["buttons"]
    time.sleep(0.8)  # the person reads the list, then double taps
    k.tap(services, "service:resident-enrol", repeat=2, delay_ms=80)
    question = k.wait_for(lambda s: s["screen"] == "question", "the first question")
    time.sleep(1.0)  # anything the second tap did would show by now
    last = k.screens()[-1]
    assert last["screen"] == "question" and last["service"] == "resident-enrol"
    assert last["answers"] == 0, "the second tap answered a question the person never saw"
    assert last["ignored"] >= 1
    assert "answer:terminate" in question["buttons"]
    k.tap(last, "answer:terminate")  # a tap after the settle time acts
    after = k.wait_for(lambda s: s["answers"] == 1 or s["screen"] == "checklist", "the answer taken")
    assert after["service"] == "resident-enrol"
