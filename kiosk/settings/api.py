"""[api]: the pull API the central server reads punches from (see docs/sync-protocol.md, "Pull API")."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.settings.validate import LISTEN_ADDRESS


@dataclass(frozen=True)
class ApiSettings:
    enabled: bool = field(default=False, metadata={"help": "serve the pull API (off unless enabled)"})
    address: str = field(
        default="127.0.0.1", metadata={"help": "address to listen on; 0.0.0.0 for every interface", **LISTEN_ADDRESS}
    )
    port: int = field(default=8470, metadata={"min": 1, "max": 65535, "help": "TCP port"})
    token_file: str = field(default="", metadata={"help": "file holding the bearer token clients must send, mode 0600", "secret_file": True})
    max_page: int = field(default=1000, metadata={"min": 1, "max": 10000, "help": "most punches in one page"})
    threads: int = field(default=4, metadata={"min": 1, "max": 32, "help": "worker threads"})
