"""The ZKTeco terminal protocol: pure codecs and a server that answers like a terminal."""

from sync.zk.server import ZkServer
from sync.zk.terminal import Terminal

__all__ = ["Terminal", "ZkServer", "build_server"]


def build_server(source, settings, serial: str, tz=None, data_dir=None, set_clock=None) -> ZkServer:
    """A server for `[zk_server]` settings over the store; call .start() and wire .publish."""
    from pathlib import Path

    floor = Path(data_dir) / "zk_server_floor" if data_dir else None
    terminal = Terminal(source, settings, serial, tz=tz, set_clock=set_clock, floor_path=floor)
    return ZkServer(
        terminal, settings.address, settings.port, settings.udp, settings.max_clients, settings.idle_timeout
    )
