"""[soap]: the terminals' SOAP web service (`POST /iWsService`) for PHP attendance applications.

The comm key is the one of [zk_server] (comm_key): a terminal has one. See docs/soap-service.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SoapSettings:
    enabled: bool = field(default=False, metadata={"help": "answer the terminals' web service POST /iWsService (off unless enabled)"})
    address: str = field(default="127.0.0.1", metadata={"help": "address to listen on; 0.0.0.0 for every interface"})
    port: int = field(
        default=80, metadata={"min": 1, "max": 65535, "help": "TCP port; the PHP clients expect 80 (the systemd unit allows binding it)"}
    )
    max_body_bytes: int = field(
        default=65536, metadata={"min": 1024, "max": 1048576, "help": "largest request body; bigger ones get HTTP 413"}
    )
    threads: int = field(default=4, metadata={"min": 1, "max": 32, "help": "worker threads"})
    refresh_db_ok: bool = field(
        default=False, metadata={"help": "answer RefreshDB with Result 1 (it changes nothing: the kiosk always reads its store)"}
    )
