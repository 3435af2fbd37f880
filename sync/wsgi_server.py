"""Run a WSGI app with waitress in a background thread, stoppable, on a chosen or ephemeral port."""

from __future__ import annotations

import logging
import threading

from waitress.server import create_server
from waitress.wasyncore import close_all

log = logging.getLogger(__name__)


class ServerThread:
    """`ServerThread(app, "127.0.0.1", 0).start()`; `.port` is the bound port; `.stop()` joins."""

    def __init__(self, app, host: str, port: int, threads: int = 4, name: str = "http") -> None:
        # channel_timeout closes idle keep-alive connections; ident hides the server version.
        self.server = create_server(app, host=host, port=port, threads=threads, channel_timeout=60, ident=name)
        self.thread = threading.Thread(target=self.server.run, name=f"{name}-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.effective_port)  # type: ignore[union-attr]

    @property
    def host(self) -> str:
        return str(self.server.effective_host)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.task_dispatcher.shutdown(timeout=timeout)
        # Close the sockets inside the loop's own thread (the trigger runs the thunk there);
        # closing them from here races with select(). The loop ends when its map is empty.
        self.server.trigger.pull_trigger(lambda: close_all(self.server._map))
        self.thread.join(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
