"""kiosk console: serve the operator console alone (when the daemon does not run it)."""

from __future__ import annotations

import signal
import threading

import click

from kiosk.cli.common import App, fail, pass_app


@click.command("console")
@click.option("--port", type=click.IntRange(0, 65535), help="Port [default: [console] port]; 0 picks a free one.")
@pass_app
def console_command(app: App, port: int | None) -> None:
    """Serve the operator console in the foreground until Ctrl-C (a technician's tool).

    Normally the daemon serves it when [console] enabled = true; this runs it without the door,
    e.g. to review a copied database. Manual punches are recorded the same way.
    """
    from kiosk.console.server import build_console_server

    if not app.store.accounts.list():
        fail("no console accounts yet; create one first: kiosk user add NAME --role technician")
    try:
        server = build_console_server(app.settings, app.store, app.recorder, port)
    except (ValueError, OSError) as exc:
        fail(f"cannot serve the console: {exc}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    click.echo(f"Console at {server.url}/ (Ctrl-C to stop)", err=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
