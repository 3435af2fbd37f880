"""When delivery happens: every interval, before the regulation's deadlines, roster pulls, housekeeping,
and (with a fingerprint terminal) when the roster is written to the terminal.

    scheduler = build_scheduler(settings, store)   # APScheduler 3.x BackgroundScheduler, not started
    scheduler.start(); ...; scheduler.shutdown()

Deadlines (Perbup Musi Rawas 50/2022): arrival records by 11:00, departure records by 18:00 for
5-day units or 16:00 for 6-day units; an extra push runs `deadline_lead_minutes` before each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from kiosk.photos import PhotoStore
from kiosk.settings import Settings
from kiosk.settings.sync import SyncSettings
from kiosk.store import Store
from kiosk.timeutil import utc_now
from sync.deliverer import Deliverer
from sync.targets import configured_targets

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
# Employees added or removed on the kiosk reach the fingerprint terminal this often (a removed
# employee's finger must stop punching); the link also writes the roster each time it connects.
TERMINAL_ROSTER_EVERY_SECONDS = 300


@dataclass(frozen=True)
class DeadlinePush:
    name: str
    hour: int
    minute: int
    days: str  # cron day_of_week


def deadline_pushes(sync: SyncSettings) -> list[DeadlinePush]:
    """The extra pushes before each deadline, on the unit's working days."""
    days = "mon-fri" if sync.work_week == 5 else "mon-sat"
    pushes = []
    for name, deadline in (("arrival", sync.arrival_deadline), ("departure", sync.departure_deadline_time)):
        hour, minute = map(int, deadline.split(":"))
        at = datetime(2000, 1, 1, hour, minute) - timedelta(minutes=sync.deadline_lead_minutes)
        pushes.append(DeadlinePush(f"deadline-{name}", at.hour, at.minute, days))
    return pushes


@dataclass(frozen=True)
class Housekeeping:
    photos_removed: int
    punches_removed: int


def target_names(settings: Settings, store: Store) -> list[str]:
    """Configured targets plus any the store has state for: a punch is kept until all of them have it."""
    return sorted({t.name for t in configured_targets(settings)} | set(store.delivery.targets()))


def housekeeping(settings: Settings, store: Store, now: datetime | None = None) -> Housekeeping:
    """Photo retention and delivered-punch retention; undelivered or parked punches are never purged."""
    now = now or utc_now()
    photos = PhotoStore(settings.data_dir).remove_older_than(settings.photos.retention_days, now)
    names = target_names(settings, store)
    punches = 0
    if names:  # without any target nothing counts as delivered: keep everything
        delivered = store.delivery.delivered_everywhere_up_to(names)
        punches = store.punches.delete_delivered_before(now - timedelta(days=settings.sync.retention_days), delivered)
    if photos or punches:
        store.audit.log("housekeeping", None, {"photos_removed": photos, "punches_removed": punches})
    return Housekeeping(photos, punches)


def build_scheduler(
    settings: Settings, store: Store, deliverer: Deliverer | None = None, push_terminal_roster: Callable[[], None] | None = None
) -> BackgroundScheduler:
    """All sync jobs on one BackgroundScheduler in the device's time zone (call .start()).

    `push_terminal_roster` asks the fingerprint terminal link to write the roster (the daemon passes
    it when [fingerprint] push_roster is on; sync knows no driver, so it comes as a callable)."""
    deliverer = deliverer or Deliverer(settings, store)
    sync = settings.sync
    scheduler = BackgroundScheduler(timezone=settings.tz, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(deliverer.push_all, IntervalTrigger(minutes=sync.interval_minutes), id="push", name="push every interval")
    for push in deadline_pushes(sync):
        trigger = CronTrigger(day_of_week=push.days, hour=push.hour, minute=push.minute)
        scheduler.add_job(deliverer.push_all, trigger, id=push.name, name=f"push before the {push.name}", kwargs={"honour_pause": False})
    if sync.roster_interval_minutes and sync.url:
        scheduler.add_job(deliverer.pull_roster, IntervalTrigger(minutes=sync.roster_interval_minutes), id="roster", name="roster pull")
    hour, minute = map(int, sync.housekeeping_time.split(":"))
    scheduler.add_job(housekeeping, CronTrigger(hour=hour, minute=minute), args=(settings, store), id="housekeeping", name="retention")
    if push_terminal_roster is not None:
        every = IntervalTrigger(seconds=TERMINAL_ROSTER_EVERY_SECONDS)
        scheduler.add_job(push_terminal_roster, every, id="terminal-roster", name="roster to the fingerprint terminal")
    return scheduler
