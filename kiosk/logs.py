"""Logging set-up: journald-aware, one line per event, never face data, photos or names.

Under systemd ($JOURNAL_STREAM is set) each line starts with the sd-daemon priority prefix
("<4>" for a warning), so `journalctl -p warning` filters by level and the journal adds the
time itself. Elsewhere lines carry a timestamp. Employees are named by NIP only.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping

_HANDLER_NAME = "kiosk-console"
# sd-daemon(3) priorities
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        prefix = f"<{_PRIORITY.get(record.levelno, 6)}>"
        # A traceback spans lines: give each one the prefix so none is logged at the default level.
        return "\n".join(prefix + line for line in text.splitlines())


MAX_TEMPLATES = 1000


class RepeatLimit(logging.Filter):
    """At most `burst` lines per message template per `window` seconds; errors always pass.

    A hostile or broken client can make a network interface log one refusal per packet; on a Pi
    that is the SD card filling and the journal rotating away the lines a technician needs. Lines
    are counted per template (the format string, not the formatted text), so a flood from many
    peers is limited as one. The first line let through after a quiet spell says how many were held
    back, so nothing is hidden without a trace.
    """

    def __init__(self, burst: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.burst, self.window, self.clock = burst, window, clock
        # template -> (window start, lines let through in it, lines held back since the last one passed)
        self._seen: dict[tuple[str, object], tuple[float, int, int]] = {}
        self._lock = threading.Lock()  # handlers call filters from every logging thread, unlocked

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        with self._lock:
            return self._let_through(record)

    def _let_through(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = self.clock()
        if key not in self._seen and len(self._seen) >= MAX_TEMPLATES:
            # Pre-formatted messages (f-strings) make every line its own template: stay bounded.
            self._seen.clear()
        start, passed, held = self._seen.get(key, (now, 0, 0))
        if now - start >= self.window:
            start, passed = now, 0
        if passed >= self.burst:
            self._seen[key] = (start, passed, held + 1)
            return False
        self._seen[key] = (start, passed + 1, 0)
        if held:
            record.msg = f"{record.msg} ({held} similar lines held back)"
        return True


def configure_logging(verbose: bool = False, environ: Mapping[str, str] | None = None) -> logging.Handler:
    environ = os.environ if environ is None else environ
    handler = logging.StreamHandler(sys.stderr)
    if environ.get("JOURNAL_STREAM"):
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RepeatLimit())
    root = logging.getLogger()
    # Replace only our own handler: others (pytest's capture, an embedding program's) stay.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != _HANDLER_NAME] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Third-party chatter that says nothing a technician can act on.
    for noisy in ("apscheduler.executors", "apscheduler.scheduler", "hypercorn.error", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
