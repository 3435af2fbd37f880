"""The reference receiver of push protocol v1 (docs/sync-protocol.md): `python -m sync.receiver`.

    receiver = Receiver("recv.db", token="secret", port=0).start()
    ... push to receiver.url ...
    receiver.stop()
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from sync.http_limits import HttpLimits
from sync.receiver.app import MAX_BODY, ReceiverApp, Stats
from sync.receiver.faults import Faults
from sync.receiver.store import ReceiverStore
from sync.wsgi_server import ServerThread

__all__ = ["Faults", "Receiver", "ReceiverApp", "ReceiverStore", "Stats"]


class Receiver:
    def __init__(
        self, db: str | Path, token: str, faults: Faults | None = None, host: str = "127.0.0.1", port: int = 0, threads: int = 8
    ) -> None:
        if not token:
            raise ValueError("the receiver needs a token: pass --token-file FILE holding it")
        self.store = ReceiverStore(db)
        self.app = ReceiverApp(self.store, token, faults or Faults())
        # a central server takes many kiosks, some behind one NAT address: wider caps than a kiosk's
        limits = HttpLimits(max_body_bytes=MAX_BODY, max_connections=512, max_connections_per_source=128)
        self.server = ServerThread(self.app, host, port, threads=threads, name="receiver", limits=limits)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def stats(self) -> Stats:
        return self.app.stats

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self.store.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
