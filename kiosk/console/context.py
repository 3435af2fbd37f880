"""What every console view needs: settings, store, recorder, clock, the signed-in account."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import abort, current_app, g, redirect, request, url_for

from kiosk.console.text import translate
from kiosk.console.throttle import LoginThrottle
from kiosk.rules.holidays import HolidayCalendar
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.store.accounts import Account, Role

if TYPE_CHECKING:
    from kiosk.face.models import FaceModels
    from kiosk.recorder import PunchRecorder


class LazyModels:
    """The face models, loaded at the first enrollment (they take memory and a second or two)."""

    def __init__(self) -> None:
        self._models: FaceModels | None = None
        self._lock = threading.Lock()

    def get(self) -> FaceModels:
        from kiosk.face.models import FaceModels

        with self._lock:
            if self._models is None:
                self._models = FaceModels.load()
            return self._models


@dataclass(frozen=True)
class Console:
    settings: Settings
    store: Store
    recorder: PunchRecorder
    throttle: LoginThrottle
    now: Callable[[], datetime]
    models: LazyModels
    holidays: HolidayCalendar  # the calendar of [schedule], loaded once when the console starts

    @property
    def language(self) -> str:
        return self.settings.console.language

    @property
    def max_upload(self) -> int:
        return self.settings.console.max_upload_mb * 1024 * 1024


def console() -> Console:
    return current_app.extensions["kiosk_console"]


def account() -> Account | None:
    return g.get("account")


def actor() -> str:
    """How the audit log names the person acting through the console."""
    return f"console:{g.account.name}"


def t(key: str, **values: Any) -> str:
    return translate(console().language, key, **values)


def needs(role: Role) -> Callable:
    """View decorator: signed in (else the login page), and at least `role` (else 403)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            current = account()
            if current is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
            if not current.role.allows(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate
