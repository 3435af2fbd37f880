"""Shared test and benchmark helpers: settings, token files, employees and many punches quickly (not shipped in the product)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Status
from kiosk.settings import Settings
from kiosk.store import Store

WIB = timezone(timedelta(hours=7))
NIPS = tuple(f"19800101200501{n:04d}" for n in range(1, 21))


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
