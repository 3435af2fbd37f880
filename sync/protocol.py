"""Push protocol v1 (docs/sync-protocol.md) as pure functions: batch encoding and reply classification.

Nothing here does I/O, so each rule is tested table-driven in tests/test_sync_protocol.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from kiosk.backoff import parse_retry_after
from kiosk.domain import Punch
from kiosk.punch_record import punch_record

PROTOCOL_VERSION = 1
PUNCHES_PATH = "/api/v1/punches"
ROSTER_PATH = "/api/v1/roster"
TEMPLATES_PATH = "/api/v1/templates"
RESULT_STATUSES = frozenset({"accepted", "duplicate", "rejected"})
RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))
HALT_STATUSES = {
    401: "the server refused the token (HTTP 401); put the right token in {token_file}",
    403: "the server forbids this device (HTTP 403); ask the server's team to allow it or fix the token in {token_file}",
    404: "the server has no push endpoint at {url} (HTTP 404); check the URL in the configuration",
    405: "the server does not accept pushes at {url} (HTTP 405); check the URL in the configuration",
}


class ProtocolError(ValueError):
    """The server's reply does not follow push protocol v1."""


@dataclass(frozen=True)
class PunchResult:
    uuid: str
    status: str  # accepted | duplicate | rejected
    code: str = ""  # rejection code, e.g. unknown_employee
    reason: str = ""  # human-readable rejection reason
    photo_wanted: bool = False  # the server wants this punch's evidence photo


@dataclass(frozen=True)
class Reply:
    action: str  # ok | retry | halt | split
    reason: str = ""
    retry_after: float | None = None
    results: tuple[PunchResult, ...] = ()


def photo_path(uuid: str) -> str:
    return f"{PUNCHES_PATH}/{uuid}/photo"


def batch_key(device_id: str, uuids: Sequence[str]) -> str:
    """The Idempotency-Key: the same batch re-sent after a lost reply carries the same key."""
    digest = hashlib.sha256("\n".join((device_id, *uuids)).encode()).hexdigest()
    return f"{device_id}-{digest[:32]}"


def encode_batch(device_id: str, punches: Sequence[Punch], zone: tzinfo) -> tuple[str, bytes]:
    """(Idempotency-Key, JSON body); the body holds no send time, so a re-send is byte-identical."""
    key = batch_key(device_id, [p.uuid for p in punches])
    body = {"protocol": PROTOCOL_VERSION, "device_id": device_id, "batch_id": key, "punches": [punch_record(p, zone) for p in punches]}
    return key, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def decode_results(body: bytes, uuids: Sequence[str]) -> tuple[PunchResult, ...]:
    """Per-punch results for exactly the punches sent; anything else is a ProtocolError."""
    try:
        document = json.loads(body)
        items = document["results"]
        results = tuple(_result(item) for item in items)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ProtocolError(f"reply is not a push protocol v1 result list ({type(exc).__name__}: {exc})") from None
    by_uuid = {r.uuid: r for r in results}
    missing = [u for u in uuids if u not in by_uuid]
    if missing:
        raise ProtocolError(f"reply has no result for {len(missing)} punch(es), e.g. {missing[0]}")
    return tuple(by_uuid[u] for u in uuids)


def _result(item: Mapping) -> PunchResult:
    status = item["status"]
    if status not in RESULT_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return PunchResult(
        uuid=str(item["uuid"]),
        status=status,
        code=str(item.get("code") or ("rejected" if status == "rejected" else "")),
        reason=str(item.get("reason") or ""),
        photo_wanted=bool(item.get("photo_wanted", False)),
    )


def classify_reply(status: int, headers: Mapping[str, str], body: bytes, uuids: Sequence[str], url: str = "", token_file: str = "") -> Reply:
    """What the kiosk does with one HTTP reply to a batch (the table in docs/sync-protocol.md)."""
    if status == 200:
        try:
            return Reply("ok", results=decode_results(body, uuids))
        except ProtocolError as exc:
            return Reply("retry", f"malformed reply from the server: {exc}")
    if status in HALT_STATUSES:
        return Reply("halt", HALT_STATUSES[status].format(url=url, token_file=token_file or "the token file") + _message(body))
    if status == 413:
        return Reply("split", "batch too large (HTTP 413); sending smaller batches")
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if status in RETRY_STATUSES:
        return Reply("retry", f"server busy or failing (HTTP {status}){_message(body)}", retry_after)
    return Reply("retry", f"server refused the batch (HTTP {status}){_message(body)}", retry_after)


def _message(body: bytes) -> str:
    """The server's error message, if it sent one as {"error": {"message": ...}}."""
    try:
        error = json.loads(body)["error"]
        return f": {error.get('code', '')} {error['message']}".rstrip()
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""


def parked_of(punches: Sequence[Punch], results: Sequence[PunchResult]) -> list[tuple[int, str, str]]:
    """(seq, code, reason) of every rejected punch, for Delivery.acknowledge."""
    by_uuid = {r.uuid: r for r in results}
    return [(p.seq, by_uuid[p.uuid].code, by_uuid[p.uuid].reason) for p in punches if by_uuid[p.uuid].status == "rejected"]


def vector_text(vector: Sequence[float]) -> str:
    """A face template on the wire: base64 of 128 little-endian float32."""
    import base64

    from kiosk.store.templates import encode_vector

    return base64.b64encode(encode_vector(tuple(vector))).decode("ascii")


def vector_of(text: str):
    """The inverse of vector_text; ValueError when it is not 128 finite float32."""
    import base64
    import binascii

    import numpy as np

    from kiosk.store.templates import encode_vector

    try:
        array = np.frombuffer(base64.b64decode(text, validate=True), dtype="<f4")
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"template vector is not base64 float32: {exc}") from None
    encode_vector(array)  # validates shape and finiteness
    return array
