"""Roster sync: pull employees and face templates from the server, upload templates enrolled here.

Only employees that came from the roster are removed when the roster drops them; employees a
technician added on this kiosk stay until removed by hand. A removal erases templates and photos.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import requests

from kiosk import erasure
from kiosk.domain import Employee
from kiosk.nip import InvalidEmployeeNumber, refuse_non_ascii
from kiosk.photos import PhotoStore
from kiosk.store import Store, StoreError
from sync import protocol
from sync.delivery_loop import PushPolicy
from sync.push import describe_exception, new_session
from sync.targets import Target, read_token

log = logging.getLogger(__name__)


class RosterError(RuntimeError):
    """The roster could not be fetched or read."""


@dataclass(frozen=True)
class RosterEntry:
    employee: Employee
    vectors: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class RosterResult:
    added: int = 0
    changed: int = 0
    removed: int = 0
    templates_uploaded: int = 0
    problems: tuple[str, ...] = ()


def parse_roster(document: dict, own_device: str = "") -> list[RosterEntry]:
    """Templates this kiosk uploaded itself (device_id == own_device) are already held here: skipped."""
    try:
        return [_entry(item, own_device) for item in document["employees"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise RosterError(f"the roster is not in the documented form ({type(exc).__name__}: {exc})") from None


def _entry(item: dict, own_device: str) -> RosterEntry:
    employee = Employee(
        nip=str(item["nip"]), name=str(item["name"]), unit=str(item.get("unit", "")), schedule=str(item.get("schedule", "")),
        pin=int(item.get("pin", 0)), active=bool(item.get("active", True)),
    )  # fmt: skip
    vectors = tuple(tuple(float(x) for x in protocol.vector_of(t["vector"])) for t in item.get("templates", [])
                    if not own_device or t.get("device_id") != own_device)
    return RosterEntry(employee, vectors)


def roster_nips(store: Store) -> set[str]:
    return {row["nip"] for row in store.db.query("SELECT nip FROM employees WHERE source = 'roster'")}


def apply_roster(store: Store, photos: PhotoStore, entries: list[RosterEntry], pattern: str = r".+") -> RosterResult:
    added = changed = 0
    problems = []
    for entry in entries:
        try:
            refuse_non_ascii(entry.employee.nip)
            outcome = _apply_entry(store, entry)
        except (StoreError, InvalidEmployeeNumber) as exc:
            problems.append(f"{entry.employee.nip}: {exc}")
            continue
        added += outcome == "added"
        changed += outcome == "changed"
    gone = roster_nips(store) - {e.employee.nip for e in entries}
    for nip in sorted(gone):
        erasure.remove_employee(store, photos, nip, pattern)
    if added or changed or gone:
        store.audit.log("roster.apply", None, {"added": added, "changed": changed, "removed": len(gone)})
    return RosterResult(added, changed, len(gone), problems=tuple(problems))


def _apply_entry(store: Store, entry: RosterEntry) -> str:
    current = store.employees.get(entry.employee.nip)
    if current is None:
        store.employees.add(entry.employee, source="roster")
        _replace_templates(store, entry)
        return "added"
    outcome = "same"
    if (current.name, current.unit, current.schedule, current.active) != (entry.employee.name, entry.employee.unit, entry.employee.schedule, entry.employee.active):
        store.employees.update(entry.employee)
        outcome = "changed"
    held = tuple(tuple(t.vector) for t in store.templates.for_employee(entry.employee.nip) if t.source == "roster")
    if _rounded(held) != _rounded(entry.vectors):
        _replace_templates(store, entry)
        outcome = "changed"
    return outcome


def _rounded(vectors: tuple[tuple[float, ...], ...]) -> list:
    return sorted(tuple(round(x, 5) for x in v) for v in vectors)


def _replace_templates(store: Store, entry: RosterEntry) -> None:
    store.templates.remove_for(entry.employee.nip, source="roster")
    for vector in entry.vectors:
        store.templates.add(entry.employee.nip, np.asarray(vector, dtype=np.float32), "roster", uploaded=True)


class RosterClient:
    def __init__(self, target: Target, policy: PushPolicy, device_id: str) -> None:
        self.target, self.policy, self.device_id = target, policy, device_id
        self.session = new_session()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        headers = {"Authorization": f"Bearer {read_token(self.target.token_file)}"}
        try:
            response = self.session.request(method, self.target.url + path, headers=headers, timeout=self.policy.timeout, verify=self.policy.verify, **kwargs)
        except requests.RequestException as exc:
            raise RosterError(f"{path}: {describe_exception(exc)}") from None
        if response.status_code != 200:
            raise RosterError(f"{path}: the server answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise RosterError(f"{path}: the server's reply is not JSON") from None

    def fetch(self) -> list[RosterEntry]:
        return parse_roster(self._call("GET", protocol.ROSTER_PATH), self.device_id)

    def upload_templates(self, store: Store) -> int:
        """Send templates enrolled here; mark those the server accepted (or already had)."""
        pending = store.templates.not_uploaded()
        if not pending:
            return 0
        body = {"device_id": self.device_id, "templates": [
            {"local_id": t.id, "nip": t.nip, "vector": protocol.vector_text(t.vector), "quality": t.quality, "source": t.source,
             "created_utc": t.created_utc.isoformat().replace("+00:00", "Z")} for t in pending
        ]}  # fmt: skip
        results = self._call("POST", protocol.TEMPLATES_PATH, json=body).get("results", [])
        done = [int(r["local_id"]) for r in results if r.get("status") in ("accepted", "duplicate")]
        for r in results:
            if r.get("status") == "rejected":
                log.warning("server refused template %s: %s %s", r.get("local_id"), r.get("code"), r.get("reason"))
        store.templates.mark_uploaded(done)
        return len(done)


def sync_roster(store: Store, photos: PhotoStore, client: RosterClient, pattern: str = r".+") -> RosterResult:
    """Upload first, so a template enrolled here is part of the roster we then apply."""
    uploaded = client.upload_templates(store)
    result = apply_roster(store, photos, client.fetch(), pattern)
    return RosterResult(result.added, result.changed, result.removed, uploaded, result.problems)
