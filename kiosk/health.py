"""What is wrong right now: faults reported by the kiosk's parts.

Parts call `report_fault` / `clear_fault`; `kiosk status` and the logs read it. Nothing here is
fatal: a fault is shown, and the part keeps retrying. (Liveness is the watchdog's business:
`Kiosk.healthy` asks the pipeline and the scheduler directly.)
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
