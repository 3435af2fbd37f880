"""Technician actions on employees and manual punches, each written to the audit log.

`actor` names who acted when it is not the OS user running the command (a console account).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from kiosk.domain import Employee, Method, Punch
from kiosk.free_text import MAX_NAME_LENGTH, check_text
from kiosk.nip import normalise_nip
from kiosk.recorder import PunchRecorder
from kiosk.store import Store
from kiosk.store.employees import MAX_PIN
from kiosk.timeutil import utc_now

# A manual punch records what already happened; a few minutes cover a slow hand and clock drift.
# The one bound for every way a manual punch comes in: `kiosk punch add` and the console's form.
FUTURE_TOLERANCE = timedelta(minutes=5)
FUTURE_TOLERANCE_MINUTES = int(FUTURE_TOLERANCE.total_seconds() // 60)


class KnownSchedules(Protocol):
    """What add_employee needs from [schedule]: the schedule of a name, or ValueError naming the known ones."""

    def schedule(self, name: str) -> object: ...


class ManualPunchInFuture(ValueError):
    """A manual punch more than FUTURE_TOLERANCE ahead of the kiosk's clock."""

    def __init__(self, at: datetime, now: datetime) -> None:
        self.at, self.now = at, now
        local_now = now.astimezone(at.tzinfo)
        super().__init__(
            f"--time {at.isoformat()} is in the future (now it is {local_now:%Y-%m-%dT%H:%M:%S%z}; at most "
            f"{FUTURE_TOLERANCE_MINUTES} minutes ahead is accepted); a manual punch records a time that has "
            "passed: check the date and the UTC offset"
        )


class ReusedNip(ValueError):
    """The NIP belonged to a removed employee whose punches and absences are still on record."""


@dataclass(frozen=True)
class History:
    """What a NIP left behind: kept punches and absences, and when it was last removed."""

    punches: int
    absences: int
    removed_utc: datetime | None

    def __bool__(self) -> bool:
        return bool(self.punches or self.absences or self.removed_utc)

    def describe(self) -> str:
        removed = f"was removed on {self.removed_utc:%Y-%m-%d} (UTC) and " if self.removed_utc else ""
        return f"{removed}still has {self.punches} punches and {self.absences} absences on record"


def add_employee(
    store: Store,
    nip: str,
    name: str,
    unit: str = "",
    schedule: str = "",
    pin: int = 0,
    pattern: str = r"\d{18}",
    schedules: KnownSchedules | None = None,
    reuse_removed: bool = False,
    since: date | None = None,
    actor: str | None = None,
) -> Employee:
    """Add an employee; a NIP with a removed employee's records is refused unless `reuse_removed`."""
    nip = normalise_nip(nip, pattern)
    name = check_text(name, "the name (--name)", MAX_NAME_LENGTH)
    if not name:
        raise ValueError("the employee's name is empty; pass --name \"Full Name\"")
    unit = check_text(unit, "the unit (--unit)", MAX_NAME_LENGTH)
    schedule = check_text(schedule, "the schedule (--schedule)", MAX_NAME_LENGTH)
    if schedule and schedules is not None:
        try:
            schedules.schedule(schedule)
        except ValueError as exc:  # it names the known schedules
            raise ValueError(f"--schedule {schedule!r}: {exc}") from None
    if not 0 <= pin <= MAX_PIN:
        raise ValueError(f"--pin {pin} is out of range: terminal PINs are 1 to {MAX_PIN} (at most 9 digits)")
    history = earlier_history(store, nip)
    if history and not reuse_removed and store.employees.get(nip) is None:
        raise ReusedNip(
            f"NIP {nip} {history.describe()}; a new employee added under it would inherit them. A NIP belongs to one "
            "civil servant for life: check the number. If this is the same person returning, pass --reuse-removed"
        )
    employee = store.employees.add(Employee(nip=nip, name=name, unit=unit, schedule=schedule, pin=pin, since=since))
    detail = {"pin": employee.pin, "unit": employee.unit, "schedule": employee.schedule, "since": _iso(since)}
    store.audit.log("employee.add", employee.nip, {**detail, "reused_removed": True} if history else detail, user=actor)
    return employee


def earlier_history(store: Store, nip: str) -> History:
    removals = [entry.time_utc for entry in store.audit.entries(limit=1000, nip=nip) if entry.action == "employee.remove"]
    return History(store.punches.count_for(nip), len(store.absences.list(nip=nip)), max(removals, default=None))


def set_since(store: Store, nip: str, since: date | None, pattern: str = r"\d{18}", actor: str | None = None) -> Employee:
    """Set or clear the employee's first working day; recaps count from it (docs/recap.md)."""
    nip = normalise_nip(nip, pattern)
    before = store.employees.get(nip)
    employee = store.employees.set_since(nip, since)
    store.audit.log("employee.since", nip, {"from": _iso(before.since if before else None), "to": _iso(since)}, user=actor)
    return employee


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def manual_punch(
    recorder: PunchRecorder,
    nip: str,
    at: datetime,
    reason: str,
    pattern: str = r"\d{18}",
    actor: str | None = None,
    now: datetime | None = None,
) -> Punch:
    """An operator's punch on someone's behalf: method=manual, never debounced, always audited.
    `now` is the caller's clock (the console's); None reads the system clock."""
    nip = normalise_nip(nip, pattern)
    if not reason.strip():
        raise ValueError("a manual punch needs --reason explaining why it was entered by hand")
    check_manual_time(recorder.store, nip, at, now or utc_now())
    outcome = recorder.record(nip, Method.MANUAL, at, note=reason.strip(), debounce=False)
    recorder.store.audit.log(
        "punch.manual", nip, {"seq": outcome.punch.seq, "uuid": outcome.punch.uuid, "time": at.isoformat(), "reason": reason.strip()},
        user=actor,
    )
    return outcome.punch


def check_manual_time(store: Store, nip: str, at: datetime, now: datetime) -> None:
    """Refuse a manual punch in the future or one that repeats a recorded punch to the microsecond."""
    if at - now > FUTURE_TOLERANCE:
        raise ManualPunchInFuture(at, now)
    same = store.punches.between(at, at + timedelta(microseconds=1), nip)
    if same:
        raise ValueError(
            f"punch #{same[0].seq} for {nip} at {same[0].local_time:%Y-%m-%d %H:%M:%S%z} is already recorded "
            f"({same[0].method}); nothing was added. See `kiosk punch list`"
        )
