"""The R30x / ZFM packet codec: known frames, round trips and every kind of damage."""

from __future__ import annotations

import pytest

from drivers.fingerprint.r30x_codec import (
    Ack,
    Command,
    Instruction,
    Packet,
    PacketError,
    PacketType,
    as_ack,
    as_command,
    build,
    checksum,
    decode,
    describe,
    encode,
    encode_ack,
    encode_command,
    hexdump,
    next_frame,
    reply,
    system_parameters,
    unpack_params,
    unpack_reply,
)

# Frames as the R30x manuals print them, for the factory address 0xFFFFFFFF.
KNOWN_COMMANDS = [
    (build(Instruction.VFY_PWD, 0), "ef01ffffffff010007130000000000 1b"),
    (build(Instruction.GEN_IMG), "ef01ffffffff0100030100 05"),
    (build(Instruction.IMG2TZ, 1), "ef01ffffffff010004020100 08"),
    (build(Instruction.IMG2TZ, 2), "ef01ffffffff010004020200 09"),
    (build(Instruction.REG_MODEL), "ef01ffffffff0100030500 09"),
    (build(Instruction.STORE, 1, 5), "ef01ffffffff01000606010005 0013"),
    (build(Instruction.SEARCH, 1, 0, 0x00A3), "ef01ffffffff010008040100000 0a300b1"),
    (build(Instruction.TEMPLATE_NUM), "ef01ffffffff0100031d00 21"),
    (build(Instruction.DELETE_CHAR, 3, 1), "ef01ffffffff0100070c00030001 0018"),
    (build(Instruction.HANDSHAKE), "ef01ffffffff0100034000 44"),
]


@pytest.mark.parametrize(("command", "wire"), KNOWN_COMMANDS)
def test_commands_encode_to_the_documented_frames(command: Command, wire: str) -> None:
    assert encode_command(command) == bytes.fromhex(wire.replace(" ", ""))


@pytest.mark.parametrize(("command", "wire"), KNOWN_COMMANDS)
def test_commands_decode_back(command: Command, wire: str) -> None:
    packet = decode(bytes.fromhex(wire.replace(" ", "")))
    assert packet.kind == PacketType.COMMAND and packet.address == 0xFFFFFFFF
    assert as_command(packet) == command


@pytest.mark.parametrize(
    ("ack", "address", "wire"),
    [
        (Ack(0x00), 0xFFFFFFFF, "ef01ffffffff07000300000a"),
        (Ack(0x02), 0xFFFFFFFF, "ef01ffffffff07000302000c"),
        (reply(Instruction.SEARCH, 0, 12, 57), 0x12345678, "ef01123456780700070000 0c0039 0053"),
        (reply(Instruction.TEMPLATE_NUM, 0, 300), 0xFFFFFFFF, "ef01ffffffff070005 00012c 0039"),
    ],
)
def test_acks_round_trip(ack: Ack, address: int, wire: str) -> None:
    frame = bytes.fromhex(wire.replace(" ", ""))
    assert encode_ack(ack, address) == frame
    assert as_ack(decode(frame)) == ack and decode(frame).address == address


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        (PacketType.COMMAND, b"\x01", 0x0005),
        (PacketType.ACK, b"\x00", 0x000A),
        (PacketType.DATA, b"\xff" * 256, (0x02 + 0x01 + 0x02 + 0xFF * 256) & 0xFFFF),  # wraps at 16 bits
    ],
)
def test_checksum_sums_id_length_and_payload(kind: int, payload: bytes, expected: int) -> None:
    assert checksum(kind, payload) == expected


GOOD = bytes.fromhex("ef01ffffffff07000300000a")


@pytest.mark.parametrize(
    ("frame", "says"),
    [
        (bytes.fromhex("ef02ffffffff07000300000a"), "expected ef 01"),
        (GOOD[:-1] + b"\x0b", "checksum 0x000B, expected 0x000A"),
        (GOOD[:6] + b"\x05" + GOOD[7:], "unknown packet id 0x05"),
        (GOOD[:7] + b"\xff\xff" + GOOD[9:], "impossible length 65535"),
        (GOOD[:7] + b"\x00\x02" + GOOD[9:], "impossible length 2"),
        (GOOD[:-2], "frame of 10 bytes, header says 12"),
        (GOOD[:5], "not a packet header"),
    ],
)
def test_damaged_frames_are_refused_with_the_bytes_shown(frame: bytes, says: str) -> None:
    with pytest.raises(PacketError, match=says) as caught:
        decode(frame)
    assert frame[:4].hex(" ") in str(caught.value)


@pytest.mark.parametrize(
    ("stream", "frame", "rest"),
    [
        (GOOD, GOOD, b""),
        (b"\x55" + GOOD, GOOD, b""),  # the R503 power-up byte before a reply
        (GOOD + GOOD[:4], GOOD, GOOD[:4]),
        (GOOD[:8], None, GOOD[:8]),  # header not complete yet
        (GOOD[:10], None, GOOD[:10]),  # body not complete yet
        (b"\x00\x13\xef", None, b"\xef"),  # maybe half a start code: keep it
        (b"\x00\x13\x37", None, b""),
        (b"", None, b""),
    ],
)
def test_next_frame_splits_a_stream(stream: bytes, frame: bytes | None, rest: bytes) -> None:
    assert next_frame(stream) == (frame, rest)


def test_next_frame_refuses_a_header_that_cannot_be() -> None:
    with pytest.raises(PacketError, match="impossible length"):
        next_frame(b"\xef\x01\xff\xff\xff\xff\x07\x40\x00")


@pytest.mark.parametrize(
    ("instruction", "values"),
    [
        (Instruction.VFY_PWD, (0xDEADBEEF,)),
        (Instruction.IMG2TZ, (2,)),
        (Instruction.SEARCH, (1, 0, 1000)),
        (Instruction.STORE, (1, 999)),
        (Instruction.DELETE_CHAR, (5, 1)),
        (Instruction.GEN_IMG, ()),
    ],
)
def test_params_round_trip(instruction: Instruction, values: tuple[int, ...]) -> None:
    assert unpack_params(build(instruction, *values)) == values


def test_params_of_the_wrong_size_are_refused() -> None:
    with pytest.raises(PacketError, match="SEARCH parameters should be 5 bytes"):
        unpack_params(Command(Instruction.SEARCH, b"\x01\x00"))


@pytest.mark.parametrize(
    ("instruction", "data", "values"),
    [
        (Instruction.SEARCH, b"\x00\x0c\x00\x39", (12, 57)),
        (Instruction.TEMPLATE_NUM, b"\x01\x2c", (300,)),
        (Instruction.TEMPLATE_NUM, b"\x01\x2c\x00\x00", (300,)),  # padded by a clone
        (Instruction.MATCH, b"\x00\x64", (100,)),
    ],
)
def test_reply_data_unpacks(instruction: Instruction, data: bytes, values: tuple[int, ...]) -> None:
    assert unpack_reply(instruction, Ack(0, data)) == values


def test_short_reply_data_is_refused() -> None:
    with pytest.raises(PacketError, match="SEARCH reply data should be 4 bytes, got 00 0c"):
        unpack_reply(Instruction.SEARCH, Ack(0, b"\x00\x0c"))


def test_system_parameters_decode_sizes_and_baud_rate() -> None:
    params = system_parameters((0, 9, 1000, 3, 0xFFFFFFFF, 2, 6))
    assert (params.capacity, params.packet_size, params.baudrate) == (1000, 128, 57600)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (0x00, "0x00 command completed"),
        (0x02, "0x02 no finger on the sensor"),
        (0x09, "0x09 no matching finger in the library"),
        (0x0A, "0x0A the two captures are not the same finger"),
        (0x13, "0x13 wrong module password"),
        (0x77, "0x77 unknown confirmation code"),
    ],
)
def test_confirmation_codes_are_described(code: int, text: str) -> None:
    assert describe(code) == text


def test_acks_and_commands_are_not_confused() -> None:
    with pytest.raises(PacketError, match="expected an acknowledgement"):
        as_ack(Packet(PacketType.COMMAND, b"\x01"))
    with pytest.raises(PacketError, match="expected a command"):
        as_command(Packet(PacketType.ACK, b"\x00"))


@pytest.mark.parametrize(
    "packet",
    [Packet(PacketType.COMMAND, b""), Packet(PacketType.DATA, b"\x00" * 257), Packet(PacketType.ACK, b"\x00", -1)],
)
def test_encode_refuses_packets_that_cannot_exist(packet: Packet) -> None:
    with pytest.raises(ValueError):
        encode(packet)


def test_hexdump_is_bounded() -> None:
    assert hexdump(b"") == "nothing"
    assert hexdump(bytes(40), limit=2) == "00 00 ... (+38 bytes)"
