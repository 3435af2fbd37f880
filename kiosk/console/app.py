"""The operator console as a Flask app: `create_app(settings, store, recorder)`.

Server-rendered pages (Jinja templates), sessions in the database, a CSRF token on every form
(Flask-WTF), roles checked on every view. See docs/console.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect

from kiosk.app.wiring import load_holidays
from kiosk.console import absences, attendance, auth, recap, technician
from kiosk.console.context import Console, LazyModels, account, console, t
from kiosk.console.sessions import DbSessionInterface
from kiosk.console.text import translate
from kiosk.console.throttle import LoginThrottle
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.store.accounts import Role

if TYPE_CHECKING:
    from kiosk.recorder import PunchRecorder
    from kiosk.rules.holidays import HolidayCalendar

COOKIE = "kiosk_console"


def create_app(
    settings: Settings,
    store: Store,
    recorder: PunchRecorder,
    now: Callable[[], datetime] | None = None,
    holidays: HolidayCalendar | None = None,
) -> Flask:
    app = Flask("kiosk.console")
    tls = bool(settings.console.tls_cert_file)
    app.config.update(
        # Signs the CSRF tokens only (sessions live in the database); a new key at each start
        # merely makes an open form ask to be sent again.
        SECRET_KEY=secrets.token_bytes(32),
        SESSION_COOKIE_NAME=COOKIE,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as its session
        WTF_CSRF_SSL_STRICT=tls,
        # The largest request: a few enrollment photos or one evidence file, plus the form.
        MAX_CONTENT_LENGTH=settings.console.max_upload_mb * 1024 * 1024 * 6,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.session_interface = DbSessionInterface(store.accounts, timedelta(minutes=settings.console.session_minutes), tls)
    CSRFProtect(app)
    app.extensions["kiosk_console"] = Console(
        settings, store, recorder, LoginThrottle(), now or (lambda: datetime.now(settings.tz)), LazyModels(),
        # The calendar the recorder judges by, when the daemon passes it; SIGHUP re-reads it for both.
        holidays=load_holidays(settings) if holidays is None else holidays,
    )  # fmt: skip
    for blueprint in (auth.blueprint, attendance.blueprint, absences.blueprint, recap.blueprint, technician.blueprint):
        app.register_blueprint(blueprint)
    app.before_request(_load_account)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(403, lambda e: (render_template("error.html", message=t("forbidden")), 403))
    app.register_error_handler(404, lambda e: (render_template("error.html", message=t("not_found")), 404))
    app.register_error_handler(413, lambda e: (render_template("error.html", message=t("too_large", mb=settings.console.max_upload_mb)), 413))
    app.jinja_env.globals.update(t=t, account=account, Role=Role, language=lambda: console().language)
    app.add_url_rule("/", "index", lambda: redirect(url_for("attendance.today")))
    return app


def _load_account() -> None:
    name = getattr(session, "user_name", None)
    g.account = console().store.accounts.get(name) if name else None


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"
    )
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _csrf_refused(error: CSRFError):
    return render_template("error.html", message=translate(console().language, "csrf_refused")), 400
