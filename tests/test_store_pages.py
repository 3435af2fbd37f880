"""Paged punch reads on a real SQLite file: page() and between() build Punch values their own fast
way (kiosk/store/punch_rows.py, measured by bench/store_bench.py), and must return exactly what the
one-by-one read get() returns: every field, its type, equality, hash and the wall-clock time."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Punch, Status
from kiosk.store import Store

WIB = ZoneInfo("Asia/Jakarta")
NIP = "198001012006041001"
AT = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)


@pytest.fixture
def db(tmp_path: Path):
    with Store.open(tmp_path / "kiosk.db", device_id="T-1") as store:
        store.employees.add(Employee(nip=NIP, name="Budi"))
        yield store


def all_pages(store: Store, limit: int) -> list[Punch]:
    punches, cursor = [], 0
    while page := store.punches.page(after_seq=cursor, limit=limit):
        punches += page
        cursor = page[-1].seq
    return punches


def assert_same_punch(fast: Punch, slow: Punch) -> None:
    assert type(fast) is Punch
    for field in dataclasses.fields(Punch):
        mine, reference = getattr(fast, field.name), getattr(slow, field.name)
        assert (field.name, type(mine), mine) == (field.name, type(reference), reference)
    assert fast.time_utc.tzinfo == slow.time_utc.tzinfo == UTC
    assert fast.local_time == slow.local_time and fast.local_time.utcoffset() == slow.local_time.utcoffset()
    assert fast == slow and hash(fast) == hash(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.nip = "x"  # type: ignore[misc]


def test_pages_equal_one_by_one_reads_across_offsets_methods_sources_and_nulls(db: Store, tmp_path: Path) -> None:
    offsets = [timedelta(hours=7), timedelta(0), timedelta(hours=-3, minutes=-30), timedelta(hours=5, minutes=45),
               timedelta(hours=9), timedelta(hours=-12)]  # fmt: skip
    news = []
    for i, offset in enumerate(offsets):
        at = (AT + timedelta(minutes=i)).astimezone(timezone(offset))
        news += [
            NewPunch(nip=NIP, time=at, method=Method.FACE),  # every optional field at its default / NULL
            NewPunch(nip=NIP, time=at + timedelta(microseconds=123_457), method=Method.FACE, distance=0.3125,
                     liveness=0.875, clock_synced=False, photo=f"photos/2026/11/23/{NIP}-{i}.jpg", boot_id="boot-a",
                     monotonic_ns=2**62 + i, classification=Classification(Kind.DATANG, Status.LATE, 17)),
            NewPunch(nip=NIP, time=at + timedelta(seconds=1), method=Method.FINGERPRINT, source_key=f"zk:SN1:7:{i}",
                     classification=Classification(Kind.SIANG, Status.ON_TIME)),  # a terminal's log line
            NewPunch(nip=NIP, time=at + timedelta(seconds=2), method=Method.MANUAL, note=" lupa absen, surat ✓ ",
                     classification=Classification(Kind.PULANG, Status.EARLY, 5)),
        ]  # fmt: skip
    stored = [db.punches.record(new) for new in news]
    # A punch recorded under another device id (the same file opened by a replaced terminal's config).
    with Store.open(tmp_path / "kiosk.db", device_id="T-2") as other:
        stored.append(other.punches.record(NewPunch(nip=NIP, time=AT, method=Method.FACE, source_key="adms:9")))

    for limit in (1, 5, 1000):
        paged = all_pages(db, limit)
        assert [p.seq for p in paged] == [p.seq for p in stored]
        for fast, slow in zip(paged, [db.punches.get(p.seq) for p in stored], strict=True):
            assert slow is not None
            assert_same_punch(fast, slow)
    paged = all_pages(db, 7)
    # And what was recorded, not only what get() says: the instant and the offset it was typed with.
    for punch, new in zip(paged, [*news, None], strict=True):
        if new is not None:
            assert punch.local_time == new.time and punch.local_time.utcoffset() == new.time.utcoffset()
            assert (punch.method, punch.source_key, punch.photo, punch.distance) == (new.method, new.source_key, new.photo, new.distance)
    assert {p.device_id for p in paged} == {"T-1", "T-2"}
    # between() (reports, exports, the console) converts the same way, in time order.
    in_range = db.punches.between(AT - timedelta(hours=1), AT + timedelta(minutes=3))
    expected = sorted((p for p in stored if AT - timedelta(hours=1) <= p.time_utc < AT + timedelta(minutes=3)), key=lambda p: (p.time_utc, p.seq))
    assert 0 < len(in_range) == len(expected) < len(stored)
    for fast, slow in zip(in_range, expected, strict=True):
        assert_same_punch(fast, slow)
    assert [p.utc_offset_minutes for p in paged[::4]][:6] == [420, 0, -210, 345, 540, -720]


def test_every_method_kind_status_and_clock_flag_reads_back(db: Store) -> None:
    # page() has SQLite decode these four columns into one number; every combination must come back.
    combinations = list(itertools.product(Method, Kind, Status, (False, True)))
    db.punches.record_many(
        NewPunch(nip=NIP, time=AT + timedelta(minutes=i), method=method, clock_synced=synced,
                 classification=Classification(kind, status, i))
        for i, (method, kind, status, synced) in enumerate(combinations)
    )  # fmt: skip
    paged = all_pages(db, 7)
    assert [(p.method, p.kind, p.status, p.clock_synced, p.status_minutes) for p in paged] == [
        (*combination, i) for i, combination in enumerate(combinations)
    ]
    for fast in paged:
        slow = db.punches.get(fast.seq)
        assert slow is not None
        assert_same_punch(fast, slow)


def insert_raw(path: Path, **values: object) -> int:
    """A row written by something other than the store (an older or newer version, a hand repair)."""
    row = {"uuid": str(uuid.uuid4()), "nip": NIP, "time_utc": "2026-11-23T00:00:00.000000Z", "utc_offset_minutes": 420,
           "method": "face", "kind": "other", "status": "unscheduled", "clock_synced": 1, "device_id": "T-1",
           "recorded_utc": "2026-11-23T00:00:01.000000Z", **values}  # fmt: skip
    conn = sqlite3.connect(path)
    try:
        with conn:
            cursor = conn.execute(f"INSERT INTO punches ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
        return int(cursor.lastrowid or 0)
    finally:
        conn.close()


def test_a_value_no_enum_knows_fails_the_page_as_it_fails_get(db: Store) -> None:
    db.punches.record(NewPunch(nip=NIP, time=AT, method=Method.FACE))
    seq = insert_raw(db.path, method="retina")
    with pytest.raises(ValueError, match="'retina' is not a valid Method") as one_by_one:
        db.punches.get(seq)
    with pytest.raises(ValueError) as paged:
        db.punches.page()
    assert str(paged.value) == str(one_by_one.value)
    with pytest.raises(ValueError) as in_range:
        db.punches.between(AT - timedelta(days=1), AT + timedelta(days=1))
    assert str(in_range.value) == str(one_by_one.value)


def test_a_clock_flag_other_than_0_or_1_reads_as_get_reads_it(db: Store) -> None:
    first = db.punches.record(NewPunch(nip=NIP, time=AT, method=Method.FACE))
    odd = insert_raw(db.path, clock_synced=2, kind="datang", status="late", status_minutes=3)
    last = db.punches.record(NewPunch(nip=NIP, time=AT + timedelta(minutes=1), method=Method.MANUAL, clock_synced=False))
    paged = db.punches.page()
    assert [p.seq for p in paged] == [first.seq, odd, last.seq]
    for fast in paged:
        slow = db.punches.get(fast.seq)
        assert slow is not None
        assert_same_punch(fast, slow)
    assert [p.clock_synced for p in paged] == [True, True, False]


def test_the_garbage_collector_rests_only_while_a_page_is_built(db: Store) -> None:
    """Page reads pause the cyclic GC (kiosk/store/db.py `converted`) and switch it back on, also
    when the read fails; a GC someone else switched off stays off."""
    import gc

    db.punches.record(NewPunch(nip=NIP, time=AT, method=Method.FACE))
    seen: list[bool] = []
    db.db.converted("SELECT 1", (), lambda rows: seen.append(gc.isenabled()) or [])
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        assert len(db.punches.between(AT - timedelta(days=1), AT + timedelta(days=1), NIP)) == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
    insert_raw(db.path, method="retina")
    with pytest.raises(ValueError):
        db.punches.page()
    assert gc.isenabled(), "a failed page read must not leave the GC off"
