"""Push to the reference receiver over real HTTP on 127.0.0.1, with a real SQLite store on each side."""

from __future__ import annotations

import pytest

from kiosk.photos import PhotoStore
from kiosk.store import Store
from sync.deliverer import Deliverer, deliver_now
from sync.receiver import Faults, Receiver

from helpers import add_employees, free_port, insert_punches_fast, make_settings, new_punch, write_token

TOKEN = "s3cret-token"


@pytest.fixture
def token_file(tmp_path):
    return write_token(tmp_path / "siap.token", TOKEN)


def open_store(settings) -> Store:
    return Store.open(settings.database_path, device_id=settings.device.id)


def kiosk_uuids(store: Store) -> set[str]:
    return {row["uuid"] for row in store.db.query("SELECT uuid FROM punches")}


def fast(**overrides):
    """Short waits so retries happen quickly in tests (production defaults are seconds to minutes)."""
    return {"backoff_initial": 0.01, "backoff_max": 0.05, "connect_timeout": 1.0, "read_timeout": 10.0} | overrides


def test_100k_recorded_while_receiver_down_all_arrive_once(tmp_path, token_file):
    port = free_port()
    settings = make_settings(tmp_path, f"http://127.0.0.1:{port}", token_file, batch_size=2000, **fast(max_attempts=2))
    with open_store(settings) as store:
        insert_punches_fast(store, 100_000)
        down = deliver_now(settings, store)[0]
        assert not down.ok and "cannot connect" in down.error
        assert store.delivery.queue_depth("siap") == 100_000
        with Receiver(tmp_path / "receiver.db", TOKEN, port=port) as receiver:
            up = deliver_now(settings, store)[0]
            assert up.ok and up.delivered == 100_000 and up.remaining == 0
            assert receiver.store.count() == 100_000
            assert set(receiver.store.uuids()) == kiosk_uuids(store)
            assert receiver.stats.duplicates == 0
        assert store.delivery.queue_depth("siap") == 0
        assert store.delivery.oldest_undelivered("siap") is None
        assert store.delivery.state("siap").last_error is None


@pytest.mark.parametrize(
    "faults",
    [
        Faults(fail_ratio=0.12, close_ratio=0.06, stall_ratio=0.06, malformed_ratio=0.06, stall_seconds=1.5, seed=4),
        Faults(malformed_ratio=0.5, seed=7),
    ],
    ids=["500-close-stall-malformed-30pct", "malformed-json-50pct"],
)
def test_faulty_receiver_gets_every_punch_exactly_once(tmp_path, token_file, faults):
    with Receiver(tmp_path / "receiver.db", TOKEN, faults) as receiver:
        settings = make_settings(tmp_path, receiver.url, token_file, batch_size=100, **fast(read_timeout=1.0, max_attempts=500))
        with open_store(settings) as store:
            insert_punches_fast(store, 3000)
            outcome = deliver_now(settings, store)[0]
            assert outcome.ok and outcome.remaining == 0
            assert receiver.store.count() == 3000 == receiver.stats.accepted
            assert set(receiver.store.uuids()) == kiosk_uuids(store)
            assert store.delivery.state("siap").last_seq == store.punches.last_seq()
            assert store.delivery.parked("siap") == []
            # replies were lost after the receiver stored the batch: the re-sends came back as duplicates
            assert receiver.stats.duplicates + receiver.stats.replays > 0


def test_401_halts_until_the_token_changes(tmp_path, token_file):
    with Receiver(tmp_path / "receiver.db", "the-right-token") as receiver:
        settings = make_settings(tmp_path, receiver.url, token_file, **fast())
        with open_store(settings) as store:
            insert_punches_fast(store, 50)
            first = deliver_now(settings, store)[0]
            assert first.halted and str(token_file) in first.error and "401" in first.error
            assert store.delivery.state("siap").halted_reason == first.error
            second = deliver_now(settings, store)[0]
            assert second.halted and receiver.stats.requests == 1  # halted: no second request
            write_token(token_file, "the-right-token")
            third = deliver_now(settings, store)[0]
            assert third.ok and third.delivered == 50
            assert store.delivery.state("siap").halted_reason is None
            assert receiver.store.count() == 50


def test_rejected_punch_is_parked_and_the_rest_delivered(tmp_path, token_file):
    settings = make_settings(tmp_path, "http://127.0.0.1:1", token_file)
    with open_store(settings) as store:
        insert_punches_fast(store, 10)
        bad = store.punches.get(3)
        faults = Faults(reject_uuids=frozenset({bad.uuid}))
        with Receiver(tmp_path / "receiver.db", TOKEN, faults) as receiver:
            settings = make_settings(tmp_path, receiver.url, token_file, batch_size=4, **fast())
            outcome = deliver_now(settings, store)[0]
            assert outcome.ok and outcome.parked == 1 and outcome.remaining == 0
            parked = store.delivery.parked("siap")
            assert [(p.seq, p.code) for p in parked] == [(3, "rejected_by_test")] and parked[0].reason
            assert receiver.store.count() == 9 and receiver.store.punch(bad.uuid) is None
            insert_punches_fast(store, 5, start=10)
            later = deliver_now(settings, store)[0]
            assert later.delivered == 5 and receiver.store.count() == 14


def test_retry_after_longer_than_backoff_pauses_the_target(tmp_path, token_file):
    with Receiver(tmp_path / "receiver.db", TOKEN, Faults(status=503, retry_after=900)) as receiver:
        settings = make_settings(tmp_path, receiver.url, token_file, **fast())
        with open_store(settings) as store:
            insert_punches_fast(store, 5)
            deliverer = Deliverer(settings, store)
            first = deliverer.push_all()[0]
            assert first.retry_after == 900 and "503" in first.error
            second = deliverer.push_all()[0]
            assert "Retry-After" in second.error and receiver.stats.requests == 1


def test_each_target_has_its_own_state(tmp_path, token_file):
    with Receiver(tmp_path / "receiver.db", TOKEN) as receiver:
        dead = f"http://127.0.0.1:{free_port()}"
        targets = [{"name": "backup", "kind": "siap", "url": dead, "token_file": str(token_file)}]
        settings = make_settings(tmp_path, receiver.url, token_file, targets=targets, **fast(max_attempts=2))
        with open_store(settings) as store:
            insert_punches_fast(store, 20)
            siap, backup = deliver_now(settings, store)
            assert siap.ok and siap.delivered == 20
            assert not backup.ok and backup.remaining == 20
            assert store.delivery.queue_depth("siap") == 0 and store.delivery.queue_depth("backup") == 20


def test_evidence_photo_uploaded_when_the_server_wants_it(tmp_path, token_file):
    with Receiver(tmp_path / "receiver.db", TOKEN) as receiver:
        settings = make_settings(tmp_path, receiver.url, token_file, **fast())
        with open_store(settings) as store:
            add_employees(store)
            draft = new_punch(0)
            photo = PhotoStore(settings.data_dir).save(b"\xff\xd8fake-jpeg\xff\xd9", draft.nip, draft.time)
            punch = store.punches.record(draft.__class__(**{**draft.__dict__, "photo": photo}))
            assert deliver_now(settings, store)[0].ok
            assert receiver.store.photo(punch.uuid) == b"\xff\xd8fake-jpeg\xff\xd9"
