"""kiosk fingerprint enroll|delete: fingers on the UART fingerprint module ([uart_fingerprint])."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from kiosk.app import fingerprints
from kiosk.cli.common import App, fail, json_option, library_errors, pass_app, print_json
from kiosk.i18n import check_language


def module_errors(command: Callable) -> Callable:
    """A fingerprint module's problem (timeout, refusal, finger not placed) is `Error: ...`, exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from drivers.fingerprint.uart import FingerprintError

        try:
            return command(*args, **kwargs)
        except FingerprintError as exc:
            fail(str(exc))

    return wrapper


@click.group("fingerprint")
def fingerprint_group() -> None:
    """Enroll and delete fingers on the UART fingerprint module (works while `kiosk run` runs)."""


@fingerprint_group.command("enroll")
@click.argument("nip")
@click.option(
    "--wait", "finger_wait", type=click.FloatRange(1, 120), default=fingerprints.DEFAULT_FINGER_WAIT, show_default=True,
    help="Seconds to wait for the finger at each step.",
)  # fmt: skip
@click.option("--language", type=click.Choice(["id", "en"]), help="Language of the prompts [default: device.language].")
@json_option
@pass_app
@library_errors
@module_errors
def enroll(app: App, nip: str, finger_wait: float, language: str | None, as_json: bool) -> None:
    """Enroll one finger of an employee into the module slot of their terminal PIN.

    The person at the sensor places the finger, lifts it and places the same finger again. While
    the kiosk service runs, it does the enrolment for this command (it holds the serial port).
    """
    lang = check_language(language or app.settings.device.language)

    def prompt(step: str) -> None:
        click.echo(f"{fingerprints.enroll_prompt(step, lang)} ...", err=as_json)

    done = fingerprints.enroll_finger(app.settings, app.store, nip, prompt, finger_wait)
    if as_json:
        print_json({"nip": done.employee.nip, "name": done.employee.name, "slot": done.slot, "via": done.via})
    else:
        how = "by the running kiosk service" if done.via == "daemon" else "on " + app.settings.uart_fingerprint.port
        click.echo(f"Enrolled {done.employee.nip} {done.employee.name} in module slot {done.slot} ({how}).")


@fingerprint_group.command("delete")
@click.argument("slot", type=click.IntRange(1, 65535))
@json_option
@pass_app
@library_errors
@module_errors
def delete(app: App, slot: int, as_json: bool) -> None:
    """Erase one slot (a terminal PIN) from the module, e.g. one left by `employee remove --keep-finger`."""
    owner = app.store.employees.by_pin(slot)
    via = fingerprints.erase_slot(app.settings, app.store, slot, owner.nip if owner else None)
    if as_json:
        print_json({"slot": slot, "via": via, "employee": owner.nip if owner else None})
    else:
        click.echo(f"Erased module slot {slot}" + (f" ({owner.nip} {owner.name})." if owner else "."))
