"""kiosk punch add|list|export"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import click

from kiosk import staff
from kiosk.cli.common import (
    App,
    check_output,
    fail,
    json_option,
    library_errors,
    pass_app,
    print_json,
    print_table,
    write_output,
)
from kiosk.export import punches_csv
from kiosk.punch_record import punch_record
from kiosk.store.punches import punch_of
from kiosk.timeutil import OutOfRange, check_year, in_zone, parse_local_time, to_utc_text


@click.group("punch")
def punch_group() -> None:
    """Add manual punches, list and export punches."""


def _parse_time(app: App, text: str, option: str) -> datetime:
    try:
        moment, assumed = parse_local_time(text, app.settings.tz)
    except OutOfRange as exc:
        fail(f"{option}: {exc}")
    except ValueError:
        fail(f"{option} {text!r} is not an ISO 8601 time; use e.g. 2026-11-23T07:41:00+07:00")
    if assumed:
        click.echo(f"Note: {option} {text} has no UTC offset; taken as {app.settings.device.timezone} ({moment.isoformat()}).", err=True)
    return moment


@punch_group.command("add")
@click.argument("nip")
@click.option("--time", "when", required=True, help="ISO 8601, e.g. 2026-11-23T07:41:00+07:00.")
@click.option("--reason", required=True, help="Why the punch is entered by hand (audited).")
@json_option
@pass_app
@library_errors
def add(app: App, nip: str, when: str, reason: str, as_json: bool) -> None:
    """Record an operator's manual punch for an employee (method=manual, audited)."""
    punch = staff.manual_punch(app.recorder, nip, _parse_time(app, when, "--time"), reason, app.settings.device.employee_id_pattern)
    if as_json:
        print_json(punch_record(punch, app.settings.tz))
    else:
        click.echo(f"Recorded manual punch #{punch.seq} for {punch.nip} at {in_zone(punch.time_utc, app.settings.tz):%Y-%m-%d %H:%M:%S%z}.")


@punch_group.command("list")
@click.option("--since", help="Only punches at or after this ISO 8601 time.")
@click.option("--unsynced", is_flag=True, help="Only punches some sync target has not acknowledged.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@json_option
@pass_app
def list_punches(app: App, since: str | None, unsynced: bool, limit: int, as_json: bool) -> None:
    """List punches in recording order (seq)."""
    store = app.store
    where, params = ["1 = 1"], []
    if since:
        where.append("time_utc >= ?")
        params.append(to_utc_text(_parse_time(app, since, "--since")))
    if unsynced:
        clause, extra = store.delivery.undelivered_seqs_sql(app.sync_target_names())
        where.append(clause)
        params.extend(extra)
    rows = store.db.query(f"SELECT * FROM punches WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?", (*params, limit))
    punches = [punch_of(row) for row in rows]
    if as_json:
        print_json([punch_record(p, app.settings.tz) for p in punches])
        return
    print_table(
        ["SEQ", "TIME", "NIP", "METHOD", "KIND", "STATUS", "CLOCK", "PHOTO"],
        [
            (p.seq, f"{in_zone(p.time_utc, app.settings.tz):%Y-%m-%d %H:%M:%S}", p.nip, p.method, p.kind, _status(p), "ok" if p.clock_synced else "UNSYNCED", "yes" if p.photo else "-")
            for p in punches
        ],
    )


def _status(punch) -> str:
    return f"{punch.status} {punch.status_minutes}m" if punch.status_minutes else str(punch.status)


@punch_group.command("export")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File; default stdout.")
@pass_app
def export(app: App, date_from: datetime, date_to: datetime, fmt: str, as_json: bool, output: Path | None) -> None:
    """Export punches of the local days FROM..TO (inclusive) as CSV or JSON."""
    if date_to < date_from:
        fail("--to is before --from; swap them")
    for day, option in ((date_from, "--from"), (date_to, "--to")):
        try:
            check_year(day.date(), option)
        except OutOfRange as exc:
            fail(str(exc))
    if output is not None:
        check_output(output)
    fmt = "json" if as_json else fmt
    zone = app.settings.tz
    start = datetime.combine(date_from.date(), time(0), zone)
    end = datetime.combine(date_to.date() + timedelta(days=1), time(0), zone)
    punches = app.store.punches.between(start, end)
    text = punches_csv(punches, zone) if fmt == "csv" else json.dumps([punch_record(p, zone) for p in punches], indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text)
        click.echo(f"Wrote {len(punches)} punches to {output}.", err=True)
