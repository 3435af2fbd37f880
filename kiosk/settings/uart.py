"""[uart_fingerprint]: an R30x / ZFM fingerprint module on a serial port (docs/uart-fingerprint.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

# The module's baud rate is 9600 x N for N = 1..12; 57600 is the factory setting.
BAUDRATES = tuple(9600 * n for n in range(1, 13))


@dataclass(frozen=True)
class UartFingerprintSettings:
    port: str = field(
        default="",
        metadata={"help": 'serial port of the module, e.g. "/dev/ttyUSB0" or "/dev/serial0"; empty = disabled'},
    )
    baudrate: int = field(default=57600, metadata={"choices": BAUDRATES, "help": "the module's UART speed"})
    address: int = field(
        default=0xFFFFFFFF, metadata={"min": 0, "max": 0xFFFFFFFF, "help": "module address; factory 0xFFFFFFFF"}
    )
    password: int = field(
        default=0, metadata={"min": 0, "max": 0xFFFFFFFF, "help": "module password; factory 0 (no password)"}
    )
    timeout_seconds: float = field(
        default=2.0, metadata={"min": 0.1, "max": 30.0, "help": "longest wait for one reply from the module"}
    )
    poll_interval: float = field(
        default=0.3, metadata={"min": 0.05, "max": 5.0, "help": "seconds between checks for a finger on the sensor"}
    )

    @property
    def enabled(self) -> bool:
        return bool(self.port)
