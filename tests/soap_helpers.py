"""A client of the terminals' web service written the way the PHP attendance applications talk.

It copies their habits (../shared/protocols/soap.md), not a library: a raw socket, `POST /iWsService
HTTP/1.0` without a Host header, the body followed by a CRLF that Content-Length does not count,
reading until the server closes, then cutting the reply with plain substring searches: the text
between `<XResponse>` and `</XResponse>`, split on CRLF, the loop starting at piece 1, each field
between its tags. It never parses XML.
"""

from __future__ import annotations

import socket

STATUS_LINE_END = "\r\n"


def soap_body(method: str, comm_key: object = 0, arg: str = "") -> str:
    """The body the PHP examples build: undeclared xsi: prefixes, no envelope."""
    return (
        f'<{method}><ArgComKey xsi:type="xsd:integer">{comm_key}</ArgComKey>'
        f"<Arg>{arg}</Arg></{method}>"
    )


def pin_arg(pin: object = "All") -> str:
    return f'<PIN xsi:type="xsd:integer">{pin}</PIN>'


def post_raw(port: int, body: str | bytes, host: str = "127.0.0.1", path: str = "/iWsService", timeout: float = 30.0) -> str:
    """fsockopen, fputs the request, fgets 1024 bytes at a time until the server closes."""
    data = body.encode() if isinstance(body, str) else body
    head = f"POST {path} HTTP/1.0\r\nContent-Type: text/xml\r\nContent-Length: {len(data)}\r\n\r\n".encode()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(head + data + b"\r\n")  # the uncounted CRLF
        chunks = []
        while chunk := sock.recv(1024):
            chunks.append(chunk)
    return b"".join(chunks).decode("latin-1")  # PHP strings are bytes; the names must survive as ASCII


def parse_data(data: str, start: str, end: str) -> str:
    """The PHP examples' Parse_Data: the text between the first `start` and the next `end`, or ""."""
    begin = data.find(start)
    if begin < 0:
        return ""
    after = begin + len(start)
    stop = data.find(end, after)
    return data[after:stop] if stop >= 0 else ""


def rows(reply: str, method: str) -> list[str]:
    """The pieces the clients loop over: cut by CRLF, starting at index 1, each piece's <Row>."""
    inner = parse_data(reply, f"<{method}Response>", f"</{method}Response>")
    pieces = inner.split("\r\n")
    return [parse_data(piece, "<Row>", "</Row>") for piece in pieces[1:]]


def fields(row: str, *names: str) -> tuple[str, ...]:
    return tuple(parse_data(row, f"<{name}>", f"</{name}>") for name in names)


def get_att_log(port: int, comm_key: object = 0, pin: object = "All") -> list[tuple[str, str, str, str]]:
    """(PIN, DateTime, Verified, Status) of every row with a PIN, as the PHP loop keeps them."""
    reply = post_raw(port, soap_body("GetAttLog", comm_key, pin_arg(pin)))
    found = [fields(row, "PIN", "DateTime", "Verified", "Status") for row in rows(reply, "GetAttLog")]
    return [f for f in found if f[0]]


def get_user_info(port: int, comm_key: object = 0, pin: object = "All", method: str = "GetUserInfo") -> list[tuple[str, str]]:
    """(PIN, Name) of every user row."""
    arg = pin_arg(pin) if method == "GetUserInfo" else ""
    reply = post_raw(port, soap_body(method, comm_key, arg))
    found = [fields(row, "PIN", "Name") for row in rows(reply, method)]
    return [f for f in found if f[0]]


def result_of(reply: str, method: str) -> tuple[str, str]:
    """(Result, Information) of a reply's first row."""
    first = next((row for row in rows(reply, method) if row), "")
    return fields(first, "Result", "Information")  # type: ignore[return-value]


def http_status(reply: str) -> int:
    return int(reply.split(" ", 2)[1])
