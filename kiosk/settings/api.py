"""[api]: the pull API the central server reads punches from (see docs/sync-protocol.md, "Pull API")."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.settings.tls import cert_field, check_tls_section, key_field
from kiosk.settings.validate import LISTEN_ADDRESS
from kiosk.tls import TlsFiles


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
    tls_cert_file: str = cert_field()
    tls_key_file: str = key_field()
    max_connections: int = field(default=256, metadata={"min": 1, "max": 1000, "help": "open connections in total; more are closed at once"})
    max_connections_per_source: int = field(
        default=8, metadata={"min": 1, "max": 1000, "help": "open connections from one IP address; more are closed at once"}
    )
    header_timeout: float = field(
        default=10.0, metadata={"min": 1.0, "max": 300.0, "help": "seconds a client has from connecting to the end of its request's headers"}
    )

    def __post_init__(self) -> None:
        check_tls_section("api", self.tls)

    @property
    def tls(self) -> TlsFiles:
        return TlsFiles(self.tls_cert_file, self.tls_key_file)
