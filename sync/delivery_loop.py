"""The delivery loop shared by every target kind: page after the cursor, send, acknowledge, retry.

Only an acknowledged batch moves the cursor (in one SQLite transaction together with the parked
punches), so a kiosk killed at any moment re-sends at most the batch in flight; the server
deduplicates on the punch uuid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from kiosk.backoff import retry_delay
from kiosk.domain import Punch
from kiosk.settings.sync import SyncSettings
from kiosk.store import Store
from sync.targets import Target, config_fingerprint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushPolicy:
    batch_size: int = 500
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    backoff_initial: float = 2.0
    backoff_max: float = 120.0
    max_attempts: int = 6
    verify: bool | str = True  # requests' `verify`: True, False or a CA bundle path
    upload_photos: bool = True

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @classmethod
    def from_settings(cls, sync: SyncSettings) -> PushPolicy:
        verify: bool | str = (sync.ca_bundle or True) if sync.verify_tls else False
        return cls(
            sync.batch_size, sync.connect_timeout, sync.read_timeout, sync.backoff_initial, sync.backoff_max,
            sync.max_attempts, verify, sync.upload_photos,
        )  # fmt: skip


@dataclass(frozen=True)
class Sent:
    """What a transport made of one batch."""

    action: str  # ok | retry | halt | split
    reason: str = ""
    retry_after: float | None = None
    parked: tuple[tuple[int, str, str], ...] = ()  # (seq, code, reason) of rejected punches


class Transport(Protocol):
    def send(self, punches: Sequence[Punch]) -> Sent: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PushOutcome:
    target: str
    delivered: int = 0  # punches acknowledged in this run (accepted, duplicate or parked)
    parked: int = 0
    remaining: int = 0
    error: str | None = None
    halted: bool = False
    retry_after: float | None = None  # the server asked for a pause longer than backoff_max

    @property
    def ok(self) -> bool:
        return self.error is None and not self.halted


Wait = Callable[[float], bool]  # sleep; True = stop requested (threading.Event.wait)


def run_target(store: Store, target: Target, transport: Transport, policy: PushPolicy, wait: Wait) -> PushOutcome:
    """Deliver everything after the target's cursor, or stop at a halt, a stop request or max_attempts."""
    fingerprint = config_fingerprint(target)
    if store.delivery.is_halted(target.name, fingerprint):
        reason = store.delivery.state(target.name).halted_reason
        return PushOutcome(target.name, remaining=store.delivery.queue_depth(target.name), error=reason, halted=True)
    run = _Run(store, target, policy)
    size, attempt = policy.batch_size, 0
    while batch := store.punches.page(store.delivery.state(target.name).last_seq, size):
        sent = transport.send(batch)
        if sent.action == "ok":
            run.acknowledge(batch, sent)
            attempt = 0
        elif sent.action == "split" and size > 1:
            size = max(1, size // 2)
        elif sent.action == "halt":
            log.error("delivery to %s halted: %s", target.name, sent.reason)
            store.delivery.halt(target.name, sent.reason, fingerprint)
            return run.outcome(error=sent.reason, halted=True)
        else:
            attempt += 1
            outcome = run.failed(sent, attempt, wait)
            if outcome is not None:
                return outcome
    return run.outcome()


class _Run:
    """Counters and error handling of one run_target call."""

    def __init__(self, store: Store, target: Target, policy: PushPolicy) -> None:
        self.store, self.target, self.policy = store, target, policy
        self.delivered = self.parked = 0

    def acknowledge(self, batch: Sequence[Punch], sent: Sent) -> None:
        self.store.delivery.acknowledge(self.target.name, batch[-1].seq, list(sent.parked))
        self.delivered += len(batch)
        self.parked += len(sent.parked)
        for seq, code, reason in sent.parked:
            log.warning("%s rejected punch #%d (%s: %s); parked, see `kiosk sync`", self.target.name, seq, code, reason)

    def failed(self, sent: Sent, attempt: int, wait: Wait) -> PushOutcome | None:
        """Record the error; None = retry after the backoff, else the outcome to return."""
        log.warning("delivery to %s failed (attempt %d): %s", self.target.name, attempt, sent.reason)
        self.store.delivery.record_error(self.target.name, sent.reason)
        if sent.retry_after is not None and sent.retry_after > self.policy.backoff_max:
            return self.outcome(error=sent.reason, retry_after=sent.retry_after)
        if attempt >= self.policy.max_attempts:
            return self.outcome(error=sent.reason)
        delay = retry_delay(attempt - 1, self.policy.backoff_initial, self.policy.backoff_max, sent.retry_after)
        if wait(delay):
            return self.outcome(error=f"stopped while retrying: {sent.reason}")
        return None

    def outcome(self, error: str | None = None, halted: bool = False, retry_after: float | None = None) -> PushOutcome:
        remaining = self.store.delivery.queue_depth(self.target.name)
        return PushOutcome(self.target.name, self.delivered, self.parked, remaining, error, halted, retry_after)
