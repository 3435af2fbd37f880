"""Serve the console over HTTP(S) with the project's waitress wrapper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.console.app import create_app
from kiosk.settings import Settings
from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.recorder import PunchRecorder
    from sync.wsgi_server import ServerThread


def build_console_server(settings: Settings, store: Store, recorder: PunchRecorder, port: int | None = None) -> ServerThread:
    """The console on [console] address:port (port=0 in tests for an ephemeral one); not started."""
    from sync.wsgi_server import ServerThread

    console = settings.console
    # TODO(lead): pass tls_cert_file/tls_key_file once the TLS work on sync/wsgi_server.py is merged.
    if console.tls_cert_file or console.tls_key_file:
        raise ValueError(
            "[console] tls_cert_file/tls_key_file are set but this build serves plain HTTP only; "
            "leave them empty and keep the console on 127.0.0.1 (reach it through an SSH tunnel)"
        )
    app = create_app(settings, store, recorder)
    return ServerThread(app, console.address, console.port if port is None else port, threads=console.threads, name="console")
