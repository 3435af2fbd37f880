"""Technician actions on employees and manual punches, each written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kiosk.domain import Employee, Method, Punch
from kiosk.nip import normalise_nip
from kiosk.photos import PhotoStore
from kiosk.recorder import PunchRecorder
from kiosk.report.evidence import erase_evidence_of
from kiosk.store import Store
from kiosk.store.employees import MAX_PIN


@dataclass(frozen=True)
class Removal:
    employee: Employee
    templates: int
    photos: int
    evidence: int = 0  # absence evidence files erased
    erased_from_disk: bool = True  # False: a reader delayed the checkpoint (the next one completes it)


def add_employee(
    store: Store,
    nip: str,
    name: str,
    unit: str = "",
    schedule: str = "",
    pin: int = 0,
    pattern: str = r"\d{18}",
    since: date | None = None,
) -> Employee:
    nip = normalise_nip(nip, pattern)
    if not name.strip():
        raise ValueError("the employee's name is empty; pass --name \"Full Name\"")
    if not 0 <= pin <= MAX_PIN:
        raise ValueError(f"--pin {pin} is out of range: terminal PINs are 1 to {MAX_PIN} (at most 9 digits)")
    employee = store.employees.add(
        Employee(nip=nip, name=name.strip(), unit=unit.strip(), schedule=schedule.strip(), pin=pin, since=since)
    )
    store.audit.log(
        "employee.add", employee.nip,
        {"pin": employee.pin, "unit": employee.unit, "schedule": employee.schedule, "since": _iso(since)},
    )  # fmt: skip
    return employee


def set_since(store: Store, nip: str, since: date | None, pattern: str = r"\d{18}") -> Employee:
    """Set or clear the employee's first working day; recaps count from it (docs/recap.md)."""
    nip = normalise_nip(nip, pattern)
    before = store.employees.get(nip)
    employee = store.employees.set_since(nip, since)
    store.audit.log("employee.since", nip, {"from": _iso(before.since if before else None), "to": _iso(since)})
    return employee


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def remove_employee(store: Store, photos: PhotoStore, nip: str, pattern: str = r"\d{18}") -> Removal:
    """Erase the employee, their face templates, evidence photos and absence evidence files;
    punches and absence records stay (docs/store.md, "Removing an employee")."""
    nip = normalise_nip(nip, pattern)
    templates = len(store.templates.for_employee(nip))
    employee = store.employees.remove(nip)  # templates go with it (ON DELETE CASCADE), zeroed by secure_delete
    removed_photos = photos.remove_for(nip)
    evidence = erase_evidence_of(nip, store.absences.clear_evidence(nip), photos.data_dir)
    # The audit log keeps that it happened, not the biometric data.
    store.audit.log(
        "employee.remove", nip, {"templates_erased": templates, "photos_erased": removed_photos, "evidence_erased": evidence}
    )
    erased = store.db.checkpoint()  # the deleted templates leave the WAL file too
    return Removal(employee, templates, removed_photos, evidence, erased)


def manual_punch(recorder: PunchRecorder, nip: str, at: datetime, reason: str, pattern: str = r"\d{18}") -> Punch:
    """An operator's punch on someone's behalf: method=manual, never debounced, always audited."""
    nip = normalise_nip(nip, pattern)
    if not reason.strip():
        raise ValueError("a manual punch needs --reason explaining why it was entered by hand")
    outcome = recorder.record(nip, Method.MANUAL, at, note=reason.strip(), debounce=False)
    recorder.store.audit.log(
        "punch.manual", nip, {"seq": outcome.punch.seq, "uuid": outcome.punch.uuid, "time": at.isoformat(), "reason": reason.strip()}
    )
    return outcome.punch
