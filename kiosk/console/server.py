"""Serve the console over HTTP or HTTPS with the project's server wrapper (sync/wsgi_server.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.console.app import create_app
from kiosk.settings import Settings
from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.recorder import PunchRecorder
    from kiosk.rules.holidays import HolidayCalendar
    from sync.wsgi_server import ServerThread


def console_server(settings: Settings, app, port: int | None = None) -> ServerThread:
    """Serve a console app on [console] address:port (port=0 for an ephemeral one), with its TLS
    files when set (kiosk/tls.py, shared with the pull API) and a body limit that fits one upload."""
    from kiosk.tls import server_context
    from sync.http_limits import HttpLimits
    from sync.wsgi_server import ServerThread

    console = settings.console
    tls = server_context(console.tls) if console.tls.enabled else None
    limits = HttpLimits(max_body_bytes=(console.max_upload_mb + 1) * 1024 * 1024)
    port = console.port if port is None else port
    return ServerThread(app, console.address, port, threads=console.threads, name="console", limits=limits, tls=tls)


def build_console_server(
    settings: Settings, store: Store, recorder: PunchRecorder, port: int | None = None, holidays: HolidayCalendar | None = None
) -> ServerThread:
    """The console the daemon starts when [console] enabled = true; not started. `holidays`: the
    calendar the daemon's recorder judges by (else the holiday file is read again)."""
    return console_server(settings, create_app(settings, store, recorder, holidays=holidays), port)
