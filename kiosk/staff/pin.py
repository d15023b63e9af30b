"""The staff PIN: stored only as a salted scrypt hash; five wrong tries lock the pad
for five minutes. The clock is injectable (tests do not sleep five minutes).

Every wrong PIN, lockout and refusal is logged on the `kiosk.staff` logger, never the
digits. When the counters cannot be saved (a read-only or failing state database)
they are kept in memory, so the lockout holds until the kiosk restarts.

Stored in the state database's settings (so a restart does not clear a lockout):
    pin_hash          scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>
    pin_failures      wrong tries since the last right one
    pin_locked_until  epoch seconds; the pad refuses every PIN before then
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("kiosk.staff")

MAX_TRIES = 5
LOCK_SECONDS = 5 * 60
MIN_DIGITS, MAX_DIGITS = 6, 12
PIN_LENGTHS = range(MIN_DIGITS, MAX_DIGITS + 1)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1


def hash_pin(pin: str, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(pin.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def pin_problem(pin: str) -> str | None:
    """Why a new PIN is not acceptable (Chinese, for the screen), or None."""
    if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
        return f"密码应为 {MIN_DIGITS} 到 {MAX_DIGITS} 位数字"
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return "密码太简单（不要用相同或连续的数字）"
    return None


@dataclass
class Attempt:
    ok: bool
    locked_for: int = 0  # seconds still locked (when refused because of a lockout)
    tries_left: int = MAX_TRIES


class PinGate:
    """Checks PINs against the stored hash, counting wrong tries."""

    def __init__(self, store, clock: Callable[[], float] = time.time):
        self.store = store
        self.clock = clock
        self._failures = 0  # in memory, when the store cannot save them
        self._locked_until = 0.0

    def status(self) -> str:
        """'set', 'missing' (no PIN record) or 'unreadable' (the database is locked or damaged)."""
        from kiosk.staff.state import StateError

        try:
            return "set" if self.store.lookup("pin_hash") else "missing"
        except StateError as exc:
            log.error("staff PIN record unreadable: %s", exc)
            return "unreadable"

    @property
    def configured(self) -> bool:
        return self.status() == "set"

    def set_pin(self, pin: str) -> None:
        problem = pin_problem(pin)
        if problem:
            raise ValueError(problem)
        self.store.put_many({"pin_hash": hash_pin(pin), "pin_failures": "0", "pin_locked_until": None})
        self._failures, self._locked_until = 0, 0.0
        log.info("staff PIN set")

    def _save(self, values: dict) -> None:
        from kiosk.staff.state import StateError

        try:
            self.store.put_many(values)
        except StateError as exc:
            log.error("staff PIN counters not saved, kept in memory: %s", exc)

    def locked_for(self) -> int:
        try:
            until = float(self.store.get("pin_locked_until") or 0)
        except ValueError:
            until = 0.0
        until = max(until, self._locked_until)
        return max(0, int(until - self.clock() + 0.999))

    def _stored_failures(self) -> int:
        try:
            return int(self.store.get("pin_failures") or 0)
        except ValueError:
            return 0

    def tries_left(self) -> int:
        return MAX_TRIES - max(self._stored_failures(), self._failures)

    def check(self, pin: str) -> Attempt:
        locked = self.locked_for()
        if locked:
            log.warning("staff PIN refused: the pad is locked for %d s more", locked)
            return Attempt(False, locked, 0)
        stored = self.store.get("pin_hash")
        if stored and verify_pin(pin, stored):
            self._failures, self._locked_until = 0, 0.0
            self._save({"pin_failures": "0", "pin_locked_until": None})
            log.info("staff PIN accepted")
            return Attempt(True)
        failures = max(self._stored_failures(), self._failures) + 1
        if failures >= MAX_TRIES:
            self._failures, self._locked_until = 0, self.clock() + LOCK_SECONDS
            self._save({"pin_failures": "0", "pin_locked_until": str(self._locked_until)})
            log.warning("wrong staff PIN (%d of %d): the pad is locked for %d s", failures, MAX_TRIES,
                        LOCK_SECONDS)
            return Attempt(False, LOCK_SECONDS, 0)
        self._failures = failures
        self._save({"pin_failures": str(failures)})
        log.warning("wrong staff PIN (%d of %d tries)", failures, MAX_TRIES)
        return Attempt(False, 0, MAX_TRIES - failures)
