"""The terminals' SOAP web service on a real waitress server, read by a PHP-style raw-socket client.

tests/soap_helpers.py talks as the PHP attendance applications do (HTTP/1.0, an uncounted CRLF after
the body, read until close, rows cut by CRLF and substrings); nothing here parses the XML.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain import Classification, Employee, Kind, Method, NewPunch, Status
from kiosk.settings.soap import SoapSettings
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.store import Store
from sync.soap.service import build_soap_server

from soap_helpers import (
    fields,
    get_att_log,
    get_user_info,
    http_status,
    pin_arg,
    post_raw,
    result_of,
    rows,
    soap_body,
)  # fmt: skip

WIB = ZoneInfo("Asia/Jakarta")
RENEE = Employee("199001012020122001", "Renée Müller", unit="Dinkes", pin=7)
BUDI = Employee("198501012010011002", "Budi & Sons <Ltd>", unit="Dinkes", pin=12)
SITI = Employee("197001012000031003", "Siti Aminah", unit="Dinkes", pin=13)
GONE = Employee("196001011990011004", "Pensiun", unit="Dinkes", pin=30, active=False)
KIND_STATE = {Kind.DATANG: "0", Kind.PULANG: "1", Kind.SIANG: "2", Kind.OTHER: "255"}
METHOD_VERIFY = {Method.FACE: "15", Method.FINGERPRINT: "1", Method.MANUAL: "0"}
CASES = [  # employee, instant as recorded (offsets differ), method, kind
    (RENEE, "2026-11-23T07:31:05+07:00", Method.FACE, Kind.DATANG),
    (RENEE, "2026-11-23T09:10:00+00:00", Method.FINGERPRINT, Kind.PULANG),  # 16:10 WIB
    (BUDI, "2026-11-23T08:02:00+08:00", Method.MANUAL, Kind.DATANG),  # 07:02 WIB
    (BUDI, "2026-11-23T12:05:00+07:00", Method.FACE, Kind.SIANG),
    (SITI, "2026-11-23T07:40:00+07:00", Method.FACE, Kind.DATANG),
    (GONE, "2026-11-22T07:40:00+07:00", Method.FACE, Kind.OTHER),
]


def user_id(employee: Employee) -> str:
    return str(employee.pin)  # the terminal PIN, as port 4370 reports it


def expected_rows(cases=CASES) -> list[tuple[str, str, str, str]]:
    """What a WIB terminal would show: every instant on the WIB wall clock, computed here by hand."""
    return [
        (user_id(e), datetime.fromisoformat(t).astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S"), METHOD_VERIFY[m], KIND_STATE[k])
        for e, t, m, k in cases
    ]


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "kiosk.db", device_id="KIOSK-S1")
    for employee in (RENEE, BUDI, SITI, GONE):
        store.employees.add(employee)
    for employee, time, method, kind in CASES:
        store.punches.record(
            NewPunch(employee.nip, datetime.fromisoformat(time), method, Classification(kind, Status.ON_TIME))
        )
    yield store
    store.close()


def serve(store: Store, comm_key: int = 0, **soap: object):
    settings = SoapSettings(enabled=True, port=0, **soap)  # type: ignore[arg-type]
    return build_soap_server(settings, ZkServerSettings(comm_key=comm_key), store, WIB, name="soap-test").start()


@pytest.fixture
def port(store):
    server = serve(store)
    yield server.port
    server.stop()


def test_php_client_reads_every_punch_on_the_device_clock(port):
    assert get_att_log(port) == expected_rows()


def test_php_client_reads_one_pin(port):
    assert get_att_log(port, pin=7) == expected_rows(CASES[:2])
    assert get_att_log(port, pin="013") == expected_rows(CASES[4:5])
    assert get_att_log(port, pin=30) == expected_rows(CASES[5:6])  # a removed employee's punches stay readable
    assert get_att_log(port, pin=999) == []


@pytest.mark.parametrize("method", ["GetUserInfo", "GetAllUserInfo"])
def test_php_client_reads_every_active_user_with_readable_names(port, method):
    users = get_user_info(port, method=method)
    # ASCII, as a client decoding Latin-1 or ASCII must show them; markup characters escaped on the wire
    assert sorted(users) == sorted([("7", "Renee Muller"), ("12", "Budi &amp; Sons &lt;Ltd&gt;"), ("13", "Siti Aminah")])


def test_one_user_and_its_fields(port):
    reply = post_raw(port, soap_body("GetUserInfo", 0, pin_arg(12)))
    found = [fields(r, "PIN", "Name", "Group", "Privilege", "PIN2") for r in rows(reply, "GetUserInfo") if r]
    assert found == [("12", "Budi &amp; Sons &lt;Ltd&gt;", "1", "0", "12")]


def test_get_date_is_the_device_clock(port):
    before = datetime.now(WIB).replace(microsecond=0, tzinfo=None)
    reply = post_raw(port, soap_body("GetDate"))
    after = datetime.now(WIB).replace(microsecond=0, tzinfo=None)
    date, time = fields(rows(reply, "GetDate")[0], "Date", "Time")
    assert before <= datetime.fromisoformat(f"{date} {time}") <= after


def test_reply_layout_the_substring_clients_rely_on(port):
    reply = post_raw(port, soap_body("GetAttLog", 0, pin_arg()))
    head, _, body = reply.partition("\r\n\r\n")
    # The clients cut the body by its tags and never read the version; like any HTTP/1.1 server
    # (RFC 9110, 2.5) the kiosk may answer an HTTP/1.0 request as 1.1, closing after the reply.
    assert re.match(r"HTTP/1\.[01] 200", head) and "text/xml" in head and "connection: close" in head.lower()
    lines = body.split("\r\n")
    assert lines[1] == "<GetAttLogResponse>" and lines[-2] == "</GetAttLogResponse>" and lines[-1] == ""
    assert all(line.startswith("<Row><PIN>") and line.endswith("</WorkCode></Row>") for line in lines[2:-2])
    assert len(lines[2:-2]) == len(CASES)


def test_wrong_comm_key_gets_no_data(store):
    server = serve(store, comm_key=4242)
    try:
        for wrong in (0, 4241, "abc", ""):
            reply = post_raw(server.port, soap_body("GetAttLog", wrong, pin_arg()))
            assert http_status(reply) == 403
            assert get_att_log(server.port, comm_key=wrong) == []
            assert get_user_info(server.port, comm_key=wrong) == []
            result, information = result_of(reply, "GetAttLog")
            assert result == "0" and "ArgComKey" in information and "comm_key" in information
        assert get_att_log(server.port, comm_key=4242) == expected_rows()
        assert get_att_log(server.port, comm_key="04242") == expected_rows()  # a number, as on port 4370
    finally:
        server.stop()


def test_clear_data_leaves_every_punch(store, port):
    reply = post_raw(port, soap_body("ClearData", 0, "<Value>3</Value>"))
    result, information = result_of(reply, "ClearData")
    assert result == "0" and "never deletes" in information
    assert store.punches.count() == len(CASES)
    assert get_att_log(port) == expected_rows()


@pytest.mark.parametrize(
    "method, arg, words",
    [
        ("SetDate", "<Date>2020-01-01</Date><Time>00:00:00</Time>", "NTP"),
        ("SetUserInfo", "<PIN>7</PIN><Name>X</Name>", "roster"),
        ("DeleteUser", "<PIN>7</PIN>", "roster"),
        ("Restart", "", "restarted"),
        ("RefreshDB", "", "reads its own store"),
        ("GetUserTemplate", "<PIN>7</PIN><FingerID>0</FingerID>", "fingerprint templates"),
        ("SetUserTemplate", "<PIN>7</PIN><FingerID>0</FingerID><Size>10</Size><Valid>1</Valid><Template>AA</Template>", "fingerprint templates"),
    ],
)
def test_changes_are_refused_in_words(store, port, method, arg, words):
    reply = post_raw(port, soap_body(method, 0, arg))
    result, information = result_of(reply, method)
    assert result == "0" and words in information
    assert store.employees.get(RENEE.nip) == RENEE  # DeleteUser / SetUserInfo changed nothing
    assert get_att_log(port) == expected_rows()


def test_refresh_db_setting_answers_done(store):
    server = serve(store, refresh_db_ok=True)
    try:
        assert result_of(post_raw(server.port, soap_body("RefreshDB")), "RefreshDB")[0] == "1"
        assert result_of(post_raw(server.port, soap_body("ClearData", 0, "<Value>3</Value>")), "ClearData")[0] == "0"
    finally:
        server.stop()


ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>{}</soap:Body></soap:Envelope>'
)


@pytest.mark.parametrize(
    "body",
    [
        '<GetAttLog><ArgComKey xsi:type="xsd:integer">0</ArgComKey><Arg><PIN xsi:type="xsd:integer">All</PIN></Arg></GetAttLog>',
        '<GetAttLog><ArgComKey Xsi:type="xsd:integer">0</ArgComKey><Arg><PIN Xsi:type="xsd:integer">All</PIN></Arg></GetAttLog>',
        "<GetAttLog><ArgComKey>0</ArgComKey><Arg><PIN>All</PIN></Arg></GetAttLog>",
        "<GetAttLog><ArgComKey>0</ArgComKey></GetAttLog>",  # no Arg: every PIN
        '<?xml version="1.0" encoding="ISO-8859-1"?>\r\n<GetAttLog>\r\n  <ArgComKey>0</ArgComKey>\r\n  <Arg><PIN> All </PIN></Arg>\r\n</GetAttLog>\r\n\r\n',
        ENVELOPE.format('<GetAttLog><ArgComKey xsi:type="xsd:integer">0</ArgComKey><Arg><PIN>All</PIN></Arg></GetAttLog>'),
        ENVELOPE.format("<getattlog><argcomkey>0</argcomkey><arg><pin>all</pin></arg></getattlog>").replace("getattlog", "GetAttLog"),
    ],
    ids=["php", "Xsi-miscased", "no-prefix", "no-arg", "declaration-and-blank-lines", "envelope", "lower-case-children"],
)
def test_lenient_bodies(port, body):
    assert get_att_log_body(port, body) == expected_rows()


def get_att_log_body(port: int, body: str) -> list[tuple[str, ...]]:
    reply = post_raw(port, body)
    found = [fields(r, "PIN", "DateTime", "Verified", "Status") for r in rows(reply, "GetAttLog")]
    return [f for f in found if f[0]]


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    "<GetAttLog><ArgComKey>&lol4;</ArgComKey></GetAttLog>"
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><GetAttLog><ArgComKey>&e;</ArgComKey></GetAttLog>'


@pytest.mark.parametrize(
    "body, status, words",
    [
        (BILLION_LAUGHS, 400, "DTD"),
        (EXTERNAL, 400, "DTD"),
        ("", 400, "empty"),
        ("GetAttLog please", 400, "not well-formed XML"),
        ("<GetAttLog><ArgComKey>0</ArgComKey>", 400, "not well-formed XML"),
        (b"\xff\xfe<\x00G\x00", 400, "not well-formed XML"),
        ("<Frobnicate><ArgComKey>0</ArgComKey></Frobnicate>", 400, "unknown method Frobnicate"),
        (ENVELOPE.format(""), 400, "no request inside its Body"),
        ("<a>" + "x" * 70_000 + "</a>", 413, "at most 65536"),
    ],
    ids=["billion-laughs", "external-entity", "empty", "text", "truncated", "binary", "unknown-method", "empty-envelope", "too-big"],
)
def test_hostile_and_garbage_bodies_get_a_clear_error(port, body, status, words):
    reply = post_raw(port, body)
    assert http_status(reply) == status
    assert "<Result>0</Result>" in reply and words in reply
    assert "Traceback" not in reply and "root:x" not in reply
    assert get_att_log(port) == expected_rows()  # and the service still answers


@pytest.mark.parametrize("request_head, status", [("GET /iWsService HTTP/1.0", 405), ("POST /other HTTP/1.0", 404)])
def test_other_paths_and_verbs(port, request_head, status):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"{request_head}\r\nContent-Length: 0\r\n\r\n".encode())
        reply = b"".join(iter(lambda: sock.recv(1024), b"")).decode()
    assert http_status(reply) == status and "/iWsService" in reply


def test_http_11_client_with_envelope_gets_an_envelope(port):
    import requests

    body = ENVELOPE.format("<GetUserInfo><ArgComKey>0</ArgComKey><Arg><PIN>7</PIN></Arg></GetUserInfo>")
    reply = requests.post(f"http://127.0.0.1:{port}/iWsService", data=body, headers={"Content-Type": "text/xml"}, timeout=10)
    assert reply.status_code == 200 and "<SOAP-ENV:Body>" in reply.text
    assert "<PIN>7</PIN><Name>Renee Muller</Name>" in reply.text


def test_kept_rows_follow_new_punches_roster_changes_and_retention(store, port):
    assert get_att_log(port) == expected_rows()  # the rows are now encoded and kept
    late = (SITI, "2026-11-24T07:50:00+07:00", Method.FACE, Kind.DATANG)
    store.punches.record(NewPunch(SITI.nip, datetime.fromisoformat(late[1]), Method.FACE, Classification(Kind.DATANG, Status.LATE, 5)))
    assert get_att_log(port) == expected_rows([*CASES, late])
    store.employees.remove(BUDI.nip)  # his punches stay; port 4370 then reports his NIP
    budi_as_nip = [(BUDI.nip, *row[1:]) if row[0] == "12" else row for row in expected_rows([*CASES, late])]
    assert get_att_log(port) == budi_as_nip
    assert store.punches.delete_delivered_before(datetime.now(UTC) + timedelta(days=1), 1) == 1  # retention
    assert get_att_log(port) == budi_as_nip[1:]


def test_fast_attlog_line_is_the_generic_row():
    from sync.soap import codec

    when = datetime(2026, 11, 24, 7, 35, 0)
    assert codec.attlog_line("7&", when, 15, 255) == codec.row_line(codec.attlog_row("7&", when, 15, 255))


PHP_CLIENT = Path(__file__).resolve().parent / "php" / "soap_client.php"


def php(port: int, *args: object) -> list[list[str]]:
    """Run the PHP client (the real interpreter, its fsockopen/fgets); rows as lists of fields."""
    if shutil.which("php") is None:
        pytest.skip("php is not installed (apt-get install php-cli); CI installs it")
    done = subprocess.run(
        ["php", str(PHP_CLIENT), "127.0.0.1", str(port), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return [line.split("\t") for line in done.stdout.splitlines()]


def test_a_real_php_interpreter_reads_every_punch_and_user(store, port):
    assert [tuple(row) for row in php(port, 0, "GetAttLog")] == expected_rows()
    assert [tuple(row) for row in php(port, 0, "GetAttLog", 13)] == expected_rows(CASES[4:5])
    assert sorted(tuple(row) for row in php(port, 0, "GetUserInfo")) == sorted(
        [("7", "Renee Muller"), ("12", "Budi &amp; Sons &lt;Ltd&gt;"), ("13", "Siti Aminah")]
    )
    ((result, information),) = php(port, 0, "ClearData")
    assert result == "0" and "never deletes" in information
    assert store.punches.count() == len(CASES) and len(php(port, 0, "GetAttLog")) == len(CASES)


def test_a_real_php_interpreter_with_a_wrong_comm_key_gets_no_data(store):
    server = serve(store, comm_key=4242)
    try:
        assert php(server.port, 1, "GetAttLog") == [] and php(server.port, 1, "GetUserInfo") == []
        assert len(php(server.port, 4242, "GetAttLog")) == len(CASES)
    finally:
        server.stop()
