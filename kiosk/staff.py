"""Technician actions on employees and manual punches, each written to the audit log.

`actor` names who acted when it is not the OS user running the command (a console account).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.domain import Employee, Method, Punch
from kiosk.nip import normalise_nip
from kiosk.photos import PhotoStore
from kiosk.recorder import PunchRecorder
from kiosk.store import Store
from kiosk.store.employees import MAX_PIN


@dataclass(frozen=True)
class Removal:
    employee: Employee
    templates: int
    photos: int


def add_employee(
    store: Store, nip: str, name: str, unit: str = "", schedule: str = "", pin: int = 0, pattern: str = r"\d{18}",
    actor: str | None = None,
) -> Employee:
    nip = normalise_nip(nip, pattern)
    if not name.strip():
        raise ValueError("the employee's name is empty; pass --name \"Full Name\"")
    if not 0 <= pin <= MAX_PIN:
        raise ValueError(f"--pin {pin} is out of range: terminal PINs are 1 to {MAX_PIN} (at most 9 digits)")
    employee = store.employees.add(Employee(nip=nip, name=name.strip(), unit=unit.strip(), schedule=schedule.strip(), pin=pin))
    store.audit.log("employee.add", employee.nip, {"pin": employee.pin, "unit": employee.unit, "schedule": employee.schedule}, user=actor)
    return employee


def remove_employee(store: Store, photos: PhotoStore, nip: str, pattern: str = r"\d{18}", actor: str | None = None) -> Removal:
    """Erase the employee, their face templates and their evidence photos; punches stay for delivery."""
    nip = normalise_nip(nip, pattern)
    templates = len(store.templates.for_employee(nip))
    employee = store.employees.remove(nip)  # templates go with it (ON DELETE CASCADE)
    removed_photos = photos.remove_for(nip)
    # The audit log keeps that it happened, not the biometric data.
    store.audit.log("employee.remove", nip, {"templates_erased": templates, "photos_erased": removed_photos}, user=actor)
    return Removal(employee=employee, templates=templates, photos=removed_photos)


def manual_punch(
    recorder: PunchRecorder, nip: str, at: datetime, reason: str, pattern: str = r"\d{18}", actor: str | None = None
) -> Punch:
    """An operator's punch on someone's behalf: method=manual, never debounced, always audited."""
    nip = normalise_nip(nip, pattern)
    if not reason.strip():
        raise ValueError("a manual punch needs --reason explaining why it was entered by hand")
    outcome = recorder.record(nip, Method.MANUAL, at, note=reason.strip(), debounce=False)
    recorder.store.audit.log(
        "punch.manual", nip, {"seq": outcome.punch.seq, "uuid": outcome.punch.uuid, "time": at.isoformat(), "reason": reason.strip()},
        user=actor,
    )
    return outcome.punch
