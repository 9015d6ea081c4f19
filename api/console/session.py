"""Signed, expiring console cookies: who signed in, their CSRF token, and when the session ends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

SESSION_COOKIE = "mw_console"
# Before sign-in there is no session, yet the sign-in form still needs a CSRF token: it lives here.
PRESESSION_COOKIE = "mw_console_pre"
COOKIE_PATH = "/console"
SESSION_SECONDS = 8 * 3600
PRESESSION_SECONDS = 3600
# Binds a signature to its purpose so a pre-session cookie can never pass as a session.
_SESSION_PURPOSE = b"console-session"
_PRESESSION_PURPOSE = b"console-presession"


@dataclass(frozen=True)
class ConsoleSession:
    """What the session cookie carries: the API key behind it, the CSRF token and the expiry."""

    key_id: int
    csrf_token: str
    expires_at: int
    # The server-side session (markwatch/cases/sessions.py) this cookie stands for.
    sid: str = ""


def new_csrf_token() -> str:
    """A fresh random token for hidden form fields."""
    return secrets.token_urlsafe(32)


def _sign(secret: str, purpose: bytes, payload: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), purpose + b"\x00" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def _encode(secret: str, purpose: bytes, data: dict[str, object]) -> str:
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    body = base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")
    return f"{body}.{_sign(secret, purpose, payload)}"


def _decode(secret: str, purpose: bytes, value: str | None, now: float) -> dict[str, object] | None:
    if not value or value.count(".") != 1 or len(value) > 4096:
        return None
    body, signature = value.split(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    if not hmac.compare_digest(_sign(secret, purpose, payload), signature):
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int) or data["exp"] <= now:
        return None
    return data


def encode_session(
    secret: str, key_id: int, *, sid: str = "", now: float | None = None
) -> tuple[str, ConsoleSession]:
    """A new session for `key_id` (server-side id `sid`) with a fresh CSRF token, as a cookie value and as data."""
    expires = int((now or time.time()) + SESSION_SECONDS)
    session = ConsoleSession(key_id=key_id, csrf_token=new_csrf_token(), expires_at=expires, sid=sid)
    data: dict[str, object] = {"kid": key_id, "csrf": session.csrf_token, "exp": expires, "sid": sid}
    return _encode(secret, _SESSION_PURPOSE, data), session


def decode_session(secret: str, value: str | None, *, now: float | None = None) -> ConsoleSession | None:
    """The session in a cookie, or None when it is missing, forged, malformed or expired."""
    data = _decode(secret, _SESSION_PURPOSE, value, time.time() if now is None else now)
    if data is None:
        return None
    key_id, csrf, expires, sid = data.get("kid"), data.get("csrf"), data.get("exp"), data.get("sid", "")
    if not isinstance(key_id, int) or not isinstance(csrf, str) or not isinstance(expires, int):
        return None
    if not isinstance(sid, str):
        return None
    return ConsoleSession(key_id=key_id, csrf_token=csrf, expires_at=expires, sid=sid)


def encode_presession(secret: str, *, now: float | None = None) -> tuple[str, str]:
    """A pre-sign-in cookie value and the CSRF token it vouches for."""
    token = new_csrf_token()
    data: dict[str, object] = {"csrf": token, "exp": int((now or time.time()) + PRESESSION_SECONDS)}
    return _encode(secret, _PRESESSION_PURPOSE, data), token


def decode_presession(secret: str, value: str | None, *, now: float | None = None) -> str | None:
    """The CSRF token a pre-sign-in cookie vouches for, or None."""
    data = _decode(secret, _PRESESSION_PURPOSE, value, time.time() if now is None else now)
    token = data.get("csrf") if data else None
    return token if isinstance(token, str) else None


def tokens_match(expected: str | None, presented: str | None) -> bool:
    """Constant-time comparison that refuses empty tokens."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))
