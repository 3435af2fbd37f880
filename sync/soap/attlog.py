"""GetAttLog's rows, encoded once and kept: only the punches recorded since are added.

Reading and encoding 50,000 punches from the store takes seconds on a Raspberry Pi, and the PHP
applications ask for "All" every few minutes. As for port 4370 (sync/zk/datasets.py), the encoded
lines are kept; a change of roster (user ids) or the oldest punch gone (retention removes the
oldest first) rebuilds them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kiosk.store import Store
from sync.soap import codec
from sync.zk.mapping import VERIFY, MappingRules, Roster, device_time

PAGE = 5000


@dataclass
class _Lines:
    roster_key: tuple = ()
    first_seq: int = 0
    last_seq: int = 0
    entries: list[tuple[str, str]] = field(default_factory=list)  # (user id, encoded <Row> line)


class AttLogLines:
    def __init__(self, store: Store, rules: MappingRules) -> None:
        self.store, self.rules = store, rules
        self._lock = threading.Lock()
        self._lines = _Lines()

    def entries(self, roster: Roster) -> list[tuple[str, str]]:
        """Every punch as (user id, row line), in recording order; the list must not be changed."""
        with self._lock:
            lines = self._lines
            key = tuple(sorted(roster.user_ids.items()))
            if lines.roster_key != key or not self._still_first(lines):
                lines = _Lines(key)
            self._extend(lines, roster)
            self._lines = lines
            return lines.entries

    def _still_first(self, lines: _Lines) -> bool:
        head = self.store.punches.page(after_seq=0, limit=1)
        if not lines.entries:
            return not head
        return bool(head) and head[0].seq == lines.first_seq

    def _extend(self, lines: _Lines, roster: Roster) -> None:
        while page := self.store.punches.page(after_seq=lines.last_seq, limit=PAGE):
            if not lines.entries:
                lines.first_seq = page[0].seq
            for punch in page:
                user_id = roster.user_ids.get(punch.nip, punch.nip)
                time, verify, state = device_time(punch, self.rules.zone), VERIFY.get(punch.method, 0), self.rules.state(punch.kind)
                lines.entries.append((user_id, codec.attlog_line(user_id, time, verify, state)))
            lines.last_seq = page[-1].seq
            if len(page) < PAGE:
                return
