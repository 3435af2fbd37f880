"""Record layouts of the ZKTeco protocol: users, attendance, realtime events, sizes, buffers.

Pure encode/decode pairs, tested table-driven against pyzk's layouts and captures.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime

from sync.zk.codec import MalformedPacket, decode_time, decode_time6, encode_time, encode_time6

USER_72 = struct.Struct("<HB8s24sIx7sx24s")  # uid, privilege, password, name, card, group, user_id
USER_28 = struct.Struct("<HB5s8sIxBhI")  # uid, privilege, password, name, card, group, timezone, user_id
ATTENDANCE_40 = struct.Struct("<H24sBIB8s")  # uid, user_id, verify, time, state, reserved
EVENT_52 = struct.Struct("<24sBB6s20s")  # user_id, verify, state, time YYMMDDhhmmss, reserved
READ_BUFFER = struct.Struct("<ii")  # start, size
PREPARE_BUFFER = struct.Struct("<bhii")  # 1, inner command, function code, extension
SIZES = struct.Struct("<23i")  # 92 bytes

PRIVILEGE_USER = 0
PRIVILEGE_ADMIN = 14


@dataclass(frozen=True)
class UserRecord:
    uid: int  # the terminal's internal slot, 1..65535
    user_id: str  # what people and central systems call the user (the PIN, or the NIP)
    name: str = ""
    privilege: int = PRIVILEGE_USER
    password: str = ""
    card: int = 0
    group: str = ""


@dataclass(frozen=True)
class AttendanceRecord:
    uid: int
    user_id: str
    time: datetime  # device-local wall clock, naive
    verify: int  # pyzk calls it "status": 1 fingerprint, 15 face, 0 password/manual
    state: int  # pyzk calls it "punch": 0 in, 1 out, 2 break-out, 3 break-in, ...


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace")


def _fit(text: str, size: int) -> bytes:
    """UTF-8, cut to fit a NUL-padded field without splitting a character."""
    data = text.encode("utf-8")[:size]
    return data.decode("utf-8", errors="ignore").encode("utf-8")


def encode_user_72(user: UserRecord) -> bytes:
    return USER_72.pack(
        user.uid,
        user.privilege,
        _fit(user.password, 8),
        _fit(user.name, 24),
        user.card,
        _fit(user.group, 7),
        _fit(user.user_id, 24),
    )


def decode_user_72(data: bytes) -> UserRecord:
    uid, privilege, password, name, card, group, user_id = USER_72.unpack(data[: USER_72.size])
    return UserRecord(uid, _text(user_id), _text(name), privilege, _text(password), card, _text(group))


def encode_user_28(user: UserRecord) -> bytes:
    """Older firmware layout; its user id is a u32, so it must be a number below 2**32."""
    if not user.user_id.isdigit() or int(user.user_id) > 0xFFFFFFFF:
        raise ValueError(f"user id {user.user_id!r} does not fit the 28-byte record (a number below 2**32)")
    group = int(user.group) if user.group.isdigit() else 0
    return USER_28.pack(
        user.uid, user.privilege, _fit(user.password, 5), _fit(user.name, 8), user.card, group, 0, int(user.user_id)
    )


def decode_user_28(data: bytes) -> UserRecord:
    uid, privilege, password, name, card, group, _tz, user_id = USER_28.unpack(data[: USER_28.size])
    return UserRecord(uid, str(user_id), _text(name), privilege, _text(password), card, str(group))


def decode_user_write(payload: bytes) -> UserRecord:
    """A USER_WRQ payload: 72-byte layout over TCP clients, 28-byte from ZK6 clients."""
    if len(payload) >= USER_72.size:
        return decode_user_72(payload)
    if len(payload) >= USER_28.size:
        return decode_user_28(payload)
    raise MalformedPacket(f"user record of {len(payload)} bytes; expected 28 or 72")


def encode_attendance_40(record: AttendanceRecord) -> bytes:
    return ATTENDANCE_40.pack(
        record.uid, _fit(record.user_id, 24), record.verify, encode_time(record.time), record.state, b""
    )


def decode_attendance_40(data: bytes) -> AttendanceRecord:
    uid, user_id, verify, time, state, _reserved = ATTENDANCE_40.unpack(data[: ATTENDANCE_40.size])
    return AttendanceRecord(uid, _text(user_id), decode_time(time), verify, state)


def encode_event_52(record: AttendanceRecord) -> bytes:
    """A realtime attendance event in the 52-byte layout of newer firmware."""
    return EVENT_52.pack(_fit(record.user_id, 24), record.verify, record.state, encode_time6(record.time), b"")


def decode_event_52(data: bytes) -> AttendanceRecord:
    user_id, verify, state, time6, _reserved = EVENT_52.unpack(data[: EVENT_52.size])
    return AttendanceRecord(0, _text(user_id), decode_time6(time6), verify, state)


@dataclass(frozen=True)
class DeviceSizes:
    """What read_sizes (GET_FREE_SIZES) reports."""

    users: int = 0
    fingers: int = 0
    records: int = 0
    faces: int = 0
    user_capacity: int = 10_000
    finger_capacity: int = 3_000
    record_capacity: int = 1_000_000
    face_capacity: int = 0


def encode_sizes(sizes: DeviceSizes) -> bytes:
    fields = [0] * (SIZES.size // 4)
    fields[4], fields[6], fields[8] = sizes.users, sizes.fingers, sizes.records
    fields[14], fields[15], fields[16] = sizes.finger_capacity, sizes.user_capacity, sizes.record_capacity
    fields[17] = max(sizes.finger_capacity - sizes.fingers, 0)
    fields[18] = max(sizes.user_capacity - sizes.users, 0)
    fields[19] = max(sizes.record_capacity - sizes.records, 0)
    fields[20], fields[22] = sizes.faces, sizes.face_capacity
    return SIZES.pack(*fields)


def decode_sizes(data: bytes) -> DeviceSizes:
    fields = SIZES.unpack(data[: SIZES.size])
    return DeviceSizes(fields[4], fields[6], fields[8], fields[20], fields[15], fields[14], fields[16], fields[22])


def encode_dataset(records: list[bytes]) -> bytes:
    """A buffered-read dataset: u32 total length of the records, then the records."""
    body = b"".join(records)
    return struct.pack("<I", len(body)) + body


def encode_buffer_ready(size: int) -> bytes:
    """ACK_OK payload to PREPARE_BUFFER when the dataset is read in chunks."""
    return b"\x00" + struct.pack("<III", size, size, 0)


def encode_prepare_data(size: int) -> bytes:
    return struct.pack("<II", size, 0)


@dataclass(frozen=True)
class BufferRequest:
    command: int
    fct: int
    ext: int


def decode_prepare_buffer(payload: bytes) -> BufferRequest:
    if len(payload) < PREPARE_BUFFER.size:
        raise MalformedPacket(f"PREPARE_BUFFER payload of {len(payload)} bytes; expected {PREPARE_BUFFER.size}")
    _one, command, fct, ext = PREPARE_BUFFER.unpack_from(payload)
    return BufferRequest(command, fct, ext)


def decode_read_buffer(payload: bytes) -> tuple[int, int]:
    if len(payload) < READ_BUFFER.size:
        raise MalformedPacket(f"READ_BUFFER payload of {len(payload)} bytes; expected 8")
    return READ_BUFFER.unpack_from(payload)


def decode_option_name(payload: bytes) -> str:
    return payload.split(b"\x00", 1)[0].decode("ascii", errors="replace")


def encode_option(name: str, value: str) -> bytes:
    return f"{name}={value}".encode() + b"\x00"
