"""Child of test_disk_full: runs inside its own mount namespace on a tiny tmpfs (see the test).

Fills the filesystem, tries to record punches through the daemon's fingerprint path, checks the
database, frees space, records again, and prints one JSON line with what happened.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.app.daemon import Kiosk
from kiosk.domain import Employee
from kiosk.feedback import Cue
from kiosk.settings import settings_from_dict
from kiosk.store import StoreError

NIP = "198001012006041001"


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512, 1):  # down to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def main(data_dir: str) -> None:
    settings = settings_from_dict({"device": {"data_dir": data_dir}, "face": {"repeat_minutes": 0}})
    kiosk = Kiosk(settings)
    kiosk.store.employees.add(Employee(nip=NIP, name="Budi"))
    at = datetime(2026, 11, 23, 7, 30, tzinfo=settings.tz)
    before_full = kiosk.record_fingerprint(NIP, at, None).punch.seq
    filler = fill(Path(data_dir))
    accepted, refused, cues = [], 0, []
    for i in range(200):
        try:
            punch = kiosk.record_fingerprint(NIP, at + timedelta(seconds=i + 1), None).punch
            accepted.append(punch.seq)
        except StoreError as exc:
            refused += 1
            cues.append((str(kiosk.hub.last.cue), type(exc).__name__))
    faults = [f.part for f in kiosk.health.faults()]
    integrity = kiosk.store.db.integrity_check()
    filler.unlink()
    after = kiosk.record_fingerprint(NIP, at + timedelta(hours=1), None).punch
    stored = [row["seq"] for row in kiosk.store.db.query("SELECT seq FROM punches ORDER BY seq")]
    faults_after = [f.part for f in kiosk.health.faults()]
    kiosk.stop()
    print(json.dumps({
        "before_full": before_full, "accepted_while_full": accepted, "refused": refused, "cues": cues,
        "faults": faults, "integrity": integrity, "after": after.seq, "stored": stored, "faults_after": faults_after,
        "last_cue": str(Cue.RECORDED),
    }))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
