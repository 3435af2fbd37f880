"""Shared test and benchmark helpers (not shipped in the product).

The one place for: the checkout and the shared faces folder, waiting for something a thread or
another process will do, writing a kiosk config file, settings, token files, employees, and many
punches quickly. Tests import them as `from helpers import ...` (tests/ is on sys.path through
conftest.py's folder, as pytest's default import mode puts it there); bench/ scripts use `tests.helpers`.
"""

from __future__ import annotations

import socket
import textwrap
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

import pytest

from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Status
from kiosk.settings import Settings
from kiosk.store import Store

REPO = Path(__file__).resolve().parent.parent
# The face photos and the Hamilton clip are shared between checkouts, never copied into one.
FACES = REPO.parent / "shared" / "faces"

WIB = timezone(timedelta(hours=7))
NIPS = tuple(f"19800101200501{n:04d}" for n in range(1, 21))

T = TypeVar("T")


def need_faces() -> Path:
    """The faces folder, or skip the test saying where it was looked for."""
    if not FACES.is_dir():
        pytest.skip(f"test photos not found at {FACES} (../shared/faces beside the checkout)")
    return FACES


def wait_until(
    probe: Callable[[], T],
    what: str,
    *,
    until: Callable[[T], object] | None = None,
    timeout: float = 60.0,
    interval: float = 0.05,
) -> T:
    """Call `probe` until its value is truthy (or satisfies `until`, when given) and return that value.

    This waits for a thread or another process to get somewhere; it is not a speed check: the
    timeout is only patience that ends a hung test, so keep it generous. On timeout it fails
    naming what was awaited and the last value seen: pass a probe that returns the state itself
    (a count, the status) with an `until` rule when a bare False would not say what went wrong.
    """
    done = until if until is not None else bool
    deadline = time.monotonic() + timeout
    while True:
        last = probe()
        if done(last):
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}; last value seen: {last!r}")
        time.sleep(interval)


def write_kiosk_config(folder: Path, data_dir: Path | str, body: str = "", device_id: str = "TEST-01") -> Path:
    """Write `folder`/kiosk.toml: [device] with `device_id` and `data_dir`, then `body` (dedented TOML).

    `body` continues the [device] table until its first table header, so it can add device keys
    (timezone = ...) before its own tables.
    """
    path = folder / "kiosk.toml"
    device = f'[device]\nid = "{device_id}"\ndata_dir = "{data_dir}"\n'
    path.write_text(device + textwrap.dedent(body))
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now. For configs that must name a port (`kiosk run` reads it
    from the file): the kernel picks one and it is released at once (a tiny race, loopback only)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_token(path: Path, token: str) -> Path:
    path.write_text(token + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def make_settings(tmp_path: Path, url: str = "", token_file: Path | None = None, **sync: object) -> Settings:
    from kiosk.settings import settings_from_dict

    table: dict = {"url": url, **sync} if url else dict(sync)
    if token_file is not None:
        table["token_file"] = str(token_file)
    return settings_from_dict({"device": {"id": "KIOSK-T1", "data_dir": str(tmp_path / "data")}, "sync": table})


def add_employees(store: Store, nips: tuple[str, ...] = NIPS) -> None:
    for pin, nip in enumerate(nips, start=1):
        store.employees.add(Employee(nip=nip, name=f"Pegawai {pin}", pin=pin))


def new_punch(i: int, nip: str | None = None, method: Method = Method.FACE) -> NewPunch:
    kind = (Kind.DATANG, Kind.PULANG)[i % 2]
    return NewPunch(
        nip=nip or NIPS[i % len(NIPS)], time=datetime(2026, 3, 2, 7, 30, tzinfo=WIB) + timedelta(seconds=i), method=method,
        classification=Classification(kind, Status.ON_TIME), distance=0.41,
    )  # fmt: skip


def insert_punches_fast(store: Store, count: int, start: int = 0) -> None:
    """Many punches in ONE transaction (one fsync), through the store's own row encoding.

    The recorder commits each punch on its own (one fsync each, as a real door needs); 100,000 of
    those would take minutes on this disk and prove nothing more about delivery.
    """
    store.punches.record_many(new_punch(i) for i in range(start, start + count))
