"""Push protocol v1 and retry timing as pure functions (table-driven)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from kiosk.backoff import full_jitter, parse_retry_after, retry_delay
from sync import protocol
from sync.targets import Target, config_fingerprint

UUIDS = ["u1", "u2"]


def body(*results: dict) -> bytes:
    return json.dumps({"results": list(results)}).encode()


@pytest.mark.parametrize(
    "status, headers, payload, action",
    [
        (200, {}, body({"uuid": "u1", "status": "accepted"}, {"uuid": "u2", "status": "duplicate"}), "ok"),
        (200, {}, body({"uuid": "u1", "status": "accepted"}), "retry"),  # a result is missing
        (200, {}, body({"uuid": "u1", "status": "maybe"}, {"uuid": "u2", "status": "accepted"}), "retry"),
        (200, {}, b"{not json", "retry"),
        (401, {}, b"", "halt"),
        (403, {}, b"", "halt"),
        (404, {}, b"", "halt"),
        (413, {}, b"", "split"),
        (429, {"Retry-After": "7"}, b"", "retry"),
        (500, {}, b"", "retry"),
        (503, {}, b"", "retry"),
        (400, {}, b'{"error": {"code": "bad_json", "message": "nope"}}', "retry"),
    ],
)
def test_classify_reply(status, headers, payload, action):
    assert protocol.classify_reply(status, headers, payload, UUIDS).action == action


def test_retry_after_and_error_message_are_kept():
    reply = protocol.classify_reply(503, {"Retry-After": "30"}, b'{"error": {"code": "busy", "message": "later"}}', UUIDS)
    assert reply.retry_after == 30 and "busy later" in reply.reason


def test_halt_names_the_token_file():
    reply = protocol.classify_reply(401, {}, b"", UUIDS, "https://siap", "/etc/kiosk/siap.token")
    assert "/etc/kiosk/siap.token" in reply.reason


def test_rejected_result_keeps_code_and_reason():
    results = protocol.decode_results(body({"uuid": "u1", "status": "rejected", "code": "unknown_employee", "reason": "x"},
                                           {"uuid": "u2", "status": "accepted", "photo_wanted": True}), UUIDS)  # fmt: skip
    assert results[0].code == "unknown_employee" and results[1].photo_wanted


def test_batch_key_is_stable_and_content_bound():
    assert protocol.batch_key("K", ["a", "b"]) == protocol.batch_key("K", ["a", "b"])
    assert protocol.batch_key("K", ["a", "b"]) != protocol.batch_key("K", ["a", "c"])


@pytest.mark.parametrize(
    "value, expected",
    [(None, None), ("", None), ("120", 120.0), ("soon", None), ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0)],
)
def test_parse_retry_after(value, expected):
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert parse_retry_after(value, now) == expected


@pytest.mark.parametrize("attempt, ceiling", [(0, 1.0), (1, 2.0), (3, 8.0), (10, 60.0), (100, 60.0)])
def test_full_jitter_ceiling(attempt, ceiling):
    assert full_jitter(attempt, 1.0, 60.0, rand=lambda: 1.0) == ceiling
    assert full_jitter(attempt, 1.0, 60.0, rand=lambda: 0.0) == 0.0


def test_retry_after_is_a_floor():
    assert retry_delay(0, 1.0, 60.0, 45.0, rand=lambda: 0.5) == 45.0
    assert retry_delay(5, 1.0, 60.0, 1.0, rand=lambda: 0.5) == 16.0


def test_vector_round_trip():
    vector = tuple(float(i) / 128 for i in range(128))
    assert tuple(protocol.vector_of(protocol.vector_text(vector))) == vector
    with pytest.raises(ValueError):
        protocol.vector_of("AAAA")


def test_fingerprint_changes_with_the_token(tmp_path):
    token = tmp_path / "t"
    token.write_text("one")
    target = Target("siap", "siap", "http://x", str(token))
    before = config_fingerprint(target)
    token.write_text("two")
    assert config_fingerprint(target) != before
