"""What is wrong right now: faults and heartbeats reported by the kiosk's parts.

Parts call `report_fault` / `clear_fault` and `beat`; `kiosk status`, the watchdog and the logs read
it. Nothing here is fatal: a fault is shown, and the part keeps retrying.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fault:
    part: str  # "camera", "fingerprint", "sync:siap", "storage", "clock", ...
    message: str
    since_monotonic: float
    since_wall: float


class Health:
    def __init__(self, clock=time.monotonic, wall=time.time) -> None:
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}
        self._beats: dict[str, float] = {}

    def report_fault(self, part: str, message: str) -> None:
        with self._lock:
            known = self._faults.get(part)
            if known and known.message == message:
                return
            self._faults[part] = Fault(part, message, self._clock(), self._wall())
        log.warning("fault in %s: %s", part, message)

    def clear_fault(self, part: str) -> None:
        with self._lock:
            fault = self._faults.pop(part, None)
        if fault:
            log.info("recovered: %s (was: %s)", part, fault.message)

    def faults(self) -> list[Fault]:
        with self._lock:
            return sorted(self._faults.values(), key=lambda f: f.part)

    def beat(self, part: str) -> None:
        with self._lock:
            self._beats[part] = self._clock()

    def seconds_since_beat(self, part: str) -> float | None:
        with self._lock:
            last = self._beats.get(part)
        return None if last is None else self._clock() - last

    def alive(self, part: str, within_seconds: float) -> bool:
        age = self.seconds_since_beat(part)
        return age is not None and age <= within_seconds
