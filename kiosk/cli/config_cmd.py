"""kiosk config check: validate the file and show the effective settings."""

from __future__ import annotations

import click

from kiosk.app.wiring import load_holidays
from kiosk.cli.common import App, fail, json_option, pass_app, print_json
from kiosk.settings import ConfigError
from kiosk.settings.advice import config_warnings


@click.group("config")
def config_group() -> None:
    """Check and show the configuration."""


@config_group.command("check")
@json_option
@pass_app
def check(app: App, as_json: bool) -> None:
    """Validate the configuration file and print the effective settings.

    Every error names the file, the key, the bad value and the fix; exit 1 on error. The holiday
    file named by [schedule] holidays_file is read too (parsing the configuration does not). Settings
    that are valid but probably unintended (a camera file not there, a short week) print a WARNING
    and still exit 0.
    """
    settings = app.settings
    try:
        load_holidays(settings)
    except ConfigError as exc:
        fail(str(exc))
    warnings = config_warnings(settings)
    if as_json:
        print_json({"ok": True, "file": str(app.config_path), "warnings": warnings, "settings": settings.as_dict()})
        return
    for warning in warnings:
        click.echo(f"WARNING: {warning}", err=True)
    click.echo(f"{app.config_path}: OK" + (f" ({len(warnings)} warnings)" if warnings else ""))
    for section, values in settings.as_dict().items():
        click.echo(f"\n[{section}]")
        for key, value in values.items():
            click.echo(f"{key} = {_toml_value(value)}")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)
