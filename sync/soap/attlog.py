"""GetAttLog's rows, encoded once and kept between requests (sync/encoded_punches.py, shared with
port 4370's attendance dataset): only the punches recorded since are encoded."""

from __future__ import annotations

from kiosk.domain import Punch
from kiosk.store import Store
from sync.encoded_punches import EncodedPunches
from sync.soap import codec
from sync.zk.mapping import VERIFY, MappingRules, Roster, device_time


class AttLogLines:
    def __init__(self, store: Store, rules: MappingRules) -> None:
        self.rules = rules
        self._rows: EncodedPunches[tuple[str, str]] = EncodedPunches(store.punches)

    def entries(self, roster: Roster) -> list[tuple[str, str]]:
        """Every punch as (user id, row line), in recording order; the list must not be changed."""

        def row(punch: Punch) -> tuple[str, str]:
            user_id = roster.user_ids.get(punch.nip, punch.nip)
            time, verify, state = device_time(punch, self.rules.zone), VERIFY.get(punch.method, 0), self.rules.state(punch.kind)
            return user_id, codec.attlog_line(user_id, time, verify, state)

        return self._rows.get(tuple(sorted(roster.user_ids.items())), row)
