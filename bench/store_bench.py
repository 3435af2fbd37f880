"""Store benchmark: durable punch inserts per second, and reading 100,000 punches by seq pages.

    python bench/store_bench.py [--punches 100000] [--inserts 500] [--runs 5]

The paged read (what the pull API, exports and delivery ride on) is printed beside the same pages
read with bare sqlite3 (tuples, no conversion) from the same file in the same run: the goal is the
store within 0.3 s for 100,000 punches, and the ratio shows what the conversion to Punch costs.

Inserts are measured the way the door records them: synchronous=FULL, one transaction (one fsync)
per punch, through PunchRecorder (debounce look-up, classification, commit). The baseline in the
same run is the bare INSERT with synchronous=FULL, to show what the recorder's reads cost.
Prints medians over --runs runs.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.domain import Employee, Method, NewPunch
from kiosk.photos import PhotoStore
from kiosk.recorder import PunchRecorder
from kiosk.store import Store

WIB = ZoneInfo("Asia/Jakarta")
NIPS = [f"1980010120060410{i:02d}" for i in range(50)]


def fresh_store(folder: Path) -> Store:
    store = Store.open(folder / "kiosk.db", device_id="BENCH")
    for nip in NIPS:
        store.employees.add(Employee(nip=nip, name=f"Pegawai {nip[-2:]}"))
    return store


def durable_recorder_inserts(count: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = fresh_store(Path(tmp))
        recorder = PunchRecorder(store, PhotoStore(Path(tmp)), repeat_minutes=5)
        start_at = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)
        begin = time.perf_counter()
        for i in range(count):
            recorder.record(NIPS[i % len(NIPS)], Method.FACE, start_at + timedelta(minutes=6 * i))
        elapsed = time.perf_counter() - begin
        store.close()
    return count / elapsed


def durable_bare_inserts(count: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = fresh_store(Path(tmp))
        at = datetime(2026, 11, 23, 7, 0, tzinfo=WIB)
        begin = time.perf_counter()
        for i in range(count):
            store.punches.record(NewPunch(nip=NIPS[i % len(NIPS)], time=at, method=Method.FACE))
        elapsed = time.perf_counter() - begin
        store.close()
    return count / elapsed


def fill(store: Store, count: int) -> None:
    """Bulk-load in one transaction: this is set-up, not what is measured."""
    at = datetime(2026, 1, 1, 7, 0, tzinfo=WIB)
    store.punches.record_many(
        NewPunch(nip=NIPS[i % len(NIPS)], time=at + timedelta(seconds=37 * i), method=Method.FACE) for i in range(count)
    )


def read_all_pages(store: Store, page_size: int) -> tuple[float, int]:
    """CPU seconds of this thread (the machine may be shared: wall time would measure the neighbours)."""
    begin = time.thread_time()
    cursor, seen = 0, 0
    while page := store.punches.page(after_seq=cursor, limit=page_size):
        seen += len(page)
        cursor = page[-1].seq
    return time.thread_time() - begin, seen


def read_all_pages_raw(path: Path, page_size: int) -> tuple[float, int]:
    """The floor: the same query through bare sqlite3, rows left as tuples."""
    conn = sqlite3.connect(path)
    try:
        begin = time.thread_time()
        cursor, seen = 0, 0
        while page := conn.execute("SELECT * FROM punches WHERE seq > ? ORDER BY seq LIMIT ?", (cursor, page_size)).fetchall():
            seen += len(page)
            cursor = page[-1][0]
        return time.thread_time() - begin, seen
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--punches", type=int, default=100_000)
    parser.add_argument("--inserts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    recorder_rates = [durable_recorder_inserts(args.inserts) for _ in range(args.runs)]
    bare_rates = [durable_bare_inserts(args.inserts) for _ in range(args.runs)]
    print(f"durable inserts via PunchRecorder (synchronous=FULL, 1 txn/punch): median {statistics.median(recorder_rates):,.0f} punches/s")
    print(f"durable bare INSERT baseline (same settings):                    median {statistics.median(bare_rates):,.0f} punches/s")
    print(f"  recorder / bare ratio: {statistics.median(recorder_rates) / statistics.median(bare_rates):.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        store = fresh_store(Path(tmp))
        fill(store, args.punches)
        times, raw_times = [], []
        for _ in range(args.runs):  # interleaved, so both see the same load on a shared machine
            elapsed, seen = read_all_pages(store, 1000)
            assert seen == args.punches
            times.append(elapsed)
            elapsed, seen = read_all_pages_raw(Path(tmp) / "kiosk.db", 1000)
            assert seen == args.punches
            raw_times.append(elapsed)
        store.close()
    store_ms, raw_ms = statistics.median(times) * 1000, statistics.median(raw_times) * 1000
    print(f"read {args.punches:,} punches in pages of 1,000 by seq through the store: median CPU {store_ms:,.0f} ms "
          f"({args.punches / statistics.median(times):,.0f} punches/s; goal <= 300 ms)")
    print(f"  the same pages through bare sqlite3 (tuples):           median CPU {raw_ms:,.0f} ms; store / raw = {store_ms / raw_ms:.1f}")


if __name__ == "__main__":
    main()
