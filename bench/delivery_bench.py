"""Delivery throughput: batched push vs one HTTP request per punch, to the reference receiver on loopback.

    python bench/delivery_bench.py [--punches 100000] [--sample 2000] [--runs 3]

One request per punch is what the common terminal-to-ERP sync tools do. It is measured on a
sample (--sample punches) and its rate extrapolated, because 100,000 single requests take minutes.
Both sides use real SQLite files with synchronous=FULL (each acknowledged request is fsynced).
Goals: batched >= 20x the per-punch rate, and >= 5,000 punches/s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.store import Store
from sync.deliverer import deliver_now
from sync.receiver import Receiver
from tests.helpers import insert_punches_fast, make_settings, write_token

TOKEN = "bench-token"


def one_run(punches: int, batch_size: int) -> float:
    """Punches per second for delivering `punches` with `batch_size` punches per request."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        token = write_token(tmp / "token", TOKEN)
        with Receiver(tmp / "receiver.db", TOKEN) as receiver:
            settings = make_settings(tmp, receiver.url, token, batch_size=batch_size)
            with Store.open(settings.database_path, device_id=settings.device.id) as store:
                insert_punches_fast(store, punches)
                started = time.perf_counter()
                outcome = deliver_now(settings, store)[0]
                elapsed = time.perf_counter() - started
            assert outcome.ok and receiver.store.count() == punches, outcome
    return punches / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--punches", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="punches for the one-request-per-punch runs")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    batched = [one_run(args.punches, args.batch_size) for _ in range(args.runs)]
    single = [one_run(args.sample, 1) for _ in range(args.runs)]
    b, s = statistics.median(batched), statistics.median(single)
    print(f"batched ({args.batch_size}/request), {args.punches} punches: median {b:,.0f} punches/s "
          f"over {args.runs} runs ({', '.join(f'{r:,.0f}' for r in batched)})")
    print(f"one request per punch, {args.sample}-punch sample (rate extrapolated to {args.punches}): median {s:,.0f} punches/s "
          f"-> {args.punches / s:,.0f} s for {args.punches}")
    print(f"speed-up: {b / s:.1f}x (goal >= 20x): {'met' if b / s >= 20 else 'NOT met'}")
    print(f"batched rate goal >= 5,000 punches/s: {'met' if b >= 5000 else 'NOT met'}")
    return 0 if b / s >= 20 and b >= 5000 else 1


if __name__ == "__main__":
    sys.exit(main())
