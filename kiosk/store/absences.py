"""Absences entered by the unit's attendance operator (codes of Pasal 5 / Lampiran I)."""

from __future__ import annotations

import builtins

from kiosk.domain import Absence, AbsenceCode
from kiosk.store.db import Database
from kiosk.store.errors import AbsenceOverlap, StoreError
from kiosk.timeutil import to_utc_text, utc_now


class Absences:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, nip: str, date_from: str, date_to: str, code: str, note: str = "", evidence: str | None = None, created_by: str = ""
    ) -> Absence:
        code = AbsenceCode(code)
        if date_to < date_from:
            raise StoreError(f"absence ends ({date_to}) before it starts ({date_from}); swap --date and --to")
        with self.db.transaction() as conn:
            _refuse_overlap(conn, nip, date_from, date_to)
            new_id = conn.execute(
                "INSERT INTO absences (nip, date_from, date_to, code, note, evidence, created_by, created_utc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (nip, date_from, date_to, code.value, note, evidence, created_by, to_utc_text(utc_now())),
            ).lastrowid
        return self.get(int(new_id))  # type: ignore[arg-type,return-value]

    def get(self, absence_id: int) -> Absence | None:
        rows = self.db.query("SELECT * FROM absences WHERE id=?", (absence_id,))
        return _absence(rows[0]) if rows else None

    def list(self, nip: str | None = None, start: str | None = None, end: str | None = None) -> list[Absence]:
        """Absences overlapping [start, end] (ISO dates, inclusive), optionally for one employee."""
        rows = self.db.query(
            "SELECT * FROM absences WHERE (? IS NULL OR nip = ?) AND (? IS NULL OR date_to >= ?)"
            " AND (? IS NULL OR date_from <= ?) ORDER BY date_from, id",
            (nip, nip, start, start, end, end),
        )
        return [_absence(row) for row in rows]

    def clear_evidence(self, nip: str) -> builtins.list[str]:  # `list` is the method above here
        """Forget the evidence files of an employee's absences; returns their paths to erase."""
        with self.db.transaction() as conn:
            rows = conn.execute("SELECT evidence FROM absences WHERE nip=? AND evidence IS NOT NULL", (nip,))
            paths = [row[0] for row in rows]
            conn.execute("UPDATE absences SET evidence = NULL WHERE nip=?", (nip,))
        return paths

    def correct(self, absence_id: int, date_from: str, date_to: str, code: str, note: str, evidence: str | None) -> Absence:
        """The operator's correction of an entry (the audit log keeps the old values)."""
        code = AbsenceCode(code)
        if date_to < date_from:
            raise StoreError(f"absence ends ({date_to}) before it starts ({date_from}); swap the dates")
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE absences SET date_from=?, date_to=?, code=?, note=?, evidence=? WHERE id=?",
                (date_from, date_to, code.value, note, evidence, absence_id),
            ).rowcount
        if not changed:
            raise StoreError(f"no absence with id {absence_id}; see `kiosk absence list`")
        return self.get(absence_id)  # type: ignore[return-value]

    def remove(self, absence_id: int) -> Absence:
        absence = self.get(absence_id)
        if absence is None:
            raise StoreError(f"no absence with id {absence_id}; see `kiosk absence list`")
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM absences WHERE id=?", (absence_id,))
        return absence


def _refuse_overlap(conn, nip: str, date_from: str, date_to: str) -> None:
    """One absence code per employee per day: a day cannot be both sakit and izin."""
    row = conn.execute(
        "SELECT id, code, date_from, date_to FROM absences WHERE nip = ? AND date_from <= ? AND date_to >= ? ORDER BY date_from LIMIT 1",
        (nip, date_to, date_from),
    ).fetchone()
    if row is not None:
        raise AbsenceOverlap(
            f"{nip} already has absence {row[0]} ({row[1]} {row[2]}..{row[3]}) on a day of {date_from}..{date_to}; "
            f"a day has one absence code. To change it, remove the first with `kiosk absence remove {row[0]}` and add again"
        )


def _absence(row) -> Absence:
    return Absence(
        id=row["id"],
        nip=row["nip"],
        date_from=row["date_from"],
        date_to=row["date_to"],
        code=AbsenceCode(row["code"]),
        note=row["note"],
        evidence=row["evidence"],
        created_by=row["created_by"],
    )
