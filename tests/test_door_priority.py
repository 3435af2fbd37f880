"""The door keeps the CPU when it is short: the servers, delivery and monitors run in nicer threads.

A real kiosk in this process (a video file as the camera, real servers on 127.0.0.1); each thread's
nice value is read from the kernel by its native id. Linux only (per-thread nice values).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from test_daemon import synthetic_video, write_config
from test_restarts import running_kiosk

from helpers import free_port, wait_until, write_token
from kiosk.app.priority import BACKGROUND_NICENESS, MAX_NICE
from kiosk.app.supervisor import RestartBudget

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")

DOOR = ("face-pipeline", "camera-intake")
BACKGROUND = ("pull-api-server", "console-server", "supervisor", "status")


def nice_of(thread: threading.Thread) -> int:
    assert thread.native_id is not None
    return os.getpriority(os.PRIO_PROCESS, thread.native_id)


def test_door_threads_keep_the_priority_and_background_parts_are_nicer(tmp_path: Path) -> None:
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    if base + BACKGROUND_NICENESS > MAX_NICE:
        pytest.skip(f"the test runs at nice {base}: no room to make threads nicer")
    token = write_token(tmp_path / "api.token", "priority-token")
    config = write_config(
        tmp_path,
        str(synthetic_video(tmp_path / "door.avi")),
        f"""
        [api]
        enabled = true
        port = {free_port()}
        token_file = "{token}"
        [console]
        enabled = true
        port = {free_port()}
        """,
    )
    with running_kiosk(config, RestartBudget()) as kiosk:
        assert kiosk.pipeline is not None
        names = lambda: {thread.name for thread in threading.enumerate()}  # noqa: E731
        wait_until(lambda: set(DOOR + BACKGROUND) <= names(), "the door's and the background parts' threads", timeout=30)
        by_name = {thread.name: thread for thread in threading.enumerate()}
        for name in DOOR:
            assert nice_of(by_name[name]) == base, f"{name} must keep the door's priority"
        for name in BACKGROUND:
            assert nice_of(by_name[name]) == base + BACKGROUND_NICENESS, f"{name} must yield to the door"
        # The door itself is still untouched: the main thread was never made nicer.
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base
