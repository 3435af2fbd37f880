"""kiosk employee add|list|remove"""

from __future__ import annotations

import dataclasses

import click

from kiosk import staff
from kiosk.cli.common import App, json_option, library_errors, pass_app, print_json, print_table
from kiosk.photos import PhotoStore


@click.group("employee")
def employee_group() -> None:
    """Add, list and remove employees."""


@employee_group.command("add")
@click.argument("nip")
@click.option("--name", required=True, help="Full name as on the roster.")
@click.option("--unit", default="", help="Work unit (OPD).")
@click.option("--schedule", default="", help="Schedule name; default: the device's schedule.")
@click.option("--pin", type=int, default=0, help="Terminal user id (1-999999999); default: the next free number.")
@json_option
@pass_app
@library_errors
def add(app: App, nip: str, name: str, unit: str, schedule: str, pin: int, as_json: bool) -> None:
    """Add an employee (NIP: 18 digits, spaces allowed)."""
    employee = staff.add_employee(app.store, nip, name, unit, schedule, pin, app.settings.device.employee_id_pattern)
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
        [(e.nip, e.pin, e.name, e.unit, e.schedule or "-", counts.get(e.nip, 0)) for e in employees],
    )


@employee_group.command("remove")
@click.argument("nip")
@json_option
@pass_app
@library_errors
def remove(app: App, nip: str, as_json: bool) -> None:
    """Remove an employee and erase their face templates, photos and absence evidence files.

    Punches and absence records are kept (see docs/store.md, "Removing an employee")."""
    removal = staff.remove_employee(app.store, PhotoStore(app.settings.data_dir), nip, app.settings.device.employee_id_pattern)
    if as_json:
        print_json(
            {
                "nip": removal.employee.nip,
                "templates_erased": removal.templates,
                "photos_erased": removal.photos,
                "evidence_erased": removal.evidence,
                "erased_from_disk": removal.erased_from_disk,
            }
        )
        return
    click.echo(
        f"Removed {removal.employee.nip} {removal.employee.name}: {removal.templates} face templates, "
        f"{removal.photos} photos and {removal.evidence} absence evidence files erased."
    )
    if not removal.erased_from_disk:
        click.echo("Note: the kiosk was reading the database; the erased templates leave the WAL file at its next checkpoint.", err=True)
