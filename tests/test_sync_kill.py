"""The kiosk process is killed with SIGKILL in the middle of a push (a power cut, an OOM kill)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from kiosk.settings import load_settings
from kiosk.store import Store
from sync.deliverer import deliver_now
from sync.receiver import Faults, Receiver

from helpers import insert_punches_fast, wait_until, write_kiosk_config, write_token

TOKEN = "kill-test-token"
BATCH = 50
TOTAL = 2000


def write_config(tmp_path: Path, url: str, token_file: Path) -> Path:
    body = f'\n[sync]\nurl = "{url}"\ntoken_file = "{token_file}"\nbatch_size = {BATCH}\nread_timeout = 10.0\n'
    return write_kiosk_config(tmp_path, tmp_path / "data", body, device_id="KIOSK-K1")


def test_sigkill_mid_push_resends_only_the_unacknowledged_batch(tmp_path):
    token_file = write_token(tmp_path / "token", TOKEN)
    # each batch takes >= 50 ms at the receiver, so the push lasts long enough to be interrupted
    with Receiver(tmp_path / "receiver.db", TOKEN, Faults(delay_seconds=0.05)) as receiver:
        settings = load_settings(write_config(tmp_path, receiver.url, token_file))
        with Store.open(settings.database_path, device_id=settings.device.id) as store:
            insert_punches_fast(store, TOTAL)
        child = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--config", str(tmp_path / "kiosk.toml"), "sync", "--now"],
            cwd=Path(__file__).resolve().parents[1], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # polled often: the kill must land mid-push, not after it
        wait_until(receiver.store.count, "a quarter of the punches at the receiver", until=lambda n: n >= TOTAL // 4, interval=0.02)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
        received_before = receiver.store.count()
        assert received_before < TOTAL, "the push finished before the kill; slow the receiver down"

        with Store.open(settings.database_path, device_id=settings.device.id) as store:
            acknowledged = store.delivery.state("siap").last_seq
            assert received_before - acknowledged <= BATCH  # at most the batch in flight was unacknowledged
            outcome = deliver_now(settings, store)[0]
            assert outcome.ok and outcome.delivered == TOTAL - acknowledged
            assert store.delivery.queue_depth("siap") == 0
        assert receiver.store.count() == TOTAL == receiver.stats.accepted
        assert receiver.stats.duplicates <= BATCH  # only the unacknowledged batch came again
