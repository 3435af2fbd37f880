"""kiosk employee add|list|remove"""

from __future__ import annotations

import dataclasses

import click

from kiosk import staff
from kiosk.cli.common import App, json_option, library_errors, pass_app, print_json, print_table
from kiosk.names import MAX_NAME_LENGTH, printable
from kiosk.photos import PhotoStore


@click.group("employee")
def employee_group() -> None:
    """Add, list and remove employees."""


@employee_group.command("add")
@click.argument("nip")
@click.option("--name", required=True, help=f"Full name as on the roster (at most {MAX_NAME_LENGTH} characters, no control characters).")
@click.option("--unit", default="", help="Work unit (OPD).")
@click.option("--schedule", default="", help="Schedule name (5-hari, 6-hari or one of [schedule.custom]); default: the unit's or the device's.")
@click.option("--pin", type=int, default=0, help="Terminal user id (1-999999999); default: the next free number.")
@click.option("--reuse-removed", is_flag=True, help="Re-add a removed employee's NIP: the same person takes up their kept punches and absences.")
@json_option
@pass_app
@library_errors
def add(app: App, nip: str, name: str, unit: str, schedule: str, pin: int, reuse_removed: bool, as_json: bool) -> None:
    """Add an employee (NIP: 18 digits, spaces allowed).

    A NIP whose earlier employee was removed, and whose punches and absences are kept, is refused
    unless --reuse-removed says it is the same person returning (docs/store.md).
    """
    pattern, schedules = app.settings.device.employee_id_pattern, app.settings.schedule
    employee = staff.add_employee(app.store, nip, name, unit, schedule, pin, pattern, schedules, reuse_removed)
    history = staff.earlier_history(app.store, employee.nip)
    if history:
        click.echo(f"Warning: NIP {employee.nip} {history.describe()}; they now belong to {employee.name}.", err=True)
    if as_json:
        print_json(dataclasses.asdict(employee))
    else:
        click.echo(f"Added {employee.nip} {employee.name} (terminal PIN {employee.pin}).")


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
        ["NIP", "PIN", "NAME", "UNIT", "SCHEDULE", "FACES"],
        [(e.nip, e.pin, e.name, e.unit, e.schedule or "-", counts.get(e.nip, 0)) for e in employees],  # print_table makes them printable
    )


@employee_group.command("remove")
@click.argument("nip")
@json_option
@pass_app
@library_errors
def remove(app: App, nip: str, as_json: bool) -> None:
    """Remove an employee and erase their face templates and evidence photos (punches are kept)."""
    removal = staff.remove_employee(app.store, PhotoStore(app.settings.data_dir), nip, app.settings.device.employee_id_pattern)
    if as_json:
        print_json({"nip": removal.employee.nip, "templates_erased": removal.templates, "photos_erased": removal.photos})
    else:
        click.echo(
            f"Removed {removal.employee.nip} {printable(removal.employee.name)}: "
            f"{removal.templates} face templates and {removal.photos} photos erased."
        )
