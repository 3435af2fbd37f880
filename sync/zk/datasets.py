"""The users and attendance datasets a terminal serves, built from the store; the encoded
attendance records are kept between pulls (sync/encoded_punches.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sync.encoded_punches import EncodedPunches
from sync.zk.mapping import MappingRules, Roster, attendance_record, build_roster, user_record
from sync.zk.records import UserRecord, encode_attendance_40, encode_user_72
from sync.zk.source import ZkDataSource


@dataclass(frozen=True)
class Snapshot:
    """What one client sees between read_sizes and its buffered reads."""

    users: tuple[UserRecord, ...]
    attendance: tuple[bytes, ...]  # encoded 40-byte records

    def users_dataset(self) -> list[bytes]:
        return [encode_user_72(user) for user in self.users]


class Datasets:
    def __init__(self, source: ZkDataSource, rules: MappingRules) -> None:
        self.source = source
        self.rules = rules
        self._attendance: EncodedPunches[bytes] = EncodedPunches(source.punches)

    def roster(self) -> Roster:
        return build_roster(self.source.employees.list(active_only=False), self.rules)

    def snapshot(self, overlay: dict[int, UserRecord | None], floor: int) -> Snapshot:
        roster = self.roster()
        users = [user_record(e, roster) for e in roster.employees if e.active]
        records = self._attendance.get(
            tuple(sorted(roster.user_ids.items())),
            lambda punch: encode_attendance_40(attendance_record(punch, roster, self.rules)),
            floor,
        )
        return Snapshot(tuple(apply_overlay(users, overlay)), tuple(records))


def apply_overlay(users: list[UserRecord], overlay: dict[int, UserRecord | None]) -> list[UserRecord]:
    """Users written or deleted by clients (simulator mode) replace the roster's by uid."""
    by_uid = {u.uid: u for u in users}
    for uid, written in overlay.items():
        if written is None:
            by_uid.pop(uid, None)
        else:
            by_uid[uid] = written
    return sorted(by_uid.values(), key=lambda u: u.uid)
