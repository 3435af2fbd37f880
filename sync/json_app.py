"""The small WSGI base both HTTP sides share (the kiosk's pull API, the reference receiver).

Routing is werkzeug's; every error is a JSON body `{"error": {"code", "message"}}`, so a client
never has to parse an HTML error page.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

log = logging.getLogger(__name__)
MAX_DEPTH = 64  # no document of ours nests deeper than a handful of levels


class BadJson(ValueError):
    """The body is not a JSON document this server can store; the message names the problem."""


def load_json(data: bytes) -> object:
    """Parse a request body strictly: BadJson for invalid UTF-8 or JSON, NaN/Infinity, numbers out of
    a double's range (1e400), deep nesting, and strings holding lone UTF-16 surrogates ("\\ud800"),
    which Python accepts but SQLite and every UTF-8 consumer downstream cannot store."""
    depth = _nesting_depth(data)
    if depth > MAX_DEPTH:
        raise BadJson(f"the JSON nests {depth} levels deep; at most {MAX_DEPTH} are allowed")
    try:
        document = json.loads(data, parse_constant=_no_constant, parse_float=_finite_float)
    except BadJson:
        raise
    except RecursionError:
        raise BadJson("the JSON nests too deeply") from None
    except UnicodeDecodeError as exc:
        raise BadJson(f"the body is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        raise BadJson(f"not valid JSON ({exc})") from None
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end].encode("unicode_escape").decode()
        raise BadJson(f"a string holds {bad}, a lone UTF-16 surrogate, which is not text; send valid Unicode") from None
    return document


def _nesting_depth(data: bytes) -> int:
    """The deepest bracket nesting, counted without parsing (brackets inside strings count too: an
    overestimate only refuses documents that are absurd anyway)."""
    depth = deepest = 0
    for byte in data.translate(None, delete=bytes(b for b in range(256) if b not in b"[]{}")):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str) -> float:
    raise BadJson(f"{name} is not a JSON number; send a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"the number {text[:40]} is out of range; send a finite number")
    return value


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
        except Exception:  # a client always gets JSON; the journal gets the traceback (BLE001 allows: logged)
            log.exception("%s %s failed", request.method, request.path)
            response = json_error(500, "internal", "the server failed on this request; its log has the details")
        return response(environ, start_response)

    def dispatch(self, request: Request, endpoint: str, args: Mapping[str, Any]) -> Response:
        raise NotImplementedError
