"""systemd's notify protocol (sd_notify): READY=1, WATCHDOG=1, STATUS=..., STOPPING=1.

The protocol is one datagram per message on the unix socket named by $NOTIFY_SOCKET (a leading
'@' means the abstract namespace). Outside systemd the variable is unset and every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    def __init__(self, address: str | None = None) -> None:
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, *assignments: str) -> bool:
        if not self.enabled:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(assignments).encode(), target)
            return True
        except OSError as exc:
            log.warning("systemd notify failed (%s): %s", self.address, exc)
            return False

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")


def watchdog_interval_seconds(environ: Mapping[str, str] | None = None) -> float | None:
    """Half of $WATCHDOG_USEC, as systemd recommends; None when no watchdog is configured."""
    environ = os.environ if environ is None else environ
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


class Watchdog(threading.Thread):
    """Pets the systemd watchdog only while `healthy()` says the vital parts are alive.

    A hung camera loop stops the petting, systemd then kills and restarts the service.
    """

    def __init__(self, notifier: SystemdNotifier, healthy: Callable[[], bool], interval: float) -> None:
        super().__init__(name="watchdog", daemon=True)
        self.notifier = notifier
        self.healthy = healthy
        self.interval = interval
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            if self.healthy():
                self.notifier.watchdog()
            else:
                log.error("not petting the systemd watchdog: a vital part is stalled")

    def stop(self) -> None:
        self.stop_event.set()
