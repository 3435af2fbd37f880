"""Store benchmark: durable punch inserts per second, and reading 100,000 punches by seq pages.

    python bench/store_bench.py [--punches 100000] [--inserts 500] [--runs 5]

Inserts are measured the way the door records them: synchronous=FULL, one transaction (one fsync)
per punch, through PunchRecorder (debounce look-up, classification, commit). The baseline in the
same run is the bare INSERT with synchronous=FULL, to show what the recorder's reads cost.
Prints medians over --runs runs.
"""

from __future__ import annotations

import argparse
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
    begin = time.perf_counter()
    cursor, seen = 0, 0
    while page := store.punches.page(after_seq=cursor, limit=page_size):
        seen += len(page)
        cursor = page[-1].seq
    return time.perf_counter() - begin, seen


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
        times = []
        for _ in range(args.runs):
            elapsed, seen = read_all_pages(store, 1000)
            assert seen == args.punches
            times.append(elapsed)
        store.close()
    print(f"read {args.punches:,} punches in pages of 1,000 by seq: median {statistics.median(times) * 1000:,.0f} ms "
          f"({args.punches / statistics.median(times):,.0f} punches/s)")


if __name__ == "__main__":
    main()
