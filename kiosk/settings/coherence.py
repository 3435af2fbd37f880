"""Checks across keys: settings each valid alone that together would fail open or not start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.settings.errors import ConfigError

if TYPE_CHECKING:
    from kiosk.settings import Settings


def check_coherence(settings: Settings) -> None:
    """Raise ConfigError naming the key to set; the token file's own content is checked with its key."""
    if settings.api.enabled and not settings.api.token_file:
        raise ConfigError(
            "api.token_file",
            "",
            "the pull API is enabled (api.enabled = true) but has no token file: every client "
            "must send a bearer token. Create one with: install -m 600 /dev/null /etc/kiosk/api.token && "
            'openssl rand -hex 32 > /etc/kiosk/api.token, then set token_file = "/etc/kiosk/api.token"',
        )
