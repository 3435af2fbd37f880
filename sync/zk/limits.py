"""Limits that keep floods and key guessers from locking the central server out of the ZK server.

Pure rules (the server calls them; tests call them directly):
- session tables: per-source caps and which session makes room for a newcomer (`choose_victim`);
- comm-key guessing: wrong keys from one source lock that source out for a time that doubles
  (`AuthThrottle`), so trying the whole key space takes years.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

MAX_UDP_SESSIONS = 64  # UDP sessions in all
MAX_UDP_SESSIONS_PER_SOURCE = 16  # UDP sessions from one IP address; one per (address, port)
UNAUTH_GRACE = 5.0  # seconds a session may stay without authenticating when a comm key is set


def tcp_per_source(max_clients: int) -> int:
    """One IP address may hold half the TCP slots (at least 2): another address always finds room."""
    return max(2, max_clients // 2)


Key = TypeVar("Key", bound=Hashable)  # what the server finds the session by: a connection, a session id


@dataclass(frozen=True)
class Occupant(Generic[Key]):
    """A session as the eviction rule sees it."""

    key: Key
    source: str  # the client's IP address
    authenticated: bool
    last_seen: float  # monotonic seconds


def choose_victim(
    occupants: Iterable[Occupant[Key]], source: str, per_source: int, total: int
) -> Occupant[Key] | None:
    """The session to end so a newcomer from `source` fits, or None when there is room already.

    A full per-source quota makes room among that source's own sessions (a flood from one address
    only pushes out its own); a full table among all. Unauthenticated sessions go first, then the
    one silent longest: a client in the middle of a pull was seen a moment ago and stays.
    """
    occupants = list(occupants)
    same = [o for o in occupants if o.source == source]
    if len(same) >= per_source:
        pool = same
    elif len(occupants) >= total:
        pool = occupants
    else:
        return None
    return min(pool, key=lambda o: (o.authenticated, o.last_seen))


# comm-key guessing ----------------------------------------------------------------------------
FREE_FAILURES = 5  # wrong keys a source may send before it is locked out (typos, a wrong config)
FIRST_LOCKOUT = 1.0  # seconds, doubled for every further wrong key
MAX_LOCKOUT = 600.0  # seconds: past ~10 wrong keys, one guess per 10 minutes
FORGET_AFTER = 3600.0  # seconds without a wrong key before a source's count starts again
MAX_TRACKED_SOURCES = 4096


def lockout_after(failures: int) -> float:
    """Seconds a source is refused after its `failures`-th wrong key in a row."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(FIRST_LOCKOUT * 2 ** (failures - FREE_FAILURES - 1), MAX_LOCKOUT)


def seconds_to_try(keys: int) -> float:
    """The least time one source needs to send `keys` wrong keys under the throttle."""
    doubling = [lockout_after(n) for n in range(1, min(keys, 64) + 1)]
    return sum(doubling) + max(keys - 64, 0) * MAX_LOCKOUT


@dataclass
class _Record:
    failures: int
    last_failure: float
    locked_until: float


class AuthThrottle:
    """Wrong comm keys counted per source address; thread-safe (TCP threads and the UDP thread share it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: OrderedDict[str, _Record] = OrderedDict()

    def locked_for(self, source: str, now: float) -> float:
        """Seconds this source must still wait before a key is checked (0 = check it now)."""
        with self._lock:
            record = self._current(source, now)
            return max(record.locked_until - now, 0.0) if record else 0.0

    def failed(self, source: str, now: float) -> tuple[int, float]:
        """Count a wrong key; returns (wrong keys in a row, seconds the source is now locked out)."""
        with self._lock:
            record = self._current(source, now) or _Record(0, now, now)
            record.failures += 1
            record.last_failure = now
            record.locked_until = now + lockout_after(record.failures)
            self._sources[source] = record
            self._sources.move_to_end(source)
            while len(self._sources) > MAX_TRACKED_SOURCES:
                self._sources.popitem(last=False)
            return record.failures, record.locked_until - now

    def succeeded(self, source: str) -> None:
        with self._lock:
            self._sources.pop(source, None)

    def _current(self, source: str, now: float) -> _Record | None:
        record = self._sources.get(source)
        if record is not None and now - record.last_failure > FORGET_AFTER and now >= record.locked_until:
            del self._sources[source]
            return None
        return record
