"""Packet codec for R30x / ZFM fingerprint modules (R305, R307, R502, R503, AS608 and clones).

One frame on the wire, every multi-byte field big-endian:

    EF 01 | address (4) | packet id (1) | length (2) | payload (length - 2) | checksum (2)

`length` counts the payload plus the checksum. The checksum is the low 16 bits of the sum of the
packet id, both length bytes and every payload byte (the start code and address are not summed).
A command payload is an instruction code followed by its parameters; an acknowledgement payload
is a confirmation code followed by the reply data.

Everything here is a pure function over bytes: the UART driver and the simulated module build on
the same functions, so the two ends cannot disagree about the format.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from types import MappingProxyType

START_CODE = b"\xef\x01"
DEFAULT_ADDRESS = 0xFFFFFFFF
DEFAULT_PASSWORD = 0x00000000
HEADER_SIZE = 9  # start code 2 + address 4 + packet id 1 + length 2
# The largest data packet a module sends is 256 bytes of data plus the checksum; a larger length
# field means the header is garbage, and waiting for 65 535 bytes would only hide that.
MAX_LENGTH = 256 + 2
MIN_LENGTH = 1 + 2  # at least an instruction or confirmation code, plus the checksum


class PacketType(enum.IntEnum):
    """The packet identifier byte."""

    COMMAND = 0x01
    DATA = 0x02
    ACK = 0x07
    END = 0x08  # last data packet of a transfer


_PACKET_IDS = frozenset(int(kind) for kind in PacketType)


class Instruction(enum.IntEnum):
    """Instruction codes of the R30x / ZFM command set (the subset a door terminal needs)."""

    GEN_IMG = 0x01  # capture a finger image into the image buffer
    IMG2TZ = 0x02  # turn the image into a character file in buffer 1 or 2
    MATCH = 0x03  # compare buffer 1 with buffer 2
    SEARCH = 0x04  # search the library for the character file in a buffer
    REG_MODEL = 0x05  # combine buffers 1 and 2 into a template
    STORE = 0x06  # store a buffer's template into a library slot (page id)
    LOAD_CHAR = 0x07  # load a library slot into a buffer
    DELETE_CHAR = 0x0C  # delete N slots from a page id
    EMPTY = 0x0D  # delete every template
    READ_SYS_PARA = 0x0F  # status, capacity, security level, address, packet size, baud rate
    SET_PWD = 0x12
    VFY_PWD = 0x13  # verify the module password; every library uses it as the handshake
    TEMPLATE_NUM = 0x1D  # number of stored templates
    HANDSHAKE = 0x40  # R502/R503 only; older modules answer with an error or not at all


class Confirmation(enum.IntEnum):
    """Confirmation codes that need a decision in code (every code has a message below)."""

    OK = 0x00
    RECEIVE_ERROR = 0x01
    NO_FINGER = 0x02
    NO_MATCH = 0x08
    NOT_FOUND = 0x09
    ENROLL_MISMATCH = 0x0A
    BAD_LOCATION = 0x0B
    WRONG_PASSWORD = 0x13
    NO_VALID_IMAGE = 0x15
    PASSWORD_NOT_VERIFIED = 0x21


CONFIRMATION_MESSAGES = MappingProxyType(
    {
        0x00: "command completed",
        0x01: "the module could not read the command packet",
        0x02: "no finger on the sensor",
        0x03: "failed to capture the finger image",
        0x06: "image too disordered to extract features",
        0x07: "too few feature points (finger too small or too dry)",
        0x08: "the finger does not match",
        0x09: "no matching finger in the library",
        0x0A: "the two captures are not the same finger",
        0x0B: "slot number beyond the library size",
        0x0C: "cannot read the template from the library, or it is invalid",
        0x0D: "error uploading the template",
        0x0E: "the module cannot receive the following data packets",
        0x0F: "error uploading the image",
        0x10: "failed to delete the template",
        0x11: "failed to clear the library",
        0x13: "wrong module password",
        0x15: "no valid image in the buffer to extract features from",
        0x18: "error writing the module's flash memory",
        0x19: "undefined error",
        0x1A: "invalid register number",
        0x1B: "incorrect register configuration",
        0x1C: "wrong notepad page number",
        0x1D: "the module failed to operate its communication port",
        # The codes below come from the R502/R503 manuals; older modules never send them.
        0x1F: "the fingerprint library is full",
        0x20: "wrong module address",
        0x21: "the password must be verified first",
        0x22: "the template buffer is empty",
        0x24: "the fingerprint library is empty",
        0x26: "the module timed out",
        0x27: "the fingerprint is already enrolled",
        0x29: "sensor hardware error",
    }
)

# struct formats of the parameters after the instruction byte, and of the data after the
# confirmation byte in the reply; instructions missing from a table carry nothing.
PARAM_FORMATS = MappingProxyType(
    {
        Instruction.IMG2TZ: ">B",  # buffer id
        Instruction.SEARCH: ">BHH",  # buffer id, start page, page count
        Instruction.STORE: ">BH",  # buffer id, page id
        Instruction.LOAD_CHAR: ">BH",  # buffer id, page id
        Instruction.DELETE_CHAR: ">HH",  # page id, count
        Instruction.SET_PWD: ">I",
        Instruction.VFY_PWD: ">I",
    }
)
REPLY_FORMATS = MappingProxyType(
    {
        Instruction.SEARCH: ">HH",  # page id, match score
        Instruction.MATCH: ">H",  # match score
        Instruction.TEMPLATE_NUM: ">H",
        # status register, system id, library size, security level, address, packet size code,
        # baud rate / 9600
        Instruction.READ_SYS_PARA: ">HHHHIHH",
    }
)


class PacketError(ValueError):
    """Bytes that are not a valid R30x packet; the message shows what was received."""


@dataclass(frozen=True)
class Packet:
    kind: int  # a PacketType value; kept as int so an unknown id can still be reported
    payload: bytes
    address: int = DEFAULT_ADDRESS


@dataclass(frozen=True)
class Command:
    instruction: int
    params: bytes = b""


@dataclass(frozen=True)
class Ack:
    code: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.code == Confirmation.OK

    @property
    def message(self) -> str:
        return describe(self.code)


@dataclass(frozen=True)
class SystemParameters:
    status: int
    system_id: int
    capacity: int  # library size: number of template slots
    security_level: int
    address: int
    packet_size: int  # bytes per data packet
    baudrate: int


def describe(code: int) -> str:
    """'0x09 no matching finger in the library': the code and its meaning, for logs and errors."""
    text = CONFIRMATION_MESSAGES.get(code, "unknown confirmation code")
    return f"0x{code:02X} {text}"


def hexdump(data: bytes, limit: int = 32) -> str:
    """Space-separated hex of at most `limit` bytes, so errors show what arrived."""
    shown = data[:limit].hex(" ")
    more = f" ... (+{len(data) - limit} bytes)" if len(data) > limit else ""
    return (shown + more) or "nothing"


def checksum(kind: int, payload: bytes) -> int:
    length = len(payload) + 2
    return (kind + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF


def encode(packet: Packet) -> bytes:
    length = len(packet.payload) + 2
    if not 0 <= packet.address <= 0xFFFFFFFF:
        raise ValueError(f"address {packet.address!r} is not a 32-bit number")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"payload of {len(packet.payload)} bytes does not fit one packet")
    header = START_CODE + struct.pack(">IBH", packet.address, packet.kind, length)
    return header + packet.payload + struct.pack(">H", checksum(packet.kind, packet.payload))


def parse_header(header: bytes) -> tuple[int, int, int]:
    """(address, packet id, length) from the first 9 bytes of a frame."""
    if len(header) != HEADER_SIZE or not header.startswith(START_CODE):
        raise PacketError(f"not a packet header (expected ef 01 ...): {hexdump(header)}")
    address, kind, length = struct.unpack(">IBH", header[2:])
    if kind not in _PACKET_IDS:
        raise PacketError(f"unknown packet id 0x{kind:02X} in header {hexdump(header)}")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise PacketError(f"impossible length {length} in header {hexdump(header)}")
    return address, kind, length


def decode(frame: bytes) -> Packet:
    """One complete frame to a Packet; any damage raises PacketError naming the bytes."""
    address, kind, length = parse_header(frame[:HEADER_SIZE])
    if len(frame) != HEADER_SIZE + length:
        raise PacketError(f"frame of {len(frame)} bytes, header says {HEADER_SIZE + length}: {hexdump(frame)}")
    payload = frame[HEADER_SIZE:-2]
    (received,) = struct.unpack(">H", frame[-2:])
    expected = checksum(kind, payload)
    if received != expected:
        raise PacketError(f"checksum 0x{received:04X}, expected 0x{expected:04X}, in {hexdump(frame)}")
    return Packet(kind, payload, address)


def next_frame(buffer: bytes) -> tuple[bytes | None, bytes]:
    """Split the first complete frame off a byte stream: (frame or None, bytes still to parse).

    Bytes before a start code are dropped (line noise, or the 0x55 an R503 sends at power-up).
    A header that cannot be valid raises PacketError; the caller decides whether to resync.
    """
    start = buffer.find(START_CODE)
    if start < 0:
        return None, buffer[-1:] if buffer.endswith(START_CODE[:1]) else b""
    buffer = buffer[start:]
    if len(buffer) < HEADER_SIZE:
        return None, buffer
    end = HEADER_SIZE + parse_header(buffer[:HEADER_SIZE])[2]
    if len(buffer) < end:
        return None, buffer
    return buffer[:end], buffer[end:]


def build(instruction: Instruction, *values: int) -> Command:
    """A command with its parameters packed per PARAM_FORMATS, e.g. build(SEARCH, 1, 0, 200)."""
    fmt = PARAM_FORMATS.get(instruction, ">")
    return Command(instruction, struct.pack(fmt, *values))


def unpack_params(command: Command) -> tuple[int, ...]:
    """The parameters of a command, the inverse of build(); PacketError if they do not fit."""
    return _unpack(PARAM_FORMATS, command.instruction, command.params, "parameters")


def unpack_reply(instruction: int, ack: Ack) -> tuple[int, ...]:
    """The reply data of a successful acknowledgement, per REPLY_FORMATS.

    Extra trailing bytes are ignored: some clones pad their replies, and the checksum has already
    vouched for the bytes.
    """
    return _unpack(REPLY_FORMATS, instruction, ack.data, "reply data", exact=False)


def reply(instruction: Instruction, code: int, *values: int) -> Ack:
    """An acknowledgement; the data is packed only for a successful reply."""
    if code != Confirmation.OK or not values:
        return Ack(code)
    return Ack(code, struct.pack(REPLY_FORMATS[instruction], *values))


def encode_command(command: Command, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode(Packet(PacketType.COMMAND, bytes([command.instruction]) + command.params, address))


def encode_ack(ack: Ack, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode(Packet(PacketType.ACK, bytes([ack.code]) + ack.data, address))


def as_command(packet: Packet) -> Command:
    if packet.kind != PacketType.COMMAND:
        raise PacketError(f"expected a command packet, got packet id 0x{packet.kind:02X}")
    return Command(packet.payload[0], packet.payload[1:])


def as_ack(packet: Packet) -> Ack:
    if packet.kind != PacketType.ACK:
        raise PacketError(f"expected an acknowledgement packet, got packet id 0x{packet.kind:02X}")
    return Ack(packet.payload[0], packet.payload[1:])


def system_parameters(values: tuple[int, ...]) -> SystemParameters:
    status, system_id, capacity, level, address, size_code, baud = values
    return SystemParameters(status, system_id, capacity, level, address, 32 << size_code, baud * 9600)


def _unpack(formats: MappingProxyType, instruction: int, data: bytes, what: str, exact: bool = True) -> tuple[int, ...]:
    fmt = formats.get(instruction, ">")
    size = struct.calcsize(fmt)
    if len(data) < size or (exact and len(data) != size):
        name = _instruction_name(instruction)
        raise PacketError(f"{name} {what} should be {size} bytes, got {hexdump(data)}")
    return struct.unpack_from(fmt, data)


def _instruction_name(instruction: int) -> str:
    try:
        return Instruction(instruction).name
    except ValueError:
        return f"instruction 0x{instruction:02X}"
