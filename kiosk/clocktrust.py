"""How far to trust the system clock: NTP state, jumps, and other clocks to compare with.

References are other clocks the kiosk sees anyway: the Date header of the central server's HTTP
replies and the fingerprint terminal's clock. Their offsets are kept in the store (meta table) so
`kiosk status`, a separate process, can show them.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk.store import Store
from kiosk.timeutil import utc_now

log = logging.getLogger(__name__)
REFERENCE_PREFIX = "clock.reference."
JUMP_KEY = "clock.last_jump"
JUMP_THRESHOLD_SECONDS = 5.0


@dataclass(frozen=True)
class ClockReference:
    source: str  # "server:siap", "terminal:192.168.1.20"
    offset_seconds: float  # their clock minus ours: positive = our clock is behind
    observed_utc: str


def offset_from_http_date(header: str | None, local_now: datetime) -> float | None:
    """Seconds the server's clock is ahead of ours, from an HTTP Date header (1 s resolution)."""
    if not header:
        return None
    try:
        remote = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if remote.tzinfo is None:
        remote = remote.replace(tzinfo=UTC)
    return (remote - local_now).total_seconds()


def save_reference(store: Store, source: str, offset_seconds: float) -> ClockReference:
    reference = ClockReference(source, round(offset_seconds, 1), utc_now().isoformat())
    store.meta.set_json(REFERENCE_PREFIX + source, {"offset_seconds": reference.offset_seconds, "observed_utc": reference.observed_utc})
    if abs(offset_seconds) > 60:
        log.warning("clock differs from %s by %+.0f s", source, offset_seconds)
    return reference


def load_references(store: Store) -> list[ClockReference]:
    return [
        ClockReference(key[len(REFERENCE_PREFIX) :], value["offset_seconds"], value["observed_utc"])  # type: ignore[index]
        for key, value in store.meta.prefixed(REFERENCE_PREFIX).items()
    ]


def jump_seconds(previous: tuple[float, float], current: tuple[float, float]) -> float:
    """(wall, monotonic) pairs -> how far the wall clock moved beyond the time that passed."""
    return (current[0] - previous[0]) - (current[1] - previous[1])


class JumpWatcher(threading.Thread):
    """Notices the wall clock stepping (NTP finally syncing after a power cut, a manual set)."""

    def __init__(self, store: Store, interval: float = 2.0, threshold: float = JUMP_THRESHOLD_SECONDS) -> None:
        super().__init__(name="clock-jumps", daemon=True)
        self.store, self.interval, self.threshold = store, interval, threshold
        self.stop_event = threading.Event()

    def run(self) -> None:
        last = (time.time(), time.monotonic())
        while not self.stop_event.wait(self.interval):
            now = (time.time(), time.monotonic())
            moved = jump_seconds(last, now)
            if abs(moved) >= self.threshold:
                log.warning("system clock jumped by %+.1f s", moved)
                self.store.meta.set_json(JUMP_KEY, {"seconds": round(moved, 1), "observed_utc": utc_now().isoformat()})
            last = now

    def stop(self) -> None:
        self.stop_event.set()
