"""[console]: the operator's web console (see docs/console.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.settings.tls import cert_field, check_tls_section, key_field
from kiosk.tls import TlsFiles


@dataclass(frozen=True)
class ConsoleSettings:
    enabled: bool = field(default=False, metadata={"help": "serve the operator console (off unless enabled)"})
    address: str = field(default="127.0.0.1", metadata={"help": "address to listen on; 0.0.0.0 for every interface"})
    port: int = field(default=8480, metadata={"min": 1, "max": 65535, "help": "TCP port"})
    language: str = field(default="id", metadata={"choices": ("id", "en"), "help": "language of the console pages"})
    session_minutes: int = field(
        default=480, metadata={"min": 5, "max": 1440, "help": "minutes a login lasts before the operator signs in again"}
    )
    unit: str = field(default="", metadata={"help": "the unit (OPD) the Today page and recap show; empty = every employee"})
    refresh_seconds: int = field(default=30, metadata={"min": 5, "max": 600, "help": "how often the Today page refreshes itself, in seconds"})
    max_upload_mb: int = field(default=5, metadata={"min": 1, "max": 50, "help": "largest evidence file or photo accepted, in MB"})
    tls_cert_file: str = cert_field()
    tls_key_file: str = key_field()
    threads: int = field(default=4, metadata={"min": 1, "max": 32, "help": "worker threads"})

    def __post_init__(self) -> None:
        check_tls_section("console", self.tls)

    @property
    def tls(self) -> TlsFiles:
        return TlsFiles(self.tls_cert_file, self.tls_key_file)
