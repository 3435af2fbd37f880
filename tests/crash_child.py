"""Child process for test_crash_safety: record manual punches as fast as possible.

Prints "seq uuid" after each call to record() has returned, i.e. after the commit was reported
durable. The parent kills this process with SIGKILL at a random moment.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.domain import Employee
from kiosk.photos import PhotoStore
from kiosk.recorder import PunchRecorder
from kiosk.staff import manual_punch
from kiosk.store import EmployeeExists, Store

NIP = "198001012006041001"


def main(db_path: str, pace: float = 0.0, count: int = 0) -> None:
    store = Store.open(Path(db_path), device_id="CRASH-01")
    try:
        store.employees.add(Employee(nip=NIP, name="Budi"))
    except EmployeeExists:
        pass
    recorder = PunchRecorder(store, PhotoStore(Path(db_path).parent))
    print("ready", flush=True)
    recorded = 0
    while not count or recorded < count:
        punch = manual_punch(recorder, NIP, datetime.now(ZoneInfo("Asia/Jakarta")), "crash test")
        sys.stdout.write(f"{punch.seq} {punch.uuid}\n")
        sys.stdout.flush()
        recorded += 1
        if pace:
            time.sleep(pace)


if __name__ == "__main__":
    # crash_child.py DB [PACE_SECONDS COUNT]: as fast as possible forever, or COUNT punches PACE apart.
    main(sys.argv[1], *(float(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else ())
