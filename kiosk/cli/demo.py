"""kiosk demo: enroll a sample face and punch with it, with no camera and no network."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kiosk.app.demo import run_demo
from kiosk.cli.common import library_errors


@click.command("demo")
@click.option("--keep", type=click.Path(path_type=Path, file_okay=False), help="Keep the demo's data_dir here instead of a temporary folder.")
@library_errors
def demo_command(keep: Path | None) -> None:
    """Show the face punch end to end on a public-domain sample photo shipped with the kiosk (no config needed)."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger().setLevel(logging.WARNING)  # the demo narrates; INFO logs would repeat it
    result = run_demo(click.echo, keep)
    click.echo(f"Processed {result.frames} frames. Punches recorded: {len(result.punches)}")
    for punch in result.punches:
        photo = f"evidence photo {punch.photo}" if punch.photo else "no photo"
        click.echo(f"  #{punch.seq} {punch.local_time:%Y-%m-%d %H:%M:%S%z} {punch.nip} method={punch.method} distance={punch.distance} {photo}")
    if keep is None:
        click.echo("The temporary data_dir has been deleted; pass --keep DIR to look at the database and photos.")
