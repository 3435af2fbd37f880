"""Employees: NIP, name, unit, schedule, the numeric terminal PIN and the start date."""

from __future__ import annotations

import sqlite3
from datetime import date

from kiosk.domain import Employee
from kiosk.store.db import Database
from kiosk.store.errors import EmployeeExists, UnknownEmployee
from kiosk.timeutil import to_utc_text, utc_now

MAX_PIN = 999_999_999  # terminals and central systems read at most 9 digits


class Employees:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, employee: Employee, source: str = "local") -> Employee:
        """Insert; a PIN of 0 means 'the next free number'."""
        now = to_utc_text(utc_now())
        with self.db.transaction() as conn:
            pin = employee.pin or self._next_pin(conn)
            try:
                conn.execute(
                    "INSERT INTO employees (nip, name, unit, schedule, pin, active, source, since, created_utc, updated_utc)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (employee.nip, employee.name, employee.unit, employee.schedule, pin, int(employee.active),
                     source, _iso(employee.since), now, now),
                )
            except sqlite3.IntegrityError:
                raise self._conflict(conn, employee.nip, pin) from None
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('pin_high_water', ?) ON CONFLICT(key)"
                " DO UPDATE SET value = MAX(CAST(value AS INTEGER), excluded.value)",
                (pin,),
            )
        return self.get(employee.nip)  # type: ignore[return-value]

    def update(self, employee: Employee) -> Employee:
        """Name, unit, schedule and active flag; the start date is kept (see set_since): the roster
        does not carry it, so a roster update must not erase what the operator entered."""
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE employees SET name=?, unit=?, schedule=?, active=?, updated_utc=? WHERE nip=?",
                (employee.name, employee.unit, employee.schedule, int(employee.active), to_utc_text(utc_now()), employee.nip),
            ).rowcount
        if not changed:
            raise UnknownEmployee(f"no employee with NIP {employee.nip}")
        return self.get(employee.nip)  # type: ignore[return-value]

    def set_since(self, nip: str, since: date | None) -> Employee:
        """Set (or with None, clear) the employee's first working day."""
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE employees SET since=?, updated_utc=? WHERE nip=?", (_iso(since), to_utc_text(utc_now()), nip)
            ).rowcount
        if not changed:
            raise UnknownEmployee(f"no employee with NIP {nip}; see `kiosk employee list`")
        return self.get(nip)  # type: ignore[return-value]

    def _conflict(self, conn: sqlite3.Connection, nip: str, pin: int) -> EmployeeExists:
        if conn.execute("SELECT 1 FROM employees WHERE nip=?", (nip,)).fetchone():
            return EmployeeExists(f"employee {nip} is already enrolled; see `kiosk employee list`")
        return EmployeeExists(f"terminal PIN {pin} is already used by another employee; choose another --pin")

    def _next_pin(self, conn: sqlite3.Connection) -> int:
        # Never reuse a removed employee's PIN: a terminal or fingerprint module that still holds
        # the old finger under that number would otherwise record it as the new person.
        return 1 + int(
            conn.execute(
                "SELECT MAX(COALESCE((SELECT MAX(pin) FROM employees), 0),"
                " COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pin_high_water'), 0))"
            ).fetchone()[0]
        )

    def next_pin(self) -> int:
        with self.db.lock:
            return self._next_pin(self.db.conn)

    def get(self, nip: str) -> Employee | None:
        rows = self.db.query("SELECT * FROM employees WHERE nip=?", (nip,))
        return _employee(rows[0]) if rows else None

    def by_pin(self, pin: int) -> Employee | None:
        rows = self.db.query("SELECT * FROM employees WHERE pin=?", (pin,))
        return _employee(rows[0]) if rows else None

    def list(self, active_only: bool = True, unit: str | None = None) -> list[Employee]:
        sql = "SELECT * FROM employees WHERE (? = 0 OR active = 1) AND (? IS NULL OR unit = ?) ORDER BY pin"
        return [_employee(row) for row in self.db.query(sql, (int(active_only), unit, unit))]

    def count(self) -> int:
        return self.db.count("SELECT COUNT(*) FROM employees")

    def remove(self, nip: str) -> Employee:
        """Delete the employee and (by cascade) their face templates; punches stay."""
        employee = self.get(nip)
        if employee is None:
            raise UnknownEmployee(f"no employee with NIP {nip}; see `kiosk employee list`")
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM employees WHERE nip=?", (nip,))
        return employee


def _employee(row: sqlite3.Row) -> Employee:
    since = row["since"]
    return Employee(
        nip=row["nip"], name=row["name"], unit=row["unit"], schedule=row["schedule"], pin=row["pin"],
        active=bool(row["active"]), since=date.fromisoformat(since) if since else None,
    )  # fmt: skip


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
