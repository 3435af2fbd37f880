"""[sync]: delivery to the central server (SIAP push), extra targets, schedules and retention.

`url` and `token_file` describe the primary target, named "siap". More targets are tables:

    [[sync.targets]]
    name = "bkpsdm-adms"
    kind = "adms"
    url = "http://10.0.0.5:8081"

See docs/sync-protocol.md for the protocol and sync/targets.py for how targets are listed.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field

from kiosk.settings.errors import ConfigError
from kiosk.settings.validate import check_value, reject_unknown_keys

HHMM = r"([01]\d|2[0-3]):[0-5]\d"


@dataclass(frozen=True)
class TargetSettings:
    """One extra delivery target ([[sync.targets]])."""

    name: str = field(default="", metadata={"help": "unique name, shown by `kiosk sync`", "pattern": r"[a-z0-9][a-z0-9._-]{0,39}"})
    kind: str = field(default="siap", metadata={"choices": ("siap", "adms"), "help": "push protocol v1 or ZKTeco ADMS"})
    url: str = field(default="", metadata={"help": "base URL of the server", "url": True})
    token_file: str = field(default="", metadata={"help": "bearer token file (siap only), mode 0600", "secret_file": True})
    serial: str = field(default="", metadata={"help": "ADMS serial number; empty = device.id", "pattern": r"[A-Za-z0-9._-]{0,40}"})


@dataclass(frozen=True)
class SyncSettings:
    url: str = field(default="", metadata={"help": "base URL of the central server; empty = no push", "url": True})
    token_file: str = field(default="", metadata={"help": "file holding the bearer token, mode 0600", "secret_file": True})
    interval_minutes: int = field(default=5, metadata={"min": 1, "max": 1440, "help": "push every N minutes"})
    push_delay_seconds: float = field(
        default=30.0, metadata={"min": 0.0, "max": 3600.0, "help": "also push this long after a new punch; 0 = only on the interval"}
    )
    batch_size: int = field(default=500, metadata={"min": 1, "max": 5000, "help": "punches per request"})
    verify_tls: bool = field(default=True, metadata={"help": "check the server's TLS certificate (leave on)"})
    ca_bundle: str = field(default="", metadata={"help": "PEM file of the CA that signed the server's certificate"})
    connect_timeout: float = field(default=5.0, metadata={"min": 0.1, "max": 120.0, "help": "seconds to connect"})
    read_timeout: float = field(default=30.0, metadata={"min": 0.1, "max": 600.0, "help": "seconds to wait for a reply"})
    backoff_initial: float = field(default=2.0, metadata={"min": 0.0, "max": 600.0, "help": "first retry waits up to this (s)"})
    backoff_max: float = field(default=120.0, metadata={"min": 0.0, "max": 3600.0, "help": "longest wait between retries (s)"})
    max_attempts: int = field(default=6, metadata={"min": 1, "max": 1000, "help": "tries per batch before waiting for the next run"})
    upload_photos: bool = field(default=True, metadata={"help": "send evidence photos the server asks for"})
    work_week: int = field(default=5, metadata={"choices": (5, 6), "help": "5- or 6-day unit: sets the departure deadline"})
    arrival_deadline: str = field(default="11:00", metadata={"pattern": HHMM, "help": "arrival records due by (local time)"})
    departure_deadline: str = field(
        default="", metadata={"pattern": f"({HHMM})?", "help": "departure records due by; empty = 18:00 (5-day) / 16:00 (6-day)"}
    )
    deadline_lead_minutes: int = field(default=20, metadata={"min": 1, "max": 180, "help": "extra push this long before each deadline"})
    roster_interval_minutes: int = field(default=60, metadata={"min": 0, "max": 10080, "help": "pull the roster every N minutes; 0 = never"})
    retention_days: int = field(default=400, metadata={"min": 1, "max": 3650, "help": "keep delivered punches this long"})
    housekeeping_time: str = field(default="03:30", metadata={"pattern": HHMM, "help": "daily retention run (local time)"})
    targets: tuple[TargetSettings, ...] = ()

    @property
    def departure_deadline_time(self) -> str:
        return self.departure_deadline or ("18:00" if self.work_week == 5 else "16:00")

    @classmethod
    def from_toml(cls, table: dict, where: str) -> SyncSettings:
        fields = {f.name: f for f in dataclasses.fields(cls)}
        reject_unknown_keys(table, fields, where)
        hints = typing.get_type_hints(cls)
        values: dict = {}
        for name, value in table.items():
            if name == "targets":
                values[name] = _targets(value, f"{where}.targets")
            else:
                values[name] = check_value(f"{where}.{name}", value, hints[name], fields[name].metadata)
        settings = cls(**values)
        _check_names(settings, where)
        return settings


def _targets(value: object, where: str) -> tuple[TargetSettings, ...]:
    if not isinstance(value, list):
        raise ConfigError(where, value, 'write each target as a table: [[sync.targets]] name = "..." kind = "adms" url = "..."')
    return tuple(_target(item, f"{where}[{i}]") for i, item in enumerate(value))


def _target(item: object, where: str) -> TargetSettings:
    if not isinstance(item, dict):
        raise ConfigError(where, item, "each target is a table with name, kind and url")
    fields = {f.name: f for f in dataclasses.fields(TargetSettings)}
    reject_unknown_keys(item, fields, where)
    hints = typing.get_type_hints(TargetSettings)
    # Any: check_value has checked each value against its field's type hint, which mypy cannot follow.
    values: dict[str, typing.Any] = {
        k: check_value(f"{where}.{k}", v, hints[k], fields[k].metadata) for k, v in item.items()
    }
    for required in ("name", "url"):
        if not values.get(required):
            raise ConfigError(f"{where}.{required}", values.get(required, ""), f"every target needs a {required}")
    return TargetSettings(**values)


def _check_names(settings: SyncSettings, where: str) -> None:
    seen = {"siap"} if settings.url else set()
    for i, target in enumerate(settings.targets):
        if target.name in seen:
            raise ConfigError(
                f"{where}.targets[{i}].name", target.name, "target names must be unique ('siap' is the primary sync.url)"
            )
        seen.add(target.name)
