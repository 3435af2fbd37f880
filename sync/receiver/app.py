"""The reference receiver's WSGI app: push protocol v1, photo upload, roster and template upload.

It is the protocol's reference implementation for integrators and the server the tests and the
benchmark push to; it is not SIAP.
"""

from __future__ import annotations

import hmac
import json
import logging
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sync.json_app import BadJson, JsonApp, json_error, json_response, load_json
from sync.receiver.checks import canonical_punch, canonical_uuid, check_punch
from sync.receiver.faults import Faults
from sync.receiver.store import ReceiverStore, Verdict

log = logging.getLogger(__name__)
MAX_BATCH = 5000
MAX_BODY = 32 * 1024 * 1024
MAX_PHOTO = 2 * 1024 * 1024


@dataclass
class Stats:
    """What arrived, including re-sends: tests compare it with what the kiosk believes."""

    requests: int = 0
    punches_received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    replays: int = 0


class ReceiverApp(JsonApp):
    def __init__(self, store: ReceiverStore, token: str, faults: Faults | None = None) -> None:
        faults = faults or Faults()
        self.store, self.token, self.faults = store, token, faults
        self.rng = random.Random(faults.seed)
        self.stats = Stats()
        self._stats_lock = threading.Lock()
        self.routes = Map([
            Rule("/api/v1/health", endpoint="health", methods=["GET"]),
            Rule("/api/v1/punches", endpoint="punches", methods=["POST"]),
            Rule("/api/v1/punches/<uuid>/photo", endpoint="photo", methods=["PUT"]),
            Rule("/api/v1/roster", endpoint="roster", methods=["GET"]),
            Rule("/api/v1/templates", endpoint="templates", methods=["POST"]),
        ])  # fmt: skip

    def dispatch(self, request: Request, endpoint: str, args: Mapping[str, Any]):
        if endpoint == "health":
            return json_response({"status": "ok", "protocol": 1, "punches": self.store.count()})
        self._count(requests=1)
        if not self._authorised(request):
            return json_error(401, "unauthorized", "missing or wrong bearer token", {"WWW-Authenticate": 'Bearer realm="siap"'})
        if self.faults.status is not None:
            headers = {"Retry-After": str(self.faults.retry_after)} if self.faults.retry_after is not None else None
            return json_error(self.faults.status, "injected", f"fault injected: HTTP {self.faults.status}", headers)
        return getattr(self, f"on_{endpoint}")(request, **args)

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.token.encode())

    def _count(self, **increments: int) -> None:
        with self._stats_lock:
            for name, value in increments.items():
                setattr(self.stats, name, getattr(self.stats, name) + value)

    # push protocol v1
    def on_punches(self, request: Request):
        started = time.monotonic()
        with self._stats_lock:
            fault = self.faults.draw(self.rng)
        if fault == "fail":
            return json_error(500, "injected", "fault injected: internal error")
        parsed = self._parse_batch(request)
        if isinstance(parsed, Response):
            return parsed
        device_id, punches, key = parsed
        body = self._store_batch(device_id, punches, key)
        time.sleep(max(0.0, self.faults.delay_seconds - (time.monotonic() - started)))
        return self._deliver(body, fault)

    def _parse_batch(self, request: Request):
        if (request.content_length or 0) > MAX_BODY:
            return json_error(413, "too_large", f"a batch body is at most {MAX_BODY} bytes")
        try:
            document = load_json(request.get_data())
        except BadJson as exc:
            return json_error(400, "bad_json", f"{exc}; body must be JSON: {{\"protocol\": 1, \"device_id\": \"...\", \"punches\": [...]}}")
        if not isinstance(document, dict) or "punches" not in document:
            return json_error(400, "bad_json", 'body must be JSON: {"protocol": 1, "device_id": "...", "punches": [...]}')
        punches, device_id = document["punches"], str(document.get("device_id", ""))
        if document.get("protocol") != 1 or not isinstance(punches, list):
            return json_error(400, "bad_protocol", "protocol must be 1 and punches a list")
        if len(punches) > MAX_BATCH:
            return json_error(413, "too_large", f"at most {MAX_BATCH} punches per batch")
        return device_id, punches, request.headers.get("Idempotency-Key", "")

    def _store_batch(self, device_id: str, punches: list, key: str) -> str:
        replay = self.store.replay(key) if key else None
        if replay is not None:
            self._count(replays=1, punches_received=len(punches))
            return replay
        # stored under the canonical uuid (one punch however it is spelled), replied under the sender's
        checked = [(canonical_punch(p), check_punch(p, self.faults.reject_uuids, self.faults.reject_nips)) for p in punches]
        return self.store.store_batch(device_id, checked, key, lambda verdicts: self._reply(punches, checked, verdicts))

    def _reply(self, sent: list, checked: list[tuple[object, Verdict]], verdicts: list[Verdict]) -> str:
        self._count(
            punches_received=len(verdicts),
            accepted=sum(v.status == "accepted" for v in verdicts),
            duplicates=sum(v.status == "duplicate" for v in verdicts),
            rejected=sum(v.status == "rejected" for v in verdicts),
        )
        valid = [p["uuid"] for (p, _), v in zip(checked, verdicts, strict=True) if v.status != "rejected" and isinstance(p, dict)]
        have_photo = self.store.has_photo(valid) if any(isinstance(p, dict) and p.get("photo") for p, _ in checked) else set()
        results = [_result(original, p, v, have_photo) for original, (p, _), v in zip(sent, checked, verdicts, strict=True)]
        return json.dumps({"results": results}, separators=(",", ":"))

    def _deliver(self, body: str, fault: str | None):
        if fault == "stall":
            time.sleep(self.faults.stall_seconds)
        if fault == "malformed":
            return Response(body[: len(body) // 2] + "}}garbage", mimetype="application/json")
        if fault == "close":
            return _cut_off(body.encode())
        return Response(body, mimetype="application/json")

    def on_photo(self, request: Request, uuid: str):
        if request.mimetype != "image/jpeg":
            return json_error(415, "not_jpeg", "send the photo as Content-Type: image/jpeg")
        if (request.content_length or 0) > MAX_PHOTO:
            return json_error(413, "too_large", f"a photo is at most {MAX_PHOTO} bytes")
        if not self.store.put_photo(canonical_uuid(uuid), request.get_data()):
            return json_error(404, "unknown_punch", f"no punch {uuid}; push the punch before its photo")
        return Response(status=204)

    # roster
    def on_roster(self, request: Request):
        return json_response({"employees": self.store.roster()})

    def on_templates(self, request: Request):
        try:
            document = load_json(request.get_data())
            if not isinstance(document, dict):
                raise TypeError("the body is not a JSON object")
            items, device_id = document["templates"], str(document.get("device_id", ""))
            results = [self._template(item, device_id) for item in items]
        except BadJson as exc:
            return json_error(400, "bad_json", str(exc))
        except (ValueError, KeyError, TypeError, AttributeError):
            return json_error(400, "bad_json", 'body must be {"device_id": "...", "templates": [{"local_id", "nip", "vector", "quality"}]}')
        return json_response({"results": results})

    def _template(self, item: dict, device_id: str) -> dict:
        outcome = self.store.put_template(item["nip"], str(item["vector"]), float(item.get("quality", 0)), device_id, int(item["local_id"]))
        if outcome == "unknown_employee":
            return {"local_id": item["local_id"], "status": "rejected", "code": outcome, "reason": f"no employee {item['nip']}"}
        return {"local_id": item["local_id"], "status": outcome}


def _result(sent: object, punch: object, verdict: Verdict, have_photo: set[str]) -> dict:
    uuid = sent.get("uuid") if isinstance(sent, dict) else None
    result: dict = {"uuid": uuid, "status": verdict.status}
    if verdict.status == "rejected":
        result |= {"code": verdict.code, "reason": verdict.reason}
    elif isinstance(punch, dict) and punch.get("photo") and punch.get("uuid") not in have_photo:  # not rejected: an object
        result["photo_wanted"] = True
    return result


def _cut_off(body: bytes) -> Response:
    """Promise the whole body, send half: the server closes the connection, the client sees it cut."""

    def half():
        yield body[: len(body) // 2]

    response = Response(half(), mimetype="application/json")
    response.headers["Content-Length"] = str(len(body))
    return response
