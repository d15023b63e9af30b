"""The slow stand-in voice of the read-aloud tests: a fake espeak-ng that takes a minute
and writes every process it starts to a log, so tests can check that 停止 ends them all."""

from __future__ import annotations

import os
import time

STAND_IN = """#!/bin/sh
case "$1" in --voices*) echo ' 5  cmn-latn-pinyin  M  chinese-pinyin  sit/cmn-Latn-pinyin'; exit 0;; esac
sleep 60 &
echo "$$ $!" >> "$STAND_IN_LOG"
wait
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stand_in_voice(tmp_path, monkeypatch):
    """A voice that takes a minute: every process it starts is written to a log. The body of
    the `slow_voice` fixtures: yields a function giving the pids the voice started."""
    binary = tmp_path / "espeak-ng"
    binary.write_text(STAND_IN)
    binary.chmod(0o755)
    log = tmp_path / "voice.log"
    monkeypatch.setenv("KIOSK_ESPEAK", str(binary))
    monkeypatch.setenv("STAND_IN_LOG", str(log))

    def pids() -> list[int]:
        deadline = time.monotonic() + 5
        while not log.exists() or not log.read_text().strip():
            assert time.monotonic() < deadline, "the stand-in voice never started"
            time.sleep(0.02)
        return [int(x) for x in log.read_text().split()]

    yield pids
    for pid in (pids() if log.exists() else []):
        if alive(pid):
            os.kill(pid, 9)
