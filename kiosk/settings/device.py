"""[device]: who this terminal is and where it keeps its data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeviceSettings:
    id: str = field(
        default="KIOSK-01",
        metadata={"help": "device id: the serial number servers see (ZK, ADMS, push)", "pattern": r"[A-Za-z0-9._-]{1,40}"},
    )
    data_dir: str = field(
        default="/var/lib/kiosk",
        metadata={
            "help": "database, photos and evidence",
            "writable_dir": True,
            "required": "set the folder for the database, photos and evidence, e.g. /var/lib/kiosk",
        },
    )
    timezone: str = field(default="Asia/Jakarta", metadata={"help": "IANA zone of the office", "timezone": True})
    language: str = field(default="id", metadata={"choices": ("id", "en"), "help": "language of the door screen"})
    employee_id_pattern: str = field(
        default=r"\d{18}",
        metadata={"help": "regular expression for employee numbers; the default accepts 18-digit NIPs only", "regex": True},
    )
