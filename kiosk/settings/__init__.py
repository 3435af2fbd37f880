"""The kiosk's configuration: one TOML file parsed into frozen, typed settings.

The file is found by `--config PATH`, else `$KIOSK_CONFIG`, else /etc/kiosk/kiosk.toml. Every
section has defaults, so a minimal file names only the device and the central server.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.settings.api import ApiSettings
from kiosk.settings.camera import CameraSettings
from kiosk.settings.coherence import check_coherence
from kiosk.settings.console import ConsoleSettings
from kiosk.settings.device import DeviceSettings
from kiosk.settings.errors import ConfigError, ConfigFileError
from kiosk.settings.face import FaceSettings
from kiosk.settings.photos import PhotoSettings
from kiosk.settings.schedule import ScheduleSettings
from kiosk.settings.screen import ScreenSettings
from kiosk.settings.soap import SoapSettings
from kiosk.settings.sync import SyncSettings
from kiosk.settings.uart import UartFingerprintSettings
from kiosk.settings.validate import build_section, reject_unknown_keys
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.settings.zk_terminal import ZkTerminalSettings
from kiosk.tomlfile import TomlFileError, TomlFileMissing, read_toml

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
ENV_VAR = "KIOSK_CONFIG"

__all__ = ["DEFAULT_PATH", "ConfigError", "ConfigFileError", "Settings", "find_config_path", "load_settings"]


@dataclass(frozen=True)
class Settings:
    device: DeviceSettings = field(default_factory=DeviceSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    face: FaceSettings = field(default_factory=FaceSettings)
    photos: PhotoSettings = field(default_factory=PhotoSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    screen: ScreenSettings = field(default_factory=ScreenSettings)
    fingerprint: ZkTerminalSettings = field(default_factory=ZkTerminalSettings)
    uart_fingerprint: UartFingerprintSettings = field(default_factory=UartFingerprintSettings)
    zk_server: ZkServerSettings = field(default_factory=ZkServerSettings)
    soap: SoapSettings = field(default_factory=SoapSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    source: str = ""  # the file these settings came from ("" = built-in defaults)

    @property
    def data_dir(self) -> Path:
        return Path(self.device.data_dir)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.device.timezone)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    def as_dict(self) -> dict:
        return {f.name: dataclasses.asdict(getattr(self, f.name)) for f in section_fields()}


def section_fields() -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(Settings) if f.name != "source"]


def section_types() -> dict[str, type]:
    """Each section's name and dataclass, as annotated on Settings."""
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in section_fields()}


def find_config_path(explicit: str | os.PathLike | None) -> Path:
    """--config wins, then $KIOSK_CONFIG, then /etc/kiosk/kiosk.toml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return DEFAULT_PATH


def load_settings(path: str | os.PathLike) -> Settings:
    path = Path(path)
    try:
        document = read_toml(path)
    except TomlFileMissing:
        raise ConfigFileError(
            "config", str(path), "file not found; copy config/kiosk.example.toml there, or pass --config PATH"
        ) from None
    except TomlFileError as exc:
        raise ConfigFileError("config", str(path), exc.problem) from None
    try:
        return settings_from_dict(document, source=str(path))
    except ConfigError as exc:
        raise exc.in_file(str(path)) from None


def settings_from_dict(document: dict, source: str = "") -> Settings:
    sections = section_types()
    reject_unknown_keys(document, sections, "section")
    values = {}
    for name, value in document.items():
        values[name] = build_section(sections[name], value, name)
    settings = Settings(**values, source=source)
    check_coherence(settings)
    return settings
