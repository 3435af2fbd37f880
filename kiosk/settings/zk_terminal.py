"""[fingerprint]: the ZKTeco terminal used as the fallback when a face is not recognised."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ZkTerminalSettings:
    terminal_address: str = field(
        default="", metadata={"help": "IP address of the ZKTeco terminal; empty = no terminal (fallback off)"}
    )
    port: int = field(default=4370, metadata={"min": 1, "max": 65535, "help": "the terminal's TCP/UDP port"})
    comm_key: int = field(
        default=0, metadata={"min": 0, "max": 999999, "help": "the terminal's communication password"}
    )
    udp: bool = field(default=False, metadata={"help": "talk UDP instead of TCP (older terminals)"})
    timeout: float = field(default=10.0, metadata={"min": 1.0, "max": 120.0, "help": "seconds to wait for one reply"})
    backoff_min: float = field(
        default=1.0, metadata={"min": 0.1, "max": 60.0, "help": "first wait before reconnecting, in seconds"}
    )
    backoff_max: float = field(
        default=60.0, metadata={"min": 1.0, "max": 3600.0, "help": "longest wait between reconnect attempts"}
    )
    push_roster: bool = field(default=True, metadata={"help": "write the kiosk's employees to the terminal on connect"})
    drift_warn_seconds: int = field(
        default=60, metadata={"min": 1, "max": 86400, "help": "warn when the terminal clock differs more than this"}
    )

    @property
    def enabled(self) -> bool:
        return bool(self.terminal_address)
