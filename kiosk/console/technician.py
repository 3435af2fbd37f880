"""Technician pages: employees (add, change, deactivate, erase), face enrollment from uploaded
photos (the same Enroller and refusals as `kiosk enroll`), device status and configuration."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kiosk import staff
from kiosk.app import fingerprints
from kiosk.console.context import actor, console, needs, t
from kiosk.enroll import Enroller
from kiosk.face.models import ModelsMissing
from kiosk.nip import normalise_nip
from kiosk.photos import PhotoStore
from kiosk.report.absence_evidence import evidence_type
from kiosk.settings.schedule import UnknownSchedule
from kiosk.store import StoreError
from kiosk.store.accounts import Role

blueprint = Blueprint("technician", __name__)
MAX_PHOTOS = 10
HIDDEN_KEYS = ("comm_key", "password")  # secrets kept in the file itself: never shown


@blueprint.route("/employees")
@needs(Role.TECHNICIAN)
def employees():
    kiosk = console()
    listed = kiosk.store.employees.list(active_only=False)
    counts = {row["nip"]: row["n"] for row in kiosk.store.db.query("SELECT nip, COUNT(*) AS n FROM face_templates GROUP BY nip")}
    schedules = [s.name for s in kiosk.settings.schedule.schedules]
    return render_template("employees.html", employees=listed, counts=counts, schedules=schedules)


@blueprint.route("/employees", methods=["POST"])
@needs(Role.TECHNICIAN)
def add_employee():
    kiosk = console()
    form = request.form
    try:
        schedule = _schedule(form.get("schedule", ""))
        since = _since(form.get("since", ""))
        pin = int(form.get("pin") or 0)
        employee = staff.add_employee(
            kiosk.store, form.get("nip", ""), form.get("name", "")[:200], form.get("unit", "")[:200], schedule, pin,
            kiosk.settings.device.employee_id_pattern, kiosk.settings.schedule, since=since, actor=actor(),
        )  # fmt: skip
    except (ValueError, StoreError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("technician.employees"))
    flash(t("employee_added", nip=employee.nip, name=employee.name, pin=employee.pin), "ok")
    return redirect(url_for("technician.employees"))


@blueprint.route("/employees/<nip>", methods=["POST"])
@needs(Role.TECHNICIAN)
def change_employee(nip: str):
    kiosk = console()
    employee = _employee(nip)
    try:
        changed = type(employee)(
            nip=employee.nip, name=employee.name, unit=request.form.get("unit", "").strip()[:200],
            schedule=_schedule(request.form.get("schedule", "")), pin=employee.pin,
            active=request.form.get("active") == "1",
        )  # fmt: skip
        kiosk.store.employees.update(changed)
    except (ValueError, StoreError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("technician.employees"))
    kiosk.store.audit.log(
        "employee.change", nip,
        {"unit": [employee.unit, changed.unit], "schedule": [employee.schedule, changed.schedule], "active": [employee.active, changed.active]},
        user=actor(),
    )  # fmt: skip
    flash(t("employee_changed", nip=nip), "ok")
    return redirect(url_for("technician.employees"))


@blueprint.route("/employees/<nip>/remove", methods=["POST"])
@needs(Role.TECHNICIAN)
def remove_employee(nip: str):
    kiosk = console()
    employee = _employee(nip)
    if request.form.get("confirm", "").replace(" ", "") != employee.nip:
        flash(t("confirm_nip"), "error")
        return redirect(url_for("technician.employees"))
    try:
        # The UART module's slot first, as `kiosk employee remove` does (kiosk/app/fingerprints.py).
        removal, _ = fingerprints.remove_employee(
            kiosk.settings, kiosk.store, PhotoStore(kiosk.settings.data_dir), nip, actor=actor()
        )
    except (ValueError, StoreError, OSError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("technician.employees"))
    flash(t("employee_removed", nip=nip, templates=removal.templates, photos=removal.photos), "ok")
    return redirect(url_for("technician.employees"))


@blueprint.route("/employees/<nip>/enroll", methods=["POST"])
@needs(Role.TECHNICIAN)
def enroll(nip: str):
    """Photos are written to a private temporary folder, then enrolled by kiosk.enroll like the CLI."""
    kiosk = console()
    employee = _employee(nip)
    uploads = [(f.filename, f) for f in request.files.getlist("photos") if f.filename][:MAX_PHOTOS + 1]
    if not uploads or len(uploads) > MAX_PHOTOS:
        flash(t("enroll_count", most=MAX_PHOTOS), "error")
        return redirect(url_for("technician.employees"))
    with tempfile.TemporaryDirectory(prefix="kiosk-enroll-") as folder:
        paths = []
        for number, (filename, upload) in enumerate(uploads, start=1):
            data = upload.stream.read(kiosk.max_upload + 1)
            kind = evidence_type(data[:16])
            if len(data) > kiosk.max_upload or kind is None or kind[0] == ".pdf":
                flash(t("enroll_bad_file", name=filename[:80], mb=kiosk.settings.console.max_upload_mb), "error")
                return redirect(url_for("technician.employees"))
            # each photo in its own numbered folder under its own (cleaned) name, so refusals name the file
            safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).name)[-80:].lstrip(".") or "photo"
            path = Path(folder) / str(number) / (Path(safe).stem + kind[0])
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        try:
            enroller = Enroller(kiosk.store, kiosk.models.get(), kiosk.settings.face, kiosk.settings.device.employee_id_pattern)
            result = enroller.from_photos(employee.nip, paths, force=False, actor=actor())
        except (ValueError, StoreError, ModelsMissing) as exc:
            flash(t("enroll_refused", reason=re.sub(re.escape(folder) + r"/\d+/", "", str(exc))), "error")
            return redirect(url_for("technician.employees"))
    flash(t("enrolled", nip=employee.nip, name=employee.name, count=len(result.template_ids)), "ok")
    return redirect(url_for("technician.employees"))


@blueprint.route("/device")
@needs(Role.TECHNICIAN)
def device():
    from kiosk.app.doctor import run_checks
    from kiosk.app.wiring import sync_target_names
    from kiosk.status import collect_status

    kiosk = console()
    status = collect_status(kiosk.settings, kiosk.store, sync_target_names(kiosk.settings, kiosk.store))
    checks = run_checks(kiosk.settings) if request.args.get("doctor") == "1" else None
    return render_template("device.html", status=status, checks=checks)


@blueprint.route("/config")
@needs(Role.TECHNICIAN)
def configuration():
    settings = console().settings
    sections = {name: _hide(values) for name, values in settings.as_dict().items()}
    return render_template("config.html", sections=sections, source=settings.source)


def _hide(value):
    if isinstance(value, dict):
        return {k: ("••••" if any(h in k for h in HIDDEN_KEYS) and v else _hide(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_hide(v) for v in value]
    return value


def _employee(nip: str):
    kiosk = console()
    try:
        found = kiosk.store.employees.get(normalise_nip(nip, kiosk.settings.device.employee_id_pattern))
    except ValueError:
        found = None
    if found is None:
        abort(404)
    return found


def _schedule(name: str) -> str:
    name = name.strip()
    if name:
        try:
            console().settings.schedule.schedule(name)
        except UnknownSchedule as exc:
            raise ValueError(str(exc)) from None
    return name


def _since(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(t("bad_date", value=text[:20])) from None
