"""The pull API (docs/sync-protocol.md, "Pull API"): the central server reads punches by cursor.

    GET /api/v1/health                      no token
    GET /api/v1/punches?after=SEQ&limit=N   bearer token; bounded pages, next cursor in the reply
    GET /api/v1/punches/{uuid}/photo        bearer token; the evidence JPEG
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from kiosk.photos import PhotoStore
from kiosk.punch_record import punch_record
from kiosk.settings.api import ApiSettings
from kiosk.store import Store
from kiosk.tls import server_context
from sync.http_limits import HttpLimits
from sync.json_app import JsonApp, json_error, json_response
from sync.targets import read_token
from sync.wsgi_server import ServerThread

DEFAULT_LIMIT = 500
MAX_BODY = 64 * 1024  # every endpoint is a GET: nobody needs to send a body
_NUMBER = re.compile(r"\d{1,18}")


class BadParameter(ValueError):
    """A query parameter is missing its number or out of range."""


def page_params(args, max_page: int) -> tuple[int, int]:
    """(after, limit) from the query string; BadParameter names the parameter and the fix."""
    after = _number(args.get("after", "0"), "after", "the last seq you received, 0 to start")
    limit = _number(args.get("limit", str(min(DEFAULT_LIMIT, max_page))), "limit", f"a page size from 1 to {max_page}")
    if not 1 <= limit <= max_page:
        raise BadParameter(f"limit={limit} is out of range; use a page size from 1 to {max_page}")
    return after, limit


def _number(text: str, name: str, meaning: str) -> int:
    if not _NUMBER.fullmatch(text):
        raise BadParameter(f"{name}={text!r} is not a whole number; use {meaning}")
    return int(text)


class PullApi(JsonApp):
    not_found_hint = "; see docs/sync-protocol.md"

    def __init__(self, store: Store, photos: PhotoStore, token: str, max_page: int = 1000, *, zone: tzinfo) -> None:
        if not token:
            raise ValueError("the pull API needs a token: set api.token_file to a file holding it (mode 0600)")
        self.store, self.photos, self.token, self.max_page = store, photos, token, max_page
        self.zone = zone  # device.timezone: every punch's `time` is shown on the device's wall clock
        self.routes = Map([
            Rule("/api/v1/health", endpoint="health", methods=["GET"]),
            Rule("/api/v1/punches", endpoint="punches", methods=["GET"]),
            Rule("/api/v1/punches/<uuid>/photo", endpoint="photo", methods=["GET"]),
        ])  # fmt: skip

    def dispatch(self, request: Request, endpoint: str, args: Mapping[str, Any]) -> Response:
        if endpoint == "health":
            return json_response({"status": "ok", "last_seq": self.store.punches.last_seq()})
        if not self._authorised(request):
            return json_error(401, "unauthorized", "send Authorization: Bearer <token>", {"WWW-Authenticate": 'Bearer realm="kiosk"'})
        return getattr(self, f"on_{endpoint}")(request, **args)

    def _authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        # compare_digest: the time taken does not tell an attacker how much of the token was right
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.token.encode())

    def on_punches(self, request: Request) -> Response:
        try:
            after, limit = page_params(request.args, self.max_page)
        except BadParameter as exc:
            return json_error(400, "bad_parameter", str(exc))
        # one row more than asked tells whether another page follows
        punches = self.store.punches.page(after, limit + 1)
        page = punches[:limit]
        next_after = page[-1].seq if page else after
        return json_response({"punches": [punch_record(p, self.zone) for p in page], "next_after": next_after, "has_more": len(punches) > limit})

    def on_photo(self, request: Request, uuid: str) -> Response:
        punch = self.store.punches.by_uuid(uuid)
        if punch is None:
            return json_error(404, "unknown_punch", f"no punch {uuid} on this kiosk")
        try:
            data = self.photos.path_of(punch.photo).read_bytes() if punch.photo else None
        except (OSError, ValueError):
            data = None
        if data is None:
            return json_error(404, "no_photo", f"punch {uuid} has no evidence photo (none taken, or removed by retention)")
        return Response(data, mimetype="image/jpeg")


def build_pull_server(api: ApiSettings, store: Store, photos: PhotoStore, zone: tzinfo) -> ServerThread:
    """The server the daemon starts when [api] enabled = true (call .start(), later .stop())."""
    app = PullApi(store, photos, read_token(api.token_file), api.max_page, zone=zone)
    limits = HttpLimits(
        max_body_bytes=MAX_BODY,
        header_timeout=api.header_timeout,
        max_connections=api.max_connections,
        max_connections_per_source=api.max_connections_per_source,
    )
    tls = server_context(api.tls) if api.tls.enabled else None
    return ServerThread(app, api.address, api.port, threads=api.threads, name="pull-api", limits=limits, tls=tls)
