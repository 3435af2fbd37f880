"""Narrow exceptions of the store; the CLI turns them into `Error: ...` with exit 1."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for store problems."""


class CorruptDatabase(StoreError):
    """The database file is not SQLite or is damaged; it is never replaced silently."""


class NewerSchema(StoreError):
    """The database was written by a newer kiosk version."""


class DuplicatePunch(StoreError):
    """A punch with this source_key (an external record) is already stored."""


class EmployeeExists(StoreError):
    """An employee with this NIP or terminal PIN is already enrolled."""


class AbsenceOverlap(StoreError):
    """The employee already has an absence on one of these days (one code per employee per day)."""


class UnknownEmployee(StoreError, LookupError):
    """No employee with this NIP."""


class StorageFull(StoreError, OSError):
    """The disk is full: the punch was NOT recorded."""
