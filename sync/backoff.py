"""Retry timing as pure functions: exponential backoff with full jitter, and Retry-After."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def full_jitter(attempt: int, initial: float, maximum: float, rand: Callable[[], float] = random.random) -> float:
    """Wait uniformly in [0, min(maximum, initial * 2**attempt)): retries of many kiosks spread out."""
    ceiling = min(maximum, initial * (2 ** min(attempt, 30)))
    return rand() * ceiling


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
