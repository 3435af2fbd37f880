"""The delivery targets the settings describe: the primary SIAP target plus [[sync.targets]]."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kiosk.settings import Settings

PRIMARY = "siap"


@dataclass(frozen=True)
class Target:
    name: str  # key of the target's delivery state in the store
    kind: str  # "siap" (push protocol v1) or "adms" (ZKTeco iclock push)
    url: str  # base URL, without a trailing slash
    token_file: str = ""
    serial: str = ""  # ADMS serial number (device.id unless configured)


class TokenError(RuntimeError):
    """The bearer token file is missing, unreadable or empty."""


def configured_targets(settings: Settings) -> list[Target]:
    """Every target the configuration names, primary first."""
    sync = settings.sync
    targets = [Target(PRIMARY, "siap", sync.url.rstrip("/"), sync.token_file, settings.device.id)] if sync.url else []
    for extra in sync.targets:
        targets.append(Target(extra.name, extra.kind, extra.url.rstrip("/"), extra.token_file, extra.serial or settings.device.id))
    return targets


def read_token(path: str) -> str:
    if not path:
        return ""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise TokenError(f"cannot read the token file {path}: {exc.strerror}; create it with mode 0600") from None
    if not token:
        raise TokenError(f"the token file {path} is empty; write the token the server's team gave you into it")
    return token


def config_fingerprint(target: Target) -> str:
    """Changes when the URL, kind or token changes: a halted target resumes after such a change."""
    try:
        token = read_token(target.token_file)
    except TokenError as exc:
        token = f"unreadable:{exc}"
    text = "\n".join((target.kind, target.url, target.serial, target.token_file, token))
    return hashlib.sha256(text.encode()).hexdigest()
