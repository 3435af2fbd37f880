"""The door before everything else when the CPU is short.

On a Pi (or inside a CPU quota) the servers, delivery and monitors starting after READY=1 take
CPU the door needs for its first faces: ~0.3 CPU-s, two seconds of a 0.15-core quota. Linux keeps
a nice value per thread and a new thread inherits its creator's, so the daemon starts those parts
from one thread made nicer first: every thread they create (hypercorn's, APScheduler's, the
supervisor's restarts) is nicer too, while the camera, face pipeline, recorder, screen and encoder
process keep the service's own priority. Making a thread nicer needs no privilege; nothing here ever
makes one less nice.

A nicer thread is not enough while it starts a part: importing a server's modules is Python code
that holds the GIL, and a thread the kernel runs seldom holds it longer, so the door's threads wait
for it (measured at 0.15 of a core: the door fell 0.4-0.7 s behind the camera while the parts
started, 0.25 s at most otherwise). So the parts start when the door is quiet: no face in view and
no encoding pending for `QUIET_SECONDS` (someone who just left the door is often followed by the
next), one part after the other, pausing while someone is at the door; a door that is never quiet
gets them anyway after `deadline` seconds.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

BACKGROUND_NICENESS = 10  # CFS weight 110 against 1024: the door gets ~90% of a contended CPU
MAX_NICE = 19
QUIET_SECONDS = 3.0  # the door had no face and no encoding for this long: a part may start
QUIET_POLL = 0.1


def make_this_thread_nicer(by: int = BACKGROUND_NICENESS) -> int | None:
    """Raise the calling thread's nice value by `by` (Linux: per thread). The new value, or None
    where the platform has no per-thread priority or refuses it (the parts then run as before)."""
    try:
        thread = threading.get_native_id()
        nice = min(MAX_NICE, os.getpriority(os.PRIO_PROCESS, thread) + by)
        os.setpriority(os.PRIO_PROCESS, thread, nice)
        return nice
    except (AttributeError, OSError) as exc:
        log.debug("background parts keep the door's priority: %s", exc)
        return None


def start_when_door_quiet(
    first: Callable[[], None],
    parts: Sequence[tuple[str, Callable[[], None]]],
    door_busy: Callable[[], bool],
    stop: threading.Event,
    deadline: float,
    done: Callable[[], None],
    quiet_seconds: float = QUIET_SECONDS,
) -> threading.Thread:
    """From one nicer thread: run `first` at once (light work that must not wait, such as the
    systemd watchdog), then start `parts` in order while the door is quiet: once it has had no face
    for `quiet_seconds`, one part after the other, pausing while someone is at the door, and the
    rest regardless once `deadline` seconds have passed; then call `done`. A part that raises is
    logged and the next one starts (each part reports its own failures in the status)."""
    until = time.monotonic() + deadline
    quiet_since = time.monotonic()

    def wait_for_quiet() -> None:
        nonlocal quiet_since
        while not stop.is_set() and time.monotonic() < until:
            if door_busy():
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_seconds:
                return
            stop.wait(QUIET_POLL)

    def run() -> None:
        make_this_thread_nicer()
        try:
            first()
        except Exception:  # the parts below still start; the caller's health checks notice what is missing
            log.exception("starting the monitors failed")
        for name, start in parts:
            wait_for_quiet()
            if stop.is_set():
                return
            try:
                start()
            except Exception:
                log.exception("%s did not start", name)
        done()

    thread = threading.Thread(target=run, name="start-background", daemon=True)
    thread.start()
    return thread
