"""kiosk run: the attendance service (systemd runs it); --exit-at-end replays a recording."""

from __future__ import annotations

import signal

import click

from drivers.camera.base import CameraError
from kiosk.cli.common import App, fail, pass_app
from kiosk.daemon import Kiosk
from kiosk.face.models import ModelsMissing


@click.command("run")
@click.option("--exit-at-end", is_flag=True, help="Stop when a file source ends (replaying a recording).")
@pass_app
def run_command(app: App, exit_at_end: bool) -> None:
    """Run the kiosk: camera -> face recognition -> durable punches. Stop with Ctrl-C or SIGTERM."""
    kiosk = Kiosk(app.settings, exit_at_end=exit_at_end)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: kiosk.stop_event.set())
    try:
        kiosk.start()
    except (ModelsMissing, CameraError) as exc:
        kiosk.stop()
        fail(str(exc))
    while not kiosk.wait(timeout=0.5):
        if kiosk.stop_event.is_set():
            break
    kiosk.stop()
    status = kiosk.status()["pipeline"]
    click.echo(
        f"Stopped: {status['frames']} frames, {status['punches']} punches recorded, "
        f"{status['repeats']} repeats, camera faults {status['camera']['faults']}."
    )
