"""Punches: append-only, each durable on disk when `record` returns."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from datetime import datetime

from kiosk.domain import Kind, Method, NewPunch, Punch, Status
from kiosk.store.db import Database
from kiosk.store.errors import DuplicatePunch
from kiosk.store.punch_rows import PUNCH_ROW_SQL, OutsideTheEnums, punches_of_rows
from kiosk.timeutil import from_utc_text, offset_minutes, to_utc_text, utc_now

_INSERT = """
INSERT INTO punches (uuid, nip, time_utc, utc_offset_minutes, method, kind, status, status_minutes,
    distance, liveness, clock_synced, photo, boot_id, monotonic_ns, source_key, note, device_id, recorded_utc)
VALUES (:uuid, :nip, :time_utc, :utc_offset_minutes, :method, :kind, :status, :status_minutes,
    :distance, :liveness, :clock_synced, :photo, :boot_id, :monotonic_ns, :source_key, :note, :device_id, :recorded_utc)
"""


class Punches:
    def __init__(self, db: Database, device_id: str) -> None:
        self.db = db
        self.device_id = device_id

    def record(self, new: NewPunch) -> Punch:
        """Insert one punch in its own transaction; returns only after the commit is durable."""
        row = _row_of(new, self.device_id)
        try:
            with self.db.transaction() as conn:
                seq = conn.execute(_INSERT, row).lastrowid
        except sqlite3.IntegrityError as exc:
            if new.source_key and "source_key" in str(exc):
                raise DuplicatePunch(f"a punch from {new.source_key} is already recorded") from None
            raise
        return self.get(int(seq))  # type: ignore[arg-type,return-value]

    def record_many(self, news: Iterable[NewPunch]) -> int:
        """Insert many punches in ONE transaction (one fsync): imports, benchmarks and test set-up.

        The door never uses this: each door punch is its own durable transaction (`record`).
        """
        rows = [_row_of(new, self.device_id) for new in news]
        with self.db.transaction() as conn:
            conn.executemany(_INSERT, rows)
        return len(rows)

    def get(self, seq: int) -> Punch | None:
        rows = self.db.query("SELECT * FROM punches WHERE seq=?", (seq,))
        return punch_of(rows[0]) if rows else None

    def by_uuid(self, punch_uuid: str) -> Punch | None:
        rows = self.db.query("SELECT * FROM punches WHERE uuid=?", (punch_uuid,))
        return punch_of(rows[0]) if rows else None

    def exists_source_key(self, source_key: str) -> bool:
        return self.db.scalar("SELECT 1 FROM punches WHERE source_key=?", (source_key,)) is not None

    def page(self, after_seq: int = 0, limit: int = 1000) -> list[Punch]:
        """Punches after `after_seq` in seq order: the pull API, SOAP, the ZK dataset and delivery page
        through this (keyset pagination on the rowid: each page is one b-tree search)."""
        return self._select("seq > ? ORDER BY seq LIMIT ?", (after_seq, limit))

    def count(self) -> int:
        return self.db.count("SELECT COUNT(*) FROM punches")

    def count_for(self, nip: str) -> int:
        return self.db.count("SELECT COUNT(*) FROM punches WHERE nip=?", (nip,))

    def last_seq(self) -> int:
        return self.db.count("SELECT COALESCE(MAX(seq), 0) FROM punches")

    def between(self, start_utc: datetime, end_utc: datetime, nip: str | None = None) -> list[Punch]:
        """Punches with start <= time < end, in time order (for rules and reports, not for sync)."""
        return self._select(
            "time_utc >= ? AND time_utc < ? AND (? IS NULL OR nip = ?) ORDER BY time_utc, seq",
            (to_utc_text(start_utc), to_utc_text(end_utc), nip, nip),
        )

    def last_for(self, nip: str) -> Punch | None:
        rows = self.db.query("SELECT * FROM punches WHERE nip=? ORDER BY seq DESC LIMIT 1", (nip,))
        return punch_of(rows[0]) if rows else None

    def _select(self, condition: str, params: tuple) -> list[Punch]:
        """Punches WHERE `condition` (with its ORDER BY and LIMIT), by the fast conversion of many rows."""
        try:
            return self.db.converted(f"SELECT {PUNCH_ROW_SQL} FROM punches WHERE {condition}", params, punches_of_rows)
        except OutsideTheEnums:  # the reference conversion raises the error that names the value
            return [punch_of(row) for row in self.db.query(f"SELECT * FROM punches WHERE {condition}", params)]

    def delete_delivered_before(self, cutoff_utc: datetime, delivered_up_to: int) -> int:
        """Housekeeping: drop punches every target has and that are older than the retention."""
        with self.db.transaction() as conn:
            return conn.execute(
                "DELETE FROM punches WHERE seq <= ? AND recorded_utc < ?"
                " AND seq NOT IN (SELECT seq FROM delivery_parked)",  # parked = not delivered: keep
                (delivered_up_to, to_utc_text(cutoff_utc)),
            ).rowcount


def _row_of(new: NewPunch, device_id: str) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "nip": new.nip,
        "time_utc": to_utc_text(new.time),
        "utc_offset_minutes": offset_minutes(new.time),
        "method": Method(new.method).value,
        "kind": new.classification.kind.value,
        "status": new.classification.status.value,
        "status_minutes": new.classification.minutes,
        "distance": new.distance,
        "liveness": new.liveness,
        "clock_synced": int(new.clock_synced),
        "photo": new.photo,
        "boot_id": new.boot_id,
        "monotonic_ns": new.monotonic_ns,
        "source_key": new.source_key,
        "note": new.note,
        "device_id": device_id,
        "recorded_utc": to_utc_text(utc_now()),
    }


def punch_of(row: sqlite3.Row) -> Punch:
    """The reference conversion, by column name: single-row reads and `kiosk punch list`."""
    return Punch(
        seq=row["seq"],
        uuid=row["uuid"],
        nip=row["nip"],
        time_utc=from_utc_text(row["time_utc"]),
        utc_offset_minutes=row["utc_offset_minutes"],
        method=Method(row["method"]),
        kind=Kind(row["kind"]),
        status=Status(row["status"]),
        status_minutes=row["status_minutes"],
        distance=row["distance"],
        liveness=row["liveness"],
        clock_synced=bool(row["clock_synced"]),
        photo=row["photo"],
        boot_id=row["boot_id"],
        monotonic_ns=row["monotonic_ns"],
        source_key=row["source_key"],
        note=row["note"],
        device_id=row["device_id"],
        recorded_utc=from_utc_text(row["recorded_utc"]),
    )
