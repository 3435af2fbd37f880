"""The `kiosk` entry point: global options, then one command group per concern."""

from __future__ import annotations

import importlib
import os

import click

from kiosk import __version__
from kiosk.cli.common import App
from kiosk.logs import configure_logging

# name -> "module:attribute". A command's module is imported only when that command runs (or for
# --help): `kiosk run` after a power cut must not pay for openpyxl, requests, the report and sync
# code before the door works (importing every command cost ~1.2 s of CPU, ~5 s on a Pi-sized core).
COMMANDS = {
    "config": "kiosk.cli.config_cmd:config_group",
    "employee": "kiosk.cli.employee:employee_group",
    "punch": "kiosk.cli.punch:punch_group",
    "absence": "kiosk.cli.absence:absence_group",
    "report": "kiosk.cli.report:report_group",
    "zk": "kiosk.cli.zk:zk_group",
    "fingerprint": "kiosk.cli.fingerprint:fingerprint_group",
    "status": "kiosk.cli.health_cmds:status_command",
    "doctor": "kiosk.cli.health_cmds:doctor_command",
    "sync": "kiosk.cli.sync_cmd:sync_command",
    "enroll": "kiosk.cli.enroll:enroll_command",
    "identify": "kiosk.cli.identify:identify_command",
    "run": "kiosk.cli.run:run_command",
    "demo": "kiosk.cli.demo:demo_command",
    "user": "kiosk.cli.user:user_group",
    "console": "kiosk.cli.console_cmd:console_command",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click's documented lazy-loading pattern)."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return super().get_command(ctx, name)
        module, attribute = self.lazy[name].split(":")
        command = getattr(importlib.import_module(module), attribute)
        if command.name != name:
            raise RuntimeError(f"{self.lazy[name]} is the command {command.name!r}, listed as {name!r}")
        return command

@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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



def main() -> None:
    # Everything the kiosk writes holds personal data (NIPs, names, faces): owner-only, as the
    # systemd unit's UMask=0077 does, also when a technician runs a command by hand.
    os.umask(0o077)
    cli(prog_name="kiosk")
