"""kiosk run: the attendance service (systemd runs it); --exit-at-end replays a recording."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass

import click

from kiosk.app.daemon import Kiosk
from kiosk.app.wiring import load_holidays
from kiosk.camera import CameraError
from kiosk.cli.common import App, fail, pass_app
from kiosk.face.models import ModelsMissing
from kiosk.rules.holidays import HolidayCalendar
from kiosk.settings import ConfigError, Settings, load_settings
from kiosk.store import StoreError

log = logging.getLogger(__name__)


@click.command("run")
@click.option("--exit-at-end", is_flag=True, help="Stop when a file source ends (replaying a recording).")
@pass_app
def run_command(app: App, exit_at_end: bool) -> None:
    """Run the kiosk: camera -> face recognition -> durable punches -> delivery.

    SIGTERM or Ctrl-C stops it (within 5 s; every recorded punch is already on disk). SIGHUP
    re-reads the configuration: a valid file restarts every part with it, a broken one is refused
    and the running configuration stays.
    """
    stop, reload = threading.Event(), threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, lambda *_: reload.set())
    settings, holidays = app.settings, None
    while True:
        kiosk = start_kiosk(settings, exit_at_end, holidays)
        fresh = serve(kiosk, app, settings, stop, reload)  # None: stop; a new configuration: restart with it
        kiosk.stop()
        if fresh is None:
            break
        settings, holidays = fresh.settings, fresh.holidays
        kiosk.notifier.send("RELOADING=1")
    if kiosk.pipeline is not None and kiosk.pipeline.failure:
        fail(f"the replay stopped: {kiosk.pipeline.failure}")
    summary = kiosk.status()["pipeline"]
    if summary:
        click.echo(
            f"Stopped: {summary['frames']} frames, {summary['punches']} punches recorded, "
            f"{summary['repeats']} repeats, camera faults {summary['camera']['faults']}, "
            f"{summary['dropped']} frames dropped, largest lag {summary['max_lag_seconds']:.2f} s."
        )


@dataclass(frozen=True)
class Reloaded:
    settings: Settings
    holidays: HolidayCalendar  # read while checking the new configuration: the new kiosk uses this one


def start_kiosk(settings: Settings, exit_at_end: bool, holidays: HolidayCalendar | None = None) -> Kiosk:
    try:
        # Opens the store and reads the holiday file: a damaged store or a broken file stops here.
        kiosk = Kiosk(settings, exit_at_end=exit_at_end, holidays=holidays)
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    try:
        kiosk.start()
    except (ModelsMissing, CameraError, StoreError, ConfigError) as exc:
        kiosk.stop()
        fail(str(exc))
    return kiosk


def serve(kiosk: Kiosk, app: App, settings: Settings, stop: threading.Event, reload: threading.Event) -> Reloaded | None:
    """Run until stopped (None) or until a valid new configuration arrives (the new settings, with the
    holiday file they name already read)."""
    while not stop.is_set():
        if kiosk.wait(timeout=0.5):
            return None  # --exit-at-end: the recording ended
        if reload.is_set():
            reload.clear()
            try:
                fresh = load_settings(app.config_path)
                holidays = load_holidays(fresh)  # a broken holiday file is refused here too, not after the parts stopped
            except ConfigError as exc:
                log.error("SIGHUP: configuration refused, keeping the running one: %s", exc)
                continue
            log.info("SIGHUP: configuration re-read from %s; restarting the parts", app.config_path)
            return Reloaded(fresh, holidays)
    return None
