"""Login throttling: after a few failures for an account or from an address, a growing lockout."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

FREE_FAILURES = 5  # failures allowed before the first lockout
FIRST_LOCKOUT = 30.0  # seconds; doubles with every further failure
LONGEST_LOCKOUT = 900.0
MAX_KEYS = 10_000  # a flood of invented names cannot grow the table without bound


@dataclass
class _Record:
    failures: int
    last: float


class LoginThrottle:
    """Keys are "account:NAME" and "source:ADDRESS"; the longest lockout among them applies."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def wait_seconds(self, keys: Iterable[str]) -> float:
        """Seconds until another attempt is allowed (0 = now)."""
        now = self.clock()
        with self._lock:
            return max((self._remaining(self._records.get(key), now) for key in keys), default=0.0)

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                record = self._records.pop(key, None) or _Record(0, now)
                self._records[key] = _Record(record.failures + 1, now)
            while len(self._records) > MAX_KEYS:
                self._records.popitem(last=False)

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._records.pop(key, None)

    @staticmethod
    def _remaining(record: _Record | None, now: float) -> float:
        if record is None or record.failures < FREE_FAILURES:
            return 0.0
        lockout = min(LONGEST_LOCKOUT, FIRST_LOCKOUT * 2 ** (record.failures - FREE_FAILURES))
        return max(0.0, record.last + lockout - now)
