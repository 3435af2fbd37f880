"""node-zklib 1.3.0 (npm), a client nobody here wrote, pulls from the kiosk's ZK server over TCP.

node-zklib pipelines every READ_BUFFER chunk request and then takes one frame per socket read
event: this test fails whenever the server's reply frames reach it merged (see docs/zk-server.md,
"Pacing"). Everything is real: a SQLite store, the server on 127.0.0.1, node and the npm module
installed by .ci/run into tests/node_zklib/node_modules.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Status

from zk_helpers import WIB, open_store, running_server

NODE_DIR = Path(__file__).resolve().parent / "node_zklib"
EMPLOYEES = tuple(
    Employee(nip=f"1985010120100110{i:02d}", name=f"Pegawai {i:02d}", unit="BKPSDM", pin=100 + i) for i in range(20)
)


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (.ci/run installs nodejs and npm with apt)")
    if not (NODE_DIR / "node_modules" / "node-zklib" / "package.json").exists():
        pytest.skip("node-zklib is not installed: run `npm ci` in tests/node_zklib (.ci/run does)")
    return node


def fill(store, count: int) -> None:
    start = datetime(2026, 1, 5, 6, 0, 1, tzinfo=WIB)
    kinds = (Kind.DATANG, Kind.PULANG, Kind.SIANG)
    store.punches.record_many(
        NewPunch(
            nip=EMPLOYEES[i % 20].nip,
            time=start + timedelta(minutes=3 * i, seconds=i % 60),
            method=Method.FACE,
            classification=Classification(kinds[i % 3], Status.ON_TIME),
        )
        for i in range(count)
    )


def node_pull(node: str, port: int, out: Path) -> dict:
    done = subprocess.run(
        [node, str(NODE_DIR / "pull.js"), "127.0.0.1", str(port), str(out)],
        check=False,
        cwd=NODE_DIR,
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())


def test_node_zklib_pulls_20_users_and_50000_punches_over_tcp(tmp_path):
    node = node_or_skip()
    store = open_store(tmp_path / "kiosk.db", employees=EMPLOYEES)
    fill(store, 50_000)
    pins = {e.nip: str(e.pin) for e in EMPLOYEES}
    expected = Counter(
        (pins[p.nip], p.time_utc.astimezone(WIB).strftime("%Y-%m-%dT%H:%M:%S"))
        for p in store.punches.page(limit=100_000)
    )
    assert sum(expected.values()) == 50_000 and max(expected.values()) == 1  # every record distinct
    with running_server(store, udp=False) as server:
        got = node_pull(node, server.port, tmp_path / "pull.json")
    store.close()

    assert got["usersError"] is None
    assert sorted(got["users"]) == sorted([e.pin, str(e.pin), e.name] for e in EMPLOYEES)
    assert got["attendanceError"] is None
    pulled = Counter((user_id, at) for _uid, user_id, at in got["attendance"])
    assert len(got["attendance"]) == 50_000
    assert pulled == expected  # none missing, none doubled, each at the kiosk's local time
