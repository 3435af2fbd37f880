"""The reference receiver against hostile and careless input (issue 11, item 10): one punch however
its UUID is spelled, a private database, a private token file, and JSON 400s for bodies Python's
json module accepts but nothing downstream can store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid as uuidlib

import pytest
import requests

from sync.receiver import Receiver

TOKEN = "receiver-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


@pytest.fixture
def receiver(tmp_path):
    with Receiver(tmp_path / "recv.db", TOKEN) as running:
        yield running


def punch(uuid: str) -> dict:
    return {"uuid": uuid, "nip": "198001012006041001", "time": "2026-12-02T07:30:00+07:00", "method": "face", "kind": "datang"}


def post(receiver, body: bytes | dict) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(f"{receiver.url}/api/v1/punches", data=data, headers=HEADERS, timeout=30)


def test_one_uuid_in_five_spellings_is_one_punch(receiver):
    plain = uuidlib.uuid4()
    spellings = [str(plain), str(plain).upper(), "{" + str(plain) + "}", f"urn:uuid:{plain}", plain.hex]
    first = post(receiver, {"protocol": 1, "device_id": "K1", "punches": [punch(spellings[0])]}).json()
    assert first["results"][0]["status"] == "accepted"
    again = post(receiver, {"protocol": 1, "device_id": "K1", "punches": [punch(s) for s in spellings[1:]]}).json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 4
    assert [r["uuid"] for r in again["results"]] == spellings[1:]  # each answered under the spelling it was sent in
    assert receiver.store.uuids() == [str(plain)]
    assert receiver.stats.accepted == 1


def test_database_is_created_private(tmp_path):
    folder = tmp_path / "new" / "receiver"
    with Receiver(folder / "recv.db", TOKEN) as running:
        post(running, {"protocol": 1, "device_id": "K1", "punches": [punch(str(uuidlib.uuid4()))]})
        for name in ("recv.db", "recv.db-wal", "recv.db-shm"):
            assert (folder / name).stat().st_mode & 0o777 == 0o600, name
    assert folder.stat().st_mode & 0o777 == 0o700


def run_receiver(tmp_path, token_file) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sync.receiver", "--port", "0", "--db", str(tmp_path / "r.db"), "--token-file", str(token_file)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_token_file_readable_by_others_is_refused_with_the_fix(tmp_path):
    token = tmp_path / "token"
    token.write_text(TOKEN)
    os.chmod(token, 0o644)
    result = run_receiver(tmp_path, token)
    assert result.returncode != 0
    assert "readable by others" in result.stderr and f"chmod 600 {token}" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_token_file_is_refused(tmp_path):
    token = tmp_path / "token"
    token.write_text("\n")
    os.chmod(token, 0o600)
    result = run_receiver(tmp_path, token)
    assert result.returncode != 0 and "empty" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "body, words",
    [
        (b'{"protocol": 1, "device_id": "K1", "punches": [{"uuid": "\\ud800", "nip": "x"}]}', "surrogate"),
        (b'{"protocol": 1, "device_id": "\\ud800", "punches": []}', "surrogate"),
        (b"[" * 100_000 + b"]" * 100_000, "nests"),
        (b'{"protocol": 1, "device_id": "K1", "punches": [], "x": 1e400}', "out of range"),
        (b'{"protocol": 1, "device_id": "K1", "punches": [], "x": NaN}', "NaN"),
        (b'{"protocol": 1, "device_id": "K1\xff", "punches": []}', "UTF-8"),
    ],
)
def test_hostile_json_gets_a_json_400_naming_the_problem(receiver, body, words):
    reply = post(receiver, body)
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("application/json")
    error = reply.json()["error"]
    assert error["code"] == "bad_json" and words in error["message"]
    assert receiver.store.count() == 0
    assert post(receiver, {"protocol": 1, "device_id": "K1", "punches": [punch(str(uuidlib.uuid4()))]}).status_code == 200


def test_hostile_json_in_templates_gets_a_json_400(receiver):
    reply = requests.post(f"{receiver.url}/api/v1/templates", data=b'{"device_id": "\\udfff", "templates": []}', headers=HEADERS, timeout=30)
    assert reply.status_code == 400 and "surrogate" in reply.json()["error"]["message"]
