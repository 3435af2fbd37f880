"""What the ZK server reads from the kiosk: a structural view of kiosk.store.Store."""

from __future__ import annotations

from typing import Protocol

from kiosk.domain import Employee, Punch


class EmployeeSource(Protocol):
    def list(self, active_only: bool = True) -> list[Employee]: ...


class PunchSource(Protocol):
    def count(self) -> int: ...

    def last_seq(self) -> int: ...

    def page(self, after_seq: int = 0, limit: int = 1000) -> list[Punch]: ...


class ZkDataSource(Protocol):
    """kiosk.store.Store satisfies this; tests may pass any object with these attributes."""

    employees: EmployeeSource
    punches: PunchSource
