"""Logging set-up: journald-aware, one line per event, never face data, photos or names.

Under systemd ($JOURNAL_STREAM is set) each line starts with the sd-daemon priority prefix
("<4>" for a warning), so `journalctl -p warning` filters by level and the journal adds the
time itself. Elsewhere lines carry a timestamp. Employees are named by NIP only.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

_HANDLER_NAME = "kiosk-console"
# sd-daemon(3) priorities
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        prefix = f"<{_PRIORITY.get(record.levelno, 6)}>"
        # A traceback spans lines: give each one the prefix so none is logged at the default level.
        return "\n".join(prefix + line for line in text.splitlines())


def configure_logging(verbose: bool = False, environ: Mapping[str, str] | None = None) -> logging.Handler:
    environ = os.environ if environ is None else environ
    handler = logging.StreamHandler(sys.stderr)
    if environ.get("JOURNAL_STREAM"):
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    # Replace only our own handler: others (pytest's capture, an embedding program's) stay.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != _HANDLER_NAME] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Third-party chatter that says nothing a technician can act on.
    for noisy in ("apscheduler.executors", "apscheduler.scheduler", "hypercorn.error", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
