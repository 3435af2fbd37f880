"""Pulls over TCP from the kiosk's ZK server: pyzk of 100,000 punches (goal: < 10 s), and
node-zklib 1.3.0 beside pyzk on 50,000 punches (goal: node-zklib <= 2 s).

    python bench/zk_bench.py [--punches 100000] [--node-punches 50000] [--runs 5] [--db PATH]

Fills real stores (reused when they exist with enough punches), starts the server on an ephemeral
127.0.0.1 port and prints the median of several runs of each client, the first (cold cache) run
separately. node-zklib needs node and `npm ci` in tests/node_zklib (its figure is skipped, with the
reason, otherwise); its time is that of its getAttendances() call, as pull.js measures it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.soap_bench import measure_soap_getattlog
from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Status
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.store import Store
from sync.zk import build_server
from tests.zk_helpers import WIB

NODE_DIR = Path(__file__).resolve().parent.parent / "tests" / "node_zklib"
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


def pyzk_pull(port: int) -> int:
    from zk import ZK

    conn = ZK("127.0.0.1", port=port, timeout=60, ommit_ping=True).connect()
    records = conn.get_attendance()
    conn.disconnect()
    return len(records)


def node_pull(port: int, out: Path) -> tuple[int, float]:
    """(records, seconds of node-zklib's getAttendances) from one run of tests/node_zklib/pull.js."""
    subprocess.run(
        ["node", str(NODE_DIR / "pull.js"), "127.0.0.1", str(port), str(out)],
        cwd=NODE_DIR,
        env={**os.environ, "TZ": "UTC"},
        check=True,
        capture_output=True,
        timeout=300,
    )
    result = json.loads(out.read_text())
    if result["attendanceError"]:
        raise RuntimeError(f"node-zklib: {result['attendanceError']}")
    return len(result["attendance"]), result["seconds"]["attendance"]


def timed(pull, runs: int, expected: int) -> list[float]:
    times = []
    for _run in range(runs):
        t = time.perf_counter()
        count = pull()
        times.append(time.perf_counter() - t)
        assert count == expected, (count, expected)
    return times


def summary(label: str, times: list[float], goal: str) -> str:
    return (
        f"{label}: first (cold) {times[0]:.2f} s, median of {len(times)} {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s ({goal})"
    )


def open_filled(path: Path, punches: int) -> Store:
    store = Store.open(path, device_id="BENCH")
    t0 = time.perf_counter()
    fill(store, punches)
    print(f"store {path.name}: {store.punches.count()} punches ({time.perf_counter() - t0:.1f} s to fill)")
    return store


def bench_pyzk(path: Path, punches: int, runs: int) -> None:
    store = open_filled(path, punches)
    server = build_server(store, ZkServerSettings(port=0, udp=False), "BENCH").start()
    try:
        times = timed(lambda: pyzk_pull(server.port), runs, store.punches.count())
        print(summary(f"pyzk get_attendance, {store.punches.count()} records over TCP", times, "goal < 10 s"))
    finally:
        server.stop()
        store.close()


def bench_node_beside_pyzk(path: Path, punches: int, runs: int) -> None:
    store = open_filled(path, punches)
    count = store.punches.count()
    server = build_server(store, ZkServerSettings(port=0, udp=False), "BENCH").start()
    try:
        pyzk_times = timed(lambda: pyzk_pull(server.port), runs, count)
        print(summary(f"pyzk get_attendance, {count} records over TCP", pyzk_times, "baseline"))
        if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "node-zklib").exists():
            print("node-zklib: skipped (needs node and `npm ci` in tests/node_zklib)")
            return
        out = Path(tempfile.mkdtemp()) / "pull.json"
        node_times = []
        for _run in range(runs):
            got, seconds = node_pull(server.port, out)
            assert got == count, (got, count)
            node_times.append(seconds)
        print(summary(f"node-zklib getAttendances, {count} records over TCP", node_times, "goal <= 2 s"))
        ratio = statistics.median(node_times) / statistics.median(pyzk_times)
        print(f"node-zklib / pyzk median: {ratio:.2f}")
    finally:
        server.stop()
    try:
        # The same punches through the terminals' SOAP web service, as the PHP applications read them.
        soap = measure_soap_getattlog(store, runs)
        print(soap.describe())
        print(f"SOAP GetAttLog / pyzk median: {soap.median / statistics.median(pyzk_times):.2f}")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--punches", type=int, default=100_000)
    parser.add_argument("--node-punches", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "zk_bench.db")
    args = parser.parse_args()
    bench_pyzk(args.db, args.punches, args.runs)
    bench_node_beside_pyzk(args.db.with_name(args.db.stem + f"_{args.node_punches}.db"), args.node_punches, args.runs)


if __name__ == "__main__":
    main()
