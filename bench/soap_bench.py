"""GetAttLog of 50,000 rows through the SOAP web service, read by the PHP-style client (goal <= 2 s).

    python bench/soap_bench.py [--punches 50000] [--runs 5] [--db PATH]

Fills a real store (reused when --db exists with enough punches), serves POST /iWsService on an
ephemeral 127.0.0.1 port and times the client of tests/soap_helpers.py (raw socket, HTTP/1.0, read
until close, rows cut by CRLF and substrings) over several runs. The baseline, measured in the same
run, is reading the same punches from the store page by page: the ratio is what the web service
adds (encoding, HTTP, the client's cutting).

bench/zk_bench.py can call `measure_soap_getattlog(store, runs)` to print this figure beside pyzk's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.settings.soap import SoapSettings
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.store import Store
from sync.soap.service import build_soap_server
from tests.helpers import NIPS, add_employees, insert_punches_fast
from tests.soap_helpers import get_att_log

GOAL_SECONDS = 2.0
WIB = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class SoapFigures:
    rows: int
    first: float  # seconds, cold
    median: float  # seconds, median of all runs
    baseline: float  # seconds: the same punches read from the store, median

    def describe(self) -> str:
        verdict = "within" if self.median <= GOAL_SECONDS else "OVER"
        return (
            f"SOAP GetAttLog (PHP-style client), {self.rows} rows: first {self.first:.2f} s, median of runs "
            f"{self.median:.2f} s ({verdict} the goal of {GOAL_SECONDS:.0f} s); store read baseline "
            f"{self.baseline:.2f} s, ratio {self.median / self.baseline:.1f}x"
        )


def fill(store: Store, punches: int) -> None:
    if store.employees.count() < len(NIPS):
        add_employees(store)
    have = store.punches.count()
    if have < punches:
        insert_punches_fast(store, punches - have, start=have)


def read_store(store: Store) -> int:
    count, after = 0, 0
    while page := store.punches.page(after_seq=after, limit=5000):
        count, after = count + len(page), page[-1].seq
    return count


def measure_soap_getattlog(store: Store, runs: int = 5, zone: ZoneInfo = WIB) -> SoapFigures:
    """Time `runs` GetAttLog All calls against a SOAP server over `store`; every row is checked."""
    expected = store.punches.count()
    server = build_soap_server(SoapSettings(enabled=True, port=0), ZkServerSettings(), store, zone, name="soap-bench").start()
    try:
        times, baseline = [], []
        for _run in range(runs):
            t = time.perf_counter()
            rows = get_att_log(server.port)
            times.append(time.perf_counter() - t)
            if len(rows) != expected:
                raise SystemExit(f"the client read {len(rows)} rows, the store holds {expected}")
            t = time.perf_counter()
            read_store(store)
            baseline.append(time.perf_counter() - t)
    finally:
        server.stop()
    return SoapFigures(expected, times[0], statistics.median(times), statistics.median(baseline))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--punches", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "soap_bench.db")
    args = parser.parse_args()
    store = Store.open(args.db, device_id="BENCH")
    try:
        fill(store, args.punches)
        print(measure_soap_getattlog(store, args.runs).describe())
    finally:
        store.close()


if __name__ == "__main__":
    main()
