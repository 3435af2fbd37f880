"""Validation of received punches, as pure functions: what the receiver rejects and with which code."""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from sync.receiver.store import Verdict

METHODS = frozenset({"face", "fingerprint", "manual"})
KINDS = frozenset({"datang", "siang", "pulang", "other"})
REQUIRED = ("uuid", "nip", "time", "method", "kind")


def check_punch(record: object, reject_uuids: frozenset[str] = frozenset(), reject_nips: frozenset[str] = frozenset()) -> Verdict:
    """`accepted` means 'valid, store it'; the store turns it into `duplicate` when the uuid is known."""
    if not isinstance(record, dict):
        return Verdict("rejected", "invalid_punch", "a punch must be a JSON object")
    missing = [name for name in REQUIRED if not isinstance(record.get(name), str) or not record.get(name)]
    if missing:
        return Verdict("rejected", "invalid_punch", f"missing or empty field(s): {', '.join(missing)}")
    if not _is_uuid(record["uuid"]):
        return Verdict("rejected", "invalid_punch", "uuid is not a UUID")
    if not _has_offset(record["time"]):
        return Verdict("rejected", "invalid_time", "time must be ISO 8601 with its UTC offset")
    if record["method"] not in METHODS or record["kind"] not in KINDS:
        return Verdict("rejected", "invalid_punch", f"unknown method {record['method']!r} or kind {record['kind']!r}")
    if canonical_uuid(record["uuid"]) in {canonical_uuid(u) for u in reject_uuids}:
        return Verdict("rejected", "rejected_by_test", "this punch was configured to be rejected")
    if record["nip"] in reject_nips:
        return Verdict("rejected", "unknown_employee", f"no employee with NIP {record['nip']} on the server")
    return Verdict("accepted")


def canonical_uuid(text: str) -> str:
    """One spelling per UUID (lower case, hyphens, no braces or urn:uuid:), so that re-spelling a
    punch's uuid cannot make it count twice; text that is not a UUID is returned unchanged."""
    try:
        return str(uuidlib.UUID(text))
    except (ValueError, TypeError, AttributeError):
        return text


def canonical_punch(record: object) -> object:
    """The punch as stored: its uuid in canonical spelling."""
    if isinstance(record, dict) and isinstance(record.get("uuid"), str):
        return {**record, "uuid": canonical_uuid(record["uuid"])}
    return record


def _is_uuid(text: str) -> bool:
    try:
        uuidlib.UUID(text)
    except ValueError:
        return False
    return True


def _has_offset(text: str) -> bool:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).utcoffset() is not None
    except ValueError:
        return False
