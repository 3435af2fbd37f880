"""The audit log of technician actions: who (OS user), what, when; never the biometric data."""

from __future__ import annotations

import getpass
import json
import os

from kiosk.domain import AuditEntry
from kiosk.store.db import Database
from kiosk.timeutil import from_utc_text, to_utc_text, utc_now


def os_user() -> str:
    """The person behind the command: under sudo, the user who ran sudo."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    sudo_user = os.environ.get("SUDO_USER")
    return f"{sudo_user} (as {user})" if sudo_user and sudo_user != user else user


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def log(self, action: str, nip: str | None = None, detail: dict | None = None, user: str | None = None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO audit_log (time_utc, os_user, action, nip, detail) VALUES (?, ?, ?, ?, ?)",
                (to_utc_text(utc_now()), user or os_user(), action, nip, json.dumps(detail or {}, ensure_ascii=False)),
            )

    def entries(self, limit: int = 100, nip: str | None = None) -> list[AuditEntry]:
        rows = self.db.query(
            "SELECT * FROM audit_log WHERE (? IS NULL OR nip = ?) ORDER BY id DESC LIMIT ?", (nip, nip, limit)
        )
        return [
            AuditEntry(
                id=row["id"],
                time_utc=from_utc_text(row["time_utc"]),
                os_user=row["os_user"],
                action=row["action"],
                nip=row["nip"],
                detail=json.loads(row["detail"]),
            )
            for row in rows
        ]
