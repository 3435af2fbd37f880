"""[sync]: delivery to the central server (the delivery issue adds targets and schedules)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SyncSettings:
    url: str = field(default="", metadata={"help": "base URL of the central server; empty = no push", "url": True})
    token_file: str = field(default="", metadata={"help": "file holding the bearer token, mode 0600", "secret_file": True})
