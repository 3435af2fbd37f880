"""Deliver to every configured target: the one entry point the scheduler and `kiosk sync --now` use."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from kiosk.clocktrust import offset_from_http_date, save_reference
from kiosk.photos import PhotoStore
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.timeutil import utc_now
from sync.adms import AdmsTransport
from sync.delivery_loop import PushOutcome, PushPolicy, Transport, run_target
from sync.push import SiapTransport
from sync.roster import RosterClient, RosterError, RosterResult, sync_roster
from sync.targets import PRIMARY, Target, configured_targets

log = logging.getLogger(__name__)


@dataclass
class Deliverer:
    """Holds per-target transports (keep-alive sessions) and Retry-After pauses between runs."""

    settings: Settings
    store: Store
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _not_before: dict[str, float] = field(default_factory=dict)  # target -> time.monotonic()

    @property
    def policy(self) -> PushPolicy:
        return PushPolicy.from_settings(self.settings.sync)

    @property
    def photos(self) -> PhotoStore:
        return PhotoStore(self.settings.data_dir)

    def transport(self, target: Target) -> Transport:
        if target.kind == "adms":
            return AdmsTransport(target, self.policy, self.store, self.photos, self.settings.device.employee_id_pattern, zone=self.settings.tz)
        return SiapTransport(target, self.policy, self.settings.device.id, self.photos, zone=self.settings.tz)

    def push_all(self, honour_pause: bool = True) -> list[PushOutcome]:
        """One delivery run per target, one run at a time (a deadline push waits for the interval push)."""
        with self._lock:
            return [self._push(target, honour_pause) for target in configured_targets(self.settings)]

    def _push(self, target: Target, honour_pause: bool) -> PushOutcome:
        if honour_pause and time.monotonic() < self._not_before.get(target.name, 0.0):
            return PushOutcome(target.name, remaining=self.store.delivery.queue_depth(target.name), error="waiting for the server's Retry-After")
        transport = self.transport(target)
        server_clock = watch_server_clock(transport)
        try:
            outcome = run_target(self.store, target, transport, self.policy, self.stop.wait)
        finally:
            transport.close()
        offset = server_clock.get("offset")
        if offset is not None:
            save_reference(self.store, f"server:{target.name}", offset)
        if outcome.retry_after:
            self._not_before[target.name] = time.monotonic() + outcome.retry_after
        return outcome

    def pull_roster(self) -> RosterResult | None:
        """Roster comes from the primary SIAP target; None when there is none."""
        primary = next((t for t in configured_targets(self.settings) if t.name == PRIMARY), None)
        if primary is None:
            return None
        client = RosterClient(primary, self.policy, self.settings.device.id)
        try:
            return sync_roster(self.store, self.photos, client, self.settings.device.employee_id_pattern)
        except RosterError as exc:
            log.warning("roster sync failed: %s", exc)
            return RosterResult(problems=(str(exc),))
        finally:
            client.session.close()


def watch_server_clock(transport: Transport) -> dict[str, float | None]:
    """Note the server's clock from the Date header of its last reply (clock trust, kiosk status)."""
    seen: dict[str, float | None] = {}
    session = getattr(transport, "session", None)
    if session is not None:

        def hook(response, *args, **kwargs):
            seen["offset"] = offset_from_http_date(response.headers.get("Date"), utc_now())

        session.hooks["response"].append(hook)
    return seen


def deliver_now(settings: Settings, store: Store) -> list[PushOutcome]:
    """Deliver to every target immediately (`kiosk sync --now`), ignoring earlier Retry-After pauses."""
    return Deliverer(settings, store).push_all(honour_pause=False)
