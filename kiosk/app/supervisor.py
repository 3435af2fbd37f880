"""Restarting the daemon's parts that can recover: the servers and the fingerprint terminal link.

A supervised part is started once by the daemon. When that start fails (its port is taken, its
certificate is missing) or its thread later ends on its own, the supervisor builds it afresh and
starts it again after a wait that doubles (kiosk/backoff.py), within a budget: at most
`RestartBudget.restarts` restarts within `window_seconds`. One more failure inside the window and
the part is given up until the service restarts or reloads (SIGHUP); the technician sees it in
`kiosk status` and as a fault (kiosk/health.py). Restarts older than the window no longer count, so
a server that stumbles once a day is restarted every time.

The door (camera pipeline, recorder, store) is not supervised here: it is vital, it recovers on its
own (the camera reopens with backoff) and a hung loop is the systemd watchdog's business.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from kiosk.backoff import exponential
from kiosk.health import Health

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0  # seconds between looks at whether the running parts' threads still run


@dataclass(frozen=True)
class RestartBudget:
    """How hard a failing part is retried. The defaults wait 2, 4, 8, 16, 32 s: a part that cannot
    start for about a minute is given up (an occupied port rarely frees itself later)."""

    restarts: int = 5
    window_seconds: float = 600.0
    backoff_initial: float = 2.0
    backoff_max: float = 60.0

    def delay(self, restarts_so_far: int) -> float:
        return exponential(restarts_so_far, self.backoff_initial, self.backoff_max)


class Running(Protocol):
    """What a started part offers: the servers (sync.wsgi_server.ServerThread, sync.zk.ZkServer) and
    the terminal link (drivers.fingerprint.zkteco.ZkFallback)."""

    def is_alive(self) -> bool: ...

    def stop(self, timeout: float = ...) -> None: ...


R = TypeVar("R", bound=Running)


class Phase(Enum):
    STARTING = "starting"
    RUNNING = "running"
    RESTARTING = "restarting"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class PartState:
    phase: Phase
    reason: str = ""  # why it is restarting or failed
    attempt: int = 0  # the restart that comes next (restarting) or the restarts made (failed)
    budget: int = 0
    next_at: float = 0.0  # monotonic time of the next restart

    def describe(self, now: float) -> str:
        """The text `kiosk status` shows for the part."""
        if self.phase is Phase.RESTARTING:
            wait = max(0.0, self.next_at - now)
            return f"restarting (attempt {self.attempt} of {self.budget}, next in {wait:.1f} s): {self.reason}"
        if self.phase is Phase.FAILED:
            return f"failed (gave up: {self.reason})"
        return self.phase.value


class SupervisedPart(Generic[R]):
    """One restartable part: `start` builds and starts a fresh instance (and cleans up what it built
    when it fails); `current` is the running instance or None."""

    def __init__(
        self,
        name: str,
        start: Callable[[], R],
        budget: RestartBudget,
        health: Health,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.budget, self.health = name, budget, health
        self._start, self._clock = start, clock
        self._lock = threading.Lock()
        self._running: R | None = None
        self._state = PartState(Phase.STARTING)
        self._restarts: deque[float] = deque()  # monotonic times of the restarts inside the window

    @property
    def current(self) -> R | None:
        return self._running

    @property
    def state(self) -> PartState:
        return self._state

    def describe(self) -> str:
        return self._state.describe(self._clock())

    def start(self) -> None:
        """One attempt; a failure schedules the next one, or gives the part up."""
        if self._state.phase is Phase.STOPPED:
            return
        try:
            running = self._start()
        except Exception as exc:  # whatever stops a part from starting is a reason to retry it
            log.debug("%s did not start", self.name, exc_info=True)
            self._failed(f"did not start: {exc or type(exc).__name__}")
            return
        with self._lock:
            stopped = self._state.phase is Phase.STOPPED  # the daemon stopped while this part started
            if not stopped:
                self._running, self._state = running, PartState(Phase.RUNNING)
        if stopped:
            running.stop(1.0)
            return
        if self._restarts:
            log.info("%s is running again (restart %d)", self.name, len(self._restarts))
        self.health.clear_fault(self.name)

    def check(self) -> None:
        """What the supervisor's thread calls: notice a part whose thread ended, restart when due."""
        state, running = self._state, self._running
        if state.phase is Phase.RUNNING and running is not None and not running.is_alive():
            with self._lock:
                self._running = None
            _stop_quietly(self.name, running)  # frees its port for the next start
            self._failed("its thread stopped")
        elif state.phase is Phase.RESTARTING and self._clock() >= state.next_at:
            with self._lock:
                self._restarts.append(self._clock())
            log.info("%s: restart %d of %d", self.name, state.attempt, self.budget.restarts)
            self.start()

    def next_at(self) -> float | None:
        state = self._state
        return state.next_at if state.phase is Phase.RESTARTING else None

    def stop(self, timeout: float) -> None:
        with self._lock:
            running, self._running = self._running, None
            self._state = PartState(Phase.STOPPED)
        if running is not None:
            running.stop(timeout)

    def _failed(self, reason: str) -> None:
        now = self._clock()
        with self._lock:
            if self._state.phase is Phase.STOPPED:
                return
            while self._restarts and now - self._restarts[0] > self.budget.window_seconds:
                self._restarts.popleft()
            made = len(self._restarts)
            gave_up = made >= self.budget.restarts
            delay = 0.0 if gave_up else self.budget.delay(made)
            if gave_up:
                self._state = PartState(Phase.FAILED, reason, made, self.budget.restarts)
            else:
                self._state = PartState(Phase.RESTARTING, reason, made + 1, self.budget.restarts, now + delay)
        if gave_up:
            window = f"{self.budget.window_seconds:g} s"
            log.error("%s: gave up after %d restarts within %s: %s", self.name, made, window, reason)
            self.health.report_fault(self.name, f"gave up after {made} restarts within {window}: {reason}")
        else:
            log.warning("%s: %s; restart %d of %d in %.1f s", self.name, reason, made + 1, self.budget.restarts, delay)
            self.health.report_fault(self.name, f"restarting: {reason}")


def current_instance(part: SupervisedPart[R] | None) -> R | None:
    """The running instance of a part that may not be configured (None) or not running now."""
    return part.current if part is not None else None


class Supervisor:
    """The supervised parts and the one thread that restarts them; `stop_event` ends the thread."""

    def __init__(self, stop_event: threading.Event, budget: RestartBudget, health: Health) -> None:
        self.stop_event, self.budget, self.health = stop_event, budget, health
        self.parts: list[SupervisedPart[Any]] = []
        self._thread: threading.Thread | None = None

    def add(self, name: str, start: Callable[[], R]) -> SupervisedPart[R]:
        """Supervise a part and make its first start attempt now."""
        part = SupervisedPart(name, start, self.budget, self.health)
        self.parts.append(part)
        part.start()
        return part

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)
        self._thread.start()

    def states(self) -> dict[str, str]:
        return {part.name: part.describe() for part in self.parts}

    def stop(self, budget: float) -> None:
        """After stop_event is set: the thread ends, then the parts stop, the last started first."""
        deadline = time.monotonic() + budget
        if self._thread is not None:
            self._thread.join(max(0.05, budget / 4))
        for part in reversed(self.parts):
            _stop_quietly(part.name, part, max(0.1, (deadline - time.monotonic()) / 2))

    def _run(self) -> None:
        while not self.stop_event.wait(self._wait()):
            for part in list(self.parts):
                try:
                    part.check()
                except Exception:  # one part's trouble must not end the restarts of the others
                    log.exception("supervising %s failed", part.name)

    def _wait(self) -> float:
        due = [at for part in self.parts if (at := part.next_at()) is not None]
        if not due:
            return CHECK_EVERY
        return min(CHECK_EVERY, max(0.01, min(due) - time.monotonic()))


def _stop_quietly(name: str, part: Running | SupervisedPart[Any], timeout: float = 1.0) -> None:
    try:
        part.stop(timeout)
    except Exception:  # stopping one part must not keep the others running
        log.exception("stopping %s failed", name)
