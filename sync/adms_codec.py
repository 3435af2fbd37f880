"""ZKTeco ADMS ("iclock") text formats as pure functions (../shared/protocols/adms.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from kiosk.domain import Kind, Method, Punch
from kiosk.timeutil import device_wall_clock

STATUS_OF_KIND = {Kind.DATANG: 0, Kind.PULANG: 1, Kind.SIANG: 2, Kind.OTHER: 255}  # 0 in, 1 out, 2 break-out
VERIFY_OF_METHOD = {Method.FINGERPRINT: 1, Method.FACE: 15, Method.MANUAL: 0}  # manual: 0, as a password punch
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
OK, BAD_PARAMETER, NOT_SUPPORTED = 0, -1, -1002


@dataclass(frozen=True)
class AttLog:
    pin: str
    time: datetime  # device-local wall clock, naive as on the wire
    status: int
    verify: int
    workcode: str = ""


@dataclass(frozen=True)
class Command:
    id: str
    text: str  # e.g. "DATA UPDATE USERINFO PIN=5\tName=Budi"

    @property
    def verb(self) -> str:
        return self.text.split(" ", 1)[0]

    def _split(self) -> tuple[str, str]:
        """('DATA UPDATE USERINFO', 'PIN=5\tName=Budi'): the words before the first KEY=VALUE."""
        equals = self.text.find("=")
        if equals < 0:
            return self.text.strip(), ""
        start = self.text.rfind(" ", 0, equals) + 1
        return self.text[:start].strip(), self.text[start:]

    @property
    def action(self) -> str:
        return self._split()[0]

    @property
    def params(self) -> dict[str, str]:
        pairs = (pair.partition("=") for pair in self._split()[1].split("\t"))
        return {key.strip(): value for key, _, value in pairs if key.strip()}


@dataclass(frozen=True)
class ServerOptions:
    values: dict[str, str] = field(default_factory=dict)

    def seconds(self, name: str, default: int) -> int:
        try:
            return int(self.values.get(name, default))
        except ValueError:
            return default


def attlog_line(punch: Punch, pin: int, zone: tzinfo) -> str:
    """PIN, device-local time, status, verify, workcode, reserved, reserved (tab-separated).

    The time is the punch's instant on the device's clock (`zone`), whatever offset it was recorded with.
    """
    local = device_wall_clock(punch.time_utc, zone).strftime(TIME_FORMAT)
    return f"{pin}\t{local}\t{STATUS_OF_KIND[punch.kind]}\t{VERIFY_OF_METHOD[punch.method]}\t\t0\t0"


def parse_attlog_line(line: str) -> AttLog:
    """One ATTLOG record; newer firmware's extra columns are ignored. ValueError when malformed."""
    parts = line.rstrip("\r").split("\t")
    if len(parts) < 4:
        raise ValueError(f"an ATTLOG line has at least 4 tab-separated fields, got {len(parts)}: {line!r}")
    if not parts[0].strip():
        raise ValueError(f"ATTLOG line without a PIN: {line!r}")
    return AttLog(parts[0].strip(), datetime.strptime(parts[1], TIME_FORMAT), int(parts[2]), int(parts[3]), parts[4] if len(parts) > 4 else "")


def parse_options(text: str) -> ServerOptions:
    """The handshake reply: KEY=VALUE lines (the 'GET OPTION FROM' line has no '=')."""
    pairs = (line.partition("=") for line in text.splitlines() if "=" in line)
    return ServerOptions({key.strip(): value.strip() for key, _, value in pairs})


def parse_ok_count(text: str) -> int | None:
    """'OK:12' -> 12, 'OK' -> None; anything else raises ValueError."""
    text = text.strip()
    if text == "OK":
        return None
    if text.startswith("OK:") and text[3:].strip().isdigit():
        return int(text[3:])
    raise ValueError(f"the server answered {text[:60]!r} instead of OK")


def parse_commands(text: str) -> list[Command]:
    """`C:<id>:<command>` lines of a getrequest reply; 'OK' alone means none."""
    commands = []
    for line in text.splitlines():
        if line.startswith("C:"):
            _, ident, command = line.split(":", 2)
            commands.append(Command(ident, command))
    return commands


def command_result(command: Command, code: int) -> str:
    return f"ID={command.id}&Return={code}&CMD={command.verb}"
