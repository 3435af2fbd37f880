"""The door keeps the CPU when it is short: the servers, delivery and monitors run in nicer threads,
and the servers and delivery start only when no face is at the door.

A real kiosk in this process (a video file as the camera, real servers on 127.0.0.1); each thread's
nice value is read from the kernel by its native id. Linux only (per-thread nice values).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.app.priority import BACKGROUND_NICENESS, MAX_NICE, QUIET_POLL, start_when_door_quiet
from kiosk.app.supervisor import RestartBudget

from helpers import free_port, wait_until, write_token
from test_daemon import door_config
from test_restarts import running_kiosk

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
    config = door_config(
        tmp_path,
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


class Door:
    """Whether someone is at the door, switched by the test (the kiosk asks its face pipeline)."""

    def __init__(self, busy: bool) -> None:
        self.busy = busy

    def __call__(self) -> bool:
        return self.busy


def started_parts(names: list[str]) -> tuple[list[str], list[tuple[str, object]]]:
    log: list[str] = []
    return log, [(name, lambda name=name: log.append(name)) for name in names]


def test_servers_wait_while_someone_is_at_the_door_and_start_once_it_is_quiet() -> None:
    door, stop, done = Door(busy=True), threading.Event(), threading.Event()
    log, parts = started_parts(["zk server", "pull api"])
    quiet = 0.5
    thread = start_when_door_quiet(lambda: log.append("monitors"), parts, door, stop, deadline=60, done=done.set, quiet_seconds=quiet)
    wait_until(lambda: log, "the monitors", until=lambda got: got == ["monitors"], timeout=5)
    stop.wait(3 * quiet)
    assert log == ["monitors"], "a part started while a face was at the door"
    door.busy = False
    left = time.monotonic()
    assert done.wait(10)
    assert log == ["monitors", "zk server", "pull api"]
    # (the door is looked at every QUIET_POLL seconds, so it was last seen busy up to that long before `left`)
    assert time.monotonic() - left >= quiet - QUIET_POLL, "the parts started before the door had been quiet for a while"
    thread.join(5)
    assert not thread.is_alive()


def test_a_door_that_is_never_quiet_still_gets_its_servers_by_the_deadline() -> None:
    door, stop, done = Door(busy=True), threading.Event(), threading.Event()
    log, parts = started_parts(["pull api"])
    began = time.monotonic()
    start_when_door_quiet(lambda: None, parts, door, stop, deadline=1.0, done=done.set, quiet_seconds=0.5)
    assert done.wait(10)
    assert log == ["pull api"] and time.monotonic() - began >= 1.0


def test_stopping_while_waiting_starts_nothing_more() -> None:
    door, stop, done = Door(busy=True), threading.Event(), threading.Event()
    log, parts = started_parts(["console"])
    thread = start_when_door_quiet(lambda: None, parts, door, stop, deadline=60, done=done.set)
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and log == [] and not done.is_set()


def test_a_part_that_fails_to_start_does_not_keep_the_others_away(caplog: pytest.LogCaptureFixture) -> None:
    door, stop, done = Door(busy=False), threading.Event(), threading.Event()
    log, parts = started_parts(["scheduler"])

    def broken() -> None:
        raise OSError("port in use")

    start_when_door_quiet(lambda: None, [("console", broken), *parts], door, stop, deadline=60, done=done.set)
    assert done.wait(10)
    assert log == ["scheduler"]
    assert "console did not start" in caplog.text
