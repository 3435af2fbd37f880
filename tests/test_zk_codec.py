"""The ZK wire format and records, table-driven; vectors from pyzk's test.py captures."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.domain import Employee, Kind, Method, Punch, Status
from sync.zk import codec, records
from sync.zk.codec import MalformedPacket, Packet
from sync.zk.mapping import MappingRules, assign_uids, attendance_record, build_roster, user_record
from sync.zk.records import AttendanceRecord, UserRecord
from sync.zk.terminal import comm_key_matches

H = bytes.fromhex


@pytest.mark.parametrize(
    "command, session, reply_id, payload, wire",
    [
        (1000, 0, 0, b"", "5050827d08000000e80317fc00000000"),  # pyzk CONNECT
        (1001, 0xFB2F, 1, b"", "5050827d08000000e903e6002ffb0100"),  # pyzk EXIT
        (2000, 0xFB2F, 0, b"", "5050827d08000000d007fffc2ffb0000"),  # terminal ACK_OK to CONNECT
        (2005, 0x45CF, 0, b"", "5050827d08000000d5075bb2cf450000"),  # terminal UNAUTH
        (1102, 0x45CF, 1, H("614d323c"), "5050827d0c0000004e044e2ccf450100614d323c"),  # AUTH with key 12
        (50, 0x45CF, 2, b"", "5050827d080000003200fcb9cf450200"),  # read_sizes
        (
            1503,
            0x45CF,
            20,
            H("01090005000000000000000000"[:22]),
            "5050827d13000000df053ca6cf4514000109000500000000000000",
        ),
    ],
)
def test_packets_match_pyzk_captures(command, session, reply_id, payload, wire):
    assert codec.frame(codec.encode_packet(command, session, reply_id, payload)) == H(wire)
    packet_bytes, used = codec.unframe(H(wire), 1024)
    assert used == len(H(wire))
    packet = codec.decode_packet(packet_bytes)
    assert (packet.command, packet.session, packet.reply_id, packet.payload) == (command, session, reply_id, payload)
    assert codec.checksum_ok(packet)


@pytest.mark.parametrize(
    "data, expected",
    [(b"", 0xFFFE), (b"\x01\x00", 0xFFFD), (b"\xff\xff\x02\x00", 0xFFFC), (b"\x01", 0xFFFD), (b"\xe8\x03", 0xFC16)],
)
def test_checksum_table(data, expected):
    assert codec.checksum(data) == expected


def test_checksum_accepts_plain_convention_and_rejects_tampering():
    plain = codec.checksum(struct.pack("<4H", 11, 0, 7, 3) + b"x")
    assert codec.checksum_ok(Packet(11, 7, 3, b"x", plain))
    assert not codec.checksum_ok(Packet(11, 7, 3, b"z", plain))


@pytest.mark.parametrize(
    "buffer, result",
    [
        (b"", (None, 0)),
        (H("5050"), (None, 0)),
        (H("5050827d08000000e803"), (None, 0)),  # truncated: wait for more
        (H("5050827d08000000e80317fc00000000ff"), (H("e80317fc00000000"), 16)),  # a next frame may follow
    ],
)
def test_unframe_incremental(buffer, result):
    assert codec.unframe(buffer, 1024) == result


@pytest.mark.parametrize(
    "buffer",
    [
        b"GET / HTTP/1.1\r\n",
        H("5050827d04000000aabbccdd"),
        H("5050827dffffff7f"),
        H("deadbeef08000000e80317fc00000000"),
    ],
)
def test_unframe_rejects_garbage(buffer):
    with pytest.raises(MalformedPacket):
        codec.unframe(buffer, 1024)


def test_decode_packet_rejects_short():
    with pytest.raises(MalformedPacket):
        codec.decode_packet(b"\x01\x02\x03")


@pytest.mark.parametrize(
    "moment, value",
    [
        (datetime(2000, 1, 1, 0, 0, 0), 0),
        (datetime(2000, 1, 1, 0, 0, 1), 1),
        (datetime(2024, 5, 6, 7, 30, 15), ((24 * 372 + 4 * 31 + 5) * 86400) + (7 * 60 + 30) * 60 + 15),
        (datetime(2099, 12, 31, 23, 59, 59), ((99 * 372 + 11 * 31 + 30) * 86400) + 86399),
    ],
)
def test_time_encoding_round_trip(moment, value):
    assert codec.encode_time(moment) == value
    assert codec.decode_time(value) == moment
    assert codec.decode_time6(codec.encode_time6(moment)) == moment


def test_time6_layout():
    assert codec.encode_time6(datetime(2024, 5, 6, 7, 30, 15)) == bytes([24, 5, 6, 7, 30, 15])


@pytest.mark.parametrize(
    "key, session, ticks, expected",
    [(12, 0x45CF, 50, "614d323c"), (45, 0x45CF, 50, "61c9323c")],
)
def test_make_commkey_matches_pyzk_vectors(key, session, ticks, expected):
    assert codec.make_commkey(key, session, ticks).hex() == expected


@pytest.mark.parametrize("key", [0, 1, 12, 123456, 999999])
def test_make_commkey_agrees_with_pyzk(key):
    from zk.base import make_commkey as pyzk_commkey

    for session in (1, 0x45CF, 0xFFFE):
        assert codec.make_commkey(key, session) == pyzk_commkey(key, session)


def test_comm_key_check_accepts_any_tick_and_refuses_wrong_key():
    assert comm_key_matches(45, 0x45CF, codec.make_commkey(45, 0x45CF, ticks=7))
    assert not comm_key_matches(46, 0x45CF, codec.make_commkey(45, 0x45CF))
    assert not comm_key_matches(45, 0x45CF, b"\x00")


def test_user_72_from_pyzk_capture():
    # the 4th user of pyzk's test_tcp_get_users_small_data: uid 4, user id "831", no name
    data = H("040000" + "00" * 8 + "00" * 24 + "00000000" + "00" + "00" * 7 + "00" + "383331".ljust(48, "0"))
    user = records.decode_user_72(data)
    assert (user.uid, user.user_id, user.name, user.privilege) == (4, "831", "", 0)
    assert records.encode_user_72(user) == data


@pytest.mark.parametrize(
    "user",
    [
        UserRecord(1, "1", "Budi Santoso"),
        UserRecord(65535, "999999999", "N" * 24, privilege=14, password="12345678", card=4_000_000_000, group="1"),
        UserRecord(7, "199001012020121001", "Dra. Siti Ñur\u2019aini"),
    ],
)
def test_user_72_round_trip(user):
    data = records.encode_user_72(user)
    assert len(data) == 72
    assert records.decode_user_72(data) == user


def test_user_72_cuts_long_utf8_name_on_a_character_boundary():
    data = records.encode_user_72(UserRecord(1, "1", "é" * 20))
    assert records.decode_user_72(data).name == "é" * 12


def test_user_28_round_trip_and_limits():
    user = UserRecord(3, "123456", "Budi", group="1")
    data = records.encode_user_28(user)
    assert len(data) == 28
    assert records.decode_user_28(data) == user
    with pytest.raises(ValueError, match="28-byte"):
        records.encode_user_28(UserRecord(1, "199001012020121001"))


def test_pyzk_set_user_payloads_decode():
    ours_72 = struct.pack("<HB8s24s4sx7sx24s", 5, 0, b"", b"Budi", b"\0\0\0\0", b"", b"12")
    assert records.decode_user_write(ours_72) == UserRecord(5, "12", "Budi")
    ours_28 = struct.pack("<HB5s8sIxBHI", 5, 0, b"", b"Budi", 0, 0, 0, 12)
    assert records.decode_user_write(ours_28) == UserRecord(5, "12", "Budi", group="0")
    with pytest.raises(MalformedPacket):
        records.decode_user_write(b"\x00" * 10)


@pytest.mark.parametrize(
    "record",
    [
        AttendanceRecord(1, "1", datetime(2024, 5, 6, 7, 30, 15), 15, 0),
        AttendanceRecord(65535, "199001012020121001", datetime(2099, 12, 31, 23, 59, 59), 1, 255),
    ],
)
def test_attendance_40_round_trip_and_pyzk_layout(record):
    data = records.encode_attendance_40(record)
    assert len(data) == 40
    assert records.decode_attendance_40(data) == record
    uid, user_id, status, timestamp, punch, _space = struct.unpack("<H24sB4sB8s", data)  # pyzk's own unpack
    assert (uid, user_id.rstrip(b"\0").decode(), status, punch) == (
        record.uid,
        record.user_id,
        record.verify,
        record.state,
    )
    assert struct.unpack("<I", timestamp)[0] == codec.encode_time(record.time)


def test_event_52_layout_as_pyzk_reads_it():
    record = AttendanceRecord(0, "42", datetime(2024, 5, 6, 16, 5, 0), 1, 1)
    data = records.encode_event_52(record)
    assert len(data) == 52
    user_id, status, punch, timehex, _other = struct.unpack("<24sBB6s20s", data)
    assert (user_id.split(b"\0")[0], status, punch, timehex) == (b"42", 1, 1, bytes([24, 5, 6, 16, 5, 0]))
    assert records.decode_event_52(data) == record


def test_sizes_as_pyzk_reads_them():
    data = records.encode_sizes(records.DeviceSizes(users=7, fingers=6, records=605))
    assert len(data) == 92
    fields = struct.unpack("20i", data[:80])
    assert (fields[4], fields[6], fields[8], fields[15], fields[16]) == (7, 6, 605, 10_000, 1_000_000)
    assert records.decode_sizes(data).records == 605


def test_sizes_capture_from_pyzk():
    capture = H(
        "000000000000000000000000000000000700000000000000060000000000000005d02000000000000"[:0]
        + "00000000000000000000000000000000070000000000000006000000000000005d020000000000000f0c00000000000001"
        "00000000000000b80b000010270000a0860100b20b00000927000043840100000000000000"
    )
    sizes = records.decode_sizes(capture.ljust(92, b"\0"))
    assert (sizes.users, sizes.fingers, sizes.records, sizes.user_capacity, sizes.record_capacity) == (
        7,
        6,
        605,
        10000,
        100000,
    )


@pytest.mark.parametrize(
    "payload, expected",
    [
        (H("0109000500000000000000"), records.BufferRequest(9, 5, 0)),
        (H("010d000000000000000000"), records.BufferRequest(13, 0, 0)),
    ],
)
def test_prepare_buffer_requests(payload, expected):
    assert records.decode_prepare_buffer(payload) == expected


def test_buffer_replies():
    assert records.encode_buffer_ready(5044) == H("00b4130000b413000000000000")
    assert records.encode_prepare_data(5044) == H("b413000000000000")
    assert records.encode_dataset([b"ab", b"cd"]) == H("04000000") + b"abcd"
    assert records.decode_read_buffer(struct.pack("<ii", 65472, 100)) == (65472, 100)
    with pytest.raises(MalformedPacket):
        records.decode_read_buffer(b"\x00")
    with pytest.raises(MalformedPacket):
        records.decode_prepare_buffer(b"\x01")


def test_options():
    assert records.decode_option_name(b"~SerialNumber\x00") == "~SerialNumber"
    assert records.encode_option("~SerialNumber", "KIOSK-07") == b"~SerialNumber=KIOSK-07\x00"


# mapping ------------------------------------------------------------------------------------
WIB = timezone(timedelta(hours=7))


def _punch(nip: str, method: Method, kind: Kind, at: datetime) -> Punch:
    return Punch(
        1,
        "u",
        nip,
        at.astimezone(UTC),
        420,
        method,
        kind,
        Status.ON_TIME,
        0,
        None,
        None,
        True,
        None,
        "",
        0,
        None,
        "",
        "KIOSK-07",
        at,
    )


@pytest.mark.parametrize(
    "method, kind, rules, verify, state",
    [
        (Method.FACE, Kind.DATANG, MappingRules(), 15, 0),
        (Method.FINGERPRINT, Kind.PULANG, MappingRules(), 1, 1),
        (Method.MANUAL, Kind.SIANG, MappingRules(), 0, 2),
        (Method.FACE, Kind.SIANG, MappingRules(siang_state=3), 15, 3),
        (Method.FACE, Kind.OTHER, MappingRules(), 15, 255),
        (Method.FACE, Kind.OTHER, MappingRules(other_state=0), 15, 0),
    ],
)
def test_punch_mapping(method, kind, rules, verify, state):
    employees = [Employee("199001012020121001", "Budi", pin=7)]
    at = datetime(2024, 5, 6, 7, 30, 15, 123456, tzinfo=WIB)
    record = attendance_record(_punch("199001012020121001", method, kind, at), build_roster(employees, rules), rules)
    assert record == AttendanceRecord(7, "7", datetime(2024, 5, 6, 7, 30, 15), verify, state)


def test_user_id_nip_mode_and_missing_employee():
    rules = MappingRules(report_user_id="nip")
    roster = build_roster([Employee("199001012020121001", "Budi", pin=7)], rules)
    at = datetime(2024, 5, 6, 7, 30, tzinfo=WIB)
    assert (
        attendance_record(_punch("199001012020121001", Method.FACE, Kind.DATANG, at), roster, rules).user_id
        == "199001012020121001"
    )
    gone = attendance_record(_punch("198001012000011001", Method.FACE, Kind.DATANG, at), roster, rules)
    assert (gone.uid, gone.user_id) == (0, "198001012000011001")


def test_times_outside_the_device_range_are_clamped():
    rules = MappingRules()
    roster = build_roster([], rules)
    old = _punch("x", Method.FACE, Kind.DATANG, datetime(1970, 1, 1, 7, 0, tzinfo=WIB))
    assert attendance_record(old, roster, rules).time == datetime(2000, 1, 1)


def test_assign_uids_keeps_pins_and_fills_big_ones():
    employees = [
        Employee("a", "A", pin=1),
        Employee("c", "C", pin=123456789),
        Employee("b", "B", pin=70000),
        Employee("d", "D", pin=3),
    ]
    assert assign_uids(employees) == {"a": 1, "d": 3, "b": 2, "c": 4}
    assert user_record(employees[1], build_roster(employees, MappingRules())) == UserRecord(4, "123456789", "C")
