"""kiosk absence add|list|remove: the operator's absence codes (Pasal 5 and Lampiran I)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import click

from kiosk.cli.common import App, fail, json_option, library_errors, pass_app, print_json, print_table
from kiosk.domain import AbsenceCode
from kiosk.nip import normalise_nip
from kiosk.report.absence_evidence import remove_evidence, store_evidence
from kiosk.store.audit import os_user

CODES = [c.value for c in AbsenceCode]


@click.group("absence")
def absence_group() -> None:
    """Record why an employee was away: C, DK, D, S, I or TK (Perbup Musi Rawas 50/2022 Pasal 5)."""


@absence_group.command("add")
@click.argument("nip")
@click.option("--date", "first", required=True, metavar="YYYY-MM-DD", help="First day of the absence.")
@click.option("--to", "last", metavar="YYYY-MM-DD", help="Last day, inclusive [default: the first day].")
@click.option(
    "--code",
    required=True,
    type=click.Choice(CODES),
    help="C cuti, DK diklat, D dinas luar, S sakit, I izin, TK tanpa keterangan.",
)
@click.option("--note", required=True, help="The reason and the letter's number.")
@click.option(
    "--evidence",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Scanned letter; stored owner-only under data_dir/evidence.",
)
@json_option
@pass_app
@library_errors
def add(
    app: App, nip: str, first: str, last: str | None, code: str, note: str, evidence: Path | None, as_json: bool
) -> None:
    """Add an absence for one day or a range of days."""
    nip = normalise_nip(nip, app.settings.device.employee_id_pattern)
    if app.store.employees.get(nip) is None:
        fail(f"no employee with NIP {nip}; check `kiosk employee list` or add them with `kiosk employee add`")
    first, last = _iso(first, "--date"), _iso(last or first, "--to")
    stored = store_evidence(evidence, app.settings.data_dir, nip) if evidence else None
    try:
        absence = app.store.absences.add(nip, first, last, code, note, stored, created_by=os_user())
    except Exception:
        remove_evidence(stored, app.settings.data_dir)  # no orphan personal data
        raise
    app.store.audit.log(
        "absence.add", nip, {"id": absence.id, "from": first, "to": last, "code": code, "evidence": stored}
    )
    if as_json:
        print_json(dataclasses.asdict(absence))
    else:
        click.echo(f"Added absence {absence.id}: {nip} {code} {first}..{last}.")


@absence_group.command("list")
@click.option("--nip", help="Only this employee.")
@click.option("--month", metavar="YYYY-MM", help="Only absences overlapping this month.")
@json_option
@pass_app
@library_errors
def list_absences(app: App, nip: str | None, month: str | None, as_json: bool) -> None:
    """List absences, oldest first."""
    start = end = None
    if month:
        from kiosk.cli.report import parse_month
        from kiosk.report.collect import month_bounds

        first, last = month_bounds(*parse_month(month))
        start, end = first.isoformat(), last.isoformat()
    wanted = normalise_nip(nip, app.settings.device.employee_id_pattern) if nip else None
    absences = app.store.absences.list(nip=wanted, start=start, end=end)
    if as_json:
        print_json([dataclasses.asdict(a) for a in absences])
        return
    if not absences:
        click.echo("No absences recorded.")
        return
    print_table(
        ["ID", "NIP", "FROM", "TO", "CODE", "NOTE", "EVIDENCE"],
        [(a.id, a.nip, a.date_from, a.date_to, a.code, a.note, a.evidence or "-") for a in absences],
    )


@absence_group.command("remove")
@click.argument("absence_id", metavar="ID", type=int)
@json_option
@pass_app
@library_errors
def remove(app: App, absence_id: int, as_json: bool) -> None:
    """Remove an absence entered by mistake (its evidence file is deleted too)."""
    absence = app.store.absences.remove(absence_id)
    remove_evidence(absence.evidence, app.settings.data_dir)
    app.store.audit.log("absence.remove", absence.nip, dataclasses.asdict(absence))
    if as_json:
        print_json(dataclasses.asdict(absence))
    else:
        click.echo(
            f"Removed absence {absence.id}: {absence.nip} {absence.code} {absence.date_from}..{absence.date_to}."
        )


def _iso(text: str, option: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-23", param_hint=option
        ) from None
