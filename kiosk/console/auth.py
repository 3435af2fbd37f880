"""Log in (throttled) and log out; both in the audit log."""

from __future__ import annotations

import math

from flask import Blueprint, redirect, render_template, request, session, url_for

from kiosk.console.context import account, console, needs, t
from kiosk.store.accounts import MAX_PASSWORD, Role

blueprint = Blueprint("auth", __name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if account() is not None:
            return redirect(url_for("attendance.today"))
        session["login"] = True  # opens an anonymous session so the form carries a CSRF token
        return render_template("login.html", error=None, name="", next=_local(request.args.get("next")))
    kiosk = console()
    name = request.form.get("name", "").strip().lower()[:64]
    password = request.form.get("password", "")[:MAX_PASSWORD]
    keys = (f"account:{name}", f"source:{request.remote_addr}")
    wait = kiosk.throttle.wait_seconds(keys)
    if wait > 0:
        kiosk.store.audit.log("console.login_throttled", None, {"account": name, "source": request.remote_addr}, user="console")
        error = t("login_throttled", minutes=max(1, math.ceil(wait / 60)))
        return render_template("login.html", error=error, name=name, next=""), 429
    found = kiosk.store.accounts.authenticate(name, password) if name and password else None
    if found is None:
        kiosk.throttle.failed(keys)
        kiosk.store.audit.log("console.login_failed", None, {"account": name, "source": request.remote_addr}, user="console")
        return render_template("login.html", error=t("login_failed"), name=name, next=""), 401
    kiosk.throttle.succeeded(keys)
    session.log_in(found.name)  # type: ignore[attr-defined]
    kiosk.store.audit.log("console.login", None, {"source": request.remote_addr}, user=f"console:{found.name}")
    return redirect(_local(request.form.get("next")) or url_for("attendance.today"))


@blueprint.route("/logout", methods=["POST"])
@needs(Role.VIEWER)
def logout():
    console().store.audit.log("console.logout", None, {}, user=f"console:{account().name}")  # type: ignore[union-attr]
    session.log_out()  # type: ignore[attr-defined]
    return redirect(url_for("auth.login"))


def _local(target: str | None) -> str:
    """Only a path on this console (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""
