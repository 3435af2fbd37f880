"""The door before everything else when the CPU is short.

On a Pi (or inside a CPU quota) the servers, delivery and monitors starting after READY=1 take
CPU the door needs for its first faces: ~0.3 CPU-s, two seconds of a 0.15-core quota. Linux keeps
a nice value per thread and a new thread inherits its creator's, so the daemon starts those parts
from one thread made nicer first: every thread they create (hypercorn's, APScheduler's, the
supervisor's restarts) is nicer too, while the camera, face pipeline, recorder, screen and encoder
process keep the service's own priority. Making a thread nicer needs no privilege; nothing here ever
makes one less nice.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

BACKGROUND_NICENESS = 10  # CFS weight 110 against 1024: the door gets ~90% of a contended CPU
MAX_NICE = 19


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


def run_in_background_priority(name: str, work: Callable[[], None]) -> None:
    """Run `work` in a nicer thread and wait for it; its exception is raised here, as if called directly."""
    failure: list[BaseException] = []

    def nicer() -> None:
        make_this_thread_nicer()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=nicer, name=name)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
