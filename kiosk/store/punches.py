"""Punches: append-only, each durable on disk when `record` returns."""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from kiosk.domain import Kind, Method, NewPunch, Punch, Status
from kiosk.store.db import Database
from kiosk.store.errors import DuplicatePunch
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
        """Punches after `after_seq` in seq order: the pull API, exports and delivery page through this."""
        punches = _punches_of_page(self.db.tuples(_PAGE_SQL, (after_seq, limit)))
        if punches is None:  # a value no enum knows: the reference conversion says which
            rows = self.db.query("SELECT * FROM punches WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit))
            punches = [punch_of(row) for row in rows]
        return punches

    def count(self) -> int:
        return cast(int, self.db.scalar("SELECT COUNT(*) FROM punches"))

    def count_for(self, nip: str) -> int:
        return cast(int, self.db.scalar("SELECT COUNT(*) FROM punches WHERE nip=?", (nip,)))

    def last_seq(self) -> int:
        return cast(int, self.db.scalar("SELECT COALESCE(MAX(seq), 0) FROM punches"))

    def between(self, start_utc: datetime, end_utc: datetime, nip: str | None = None) -> list[Punch]:
        """Punches with start <= time < end, in time order (for rules and reports, not for sync)."""
        rows = self.db.query(
            "SELECT * FROM punches WHERE time_utc >= ? AND time_utc < ? AND (? IS NULL OR nip = ?) ORDER BY time_utc, seq",
            (to_utc_text(start_utc), to_utc_text(end_utc), nip, nip),
        )
        return [punch_of(row) for row in rows]

    def last_for(self, nip: str) -> Punch | None:
        rows = self.db.query("SELECT * FROM punches WHERE nip=? ORDER BY seq DESC LIMIT 1", (nip,))
        return punch_of(rows[0]) if rows else None

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


# Paged reads: the pull API, SOAP GetAttLog, the ZK attendance dataset and the exports convert
# 100,000s of rows through page(); bench/store_bench.py measures it beside bare sqlite3. Beyond the
# fetch itself, the cost is Python work per row, so:
# - SQLite decodes the four low-cardinality columns (method, kind, status, clock_synced) into one
#   small integer, the position of that combination in _DECODED: one value per row crosses into
#   Python instead of four, and one look-up replaces three Enum() calls and a bool(). A value outside
#   the enums decodes to NULL, and that page is read again through punch_of(), which raises the same
#   ValueError as every other read.
# - _PunchFiller fills Punch's slots with plain attribute stores, which CPython specialises, then
#   becomes a Punch by setting its __class__ (same slots, so the layout is identical). The frozen
#   dataclass's own __init__ makes 19 object.__setattr__ calls, three times the cost. What comes out
#   is an ordinary Punch: frozen, equal to and hashing like punch_of()'s (tests/test_store.py checks
#   every field and its type, for every decoded combination).
# - Times are parsed with datetime.fromisoformat (C; reads the trailing Z).
_DECODED = tuple(itertools.product(Method, Kind, Status, (False, True)))
_DECODED_AT = dict(enumerate(_DECODED))  # a dict, so NULL (None) is a KeyError, not a silent index


def _position_sql(column: str, values: Sequence[str | bool]) -> str:
    """The position of `column`'s value in `values`, NULL when it is none of them."""
    literals = [str(int(value)) if isinstance(value, bool) else "'" + value.replace("'", "''") + "'" for value in values]
    return f"CASE {column} " + " ".join(f"WHEN {literal} THEN {i}" for i, literal in enumerate(literals)) + " END"


# Mixed radix in the order of itertools.product above: method, kind, status, clock_synced.
_DECODED_SQL = (
    f"((({_position_sql('method', list(Method))}) * {len(Kind)} + {_position_sql('kind', list(Kind))})"
    f" * {len(Status)} + {_position_sql('status', list(Status))}) * 2 + {_position_sql('clock_synced', [False, True])}"
)


class _PunchFiller:
    """Builds one Punch from a page row; the parameters are the page query's columns, in order."""

    __slots__ = Punch.__slots__

    def __init__(
        self, seq: int, uuid: str, nip: str, time_utc: str, utc_offset_minutes: int, decoded: int, status_minutes: int,
        distance: float | None, liveness: float | None, photo: str | None, boot_id: str, monotonic_ns: int,
        source_key: str | None, note: str, device_id: str, recorded_utc: str,
    ) -> None:  # fmt: skip
        self.seq = seq
        self.uuid = uuid
        self.nip = nip
        self.time_utc = datetime.fromisoformat(time_utc)
        self.utc_offset_minutes = utc_offset_minutes
        self.method, self.kind, self.status, self.clock_synced = _DECODED_AT[decoded]
        self.status_minutes = status_minutes
        self.distance = distance
        self.liveness = liveness
        self.photo = photo
        self.boot_id = boot_id
        self.monotonic_ns = monotonic_ns
        self.source_key = source_key
        self.note = note
        self.device_id = device_id
        self.recorded_utc = datetime.fromisoformat(recorded_utc)
        self.__class__ = Punch  # type: ignore[assignment]


_PAGE_COLUMNS = tuple(inspect.signature(_PunchFiller.__init__).parameters)[1:]
_FILLED = {*_PAGE_COLUMNS} - {"decoded"} | {"method", "kind", "status", "clock_synced"}
if _FILLED != {field.name for field in dataclasses.fields(Punch)}:  # a new Punch field must be read by page() too
    raise ImportError(f"_PunchFiller fills {sorted(_FILLED)}, not every Punch field")
_PAGE_SQL = (
    f"SELECT {', '.join(_DECODED_SQL if name == 'decoded' else name for name in _PAGE_COLUMNS)}"
    " FROM punches WHERE seq > ? ORDER BY seq LIMIT ?"
)


def _punches_of_page(rows: list[tuple]) -> list[Punch] | None:
    """The page's Punch values; None when a row holds a value outside the enums (see above)."""
    try:
        return cast(list[Punch], list(itertools.starmap(_PunchFiller, rows)))
    except KeyError:
        return None


def punch_of(row: sqlite3.Row) -> Punch:
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
