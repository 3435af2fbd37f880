"""Clock trust: references from the server's Date header, jump arithmetic, flags on punches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from kiosk.clocktrust import jump_seconds, load_references, offset_from_http_date
from kiosk.store import Store
from sync.deliverer import deliver_now
from sync.receiver import Receiver

from helpers import add_employees, insert_punches_fast, make_settings, write_token


def test_offset_from_http_date() -> None:
    now = datetime(2026, 11, 23, 0, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(minutes=7), usegmt=True)
    assert offset_from_http_date(header, now) == 420.0
    assert offset_from_http_date("not a date", now) is None
    assert offset_from_http_date(None, now) is None


def test_jump_seconds() -> None:
    assert jump_seconds((1000.0, 50.0), (1002.0, 52.0)) == 0.0  # time simply passed
    assert jump_seconds((1000.0, 50.0), (4602.0, 52.0)) == 3600.0  # NTP set the clock an hour forward
    assert jump_seconds((1000.0, 50.0), (990.0, 52.0)) == -12.0  # stepped back


def test_push_records_the_servers_clock(tmp_path) -> None:
    token = write_token(tmp_path / "siap.token", "t0ken")
    with Receiver(tmp_path / "receiver.db", "t0ken", port=0) as receiver:
        settings = make_settings(tmp_path, receiver.url, token)
        with Store.open(settings.database_path, device_id=settings.device.id) as store:
            add_employees(store)
            insert_punches_fast(store, 3)
            assert deliver_now(settings, store)[0].ok
            references = {r.source: r for r in load_references(store)}
    # Same machine, same clock: the Date header (1 s resolution) agrees within a couple of seconds.
    assert abs(references["server:siap"].offset_seconds) <= 2.0

