"""kiosk report rekap|violations: the Lampiran I monthly recap and the yearly violation count."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from kiosk.app.wiring import load_holidays
from kiosk.cli.common import (
    App,
    check_output,
    json_option,
    library_errors,
    pass_app,
    print_json,
    print_table,
    write_output,
)
from kiosk.report.collect import finished_recap, known_units, resolve_unit, yearly_violations
from kiosk.report.csv_writer import write_csv
from kiosk.report.layout import recap_json
from kiosk.report.xlsx_writer import write_xlsx
from kiosk.rules.holidays import HolidayCalendar
from kiosk.settings.schedule import ScheduleSettings
from kiosk.timeutil import FIRST_YEAR, LAST_YEAR

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@click.group("report")
def report_group() -> None:
    """Attendance reports for the unit's attendance operator."""


@report_group.command("rekap")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to recap.")
@click.option("--unit", help="Only this unit (OPD) [default: every employee].")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True, help="Output format."
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write [csv default: standard output]."
)
@click.option("--head-name", default="", help="Name of the unit head who validates the recap.")
@click.option("--head-nip", default="", help="NIP of the unit head.")
@json_option
@pass_app
@library_errors
def rekap(
    app: App, month: str, unit: str | None, fmt: str, output: Path | None, head_name: str, head_nip: str, as_json: bool
) -> None:
    """Monthly recap per employee in the layout of Lampiran I (Perbup Musi Rawas 50/2022).

    Days from today on are left out: they have not finished yet; so are days before an employee's
    start date (`kiosk employee set NIP --since`). The last column, Monday apels missed, is not part
    of Lampiran I and never counts as TK. --unit matches ignoring case.
    """
    year, number = parse_month(month)
    schedules, holidays = _rules(app, year)
    unit = _unit(app, unit)
    if output is not None:
        check_output(output)
    today = datetime.now(app.settings.tz).date()
    recap = finished_recap(
        app.store, schedules, holidays, year, number, today, unit, head_name, head_nip, zone=app.settings.tz
    )
    if as_json and output:
        write_output(output, json.dumps(recap_json(recap), indent=2, ensure_ascii=False) + "\n")
    elif as_json:
        print_json(recap_json(recap))
    elif fmt == "xlsx":
        target = output or Path(f"rekap-{month}{'-' + _slug(unit) if unit else ''}.xlsx")
        write_xlsx(recap, target)
        click.echo(f"Wrote {target} ({len(recap.rows)} employees).", err=output is None)
    elif output:
        with output.open("w", newline="", encoding="utf-8") as handle:
            write_csv(recap, handle)
        click.echo(f"Wrote {output} ({len(recap.rows)} employees).", err=True)
    else:
        write_csv(recap, sys.stdout)


@report_group.command("violations")
@click.option(
    "--year", required=True, type=click.IntRange(2000, 2100), help="The year (January to December, Pasal 10(3))."
)
@click.option("--unit", help="Only this unit (OPD).")
@json_option
@pass_app
@library_errors
def violations(app: App, year: int, unit: str | None, as_json: bool) -> None:
    """Cumulative working-hours violations per employee, January to December (Pasal 10(3))."""
    schedules, holidays = _rules(app, year)
    rows = yearly_violations(app.store, schedules, holidays, year, _unit(app, unit), until=_yesterday(app), zone=app.settings.tz)
    if as_json:
        print_json([_violation_json(r) for r in rows])
        return
    print_table(
        ["NIP", "NAME", *MONTHS, "TOTAL", "TK MINUTES"],
        [(r.employee.nip, r.employee.name, *r.months, r.total, r.total_minutes) for r in rows],
    )


def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip(), re.ASCII)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise click.BadParameter(f"{text!r} is not a month; write YYYY-MM, e.g. 2026-11", param_hint="--month")
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise click.BadParameter(f"{text!r}: the year must be {FIRST_YEAR} to {LAST_YEAR}", param_hint="--month")
    return int(match.group(1)), int(match.group(2))


def _unit(app: App, asked: str | None) -> str | None:
    if asked is None:
        return None
    unit = resolve_unit(asked, known_units(app.store, app.settings.schedule))
    if unit != asked:
        click.echo(f"Note: --unit {asked!r} taken as {unit!r} (units match ignoring case).", err=True)
    return unit


def _rules(app: App, year: int) -> tuple[ScheduleSettings, HolidayCalendar]:
    schedules = app.settings.schedule
    holidays = load_holidays(app.settings)
    unchecked = holidays.unverified(year)
    if unchecked or not holidays.year(year):
        click.echo(
            f"Warning: the holiday calendar for {year} is not confirmed ({len(unchecked)} unverified, "
            f"{len(holidays.year(year))} listed); check it against that year's SKB 3 Menteri and set "
            "[schedule] holidays_file (see docs/rules.md).",
            err=True,
        )
    return schedules, holidays


def _yesterday(app: App) -> date:
    return datetime.now(app.settings.tz).date() - timedelta(days=1)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def _violation_json(row) -> dict:
    return {
        "nip": row.employee.nip,
        "name": row.employee.name,
        "unit": row.employee.unit,
        "months": dict(zip([m.lower() for m in MONTHS], row.months, strict=True)),
        "cumulative": dict(zip([m.lower() for m in MONTHS], row.cumulative, strict=True)),
        "total": row.total,
        "tk_minutes": row.total_minutes,
    }
