"""Must-show 4 of the foundation: SIGKILL at 20 random moments loses no reported punch."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_and_kill(db_path: Path, rng: random.Random) -> list[tuple[int, str]]:
    """Start the child, let it record for a random while, SIGKILL it, return what it reported."""
    child = subprocess.Popen(
        [sys.executable, str(HERE / "crash_child.py"), str(db_path)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"ready"
    time.sleep(rng.uniform(0.0, 0.4))
    child.send_signal(signal.SIGKILL)
    output = child.stdout.read()
    child.wait()
    reported = []
    for line in output.split(b"\n"):
        parts = line.split()
        if len(parts) == 2:  # a line cut by the kill is not a report
            reported.append((int(parts[0]), parts[1].decode()))
    return reported


def test_reported_punches_survive_sigkill(tmp_path: Path) -> None:
    db_path = tmp_path / "kiosk.db"
    rng = random.Random(20261122)
    all_reported: list[tuple[int, str]] = []
    for _round in range(20):
        all_reported += run_and_kill(db_path, rng)
        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = dict(conn.execute("SELECT seq, uuid FROM punches").fetchall())
            seqs = [row[0] for row in conn.execute("SELECT seq FROM punches")]
        finally:
            conn.close()
        missing = [(seq, uuid) for seq, uuid in all_reported if stored.get(seq) != uuid]
        assert not missing, f"reported as recorded but lost after SIGKILL: {missing[:5]}"
        assert len(seqs) == len(set(seqs)), "duplicate seq values"
    assert len(all_reported) > 20, "the child recorded too little to prove anything"
