"""A small ADMS (iclock) server for tests and demos: handshake, ATTLOG, getrequest, devicecmd.

Serials must be approved (`approve(sn)`) or `auto_approve=True`; others get 403 like servers that
hold new devices as pending. Records are kept in memory, deduplicated on (SN, PIN, time, status).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from sync.adms_codec import AttLog, parse_attlog_line

OPTIONS = (
    "GET OPTION FROM: {sn}\nATTLOGStamp=None\nOPERLOGStamp=9999\nATTPHOTOStamp=None\nErrorDelay=30\nDelay=10\n"
    "TransTimes=00:00;14:05\nTransInterval=1\nTransFlag=TransData AttLog\tOpLog\tEnrollUser\tChgUser\n"
    "TimeZone=7\nRealtime=1\nEncrypt=None\n"
)


@dataclass
class AdmsState:
    approved: set[str] = field(default_factory=set)
    records: dict[tuple[str, str, str, int], AttLog] = field(default_factory=dict)
    raw_lines: list[str] = field(default_factory=list)
    handshakes: list[dict] = field(default_factory=list)
    pending_commands: dict[str, list[str]] = field(default_factory=dict)
    results: list[dict[str, str]] = field(default_factory=list)
    refused: int = 0


class AdmsServer:
    def __init__(self, auto_approve: bool = False) -> None:
        self.auto_approve = auto_approve
        self.state = AdmsState()
        self.lock = threading.Lock()
        self._ids = itertools.count(1)

    def approve(self, sn: str) -> None:
        with self.lock:
            self.state.approved.add(sn)

    def queue_command(self, sn: str, command: str) -> str:
        ident = str(next(self._ids))
        with self.lock:
            self.state.pending_commands.setdefault(sn, []).append(f"C:{ident}:{command}")
        return ident

    def __call__(self, environ, start_response):
        request = Request(environ)
        sn = request.args.get("SN", "")
        handler = {"/iclock/cdata": self.cdata, "/iclock/getrequest": self.getrequest, "/iclock/devicecmd": self.devicecmd,
                   "/iclock/ping": lambda r, s: _text("OK")}.get(request.path)  # fmt: skip
        if handler is None:
            response = _text("not found", 404)
        elif request.path != "/iclock/ping" and not self._allowed(sn):
            with self.lock:
                self.state.refused += 1
            response = _text("device pending approval", 403)
        else:
            response = handler(request, sn)
        return response(environ, start_response)

    def _allowed(self, sn: str) -> bool:
        return bool(sn) and (self.auto_approve or sn in self.state.approved)

    def cdata(self, request: Request, sn: str) -> Response:
        if request.method == "GET":
            with self.lock:
                self.state.handshakes.append(dict(request.args))
            return _text(OPTIONS.format(sn=sn))
        if request.args.get("table") != "ATTLOG":
            return _text("OK")
        lines = [line for line in request.get_data(as_text=True).splitlines() if line.strip()]
        records = [parse_attlog_line(line) for line in lines]
        with self.lock:
            self.state.raw_lines.extend(lines)
            for record in records:
                self.state.records.setdefault((sn, record.pin, record.time.isoformat(), record.status), record)
        return _text(f"OK:{len(records)}")

    def getrequest(self, request: Request, sn: str) -> Response:
        with self.lock:
            commands = self.state.pending_commands.pop(sn, [])
        return _text("\n".join(commands) + "\n" if commands else "OK")

    def devicecmd(self, request: Request, sn: str) -> Response:
        with self.lock:
            for line in request.get_data(as_text=True).splitlines():
                if line.strip():
                    self.state.results.append(dict(parse_qsl(line)))
        return _text("OK")


def _text(body: str, status: int = 200) -> Response:
    # The Date header is the server's clock for the device (usegmt, as HTTP wants it).
    return Response(body, status=status, mimetype="text/plain", headers={"Date": formatdate(usegmt=True)})
