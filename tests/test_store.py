"""The store on real SQLite files: durability settings, append-only punches, migrations, bad files."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from kiosk.domain import Employee, Method, NewPunch
from kiosk.store import CorruptDatabase, DuplicatePunch, EmployeeExists, NewerSchema, Store
from kiosk.store.migrations import MIGRATIONS

WIB = ZoneInfo("Asia/Jakarta")
NIP = "198001012006041001"


@pytest.fixture
def db(tmp_path: Path):
    with Store.open(tmp_path / "kiosk.db", device_id="T-1") as store:
        store.employees.add(Employee(nip=NIP, name="Budi"))
        yield store


def punch(at: datetime, **kw) -> NewPunch:
    return NewPunch(nip=NIP, time=at, method=Method.FACE, **kw)


def test_wal_and_full_sync(db: Store) -> None:
    assert db.db.scalar("PRAGMA journal_mode") == "wal"
    assert db.db.scalar("PRAGMA synchronous") == 2  # FULL


def test_database_is_owner_only(db: Store) -> None:
    assert db.path.stat().st_mode & 0o077 == 0


def test_punch_keeps_time_offset_and_fields(db: Store) -> None:
    at = datetime(2026, 11, 23, 7, 41, 5, tzinfo=WIB)
    stored = db.punches.record(punch(at, distance=0.31, liveness=0.9, clock_synced=False, boot_id="b", monotonic_ns=42))
    again = db.punches.by_uuid(stored.uuid)
    assert again == stored
    assert stored.local_time == at and stored.local_time.utcoffset() == timedelta(hours=7)
    assert stored.time_utc == at.astimezone(UTC)
    assert (stored.utc_offset_minutes, stored.distance, stored.clock_synced, stored.device_id) == (420, 0.31, False, "T-1")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        punch(datetime(2026, 11, 23, 7, 41))


def test_seq_is_monotonic_and_pages_walk_in_order(db: Store) -> None:
    at = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)
    seqs = [db.punches.record(punch(at + timedelta(minutes=i))).seq for i in range(25)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 25
    walked, cursor = [], 0
    while page := db.punches.page(after_seq=cursor, limit=10):
        walked += [p.seq for p in page]
        cursor = page[-1].seq
    assert walked == seqs


def test_punches_are_append_only(db: Store) -> None:
    stored = db.punches.record(punch(datetime(2026, 11, 23, 7, 0, tzinfo=WIB)))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.db.conn.execute("UPDATE punches SET nip = 'x' WHERE seq = ?", (stored.seq,))


def test_source_key_dedupes_external_records(db: Store) -> None:
    at = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)
    db.punches.record(punch(at, source_key="zk:SN1:7:20261123070000"))
    with pytest.raises(DuplicatePunch):
        db.punches.record(punch(at, source_key="zk:SN1:7:20261123070000"))
    assert db.punches.count() == 1


def test_duplicate_employee_and_pin(db: Store) -> None:
    with pytest.raises(EmployeeExists, match="already enrolled"):
        db.employees.add(Employee(nip=NIP, name="Budi lagi"))
    with pytest.raises(EmployeeExists, match="PIN 1"):
        db.employees.add(Employee(nip="199001012015031002", name="Ani", pin=1))


def test_pins_are_assigned_and_stable(db: Store) -> None:
    ani = db.employees.add(Employee(nip="199001012015031002", name="Ani"))
    assert ani.pin == 2
    db.employees.remove(ani.nip)
    assert db.employees.get(NIP).pin == 1
    # A removed employee's PIN is never handed out again (a terminal may still hold that finger).
    cici = db.employees.add(Employee(nip="199101012015032003", name="Cici"))
    assert cici.pin == 3


def test_removing_employee_erases_templates(db: Store) -> None:
    db.templates.add(NIP, np.ones(128), "photo")
    assert len(db.templates.matrix()) == 1
    db.employees.remove(NIP)
    assert db.templates.count() == 0


def test_template_matrix(db: Store) -> None:
    vectors = np.random.default_rng(1).random((3, 128)).astype(np.float32)
    for vector in vectors:
        db.templates.add(NIP, vector, "photo")
    matrix = db.templates.matrix()
    assert matrix.vectors.shape == (3, 128) and list(matrix.nips) == [NIP] * 3
    np.testing.assert_allclose(matrix.vectors, vectors)


def test_random_bytes_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    garbage = os.urandom(64 * 1024)
    path.write_bytes(garbage)
    with pytest.raises(CorruptDatabase) as caught:
        Store.open(path)
    assert str(path) in str(caught.value) and "backup" in str(caught.value)
    assert path.read_bytes() == garbage
    assert not Path(f"{path}-wal").exists()


def test_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    with Store.open(path) as store:
        store.employees.add(Employee(nip=NIP, name="Budi"))
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)  # keep the header, destroy the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabase, match=str(path)):
        Store.open(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchema, match="newer"):
        Store.open(path)


def test_migrations_run_once(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    Store.open(path).close()
    with Store.open(path) as store:
        assert store.db.scalar("PRAGMA user_version") == len(MIGRATIONS)


def test_template_version_changes_with_what_matching_sees(db: Store) -> None:
    seen = {db.templates.version()}
    db.templates.add(NIP, np.ones(128), "photo")
    seen.add(db.templates.version())
    ani = db.employees.add(Employee(nip="199001012015031002", name="Ani"))
    seen.add(db.templates.version())
    db.employees.update(Employee(nip=ani.nip, name="Ani", active=False))
    seen.add(db.templates.version())
    db.employees.remove(NIP)
    seen.add(db.templates.version())
    assert len(seen) == 5
