"""Fingers on the UART module for the technician: enroll an employee's finger, erase it on removal.

The employee's finger goes in the module slot numbered with their terminal PIN
(docs/uart-fingerprint.md). While the kiosk service runs it holds the serial port, so the request
is handed to it over its socket (found through the status file it writes); otherwise the port is
opened here. `kiosk fingerprint enroll|delete`, `kiosk employee remove` and the console call these.
The driver is imported inside the functions: the core does not depend on drivers at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import erasure
from kiosk.domain import Employee
from kiosk.i18n import catalogue
from kiosk.nip import normalise_nip
from kiosk.photos import PhotoStore
from kiosk.settings import Settings
from kiosk.settings.uart import UartFingerprintSettings
from kiosk.status import daemon_state, find_snapshot
from kiosk.store import Store
from kiosk.store.errors import UnknownEmployee
from kiosk.timeutil import utc_now

DEFAULT_FINGER_WAIT = 20.0

StepPrinter = Callable[[str], None]  # receives an EnrollStep value: place, remove, place_again, stored


class ModuleNotConfigured(ValueError):
    """No [uart_fingerprint] port in the configuration."""


@dataclass(frozen=True)
class Enrolment:
    employee: Employee
    slot: int
    via: str  # "daemon" (the running service did it) or "direct" (this process opened the port)


def enroll_prompt(step: str, language: str) -> str:
    """What the person at the sensor is told at each step, in the kiosk's language."""
    return catalogue(language)[f"enroll_{step}"]


def service_socket(settings: Settings) -> Path | None:
    """The running service's request socket for this data_dir, if it announces one."""
    snapshot = find_snapshot(settings.data_dir)
    state, _uptime = daemon_state(snapshot, utc_now())
    path = (snapshot or {}).get("uart_socket") if state == "running" else None
    return Path(path) if path else None


def enroll_finger(
    settings: Settings,
    store: Store,
    nip: str,
    on_step: StepPrinter | None = None,
    finger_wait: float = DEFAULT_FINGER_WAIT,
) -> Enrolment:
    """Enroll one finger of the employee into the module slot of their PIN; audited."""
    from drivers.fingerprint.uart_remote import enroll_slot

    module = _module(settings)
    employee = _employee(store, nip, settings.device.employee_id_pattern)
    steps = (lambda step: on_step(step.value)) if on_step else None
    via = enroll_slot(module, employee.pin, steps, finger_wait, service_socket(settings))
    store.audit.log("fingerprint.enroll", employee.nip, {"slot": employee.pin, "via": via})
    return Enrolment(employee, employee.pin, via)


def erase_slot(settings: Settings, store: Store, slot: int, nip: str | None = None) -> str:
    """Erase one slot of the module (an empty slot is fine); audited. Returns how it was done."""
    from drivers.fingerprint.uart_remote import delete_slot

    via = delete_slot(_module(settings), slot, service_socket(settings))
    store.audit.log("fingerprint.delete", nip, {"slot": slot, "via": via})
    return via


def remove_employee(
    settings: Settings, store: Store, photos: PhotoStore, nip: str, keep_finger: bool = False, actor: str | None = None
) -> tuple[erasure.Removal, str | None]:
    """Remove the employee everywhere: the module's slot first (so a failure leaves nothing half
    done and can be retried), then the store, templates and photos. Returns the removal and how
    the slot was erased (None: no module, or `keep_finger`)."""
    from drivers.fingerprint.uart import SlotOutOfRange

    pattern = settings.device.employee_id_pattern
    employee = _employee(store, nip, pattern)
    via = None
    if settings.uart_fingerprint.enabled and not keep_finger:
        try:
            via = erase_slot(settings, store, employee.pin, employee.nip)
        except SlotOutOfRange:
            pass  # a PIN beyond the module's library was never enrolled there: nothing to erase
    return erasure.remove_employee(store, photos, employee.nip, pattern, actor=actor), via


def _module(settings: Settings) -> UartFingerprintSettings:
    if not settings.uart_fingerprint.enabled:
        raise ModuleNotConfigured(
            "no UART fingerprint module is configured; set port under [uart_fingerprint] "
            '(see docs/uart-fingerprint.md), e.g. port = "/dev/serial0"'
        )
    return settings.uart_fingerprint


def _employee(store: Store, nip: str, pattern: str) -> Employee:
    nip = normalise_nip(nip, pattern)
    employee = store.employees.get(nip)
    if employee is None:
        raise UnknownEmployee(f"no employee with NIP {nip}; see `kiosk employee list`")
    return employee
