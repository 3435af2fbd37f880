"""Shared pieces of the ZK tests: a real store on a tmp_path file and a running ZK server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Punch, Status
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.store import Store
from sync.zk import ZkServer, build_server

WIB = timezone(timedelta(hours=7))
BUDI = Employee(nip="199001012020121001", name="Budi Santoso", unit="BKPSDM", pin=1)
SITI = Employee(nip="199202022021032002", name="Siti Aminah", unit="BKPSDM", pin=42)


def open_store(path: Path, employees: tuple[Employee, ...] = (BUDI, SITI)) -> Store:
    store = Store.open(path, device_id="KIOSK-07")
    # Tests need no power-cut durability; skipping the fsync per punch keeps them fast.
    store.db.conn.execute("PRAGMA synchronous=OFF")
    for employee in employees:
        store.employees.add(employee)
    return store


def punch(
    store: Store,
    nip: str,
    at: datetime,
    method: Method = Method.FACE,
    kind: Kind = Kind.DATANG,
    source_key: str | None = None,
) -> Punch:
    return store.punches.record(
        NewPunch(
            nip=nip, time=at, method=method, classification=Classification(kind, Status.ON_TIME), source_key=source_key
        )
    )


@contextlib.contextmanager
def running_server(store: Store, tmp_path: Path | None = None, **overrides: object) -> Iterator[ZkServer]:
    settings = replace(ZkServerSettings(port=0, idle_timeout=5.0), **overrides)
    server = build_server(store, settings, "KIOSK-07", tz=WIB, data_dir=tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


def pyzk(server_port: int, udp: bool = False, password: int = 0, timeout: float = 5):
    from zk import ZK

    return ZK("127.0.0.1", port=server_port, timeout=timeout, password=password, force_udp=udp, ommit_ping=True)

