"""How the kiosk's employees and punches look on a ZKTeco terminal.

State (pyzk "punch"): datang 0 (check-in), pulang 1 (check-out), siang `siang_state` (2 break-out
by default), other `other_state` (255 = no state key, by default). Verify (pyzk "status"): face 15,
fingerprint 1, manual 0 (password). The user id is the terminal PIN, or the NIP when configured;
an employee without a PIN, or a punch whose employee was removed, reports the NIP.

Time: the terminal's wire carries a wall clock without an offset, so every punch is shown as its
instant on the device's clock (`MappingRules.zone`, from device.timezone), whatever offset it was
recorded with. Names: clients decode the name field as ASCII or Latin-1, so names are sent
transliterated to ASCII (`ascii_name`: "Renée Müller" -> "Renee Muller").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kiosk.domain import Employee, Kind, Method, Punch
from kiosk.timeutil import device_wall_clock
from sync.ascii_names import ascii_name
from sync.zk.records import AttendanceRecord, UserRecord

VERIFY = {Method.FACE: 15, Method.FINGERPRINT: 1, Method.MANUAL: 0}
MAX_UID = 0xFFFF
EARLIEST = datetime(2000, 1, 1)  # the device clock encoding covers 2000-2099 only
LATEST = datetime(2099, 12, 31, 23, 59, 59)


@dataclass(frozen=True)
class MappingRules:
    report_user_id: str = "pin"  # "pin" or "nip"
    siang_state: int = 2
    other_state: int = 255
    zone: tzinfo | None = None  # the device's zone (device.timezone); None keeps each punch's own offset

    def state(self, kind: Kind) -> int:
        return {Kind.DATANG: 0, Kind.PULANG: 1, Kind.SIANG: self.siang_state}.get(kind, self.other_state)


@dataclass(frozen=True)
class Roster:
    """The employees as the terminal numbers them: uid and user id per NIP."""

    uids: Mapping[str, int]
    user_ids: Mapping[str, str]
    employees: tuple[Employee, ...]


def assign_uids(employees: Iterable[Employee]) -> dict[str, int]:
    """uid = PIN when it fits the terminal's u16 slot; others take the lowest free slots in NIP order."""
    employees = list(employees)
    uids = {e.nip: e.pin for e in employees if 0 < e.pin <= MAX_UID}
    taken = set(uids.values())
    free = (n for n in range(1, MAX_UID + 1) if n not in taken)
    for employee in sorted((e for e in employees if e.nip not in uids), key=lambda e: e.nip):
        uids[employee.nip] = next(free, 0)
    return uids


def user_id_of(employee: Employee, rules: MappingRules) -> str:
    if rules.report_user_id == "nip" or employee.pin <= 0:
        return employee.nip
    return str(employee.pin)


def build_roster(employees: Iterable[Employee], rules: MappingRules) -> Roster:
    employees = tuple(employees)
    user_ids = {e.nip: user_id_of(e, rules) for e in employees}
    return Roster(assign_uids(employees), user_ids, employees)


def user_record(employee: Employee, roster: Roster) -> UserRecord:
    name = ascii_name(employee.name)
    return UserRecord(uid=roster.uids[employee.nip], user_id=roster.user_ids[employee.nip], name=name)


def device_time(punch: Punch, zone: tzinfo | None) -> datetime:
    """The punch's instant on the device's wall clock, naive, clamped to what the encoding can carry."""
    moment = punch.local_time if zone is None else device_wall_clock(punch.time_utc, zone)
    local = moment.replace(tzinfo=None, microsecond=0)
    return min(max(local, EARLIEST), LATEST)


def attendance_record(punch: Punch, roster: Roster, rules: MappingRules) -> AttendanceRecord:
    return AttendanceRecord(
        uid=roster.uids.get(punch.nip, 0),
        user_id=roster.user_ids.get(punch.nip, punch.nip),
        time=device_time(punch, rules.zone),
        verify=VERIFY.get(punch.method, 0),
        state=rules.state(punch.kind),
    )
