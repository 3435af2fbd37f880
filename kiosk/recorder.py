"""The one path every punch takes: debounce, classify, evidence photo, durable commit, announce.

Face, fingerprint and manual punches all come through `PunchRecorder.record`, so the rules apply
the same way whatever the method. Listeners (screen, ZK realtime events, sync wake-up) are told
only after the punch is committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.clock import ClockReading, read_clock
from kiosk.domain import Classification, Employee, Method, NewPunch, Punch
from kiosk.photos import PhotoStore
from kiosk.rules.record_classifier import Classifier
from kiosk.store import DuplicatePunch, Store, UnknownEmployee

log = logging.getLogger(__name__)

PunchListener = Callable[[Punch], None]


def no_classification(employee: Employee, at: datetime, earlier_today: list[Punch]) -> Classification:
    return Classification()


@dataclass(frozen=True)
class RecordOutcome:
    punch: Punch
    employee: Employee
    repeated: bool  # True: within repeat_minutes of `punch`, nothing new was recorded


def is_repeat(last: Punch | None, at: datetime, repeat_minutes: int) -> bool:
    """Same employee again within the debounce window (either direction: the clock may step back)."""
    if last is None or repeat_minutes <= 0 or last.method == Method.MANUAL:
        return False
    return abs(at - last.time_utc) < timedelta(minutes=repeat_minutes)


class PunchRecorder:
    def __init__(
        self,
        store: Store,
        photos: PhotoStore,
        repeat_minutes: int = 5,
        classifier: Classifier = no_classification,
        clock: Callable[[], ClockReading] = read_clock,
    ) -> None:
        self.store = store
        self.photos = photos
        self.repeat_minutes = repeat_minutes
        self.classifier = classifier
        self.clock = clock
        self._listeners: list[PunchListener] = []
        self._lock = threading.Lock()  # one punch at a time: debounce must see the previous one

    def subscribe(self, listener: PunchListener) -> None:
        self._listeners.append(listener)

    def record(
        self,
        nip: str,
        method: Method,
        at: datetime,
        distance: float | None = None,
        liveness: float | None = None,
        photo_jpeg: bytes | None = None,
        source_key: str | None = None,
        note: str = "",
        debounce: bool = True,
    ) -> RecordOutcome:
        employee = self.store.employees.get(nip)
        if employee is None:
            raise UnknownEmployee(f"no employee with NIP {nip}; add them with `kiosk employee add`")
        with self._lock:
            # An external record seen before (a terminal's log read twice) is that punch, not a repeat of it.
            if source_key is not None and self.store.punches.exists_source_key(source_key):
                raise DuplicatePunch(f"the record {source_key} is already stored")
            last = self.store.punches.last_for(nip)
            if debounce and is_repeat(last, at, self.repeat_minutes):
                return RecordOutcome(punch=last, employee=employee, repeated=True)  # type: ignore[arg-type]
            punch = self._commit(employee, method, at, distance, liveness, photo_jpeg, source_key, note)
        self._announce(punch)
        return RecordOutcome(punch=punch, employee=employee, repeated=False)

    def _commit(self, employee, method, at, distance, liveness, photo_jpeg, source_key, note) -> Punch:
        clock = self.clock()
        # 36 hours back: a night shift that started yesterday evening still belongs to its day.
        earlier = self.store.punches.between(at - timedelta(hours=36), at + timedelta(seconds=1), employee.nip)
        new = NewPunch(
            nip=employee.nip,
            time=at,
            method=method,
            classification=self.classifier(employee, at, earlier),
            distance=distance,
            liveness=liveness,
            clock_synced=bool(clock.synced) if clock.synced is not None else False,
            photo=self._save_photo(photo_jpeg, employee.nip, at),
            boot_id=clock.boot_id,
            monotonic_ns=clock.monotonic_ns,
            source_key=source_key,
            note=note,
        )
        return self.store.punches.record(new)

    def _save_photo(self, jpeg: bytes | None, nip: str, at: datetime) -> str | None:
        if not jpeg:
            return None
        try:
            return self.photos.save(jpeg, nip, at)
        except OSError:
            # The punch matters more than its evidence: record it without the photo and say so.
            log.exception("evidence photo not saved; recording the punch without it")
            return None

    def _announce(self, punch: Punch) -> None:
        for listener in list(self._listeners):
            try:
                listener(punch)
            except Exception:
                log.exception("punch listener failed (the punch is recorded)")
