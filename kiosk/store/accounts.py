"""Console accounts and their server-side sessions (tables of migration 002; docs/console.md).

Passwords are kept as scrypt hashes with a random salt; session cookies carry a random token and
the table keeps only its SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.store.db import Database
from kiosk.store.errors import StoreError
from kiosk.timeutil import from_utc_text, to_utc_text, utc_now

# scrypt cost: N=2^15, r=8 takes ~32 MiB and ~0.1 s on a Raspberry Pi 4, per login only.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**15, 8, 1, 32
MIN_PASSWORD = 10
MAX_ANONYMOUS_SESSIONS = 1000  # login forms opened and not used: the oldest go first
MAX_PASSWORD = 1024
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class Role(enum.StrEnum):
    """What an account may do; each role includes the ones before it."""

    VIEWER = "viewer"  # reads the day, punches, absences and recaps
    OPERATOR = "operator"  # also records absences, manual punches, downloads recaps
    TECHNICIAN = "technician"  # also employees, enrollment, device status, configuration

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    created_utc: datetime


@dataclass(frozen=True)
class Session:
    user_name: str | None
    data: dict
    expires_utc: datetime


class AccountError(StoreError):
    """A bad account name, role or password; the message names the fix."""


def hash_password(password: str) -> str:
    check_password_rules(password)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)))


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password[:MAX_PASSWORD], base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Verified against for unknown account names, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = "scrypt$32768$8$1$" + "A" * 22 + "==$" + "A" * 43 + "="


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters (a few words work well)")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password is longer than {MAX_PASSWORD} characters")


def check_name(name: str) -> str:
    name = name.strip().lower()
    if not 2 <= len(name) <= 32 or not set(name) <= NAME_CHARS:
        raise AccountError(f"account name {name!r}: use 2-32 lowercase letters, digits, '.', '_' or '-', e.g. 'siti.operator'")
    return name


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- accounts ---------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str) -> Account:
        name, role = check_name(name), _role(role)
        hashed = hash_password(password)
        if self.get(name) is not None:
            raise AccountError(f"account {name!r} exists; change its password with `kiosk user passwd {name}`")
        now = to_utc_text(utc_now())
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO console_users (name, role, password_hash, created_utc, updated_utc) VALUES (?, ?, ?, ?, ?)",
                (name, role.value, hashed, now, now),
            )
        return self.get(name)  # type: ignore[return-value]

    def get(self, name: str) -> Account | None:
        rows = self.db.query("SELECT * FROM console_users WHERE name = ?", (name.strip().lower(),))
        return _account(rows[0]) if rows else None

    def list(self) -> list[Account]:
        return [_account(row) for row in self.db.query("SELECT * FROM console_users ORDER BY name")]

    def set_password(self, name: str, password: str) -> None:
        hashed = hash_password(password)
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE console_users SET password_hash = ?, updated_utc = ? WHERE name = ?",
                (hashed, to_utc_text(utc_now()), name),
            ).rowcount
            # A new password ends every open session of the account.
            conn.execute("DELETE FROM console_sessions WHERE user_name = ?", (name,))
        if not changed:
            raise AccountError(f"no account named {name!r}; see `kiosk user list`")

    def remove(self, name: str) -> Account:
        account = self.get(name)
        if account is None:
            raise AccountError(f"no account named {name!r}; see `kiosk user list`")
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM console_sessions WHERE user_name = ?", (account.name,))
            conn.execute("DELETE FROM console_users WHERE name = ?", (account.name,))
        return account

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when the password is right; None otherwise (same cost either way)."""
        rows = self.db.query("SELECT * FROM console_users WHERE name = ?", (name.strip().lower(),))
        stored = rows[0]["password_hash"] if rows else _DUMMY_HASH
        ok = verify_password(password, stored)
        return _account(rows[0]) if ok and rows else None

    # --- sessions ---------------------------------------------------------------------------
    def open_session(self, lifetime: timedelta, user_name: str | None = None, data: dict | None = None) -> str:
        """A new session; returns the token for the cookie (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = utc_now()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM console_sessions WHERE expires_utc < ?", (to_utc_text(now),))
            if user_name is None:  # a flood of login-page visits cannot grow the table without bound
                conn.execute(
                    "DELETE FROM console_sessions WHERE user_name IS NULL AND token_hash NOT IN (SELECT token_hash"
                    " FROM console_sessions WHERE user_name IS NULL ORDER BY created_utc DESC LIMIT ?)",
                    (MAX_ANONYMOUS_SESSIONS - 1,),
                )
            conn.execute(
                "INSERT INTO console_sessions (token_hash, user_name, data, created_utc, expires_utc) VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), user_name, json.dumps(data or {}), to_utc_text(now), to_utc_text(now + lifetime)),
            )
        return token

    def session(self, token: str) -> Session | None:
        """The live session for a cookie token; None when unknown or expired."""
        rows = self.db.query("SELECT * FROM console_sessions WHERE token_hash = ?", (token_hash(token),))
        if not rows:
            return None
        expires = from_utc_text(rows[0]["expires_utc"])
        if expires <= utc_now():
            self.close_session(token)
            return None
        return Session(rows[0]["user_name"], json.loads(rows[0]["data"]), expires)

    def save_session(self, token: str, data: dict) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE console_sessions SET data = ? WHERE token_hash = ?", (json.dumps(data), token_hash(token)))

    def close_session(self, token: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM console_sessions WHERE token_hash = ?", (token_hash(token),))


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise AccountError(f"unknown role {text!r}; use one of: {', '.join(r.value for r in Role)}") from None


def _account(row) -> Account:
    return Account(name=row["name"], role=Role(row["role"]), created_utc=from_utc_text(row["created_utc"]))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=SCRYPT_LEN)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
