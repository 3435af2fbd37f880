"""Removing an employee: the erasure every path shares (the CLI, the console, the roster pull and
the ADMS server's user deletion), so the biometric data goes the same way whoever asks.
What is erased and what is kept, and why: docs/store.md, "Removing an employee"."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain import Employee
from kiosk.nip import normalise_nip
from kiosk.photos import PhotoStore
from kiosk.report.absence_evidence import erase_evidence_of
from kiosk.store import Store


@dataclass(frozen=True)
class Removal:
    employee: Employee
    templates: int
    photos: int
    evidence: int = 0  # absence evidence files erased
    erased_from_disk: bool = True  # False: a reader delayed the checkpoint (the next one completes it)



def remove_employee(store: Store, photos: PhotoStore, nip: str, pattern: str = r"\d{18}", actor: str | None = None) -> Removal:
    """Erase the employee, their face templates, evidence photos and absence evidence files;
    punches and absence records stay (docs/store.md, "Removing an employee")."""
    nip = normalise_nip(nip, pattern)
    templates = len(store.templates.for_employee(nip))
    employee = store.employees.remove(nip)  # templates go with it (ON DELETE CASCADE), zeroed by secure_delete
    removed_photos = photos.remove_for(nip)
    evidence = erase_evidence_of(nip, store.absences.clear_evidence(nip), photos.data_dir)
    # The audit log keeps that it happened, not the biometric data.
    store.audit.log(
        "employee.remove", nip, {"templates_erased": templates, "photos_erased": removed_photos, "evidence_erased": evidence},
        user=actor,
    )
    erased = store.db.checkpoint()  # the deleted templates leave the WAL file too
    return Removal(employee, templates, removed_photos, evidence, erased)
