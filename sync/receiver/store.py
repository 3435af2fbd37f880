"""The reference receiver's own SQLite store: punches UNIQUE on uuid, idempotency keys, photos, roster."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS punches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,             -- the deduplication key of push protocol v1
    device_id TEXT NOT NULL,
    nip TEXT NOT NULL,
    time TEXT NOT NULL,
    record TEXT NOT NULL,                  -- the punch object as received
    received_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    idempotency_key TEXT PRIMARY KEY,
    response TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS photos (
    uuid TEXT PRIMARY KEY REFERENCES punches(uuid),
    jpeg BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS employees (
    nip TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    schedule TEXT NOT NULL DEFAULT '',
    pin INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nip TEXT NOT NULL REFERENCES employees(nip) ON DELETE CASCADE,
    vector TEXT NOT NULL,                  -- base64 of 128 little-endian float32
    quality REAL NOT NULL DEFAULT 0,
    device_id TEXT NOT NULL DEFAULT '',
    local_id INTEGER,
    UNIQUE (device_id, local_id)
);
"""


@dataclass(frozen=True)
class Verdict:
    status: str  # accepted | duplicate | rejected
    code: str = ""
    reason: str = ""


def _create_private(path: Path) -> None:
    """Punches hold NIPs, names and times: the folder is created 0700 and the file 0600 (SQLite
    gives the -wal and -shm files the database file's mode)."""
    if str(path) == ":memory:":
        return
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class ReceiverStore:
    def __init__(self, path: str | Path) -> None:
        _create_private(Path(path))
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        self.lock = threading.RLock()  # the reply is built inside store_batch
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # an acknowledged batch is on disk
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def replay(self, key: str) -> str | None:
        rows = self._query("SELECT response FROM batches WHERE idempotency_key = ?", (key,))
        return rows[0][0] if rows else None

    def store_batch(self, device_id: str, checked: list[tuple[object, Verdict]], key: str, respond) -> str:
        """Insert the accepted punches and remember the reply under the Idempotency-Key, atomically.

        `respond(verdicts)` builds the reply text from the final verdicts (accepted or duplicate).
        """
        now = _now()
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                verdicts = [self._insert(device_id, punch, verdict, now) for punch, verdict in checked]
                response = respond(verdicts)
                if key:
                    self.conn.execute("INSERT OR REPLACE INTO batches VALUES (?, ?)", (key, response))
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return response

    def _insert(self, device_id: str, punch: object, verdict: Verdict, now: str) -> Verdict:
        if verdict.status == "rejected" or not isinstance(punch, dict):  # check_punch accepts only objects
            return verdict
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO punches (uuid, device_id, nip, time, record, received_utc) VALUES (?, ?, ?, ?, ?, ?)",
            (punch["uuid"], device_id, punch["nip"], punch["time"], json.dumps(punch, separators=(",", ":")), now),
        )
        return Verdict("accepted") if cursor.rowcount == 1 else Verdict("duplicate")

    def has_photo(self, uuids: list[str]) -> set[str]:
        if not uuids:
            return set()
        marks = ",".join("?" * len(uuids))
        return {row[0] for row in self._query(f"SELECT uuid FROM photos WHERE uuid IN ({marks})", tuple(uuids))}

    def put_photo(self, uuid: str, jpeg: bytes) -> bool:
        """False when no such punch was received."""
        with self.lock:
            if not self.conn.execute("SELECT 1 FROM punches WHERE uuid = ?", (uuid,)).fetchone():
                return False
            self.conn.execute("INSERT OR REPLACE INTO photos VALUES (?, ?)", (uuid, jpeg))
        return True

    # read side, for tests, the benchmark and integrators
    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM punches")[0][0])

    def uuids(self) -> list[str]:
        return [row[0] for row in self._query("SELECT uuid FROM punches ORDER BY id")]

    def punch(self, uuid: str) -> dict | None:
        rows = self._query("SELECT record FROM punches WHERE uuid = ?", (uuid,))
        return json.loads(rows[0][0]) if rows else None

    def photo(self, uuid: str) -> bytes | None:
        rows = self._query("SELECT jpeg FROM photos WHERE uuid = ?", (uuid,))
        return rows[0][0] if rows else None

    # roster
    def put_employee(self, nip: str, name: str, pin: int, unit: str = "", schedule: str = "", active: bool = True) -> None:
        with self.lock:
            self.conn.execute(
                "INSERT INTO employees VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(nip) DO UPDATE SET"
                " name=excluded.name, unit=excluded.unit, schedule=excluded.schedule, pin=excluded.pin, active=excluded.active",
                (nip, name, unit, schedule, pin, int(active)),
            )

    def remove_employee(self, nip: str) -> None:
        with self.lock:
            self.conn.execute("DELETE FROM employees WHERE nip = ?", (nip,))

    def put_template(self, nip: str, vector_b64: str, quality: float = 0.0, device_id: str = "", local_id: int | None = None) -> str:
        """'accepted', 'duplicate' (same device and local id), or 'unknown_employee'."""
        with self.lock:
            if not self.conn.execute("SELECT 1 FROM employees WHERE nip = ?", (nip,)).fetchone():
                return "unknown_employee"
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO templates (nip, vector, quality, device_id, local_id) VALUES (?, ?, ?, ?, ?)",
                (nip, vector_b64, quality, device_id, local_id),
            )
        return "accepted" if cursor.rowcount == 1 else "duplicate"

    def roster(self) -> list[dict]:
        employees = self._query("SELECT nip, name, unit, schedule, pin, active FROM employees ORDER BY nip")
        templates: dict[str, list[dict]] = {}
        for tid, nip, vector, quality, device in self._query("SELECT id, nip, vector, quality, device_id FROM templates ORDER BY id"):
            templates.setdefault(nip, []).append({"id": tid, "vector": vector, "quality": quality, "device_id": device})
        return [
            {"nip": n, "name": name, "unit": unit, "schedule": sched, "pin": pin, "active": bool(active), "templates": templates.get(n, [])}
            for n, name, unit, sched, pin, active in employees
        ]
