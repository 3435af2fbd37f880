"""Soak test: `kiosk run` on a looping video for N minutes, delivering to a receiver that fails 20%.

    python bench/soak.py [--minutes 10] [--video ../shared/faces/short_hamilton_clip.mp4]

Every punch is recorded by the real daemon (a child process): face punches from the looping clip
(Lin-Manuel Miranda enrolled, face.repeat_minutes = 0 so every pass punches) plus a slow stream of
manual punches from a second process, so the queue never stays empty. The reference receiver fails
20% of batch requests (500, cut connections, stalls, broken JSON). Prints resident memory and open
file descriptors of the daemon over time, the growth after the first minute, and whether every punch
arrived exactly once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil

from sync.receiver import Faults, Receiver
from tests.helpers import write_token

REPO = Path(__file__).resolve().parent.parent
NIP = "198001012006041001"


def kiosk_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--config", str(config), *args]


def write_config(folder: Path, video: Path, receiver_url: str, token: Path) -> Path:
    config = folder / "kiosk.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [device]
            id = "SOAK-01"
            data_dir = "{folder / 'data'}"
            [camera]
            source = "{video}"
            loop = true
            realtime = true
            [face]
            repeat_minutes = 0
            [screen]
            backend = "headless"
            sound = false
            [sync]
            url = "{receiver_url}"
            token_file = "{token}"
            push_delay_seconds = 2.0
            batch_size = 100
            backoff_initial = 0.2
            backoff_max = 2.0
            read_timeout = 2.0
            """
        )
    )
    return config


def prepare(config: Path, photo: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(kiosk_command(config, "employee", "add", NIP, "--name", "Lin"), check=True, env=env, capture_output=True)
    subprocess.run(kiosk_command(config, "enroll", NIP, "--photo", str(photo)), check=True, env=env, capture_output=True)


def sample(process: psutil.Process) -> tuple[float, int]:
    return process.memory_info().rss / 2**20, process.num_fds()


def uuids(database: Path) -> list[str]:
    conn = sqlite3.connect(database)
    try:
        return [row[0] for row in conn.execute("SELECT uuid FROM punches")]
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--video", type=Path, default=REPO.parent / "shared" / "faces" / "short_hamilton_clip.mp4")
    parser.add_argument("--photo", type=Path, default=REPO.parent / "shared" / "faces" / "lin-manuel-miranda.png")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between memory samples")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        token = write_token(folder / "token", "soak-token")
        faults = Faults(fail_ratio=0.05, close_ratio=0.05, stall_ratio=0.05, malformed_ratio=0.05, stall_seconds=3.0, seed=7)
        with Receiver(folder / "receiver.db", "soak-token", faults=faults) as receiver:
            config = write_config(folder, args.video, receiver.url, token)
            prepare(config, args.photo)
            env = {**os.environ, "PYTHONPATH": str(REPO), "SDL_AUDIODRIVER": "dummy"}
            daemon = subprocess.Popen(kiosk_command(config, "run"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            manual = subprocess.Popen(
                [sys.executable, str(REPO / "tests" / "crash_child.py"), str(folder / "data" / "kiosk.db"), "2.0", "100000"],
                env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            watched = psutil.Process(daemon.pid)
            began = time.monotonic()
            samples: list[tuple[float, float, int]] = []
            while (elapsed := time.monotonic() - began) < args.minutes * 60:
                rss, fds = sample(watched)
                samples.append((elapsed, rss, fds))
                print(f"t={elapsed:6.0f}s rss={rss:7.1f} MB fds={fds}", flush=True)
                time.sleep(args.every)
            manual.send_signal(signal.SIGTERM)
            manual.wait()
            database = folder / "data" / "kiosk.db"
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and receiver.store.count() < len(uuids(database)):
                time.sleep(1)
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
            report(samples, uuids(database), receiver)


def report(samples: list[tuple[float, float, int]], kiosk: list[str], receiver: Receiver) -> None:
    after_first_minute = [s for s in samples if s[0] >= 60] or samples
    base = after_first_minute[0][1]
    peak = max(rss for _, rss, _ in after_first_minute)
    final = after_first_minute[-1][1]
    fds = [fd for _, _, fd in after_first_minute]
    at_receiver = receiver.store.uuids()
    print()
    print(f"resident memory after the first minute: {base:.1f} MB; at the end {final:.1f} MB; peak {peak:.1f} MB")
    print(f"  growth after the first minute: {100 * (final - base) / base:+.1f}% at the end, {100 * (peak - base) / base:+.1f}% at peak (goal < 10%)")
    print(f"open file descriptors after the first minute: min {min(fds)}, median {statistics.median(fds):.0f}, max {max(fds)}")
    print(f"punches recorded: {len(kiosk)}; stored by the receiver: {len(at_receiver)} ({len(set(at_receiver))} distinct)")
    print(f"  every punch delivered exactly once: {sorted(kiosk) == sorted(at_receiver)}")
    print(f"  punches re-sent after a failed reply and answered 'duplicate': {receiver.stats.duplicates}")


if __name__ == "__main__":
    main()
