"""[zk_server]: the kiosk answers like a ZKTeco terminal (TCP/UDP 4370) for central systems that pull.

See docs/zk-server.md for what it answers and how punches map to terminal records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.settings.validate import LISTEN_ADDRESS


@dataclass(frozen=True)
class ZkServerSettings:
    enabled: bool = field(default=False, metadata={"help": "answer ZK-protocol clients (off unless enabled)"})
    address: str = field(
        default="127.0.0.1", metadata={"help": "address to listen on; 0.0.0.0 for every interface", **LISTEN_ADDRESS}
    )
    port: int = field(default=4370, metadata={"min": 1, "max": 65535, "help": "TCP and UDP port"})
    udp: bool = field(default=True, metadata={"help": "also answer over UDP on the same port"})
    comm_key: int = field(
        default=0, metadata={"min": 0, "max": 999999, "help": "communication password clients must send; 0 = none"}
    )
    report_user_id: str = field(
        default="pin", metadata={"choices": ("pin", "nip"), "help": "user id reported to clients: terminal PIN or NIP"}
    )
    siang_state: int = field(
        default=2, metadata={"choices": (2, 3), "help": "terminal state of a 'siang' punch: 2 break-out, 3 break-in"}
    )
    other_state: int = field(
        default=255, metadata={"min": 0, "max": 255, "help": "terminal state of an 'other' punch (255 = no state)"}
    )
    allow_set_time: bool = field(
        default=False, metadata={"help": "let clients set the kiosk's clock (needs CAP_SYS_TIME)"}
    )
    allow_clear_attendance: bool = field(
        default=False, metadata={"help": "let clients hide the punches they pulled; punches are never deleted"}
    )
    accept_user_writes: bool = field(
        default=False, metadata={"help": "accept set_user/delete_user in memory only (terminal simulator for tests)"}
    )
    max_clients: int = field(default=8, metadata={"min": 1, "max": 64, "help": "simultaneous TCP connections"})
    idle_timeout: float = field(
        default=60.0, metadata={"min": 1.0, "max": 3600.0, "help": "seconds before a silent client is disconnected"}
    )
    firmware: str = field(default="Ver 6.60 Apr 28 2017", metadata={"help": "reported firmware version"})
    platform: str = field(default="ZMM220_TFT", metadata={"help": "reported platform"})
    device_name: str = field(default="siap-kiosk", metadata={"help": "reported device name"})
