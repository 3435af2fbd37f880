"""The users and attendance datasets a terminal serves, built from the store and cached.

Encoding 100,000 punches takes a while, so the encoded attendance records are kept and only the
punches recorded since are added; a change of roster or of the floor, or the oldest punch gone
(retention removes the oldest first), rebuilds them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sync.zk.mapping import MappingRules, Roster, attendance_record, build_roster, user_record
from sync.zk.records import UserRecord, encode_attendance_40, encode_user_72
from sync.zk.source import ZkDataSource

PAGE = 5000


@dataclass(frozen=True)
class Snapshot:
    """What one client sees between read_sizes and its buffered reads."""

    users: tuple[UserRecord, ...]
    attendance: tuple[bytes, ...]  # encoded 40-byte records

    def users_dataset(self) -> list[bytes]:
        return [encode_user_72(user) for user in self.users]


@dataclass
class _AttendanceCache:
    roster_key: tuple = ()
    floor: int = 0
    first_seq: int = 0  # seq of records[0]; retention removes the oldest punches first
    last_seq: int = 0
    records: list[bytes] = field(default_factory=list)


class Datasets:
    def __init__(self, source: ZkDataSource, rules: MappingRules) -> None:
        self.source = source
        self.rules = rules
        self._lock = threading.Lock()
        self._cache = _AttendanceCache()

    def roster(self) -> Roster:
        return build_roster(self.source.employees.list(active_only=False), self.rules)

    def snapshot(self, overlay: dict[int, UserRecord | None], floor: int) -> Snapshot:
        roster = self.roster()
        users = [user_record(e, roster) for e in roster.employees if e.active]
        with self._lock:
            records = self._attendance(roster, floor)
        return Snapshot(tuple(apply_overlay(users, overlay)), tuple(records))

    def _attendance(self, roster: Roster, floor: int) -> list[bytes]:
        key = tuple(sorted(roster.user_ids.items()))
        cache = self._cache
        if cache.roster_key != key or cache.floor != floor or not self._still_first(cache):
            cache = _AttendanceCache(key, floor, 0, floor)
        self._extend(cache, roster)
        self._cache = cache
        return cache.records

    def _still_first(self, cache: _AttendanceCache) -> bool:
        if not cache.records:
            return False
        head = self.source.punches.page(after_seq=cache.floor, limit=1)
        return bool(head) and head[0].seq == cache.first_seq

    def _extend(self, cache: _AttendanceCache, roster: Roster) -> None:
        while True:
            page = self.source.punches.page(after_seq=cache.last_seq, limit=PAGE)
            if not page:
                return
            if not cache.records:
                cache.first_seq = page[0].seq
            cache.records.extend(encode_attendance_40(attendance_record(p, roster, self.rules)) for p in page)
            cache.last_seq = page[-1].seq
            if len(page) < PAGE:
                return


def apply_overlay(users: list[UserRecord], overlay: dict[int, UserRecord | None]) -> list[UserRecord]:
    """Users written or deleted by clients (simulator mode) replace the roster's by uid."""
    by_uid = {u.uid: u for u in users}
    for uid, written in overlay.items():
        if written is None:
            by_uid.pop(uid, None)
        else:
            by_uid[uid] = written
    return sorted(by_uid.values(), key=lambda u: u.uid)
