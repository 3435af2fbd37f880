"""The small WSGI base both HTTP sides share (the kiosk's pull API, the reference receiver).

Routing is werkzeug's; every error is a JSON body `{"error": {"code", "message"}}`, so a client
never has to parse an HTML error page.
"""

from __future__ import annotations

import json

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response


def json_response(document: object, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json", headers=headers)


def json_error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    return json_response({"error": {"code": code, "message": message}}, status, headers)


class JsonApp:
    """Subclasses set `routes` (a werkzeug Map) and implement `dispatch`."""

    routes: Map
    not_found_hint = ""

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, args = self.routes.bind_to_environ(environ).match()
            response = self.dispatch(request, endpoint, args)
        except NotFound:
            response = json_error(404, "not_found", f"no such endpoint {request.path}{self.not_found_hint}")
        except HTTPException as exc:
            response = json_error(exc.code or 400, "bad_request", exc.description or "bad request")
        return response(environ, start_response)

    def dispatch(self, request: Request, endpoint: str, args: dict) -> Response:
        raise NotImplementedError
