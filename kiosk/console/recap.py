"""Recap: the month in the Lampiran I layout, the same CSV/XLSX as `kiosk report rekap`, and the
yearly violation totals (Pasal 10(3))."""

from __future__ import annotations

import io
import re

from flask import Blueprint, Response, abort, render_template, request, send_file

from kiosk.console.context import console, needs
from kiosk.report.collect import finished_recap, yearly_violations
from kiosk.report.csv_writer import write_csv
from kiosk.report.layout import COLUMNS, LEGEND, footer_lines, row_values, title_lines
from kiosk.store.accounts import Role

blueprint = Blueprint("recap", __name__)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        abort(404)
    return int(match.group(1)), int(match.group(2))


def _recap(year: int, month: int):
    kiosk = console()
    schedules = kiosk.settings.schedule
    unit = kiosk.settings.console.unit or None
    return finished_recap(kiosk.store, schedules, kiosk.holidays, year, month, kiosk.now().date(), unit, zone=kiosk.settings.tz)


@blueprint.route("/recap")
@needs(Role.VIEWER)
def show():
    kiosk = console()
    today = kiosk.now().date()
    month = request.args.get("month", "")[:7] or f"{today:%Y-%m}"
    year, number = _month(month)
    recap = _recap(year, number)
    schedules = kiosk.settings.schedule
    violations = yearly_violations(
        kiosk.store, schedules, kiosk.holidays, year, kiosk.settings.console.unit or None, until=recap.last,
        zone=kiosk.settings.tz,
    )
    groups: list[tuple[str, int, bool]] = []  # (heading, columns spanned, has sub-headings)
    for group, sub in COLUMNS:
        if groups and groups[-1][0] == group and sub:
            groups[-1] = (group, groups[-1][1] + 1, groups[-1][2])
        else:
            groups.append((group, 1, bool(sub)))
    return render_template(
        "recap.html", recap=recap, month=month, rows=[row_values(n, r) for n, r in enumerate(recap.rows, 1)],
        groups=groups, subs=[sub for _, sub in COLUMNS], titles=title_lines(recap), legend=LEGEND,
        footer=footer_lines(recap), violations=violations, months=MONTHS, year=year,
    )  # fmt: skip


@blueprint.route("/recap/<month>.csv")
@needs(Role.VIEWER)
def csv_file(month: str):
    out = io.StringIO()
    write_csv(_recap(*_month(month)), out)
    return Response(
        out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=rekap-{month}.csv"},
    )  # fmt: skip


@blueprint.route("/recap/<month>.xlsx")
@needs(Role.VIEWER)
def xlsx_file(month: str):
    out = io.BytesIO()
    # openpyxl on first use: importing it is ~90 ms of CPU (~0.6 s of a 0.15-core quota) that the
    # console would otherwise cost the door at every start, for a download an operator makes monthly.
    from kiosk.report.xlsx_writer import write_xlsx

    write_xlsx(_recap(*_month(month)), out)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=f"rekap-{month}.xlsx")
