"""Faults the reference receiver can inject, so tests see the network and servers misbehave."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Faults:
    """Ratios are per batch request and add up to at most 1; one fault (or none) is drawn per request."""

    fail_ratio: float = 0.0  # 500 before anything is stored
    close_ratio: float = 0.0  # store the batch, then cut the connection in the middle of the reply
    stall_ratio: float = 0.0  # store the batch, then stall `stall_seconds` (past the client's read timeout)
    malformed_ratio: float = 0.0  # store the batch, then reply 200 with broken JSON
    stall_seconds: float = 2.0
    delay_seconds: float = 0.0  # every batch takes at least this long (a slow server, not a fault)
    status: int | None = None  # answer every authenticated request with this status (401, 403, 503 ...)
    retry_after: int | None = None  # Retry-After seconds sent with 429/503 answers
    reject_uuids: frozenset[str] = frozenset()  # rejected with code "rejected_by_test"
    reject_nips: frozenset[str] = frozenset()  # rejected with code "unknown_employee"
    seed: int | None = None

    def __post_init__(self) -> None:
        total = self.fail_ratio + self.close_ratio + self.stall_ratio + self.malformed_ratio
        if not 0.0 <= total <= 1.0:
            raise ValueError(f"fault ratios add up to {total}; they must add up to between 0 and 1")

    def draw(self, rng: random.Random) -> str | None:
        """'fail' | 'close' | 'stall' | 'malformed' | None for one request."""
        roll = rng.random()
        for name, ratio in (("fail", self.fail_ratio), ("close", self.close_ratio), ("stall", self.stall_ratio), ("malformed", self.malformed_ratio)):
            if roll < ratio:
                return name
            roll -= ratio
        return None
