"""The durable store: one SQLite file under data_dir.

    store = Store.open(settings.database_path, device_id=settings.device.id)
    store.punches.record(new_punch)   # durable when it returns

Tables and their rules are described in docs/store.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from kiosk.store.absences import Absences
from kiosk.store.accounts import Accounts
from kiosk.store.audit import AuditLog
from kiosk.store.db import Database
from kiosk.store.delivery import Delivery
from kiosk.store.employees import Employees
from kiosk.store.errors import (
    CorruptDatabase,
    DuplicatePunch,
    EmployeeExists,
    NewerSchema,
    StorageFull,
    StoreError,
    UnknownEmployee,
)
from kiosk.store.meta import Meta
from kiosk.store.punches import Punches
from kiosk.store.templates import Templates

__all__ = [
    "CorruptDatabase",
    "DuplicatePunch",
    "EmployeeExists",
    "NewerSchema",
    "StorageFull",
    "Store",
    "StoreError",
    "UnknownEmployee",
]


class Store:
    def __init__(self, db: Database, device_id: str) -> None:
        self.db = db
        self.employees = Employees(db)
        self.templates = Templates(db)
        self.punches = Punches(db, device_id)
        self.absences = Absences(db)
        self.audit = AuditLog(db)
        self.delivery = Delivery(db)
        self.meta = Meta(db)
        self.accounts = Accounts(db)

    @classmethod
    def open(cls, path: str | Path, device_id: str = "KIOSK-01") -> Store:
        return cls(Database(Path(path)), device_id)

    @property
    def path(self) -> Path:
        return self.db.path

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
