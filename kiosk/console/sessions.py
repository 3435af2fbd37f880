"""Flask sessions kept in the kiosk's database (table console_sessions), not in a signed cookie.

The cookie holds only a random token; logging out deletes the row, so a copied cookie is dead.
Logging in rotates the token (no session fixation). Anonymous sessions exist only to carry the
login form's CSRF token and live at most an hour.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from kiosk.store.accounts import Accounts

ANONYMOUS_LIFETIME = timedelta(hours=1)


class DbSession(CallbackDict, SessionMixin):
    def __init__(self, data: dict | None = None, token: str | None = None, user_name: str | None = None) -> None:
        def changed(_self: DbSession) -> None:
            self.modified = True

        super().__init__(data or {}, changed)
        self.token, self.user_name = token, user_name
        self.modified = False
        self.rotate = False  # set by log_in: new token, new row
        self.ended = False  # set by log_out: row deleted, cookie cleared

    def log_in(self, user_name: str) -> None:
        self.clear()
        self.user_name, self.rotate, self.modified = user_name, True, True

    def log_out(self) -> None:
        self.clear()
        self.user_name, self.ended = None, True


class DbSessionInterface(SessionInterface):
    def __init__(self, accounts: Accounts, lifetime: timedelta, secure: bool) -> None:
        self.accounts, self.lifetime, self.secure = accounts, lifetime, secure

    def open_session(self, app: Flask, request: Request) -> DbSession:
        token = request.cookies.get(self.get_cookie_name(app))
        found = self.accounts.session(token) if token and len(token) < 100 else None
        if found is None:
            return DbSession()
        return DbSession(found.data, token, found.user_name)

    def save_session(self, app: Flask, session: DbSession, response: Response) -> None:  # type: ignore[override]
        name = self.get_cookie_name(app)
        if session.ended:
            if session.token:
                self.accounts.close_session(session.token)
            response.delete_cookie(name, path="/", httponly=True, secure=self.secure, samesite="Strict")
            return
        if session.rotate:
            if session.token:
                self.accounts.close_session(session.token)
            token = self.accounts.open_session(self.lifetime, session.user_name, dict(session))
            self._set_cookie(response, name, token)
        elif session.token is None:
            if not session.modified or not session:
                return
            token = self.accounts.open_session(ANONYMOUS_LIFETIME, None, dict(session))
            self._set_cookie(response, name, token)
        elif session.modified:
            self.accounts.save_session(session.token, dict(session))

    def _set_cookie(self, response: Response, name: str, token: str) -> None:
        # A browser-session cookie: the server decides the expiry, closing the browser ends it too.
        response.set_cookie(name, token, path="/", httponly=True, secure=self.secure, samesite="Strict")
