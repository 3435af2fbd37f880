"""kiosk employee add|set|list|remove"""

from __future__ import annotations

import dataclasses
from datetime import date

import click

from kiosk import staff
from kiosk.app import fingerprints
from kiosk.cli.common import App, json_option, library_errors, pass_app, print_json, print_table
from kiosk.cli.fingerprint import module_errors
from kiosk.free_text import MAX_NAME_LENGTH, printable
from kiosk.photos import PhotoStore


class StartDate(click.ParamType):
    """YYYY-MM-DD, or "none" to clear the date."""

    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date | None:
        if value is None or isinstance(value, date):
            return value
        text = str(value).strip()
        if text.lower() in ("none", ""):
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-07-01 (or none to clear it)", param, ctx)


@click.group("employee")
def employee_group() -> None:
    """Add, change, list and remove employees."""


@employee_group.command("add")
@click.argument("nip")
@click.option("--name", required=True, help=f"Full name as on the roster (at most {MAX_NAME_LENGTH} characters, no control characters).")
@click.option("--unit", default="", help="Work unit (OPD).")
@click.option("--schedule", default="", help="Schedule name (5-hari, 6-hari or one of [schedule.custom]); default: the unit's or the device's.")
@click.option("--pin", type=int, default=0, help="Terminal user id (1-999999999); default: the next free number.")
@click.option("--since", type=StartDate(), help="First working day (YYYY-MM-DD); recaps count from it.")
@click.option("--reuse-removed", is_flag=True, help="Re-add a removed employee's NIP: the same person takes up their kept punches and absences.")
@json_option
@pass_app
@library_errors
def add(
    app: App, nip: str, name: str, unit: str, schedule: str, pin: int, since: date | None, reuse_removed: bool, as_json: bool
) -> None:
    """Add an employee (NIP: 18 digits, spaces allowed).

    A NIP whose earlier employee was removed, and whose punches and absences are kept, is refused
    unless --reuse-removed says it is the same person returning (docs/store.md).
    """
    pattern, schedules = app.settings.device.employee_id_pattern, app.settings.schedule
    employee = staff.add_employee(
        app.store, nip, name, unit, schedule, pin, pattern, schedules, reuse_removed, since=since
    )
    history = staff.earlier_history(app.store, employee.nip)
    if history:
        click.echo(f"Warning: NIP {employee.nip} {history.describe()}; they now belong to {employee.name}.", err=True)
    if as_json:
        print_json(dataclasses.asdict(employee))
    else:
        started = f", working since {employee.since}" if employee.since else ""
        click.echo(f"Added {employee.nip} {employee.name} (terminal PIN {employee.pin}{started}).")


@employee_group.command("set")
@click.argument("nip")
@click.option(
    "--since", type=StartDate(), required=True,
    help='First working day (YYYY-MM-DD); "none" clears it. Recaps count from it.',
)  # fmt: skip
@json_option
@pass_app
@library_errors
def set_employee(app: App, nip: str, since: date | None, as_json: bool) -> None:
    """Change an employee's start date."""
    employee = staff.set_since(app.store, nip, since, app.settings.device.employee_id_pattern)
    if as_json:
        print_json(dataclasses.asdict(employee))
    else:
        click.echo(f"{employee.nip} {employee.name}: working since {employee.since or '(not set)'}.")


@employee_group.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Include inactive employees.")
@json_option
@pass_app
def list_employees(app: App, include_inactive: bool, as_json: bool) -> None:
    """List employees with their terminal PIN and number of face templates."""
    store = app.store
    employees = store.employees.list(active_only=not include_inactive)
    counts = {row["nip"]: row["n"] for row in store.db.query("SELECT nip, COUNT(*) AS n FROM face_templates GROUP BY nip")}
    if as_json:
        print_json([{**dataclasses.asdict(e), "face_templates": counts.get(e.nip, 0)} for e in employees])
        return
    if not employees:
        click.echo("No employees yet. Add one with: kiosk employee add NIP --name NAME")
        return
    print_table(
        ["NIP", "PIN", "NAME", "UNIT", "SCHEDULE", "SINCE", "FACES"],
        [(e.nip, e.pin, e.name, e.unit, e.schedule or "-", e.since or "-", counts.get(e.nip, 0)) for e in employees],
    )


@employee_group.command("remove")
@click.argument("nip")
@click.option(
    "--keep-finger", is_flag=True,
    help="Remove even though the UART fingerprint module cannot be reached; erase its slot later "
    "with `kiosk fingerprint delete PIN`.",
)  # fmt: skip
@json_option
@pass_app
@library_errors
@module_errors
def remove(app: App, nip: str, keep_finger: bool, as_json: bool) -> None:
    """Remove an employee and erase their face templates, evidence photos, absence evidence files and,
    on the UART fingerprint module, their finger.

    Punches and absence records are kept (see docs/store.md, "Removing an employee")."""
    photos = PhotoStore(app.settings.data_dir)
    removal, finger = fingerprints.remove_employee(app.settings, app.store, photos, nip, keep_finger)
    kept = app.settings.uart_fingerprint.enabled and keep_finger
    if as_json:
        print_json({
            "nip": removal.employee.nip, "templates_erased": removal.templates, "photos_erased": removal.photos,
            "evidence_erased": removal.evidence, "erased_from_disk": removal.erased_from_disk,
            "fingerprint_slot_erased": removal.employee.pin if finger else None,
        })  # fmt: skip
    else:
        slot = f", fingerprint slot {removal.employee.pin} erased" if finger else ""
        click.echo(
            f"Removed {removal.employee.nip} {printable(removal.employee.name)}: {removal.templates} face templates, "
            f"{removal.photos} photos and {removal.evidence} absence evidence files erased{slot}."
        )
        if not removal.erased_from_disk:
            click.echo("Note: the kiosk was reading the database; the erased templates leave the WAL file at its next checkpoint.", err=True)
    if kept:
        click.echo(
            f"Warning: fingerprint slot {removal.employee.pin} still holds the finger; erase it with "
            f"`kiosk fingerprint delete {removal.employee.pin}` once the module is reachable.",
            err=True,
        )

