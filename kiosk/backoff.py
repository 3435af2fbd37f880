"""Retry timing, the one implementation every retry loop uses (delivery, camera reopen, terminal link).

Pure functions (exponential growth, full jitter, Retry-After) plus `Backoff`, a small counter for
loops that retry one thing until it works.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def exponential(attempt: int, initial: float, maximum: float) -> float:
    """initial, 2 x initial, 4 x initial, ... for attempts 0, 1, 2, ..., capped at maximum."""
    return min(max(initial, maximum), initial * (2 ** min(max(attempt, 0), 30)))


def full_jitter(attempt: int, initial: float, maximum: float, rand: Callable[[], float] = random.random) -> float:
    """Wait uniformly in [0, exponential(attempt)): retries of many kiosks spread out."""
    return rand() * exponential(attempt, initial, maximum)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_delay(attempt: int, initial: float, maximum: float, retry_after: float | None, rand: Callable[[], float] = random.random) -> float:
    """The server's Retry-After is a floor: never come back sooner than it asked."""
    delay = full_jitter(attempt, initial, maximum, rand)
    return delay if retry_after is None else max(delay, retry_after)


class Backoff:
    """Delays for retrying one thing: `next()` after each failure, `reset()` after a success.

    Deterministic (no jitter): a local device (camera, terminal on the LAN) is retried by this
    kiosk alone, so there is no crowd to spread out, and a technician can read the delays in the log.
    """

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial, self.maximum = initial, maximum
        self.failures = 0

    def next(self) -> float:
        delay = exponential(self.failures, self.initial, self.maximum)
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0
