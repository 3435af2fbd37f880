"""kiosk zk pull|info: the ZKTeco fingerprint terminal ([fingerprint] in the config)."""

from __future__ import annotations

from datetime import datetime

import click

from kiosk.cli.common import App, fail, json_option, library_errors, pass_app, print_json, print_table
from kiosk.domain import Method


@click.group("zk")
def zk_group() -> None:
    """ZKTeco fingerprint terminal: catch up on missed punches, show the terminal."""


def _terminal_settings(app: App):
    settings = getattr(app.settings, "fingerprint", None)
    if settings is None or not settings.enabled:
        fail("no ZKTeco terminal configured; set terminal_address under [fingerprint] in " + str(app.config_path))
    return settings


@zk_group.command("pull")
@json_option
@pass_app
@library_errors
def pull(app: App, as_json: bool) -> None:
    """Read the terminal's attendance log and record what live capture missed (each record once)."""
    from drivers.fingerprint.zkteco import Ingest, pull_once

    settings = _terminal_settings(app)
    recorder = app.recorder

    def record(nip: str, at: datetime, key: str):
        return recorder.record(nip, Method.FINGERPRINT, at, source_key=key)

    ingest = Ingest(app.store.employees, record, app.settings.tz, already=app.store.punches.exists_source_key)
    result = pull_once(settings, ingest)
    if as_json:
        print_json(result.as_dict())
        return
    click.echo(
        f"Read {result.read} records: {result.recorded} new, {result.already} already recorded, "
        f"{result.repeats} within the repeat window, {result.failed} failed."
    )
    if result.unknown_users:
        click.echo(f"Terminal users with no employee (check their PIN): {', '.join(result.unknown_users)}")


@zk_group.command("info")
@json_option
@pass_app
@library_errors
def info(app: App, as_json: bool) -> None:
    """Show the terminal's serial, firmware, counts and clock drift."""
    from drivers.fingerprint.zkteco import terminal_info

    details = terminal_info(_terminal_settings(app), app.settings.tz)
    if as_json:
        print_json(details)
    else:
        print_table(["key", "value"], details.items())
