"""Wire format of the ZKTeco protocol: TCP framing, the 8-byte header, checksum, clock, comm key.

Pure functions only; the server and the tests call them directly. Layouts were checked against
pyzk (zk/base.py) and its test.py captures.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime

TCP_MAGIC = b"\x50\x50\x82\x7d"
_TOP = struct.Struct("<4sI")  # magic, length of header + payload
_HEADER = struct.Struct("<4H")  # command, checksum, session id, reply id
HEADER_SIZE = _HEADER.size
TOP_SIZE = _TOP.size
USHRT_MAX = 0xFFFF


class MalformedPacket(ValueError):
    """Bytes that are not a ZK packet; the connection that sent them is closed."""


@dataclass(frozen=True)
class Packet:
    command: int
    session: int
    reply_id: int
    payload: bytes = b""
    checksum: int = 0  # as received; encode_packet computes its own


def checksum(data: bytes) -> int:
    """The terminal checksum: a folded 16-bit little-endian sum, complemented.

    Folding subtracts 0xFFFF (not 0x10000) and the complement adds 0xFFFF, exactly as the
    vendor's zkemsdk.c and pyzk do; a textbook ones' complement differs by one.
    """
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for (word,) in struct.iter_unpack("<H", data):
        total += word
        if total > USHRT_MAX:
            total -= USHRT_MAX
    result = -total - 1
    while result < 0:
        result += USHRT_MAX
    return result


def previous_reply_id(reply_id: int) -> int:
    """The reply id before the client's increment (pyzk wraps at 0xFFFF to 0)."""
    return (reply_id - 1) % USHRT_MAX


def _checksum_for(command: int, session: int, reply_id: int, payload: bytes) -> int:
    # Terminals and pyzk checksum the header as it was *before* the reply id was incremented.
    return checksum(_HEADER.pack(command, 0, session, previous_reply_id(reply_id)) + payload)


def encode_packet(command: int, session: int, reply_id: int, payload: bytes = b"") -> bytes:
    """Header + payload, as sent over UDP (and inside a TCP frame)."""
    chk = _checksum_for(command, session, reply_id, payload)
    return _HEADER.pack(command, chk, session, reply_id) + payload


def decode_packet(data: bytes) -> Packet:
    if len(data) < HEADER_SIZE:
        raise MalformedPacket(f"packet of {len(data)} bytes is shorter than the 8-byte header")
    command, chk, session, reply_id = _HEADER.unpack_from(data)
    return Packet(command, session, reply_id, bytes(data[HEADER_SIZE:]), chk)


def checksum_ok(packet: Packet) -> bool:
    """Accept the terminal/pyzk convention and the plain one (checksum over the header as sent)."""
    plain = checksum(_HEADER.pack(packet.command, 0, packet.session, packet.reply_id) + packet.payload)
    return packet.checksum in (plain, _checksum_for(packet.command, packet.session, packet.reply_id, packet.payload))


def frame(packet: bytes) -> bytes:
    """Wrap a packet for TCP: magic 50 50 82 7D, u32 length."""
    return _TOP.pack(TCP_MAGIC, len(packet)) + packet


def unframe(buffer: bytes | bytearray, max_length: int) -> tuple[bytes | None, int]:
    """Split one TCP frame off the front of `buffer`.

    Returns (packet, bytes consumed), or (None, 0) while the frame is incomplete. Raises
    MalformedPacket on a wrong magic or a length outside [8, max_length + 8].
    """
    if len(buffer) < TOP_SIZE:
        if not TCP_MAGIC.startswith(bytes(buffer[: len(TCP_MAGIC)])):
            raise MalformedPacket("stream does not start with the ZK magic 50 50 82 7D")
        return None, 0
    magic, length = _TOP.unpack_from(buffer)
    if magic != TCP_MAGIC:
        raise MalformedPacket(f"bad frame magic {bytes(magic).hex()}")
    if not HEADER_SIZE <= length <= max_length + HEADER_SIZE:
        raise MalformedPacket(f"frame length {length} outside 8..{max_length + HEADER_SIZE}")
    end = TOP_SIZE + length
    if len(buffer) < end:
        return None, 0
    return bytes(buffer[TOP_SIZE:end]), end


def encode_time(moment: datetime) -> int:
    """Device clock as u32: ((Y%100)*372 + (M-1)*31 + D-1) days of 86400 s, plus time of day."""
    days = (moment.year % 100) * 372 + (moment.month - 1) * 31 + moment.day - 1
    return days * 86400 + (moment.hour * 60 + moment.minute) * 60 + moment.second


def decode_time(value: int) -> datetime:
    """Inverse of encode_time for the years 2000-2099 (raises ValueError on impossible dates)."""
    value, second = divmod(value, 60)
    value, minute = divmod(value, 60)
    value, hour = divmod(value, 24)
    value, day = divmod(value, 31)
    year, month = divmod(value, 12)
    return datetime(2000 + year, month + 1, day + 1, hour, minute, second)


def encode_time6(moment: datetime) -> bytes:
    """Six bytes YY MM DD hh mm ss, as in realtime events."""
    return bytes((moment.year % 100, moment.month, moment.day, moment.hour, moment.minute, moment.second))


def decode_time6(data: bytes) -> datetime:
    year, month, day, hour, minute, second = data[:6]
    return datetime(2000 + year, month, day, hour, minute, second)


def make_commkey(key: int, session_id: int, ticks: int = 50) -> bytes:
    """The 4-byte AUTH payload derived from the comm key and the session id (vendor MakeKey)."""
    reversed_bits = int(f"{key & 0xFFFFFFFF:032b}"[::-1], 2)
    mixed = (reversed_bits + session_id) & 0xFFFFFFFF
    scrambled = bytes(b ^ z for b, z in zip(struct.pack("<I", mixed), b"ZKSO", strict=True))
    swapped = scrambled[2:4] + scrambled[0:2]
    tick = ticks & 0xFF
    return bytes((swapped[0] ^ tick, swapped[1] ^ tick, tick, swapped[3] ^ tick))
