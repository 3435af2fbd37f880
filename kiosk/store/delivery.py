"""Delivery state per sync target: a cursor (every punch <= last_seq is done) plus parked punches.

A punch the server rejects is parked with its reason and the cursor moves past it, so one bad
punch never blocks the ones behind it; parked punches are never purged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.store.db import Database
from kiosk.timeutil import from_utc_text, to_utc_text, utc_now


@dataclass(frozen=True)
class TargetState:
    target: str
    last_seq: int
    last_attempt_utc: datetime | None
    last_success_utc: datetime | None
    last_error: str | None
    last_error_utc: datetime | None
    halted_reason: str | None


@dataclass(frozen=True)
class ParkedPunch:
    target: str
    seq: int
    code: str
    reason: str
    parked_utc: datetime


def _halt_key(target: str) -> str:
    return f"delivery.halt_config.{target}"


def _time(text: str | None) -> datetime | None:
    return from_utc_text(text) if text else None


class Delivery:
    def __init__(self, db: Database) -> None:
        self.db = db

    def state(self, target: str) -> TargetState:
        rows = self.db.query("SELECT * FROM delivery_cursor WHERE target=?", (target,))
        if not rows:
            return TargetState(target, 0, None, None, None, None, None)
        row = rows[0]
        return TargetState(
            target=target,
            last_seq=row["last_seq"],
            last_attempt_utc=_time(row["last_attempt_utc"]),
            last_success_utc=_time(row["last_success_utc"]),
            last_error=row["last_error"],
            last_error_utc=_time(row["last_error_utc"]),
            halted_reason=row["halted_reason"],
        )

    def targets(self) -> list[str]:
        return [row["target"] for row in self.db.query("SELECT target FROM delivery_cursor ORDER BY target")]

    def _ensure(self, conn, target: str) -> None:
        conn.execute("INSERT OR IGNORE INTO delivery_cursor (target) VALUES (?)", (target,))

    def acknowledge(self, target: str, up_to_seq: int, parked: Sequence[tuple[int, str, str]] = ()) -> None:
        """Advance the cursor and park rejected punches (seq, code, reason) in one transaction."""
        now = to_utc_text(utc_now())
        with self.db.transaction() as conn:
            self._ensure(conn, target)
            conn.executemany(
                "INSERT OR REPLACE INTO delivery_parked (target, seq, code, reason, parked_utc) VALUES (?, ?, ?, ?, ?)",
                [(target, seq, code, reason, now) for seq, code, reason in parked],
            )
            conn.execute(
                "UPDATE delivery_cursor SET last_seq = MAX(last_seq, ?), last_attempt_utc = ?, last_success_utc = ?,"
                " last_error = NULL, halted_reason = NULL WHERE target = ?",
                (up_to_seq, now, now, target),
            )

    def record_error(self, target: str, error: str, halt: bool = False) -> None:
        now = to_utc_text(utc_now())
        with self.db.transaction() as conn:
            self._ensure(conn, target)
            conn.execute(
                "UPDATE delivery_cursor SET last_attempt_utc = ?, last_error = ?, last_error_utc = ?,"
                " halted_reason = CASE WHEN ? THEN ? ELSE halted_reason END WHERE target = ?",
                (now, error, now, int(halt), error, target),
            )

    def clear_halt(self, target: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE delivery_cursor SET halted_reason = NULL WHERE target = ?", (target,))
            conn.execute("DELETE FROM meta WHERE key = ?", (_halt_key(target),))

    def halt(self, target: str, error: str, config_fingerprint: str) -> None:
        """Stop pushing to `target` until its configuration (URL, token) changes."""
        self.record_error(target, error, halt=True)
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_halt_key(target), config_fingerprint))

    def is_halted(self, target: str, config_fingerprint: str) -> bool:
        """True while halted under this configuration; a changed configuration lifts the halt."""
        if self.state(target).halted_reason is None:
            return False
        if self.db.scalar("SELECT value FROM meta WHERE key = ?", (_halt_key(target),)) == config_fingerprint:
            return True
        self.clear_halt(target)
        return False

    def parked(self, target: str | None = None) -> list[ParkedPunch]:
        rows = self.db.query(
            "SELECT * FROM delivery_parked WHERE (? IS NULL OR target = ?) ORDER BY target, seq", (target, target)
        )
        return [ParkedPunch(r["target"], r["seq"], r["code"], r["reason"], from_utc_text(r["parked_utc"])) for r in rows]

    def queue_depth(self, target: str) -> int:
        return self.db.count("SELECT COUNT(*) FROM punches WHERE seq > ?", (self.state(target).last_seq,))

    def oldest_undelivered(self, target: str) -> datetime | None:
        text = self.db.scalar("SELECT MIN(recorded_utc) FROM punches WHERE seq > ?", (self.state(target).last_seq,))
        return _time(text)  # type: ignore[arg-type]

    def undelivered_seqs_sql(self, targets: list[str]) -> tuple[str, tuple]:
        """A WHERE clause selecting punches some target still lacks (beyond its cursor, or parked)."""
        if not targets:
            return "1 = 1", ()
        cursor = "seq > COALESCE((SELECT last_seq FROM delivery_cursor WHERE target = ?), 0)"
        parked = "seq IN (SELECT seq FROM delivery_parked WHERE target = ?)"
        clause = " OR ".join(f"({cursor} OR {parked})" for _ in targets)
        params = tuple(t for target in targets for t in (target, target))
        return f"({clause})", params

    def delivered_everywhere_up_to(self, targets: list[str]) -> int:
        """Highest seq every target has acknowledged (0 when a target has none)."""
        if not targets:
            return 0
        return min(self.state(target).last_seq for target in targets)
