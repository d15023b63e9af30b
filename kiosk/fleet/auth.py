"""Console accounts: argon2id password hashes, server-side sessions, CSRF tokens,
lockout after failed logins, and an audit row for every login attempt."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.fleet.models import ROLES, LoginAudit, User, WebSession

MAX_FAILED = 5  # failed logins in a row before the account is locked
LOCK_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 3600  # one working day
_hasher = PasswordHasher()
# verified against when the name is unknown, so both cases take the same time
_DUMMY = _hasher.hash("not-a-password")


class AuthError(Exception):
    pass


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def create_user(db: Session, name: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if len(password) < 10:
        raise AuthError("password too short (at least 10 characters)")
    user = db.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role, password_hash=_hasher.hash(password), failed_logins=0)
        db.add(user)
    else:  # resetting a password also unlocks
        user.role, user.password_hash, user.failed_logins, user.locked_until = role, _hasher.hash(password), 0, None
    db.flush()
    return user


def login(db: Session, name: str, password: str, address: str, now: float | None = None) -> tuple[str, User]:
    """Returns (session cookie value, user); AuthError with a Chinese message otherwise."""
    now = now or time.time()
    user = db.scalar(select(User).where(User.name == name))

    def audit(outcome: str) -> None:
        db.add(LoginAudit(at=now, name=name[:64], outcome=outcome, address=address[:64]))
        db.commit()

    if user is None:
        try:
            _hasher.verify(_DUMMY, password)
        except VerificationError:
            pass
        audit("unknown")
        raise AuthError("用户名或密码错误")
    if user.locked_until and user.locked_until > now:
        audit("locked")
        raise AuthError(f"账户已锁定，请 {int((user.locked_until - now) // 60) + 1} 分钟后再试")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED:
            user.locked_until, user.failed_logins = now + LOCK_SECONDS, 0
            audit("locked-now")
            raise AuthError(f"连续 {MAX_FAILED} 次密码错误，账户已锁定 {LOCK_SECONDS // 60} 分钟") from None
        audit("bad-password")
        raise AuthError("用户名或密码错误") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until = 0, None
    token = secrets.token_urlsafe(32)
    db.execute(delete(WebSession).where(WebSession.expires < now))
    db.add(WebSession(token_hash=sha256(token), user_id=user.id, csrf=secrets.token_urlsafe(24),
                      expires=now + SESSION_SECONDS))
    audit("ok")
    return token, user


def session_of(db: Session, token: str | None, now: float | None = None) -> tuple[WebSession, User] | None:
    if not token:
        return None
    ws = db.get(WebSession, sha256(token))
    if ws is None or ws.expires < (now or time.time()):
        return None
    user = db.get(User, ws.user_id)
    return (ws, user) if user else None


def logout(db: Session, token: str, name: str, address: str) -> None:
    db.execute(delete(WebSession).where(WebSession.token_hash == sha256(token)))
    db.add(LoginAudit(at=time.time(), name=name, outcome="logout", address=address[:64]))
    db.commit()


def csrf_ok(ws: WebSession, given: str | None) -> bool:
    return given is not None and bool(given) and hmac.compare_digest(ws.csrf, given)
