"""Absences: record C/DK/D/S/I/TK with an evidence file, see and correct them (Pasal 3(7)-(8), 5)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from kiosk.console.attendance import unit_employees
from kiosk.console.context import actor, console, needs, t
from kiosk.domain import AbsenceCode
from kiosk.nip import normalise_nip
from kiosk.report.absence_evidence import (
    EvidenceError,
    check_evidence_bytes,
    evidence_path,
    evidence_type,
    remove_evidence,
    store_evidence_bytes,
)
from kiosk.rules.annotation import annotation_windows, in_annotation_window, works_six_days
from kiosk.store import StoreError
from kiosk.store.accounts import Role

blueprint = Blueprint("absences", __name__)
CODES = [c.value for c in AbsenceCode]
MAX_RANGE_DAYS = 366


def _window() -> tuple[bool, str]:
    """Whether now is inside the annotation windows, and the windows as text."""
    kiosk = console()
    now = kiosk.now()
    schedules = kiosk.settings.schedule
    # the console's unit decides (a 6-day unit annotates 15:00-16:00); no unit: the device default
    schedule = schedules.schedule(dict(schedules.units).get(kiosk.settings.console.unit) or schedules.default)
    six = works_six_days(schedule, now.date())
    text = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in annotation_windows(six))
    return in_annotation_window(now, six), text


def _page(status: int = 200, form: dict | None = None, editing=None):
    kiosk = console()
    today = kiosk.now().date()
    month = request.args.get("month", f"{today:%Y-%m}")[:7]
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        first = today.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    listed = kiosk.store.absences.list(start=first.isoformat(), end=last.isoformat())
    names = {e.nip: e.name for e in kiosk.store.employees.list(active_only=False)}
    open_now, windows = _window()
    return render_template(
        "absences.html", absences=listed, names=names, employees=unit_employees(), codes=CODES, month=f"{first:%Y-%m}",
        open_now=open_now, windows=windows, form=form or {"date_from": today.isoformat()}, editing=editing,
    ), status  # fmt: skip


@blueprint.route("/absences")
@needs(Role.VIEWER)
def list_absences():
    return _page()


@blueprint.route("/absences/<int:absence_id>/edit")
@needs(Role.OPERATOR)
def edit(absence_id: int):
    absence = console().store.absences.get(absence_id)
    if absence is None:
        abort(404)
    form = {"nip": absence.nip, "date_from": absence.date_from, "date_to": absence.date_to, "code": absence.code.value, "note": absence.note}
    return _page(form=form, editing=absence)


@blueprint.route("/absences", methods=["POST"])
@blueprint.route("/absences/<int:absence_id>", methods=["POST"])
@needs(Role.OPERATOR)
def save(absence_id: int | None = None):
    kiosk = console()
    form = {k: request.form.get(k, "").strip()[:500] for k in ("nip", "date_from", "date_to", "code", "note", "late_reason")}
    old = kiosk.store.absences.get(absence_id) if absence_id is not None else None
    if absence_id is not None and old is None:
        abort(404)
    try:
        nip, first, last, code = _checked(form)
    except ValueError as exc:
        flash(str(exc), "error")
        return _page(400, form, old)
    open_now, windows = _window()
    if not open_now and not form["late_reason"]:
        flash(t("outside_window_reason", windows=windows), "error")
        return _page(400, form, old)
    upload = request.files.get("evidence")
    stored = old.evidence if old else None
    new_file = None
    if upload is not None and upload.filename:
        try:
            data = upload.stream.read(kiosk.max_upload + 1)
            new_file = store_evidence_bytes(data, check_evidence_bytes(data, kiosk.max_upload), kiosk.settings.data_dir, nip)
        except EvidenceError as exc:
            flash(str(exc), "error")
            return _page(400, form, old)
        stored = new_file
    detail = {"from": first, "to": last, "code": code, "evidence": stored, "note": form["note"]}
    if not open_now:
        detail["outside_window_reason"] = form["late_reason"]
    try:
        if old is None:
            absence = kiosk.store.absences.add(nip, first, last, code, form["note"], stored, created_by=actor())
            kiosk.store.audit.log("absence.add", nip, {"id": absence.id, **detail}, user=actor())
        else:
            absence = kiosk.store.absences.correct(old.id, first, last, code, form["note"], stored)
            kiosk.store.audit.log("absence.correct", nip, {"id": old.id, "before": dataclasses.asdict(old), **detail}, user=actor())
            if new_file and old.evidence:
                remove_evidence(old.evidence, kiosk.settings.data_dir)
    except (StoreError, ValueError) as exc:
        remove_evidence(new_file, kiosk.settings.data_dir)  # no orphan personal data
        flash(str(exc), "error")
        return _page(400, form, old)
    flash(t("absence_saved", id=absence.id, nip=nip, code=code, first=first, last=last), "ok")
    return redirect(url_for("absences.list_absences", month=first[:7]))


@blueprint.route("/absences/<int:absence_id>/remove", methods=["POST"])
@needs(Role.OPERATOR)
def remove(absence_id: int):
    kiosk = console()
    try:
        absence = kiosk.store.absences.remove(absence_id)
    except StoreError:
        abort(404)
    remove_evidence(absence.evidence, kiosk.settings.data_dir)
    kiosk.store.audit.log("absence.remove", absence.nip, dataclasses.asdict(absence), user=actor())
    flash(t("absence_removed", id=absence.id), "ok")
    return redirect(url_for("absences.list_absences", month=absence.date_from[:7]))


@blueprint.route("/absences/<int:absence_id>/evidence")
@needs(Role.VIEWER)
def evidence(absence_id: int):
    """The absence's letter, by the absence's id; the stored path must stay inside data_dir/evidence."""
    kiosk = console()
    absence = kiosk.store.absences.get(absence_id)
    if absence is None or not absence.evidence:
        abort(404)
    try:
        path = evidence_path(absence.evidence, kiosk.settings.data_dir)
        with path.open("rb") as handle:
            kind = evidence_type(handle.read(16))
    except OSError:
        abort(404)
    if kind is None:
        abort(404)
    return send_file(path, mimetype=kind[1], max_age=0, download_name=f"absence-{absence.id}{kind[0]}")


def _checked(form: dict) -> tuple[str, str, str, str]:
    kiosk = console()
    nip = normalise_nip(form["nip"], kiosk.settings.device.employee_id_pattern)
    if kiosk.store.employees.get(nip) is None:
        raise ValueError(t("unknown_employee", nip=nip))
    if form["code"] not in CODES:
        raise ValueError(t("bad_code", codes=", ".join(CODES)))
    try:
        first = date.fromisoformat(form["date_from"])
        last = date.fromisoformat(form["date_to"] or form["date_from"])
    except ValueError:
        raise ValueError(t("bad_date", value=form["date_from"] + " / " + form["date_to"])) from None
    if last < first:
        raise ValueError(t("range_reversed"))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError(t("range_too_long", days=MAX_RANGE_DAYS))
    if not form["note"]:
        raise ValueError(t("note_needed"))
    return nip, first.isoformat(), last.isoformat(), form["code"]
