"""pyzk get_attendance of 100,000 punches over TCP from the kiosk's ZK server (goal: < 10 s).

    python bench/zk_bench.py [--punches 100000] [--runs 5] [--db PATH]

Fills a real store (reused when --db exists with enough punches), starts the server on an
ephemeral 127.0.0.1 port and prints the median of several pyzk get_attendance runs, the first
(cold cache) run separately.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Status
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.store import Store
from sync.zk import build_server
from tests.zk_helpers import WIB

KINDS = (Kind.DATANG, Kind.SIANG, Kind.PULANG)


def fill(store: Store, punches: int) -> None:
    employees = [Employee(nip=f"1990010120201210{i:02d}", name=f"Pegawai {i}", pin=i + 1) for i in range(50)]
    for employee in employees:
        if store.employees.get(employee.nip) is None:
            store.employees.add(employee)
    start = datetime(2024, 1, 1, 7, 0, tzinfo=WIB)
    store.punches.record_many(  # set-up in one transaction; what is measured is the server reading them
        NewPunch(
            nip=employees[i % 50].nip,
            time=start + timedelta(minutes=i),
            method=Method.FACE,
            classification=Classification(KINDS[i % 3], Status.ON_TIME),
        )
        for i in range(store.punches.count(), punches)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--punches", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "zk_bench.db")
    args = parser.parse_args()
    from zk import ZK

    store = Store.open(args.db, device_id="BENCH")
    t0 = time.perf_counter()
    fill(store, args.punches)
    print(f"store: {store.punches.count()} punches ({time.perf_counter() - t0:.1f} s to fill)")
    server = build_server(store, ZkServerSettings(port=0, udp=False), "BENCH").start()
    try:
        times = []
        for _run in range(args.runs):
            t = time.perf_counter()
            conn = ZK("127.0.0.1", port=server.port, timeout=60, ommit_ping=True).connect()
            records = conn.get_attendance()
            conn.disconnect()
            times.append(time.perf_counter() - t)
            assert len(records) == store.punches.count(), (len(records), store.punches.count())
        print(
            f"pyzk get_attendance, {len(records)} records over TCP: first (cold) {times[0]:.2f} s, "
            f"median of {len(times)} {statistics.median(times):.2f} s, min {min(times):.2f} s (goal < 10 s)"
        )
    finally:
        server.stop()
        store.close()


if __name__ == "__main__":
    main()
