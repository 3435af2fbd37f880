"""Today and Punches: the day at the door, punch search, manual punches, evidence photos."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from kiosk import staff
from kiosk.console.context import actor, console, needs, t
from kiosk.console.today import today_rows
from kiosk.domain import Employee
from kiosk.photos import PhotoStore
from kiosk.store import StoreError
from kiosk.store.accounts import Role

blueprint = Blueprint("attendance", __name__)
MAX_DAYS = 62  # a punch search covers at most two months
MAX_ROWS = 2000


def unit_employees(include_inactive: bool = False) -> list[Employee]:
    kiosk = console()
    unit = kiosk.settings.console.unit or None
    chosen = [e for e in kiosk.store.employees.list(active_only=not include_inactive) if unit is None or e.unit == unit]
    return sorted(chosen, key=lambda e: (e.name.casefold(), e.nip))


def _today_context() -> dict:
    kiosk = console()
    now = kiosk.now()
    day = now.date()
    schedules = kiosk.settings.schedule
    start = datetime.combine(day, time(), tzinfo=UTC) - timedelta(hours=36)
    punches = kiosk.store.punches.between(start, start + timedelta(hours=96))
    absences = kiosk.store.absences.list(start=day.isoformat(), end=day.isoformat())
    rows = today_rows(unit_employees(), punches, absences, schedules.for_employee, kiosk.holidays, day, kiosk.settings.tz)
    return {"rows": rows, "day": day, "now": now, "missing": [r for r in rows if r.missing]}


@blueprint.route("/today")
@needs(Role.VIEWER)
def today():
    return render_template("today.html", every=console().settings.console.refresh_seconds, **_today_context())


@blueprint.route("/today/rows")
@needs(Role.VIEWER)
def today_partial():
    """The table body and the missing list, fetched every 30 s by static/today.js."""
    return render_template("today_rows.html", **_today_context())


@blueprint.route("/punches")
@needs(Role.VIEWER)
def punches():
    kiosk = console()
    today = kiosk.now().date()
    errors: list[str] = []
    first = _date_arg("from", today, errors)
    last = _date_arg("to", today, errors)
    if last < first:
        errors.append(t("range_reversed"))
        first, last = last, first
    if (last - first).days >= MAX_DAYS:
        errors.append(t("range_too_long", days=MAX_DAYS))
        first = last - timedelta(days=MAX_DAYS - 1)
    nip = request.args.get("nip", "").replace(" ", "")[:32] or None
    zone = kiosk.settings.tz
    found = kiosk.store.punches.between(
        datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone), nip
    )[:MAX_ROWS]
    names = {e.nip: e.name for e in kiosk.store.employees.list(active_only=False)}
    return render_template(
        "punches.html", punches=found, names=names, first=first, last=last, nip=nip or "", errors=errors,
        employees=unit_employees(), now=kiosk.now(),
    )  # fmt: skip


@blueprint.route("/punches/manual", methods=["POST"])
@needs(Role.OPERATOR)
def manual_punch():
    kiosk = console()
    nip = request.form.get("nip", "")
    reason = request.form.get("reason", "").strip()[:500]
    try:
        at = datetime.fromisoformat(request.form.get("time", "")).replace(tzinfo=kiosk.settings.tz)
    except ValueError:
        flash(t("bad_time"), "error")
        return redirect(url_for("attendance.punches"))
    try:
        punch = staff.manual_punch(
            kiosk.recorder, nip, at, reason, kiosk.settings.device.employee_id_pattern, actor=actor(), now=kiosk.now()
        )
    except staff.ManualPunchInFuture:
        flash(t("future_time", minutes=staff.FUTURE_TOLERANCE_MINUTES), "error")
        return redirect(url_for("attendance.punches"))
    except (ValueError, StoreError) as exc:
        flash(t("manual_refused", reason=str(exc)), "error")
        return redirect(url_for("attendance.punches"))
    flash(t("manual_recorded", seq=punch.seq, nip=punch.nip, time=f"{punch.local_time:%Y-%m-%d %H:%M}"), "ok")
    day = punch.local_time.date().isoformat()
    # "from" is a Python keyword, so the range goes in as a mapping; Any because url_for's own options
    # (_external: bool, ...) share the keyword namespace with the URL's values.
    day_range: dict[str, Any] = {"from": day, "to": day}
    return redirect(url_for("attendance.punches", **day_range))


@blueprint.route("/punches/<int:seq>/photo")
@needs(Role.VIEWER)
def photo(seq: int):
    """The evidence JPEG of a punch, by its sequence number (never by a path from the browser)."""
    kiosk = console()
    punch = kiosk.store.punches.get(seq)
    if punch is None or not punch.photo:
        abort(404)
    try:
        path = PhotoStore(kiosk.settings.data_dir).path_of(punch.photo)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)


def _date_arg(name: str, default: date, errors: list[str]) -> date:
    text = request.args.get(name, "")
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(t("bad_date", value=text[:20]))
        return default
