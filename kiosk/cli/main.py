"""The `kiosk` entry point: global options, then one command group per concern."""

from __future__ import annotations

import os

import click

from kiosk import __version__
from kiosk.cli.absence import absence_group
from kiosk.cli.common import App
from kiosk.cli.config_cmd import config_group
from kiosk.cli.console_cmd import console_command
from kiosk.cli.demo import demo_command
from kiosk.cli.employee import employee_group
from kiosk.cli.enroll import enroll_command
from kiosk.cli.fingerprint import fingerprint_group
from kiosk.cli.health_cmds import doctor_command, status_command
from kiosk.cli.identify import identify_command
from kiosk.cli.punch import punch_group
from kiosk.cli.report import report_group
from kiosk.cli.run import run_command
from kiosk.cli.sync_cmd import sync_command
from kiosk.cli.user import user_group
from kiosk.cli.zk import zk_group
from kiosk.logs import configure_logging

COMMANDS = [
    config_group,
    employee_group,
    punch_group,
    absence_group,
    report_group,
    zk_group,
    fingerprint_group,
    status_command,
    doctor_command,
    sync_command,
    enroll_command,
    identify_command,
    run_command,
    demo_command,
    user_group,
    console_command,
]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="KIOSK_CONFIG",
    help="Configuration file [default: $KIOSK_CONFIG, else /etc/kiosk/kiosk.toml].",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.version_option(__version__, prog_name="kiosk")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """siap-kiosk: face-recognition attendance terminal.

    Set-up: write /etc/kiosk/kiosk.toml (see config/kiosk.example.toml), run `kiosk config check`,
    add employees, enroll their faces, then `kiosk run` (systemd runs it as a service).
    """
    configure_logging(verbose)
    app = App(config_arg=config_path)
    ctx.obj = app
    ctx.call_on_close(app.close)


for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    # Everything the kiosk writes holds personal data (NIPs, names, faces): owner-only, as the
    # systemd unit's UMask=0077 does, also when a technician runs a command by hand.
    os.umask(0o077)
    cli(prog_name="kiosk")
