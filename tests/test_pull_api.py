"""The pull API served by hypercorn on 127.0.0.1, read with requests."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.photos import PhotoStore
from kiosk.settings.api import ApiSettings
from kiosk.store import Store
from sync.pull_api import BadParameter, build_pull_server, page_params

from helpers import add_employees, insert_punches_fast, new_punch, write_token

TOKEN = "pull-token"


@pytest.fixture
def api(tmp_path):
    store = Store.open(tmp_path / "kiosk.db", device_id="KIOSK-P1")
    insert_punches_fast(store, 1234)
    photos = PhotoStore(tmp_path)
    settings = ApiSettings(enabled=True, port=0, token_file=str(write_token(tmp_path / "api.token", TOKEN)), max_page=500)
    server = build_pull_server(settings, store, photos, ZoneInfo("Asia/Jakarta")).start()
    yield server.url, store, photos
    server.stop()
    store.close()


def get(url: str, token: str | None = TOKEN, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(url, params=params, headers=headers, timeout=10)


def test_walking_the_cursor_sees_every_punch_once_in_seq_order(api):
    url, _, _ = api
    seen, after = [], 0
    while True:
        page = get(f"{url}/api/v1/punches", after=after, limit=200).json()
        seen.extend(p["seq"] for p in page["punches"])
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert seen == list(range(1, 1235))
    assert get(f"{url}/api/v1/punches", after=after).json() == {"punches": [], "next_after": 1234, "has_more": False}


def test_without_or_with_a_wrong_token_401(api):
    url, _, _ = api
    assert get(f"{url}/api/v1/punches", token=None).status_code == 401
    assert get(f"{url}/api/v1/punches", token="wrong").status_code == 401


def test_health_needs_no_token(api):
    url, _, _ = api
    assert get(f"{url}/api/v1/health", token=None).json() == {"status": "ok", "last_seq": 1234}


@pytest.mark.parametrize("params", [{"limit": "abc"}, {"after": "-1"}, {"limit": "0"}, {"limit": "501"}, {"after": "1.5"}])
def test_bad_parameters_get_400_with_a_message(api, params):
    url, _, _ = api
    response = get(f"{url}/api/v1/punches", **params)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert next(iter(params)) in message


def test_photo_by_uuid(api):
    url, store, photos = api
    add_employees(store)
    draft = new_punch(1)
    relative = photos.save(b"\xff\xd8jpeg\xff\xd9", draft.nip, draft.time)
    punch = store.punches.record(draft.__class__(**{**draft.__dict__, "photo": relative}))
    response = get(f"{url}/api/v1/punches/{punch.uuid}/photo")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
    assert response.content == b"\xff\xd8jpeg\xff\xd9"
    no_photo = store.punches.get(1)
    assert get(f"{url}/api/v1/punches/{no_photo.uuid}/photo").status_code == 404
    assert get(f"{url}/api/v1/punches/not-a-punch/photo").status_code == 404


@pytest.mark.parametrize("args, expected", [({}, (0, 500)), ({"after": "7", "limit": "3"}, (7, 3))])
def test_page_params(args, expected):
    assert page_params(args, 500) == expected


def test_page_params_names_the_parameter():
    with pytest.raises(BadParameter, match="limit"):
        page_params({"limit": "abc"}, 500)
