"""`POST /iWsService` as a WSGI app over the store, and the server the daemon starts.

Read methods are answered from the store as port 4370 answers them (same user ids, states, verify
codes and names, via sync.zk.mapping); every method that would change the kiosk is refused with
Result 0 and an Information text that says why: the kiosk's punches are evidence and are never
deleted, its clock follows NTP, its roster comes from the central server. The comm key is
[zk_server] comm_key, checked as port 4370 checks it: 0 means none is asked for.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kiosk.settings.soap import SoapSettings
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.store import Store
from sync.ascii_names import ascii_name
from sync.soap import codec
from sync.soap.attlog import AttLogLines
from sync.soap.codec import BadRequest, SoapRequest
from sync.wsgi_server import ServerThread
from sync.zk.mapping import MappingRules, Roster, build_roster

log = logging.getLogger(__name__)

PATH = "/iwsservice"  # matched without regard to case
READS = ("GetAttLog", "GetUserInfo", "GetAllUserInfo", "GetDate")
NEVER_DELETES = "Ditolak: kiosk tidak pernah menghapus data absensi. (Refused: the kiosk never deletes punches; every punch stays.)"
REFUSALS = {
    "cleardata": NEVER_DELETES,
    "deleteuser": "Ditolak: pegawai dikelola server pusat (kiosk roster). (Refused: employees are managed by the central server's roster.)",
    "setuserinfo": "Ditolak: pegawai dikelola server pusat (kiosk roster). (Refused: employees are managed by the central server's roster.)",
    "setdate": "Ditolak: jam kiosk disetel otomatis (NTP). (Refused: the kiosk's clock is set by NTP, not by clients.)",
    "restart": "Ditolak: kiosk tidak dapat dinyalakan ulang dari jaringan. (Refused: the kiosk is not restarted over the network.)",
    "refreshdb": "Tidak perlu: kiosk selalu membaca datanya langsung. (Not needed: the kiosk always reads its own store.)",
    "getusertemplate": "Tidak ada: kiosk mengenali wajah, tidak menyimpan template sidik jari. (None: the kiosk stores no fingerprint templates.)",
    "setusertemplate": "Ditolak: kiosk tidak menyimpan template sidik jari. (Refused: the kiosk stores no fingerprint templates.)",
    "deletetemplate": "Ditolak: kiosk tidak menyimpan template sidik jari. (Refused: the kiosk stores no fingerprint templates.)",
    "deleteusertemplate": "Ditolak: kiosk tidak menyimpan template sidik jari. (Refused: the kiosk stores no fingerprint templates.)",
}


@dataclass(frozen=True)
class Reply:
    status: str  # HTTP status line
    body: str


class SoapService:
    """The WSGI app. `now` returns the device's current time (aware), for GetDate."""

    def __init__(
        self, store: Store, comm_key: int, rules: MappingRules, max_body_bytes: int = 65536,
        refresh_db_ok: bool = False, now: Callable[[], datetime] | None = None,
    ) -> None:  # fmt: skip
        if rules.zone is None:
            raise ValueError("the SOAP service needs the device's zone (device.timezone) to show punch times")
        self.store, self.comm_key, self.rules = store, comm_key, rules
        self.max_body_bytes, self.refresh_db_ok = max_body_bytes, refresh_db_ok
        zone: tzinfo = rules.zone
        self.now = now or (lambda: datetime.now(zone))
        self.attlog = AttLogLines(store, rules)

    # --- HTTP ---------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        reply = self.handle(environ)
        data = reply.body.encode("utf-8")
        # The PHP clients speak HTTP/1.0 and read until the server closes: waitress closes after
        # an HTTP/1.0 reply (the connection is its business: PEP 3333 forbids the app a Connection header).
        headers = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(data)))]
        start_response(reply.status, headers)
        return [data]

    def handle(self, environ: dict) -> Reply:
        if environ.get("PATH_INFO", "").rstrip("/").lower() != PATH:
            return _error("404 Not Found", "", "no such path; the web service is POST /iWsService")
        if environ.get("REQUEST_METHOD") != "POST":
            return _error("405 Method Not Allowed", "", "send the request with POST /iWsService")
        body = self._body(environ)
        if isinstance(body, Reply):
            return body
        try:
            request = codec.parse_request(body)
        except BadRequest as exc:
            log.info("soap: refused a body from %s: %s", environ.get("REMOTE_ADDR"), exc)
            return _error("400 Bad Request", "", str(exc))
        try:
            return self.answer(request, environ.get("REMOTE_ADDR", "?"))
        except Exception:  # the client gets words, the log gets the trace
            log.exception("soap: %s failed", request.method)
            return _error("500 Internal Server Error", request.method, "the kiosk could not answer; see its log (journalctl -u kiosk)")

    def _body(self, environ: dict) -> bytes | Reply:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _error("400 Bad Request", "", "Content-Length is not a number")
        if length > self.max_body_bytes:
            return _error("413 Content Too Large", "", f"the body is {length} bytes; at most {self.max_body_bytes} are accepted")
        body = environ["wsgi.input"].read(self.max_body_bytes + 1) if length or environ.get("HTTP_TRANSFER_ENCODING") else b""
        if len(body) > self.max_body_bytes:
            return _error("413 Content Too Large", "", f"the body is over {self.max_body_bytes} bytes")
        return body

    # --- methods ------------------------------------------------------------------------------
    def answer(self, request: SoapRequest, peer: str) -> Reply:
        method = _canonical(request.method)
        if method is None and request.method.lower() not in REFUSALS:
            log.info("soap: %s asked for unknown method %r", peer, request.method)
            known = ", ".join(READS)
            return _error("400 Bad Request", request.method, f"unknown method {request.method}; this kiosk answers {known}")
        tag = method or request.method
        if not self._key_ok(request.comm_key):
            log.info("soap: %s sent a wrong comm key for %s", peer, tag)
            text = "Ditolak: kunci komunikasi (ArgComKey) salah. (Refused: ArgComKey does not match the comm key set on the kiosk, [zk_server] comm_key.)"
            return Reply("403 Forbidden", codec.response(tag, [codec.result_row(False, text)], request.enveloped))
        if method is None:
            return self._refuse(request, peer)
        log.debug("soap: %s %s %s", peer, method, request.args)
        if method == "GetAttLog":
            return Reply("200 OK", codec.response_of_lines(method, self.att_log_lines(request), request.enveloped))
        return Reply("200 OK", codec.response(method, getattr(self, f"on_{method}")(request), request.enveloped))

    def _key_ok(self, sent: str) -> bool:
        if self.comm_key == 0:
            return True  # as on port 4370: no key set, none asked for
        sent = sent or "0"
        return sent.isdigit() and hmac.compare_digest(str(int(sent)).encode(), str(self.comm_key).encode())

    def _refuse(self, request: SoapRequest, peer: str) -> Reply:
        name = request.method.lower()
        done = name == "refreshdb" and self.refresh_db_ok
        log.info("soap: %s asked for %s: %s", peer, request.method, "answered done" if done else "refused")
        return Reply("200 OK", codec.response(request.method, [codec.result_row(done, REFUSALS[name])], request.enveloped))

    def att_log_lines(self, request: SoapRequest) -> list[str]:
        """GetAttLog: every punch (PIN All) or one PIN's, as encoded row lines."""
        entries = self.attlog.entries(self._roster())
        wanted = _pin_filter(request.arg("PIN", "All"))
        return [line for user_id, line in entries if wanted is None or user_id == wanted]

    def on_GetUserInfo(self, request: SoapRequest) -> Iterator[codec.Row]:
        roster = self._roster()
        wanted = _pin_filter(request.arg("PIN", "All"))
        for employee in roster.employees:
            user_id = roster.user_ids[employee.nip]
            if employee.active and (wanted is None or user_id == wanted):
                yield codec.user_row(user_id, ascii_name(employee.name))

    def on_GetAllUserInfo(self, request: SoapRequest) -> Iterator[codec.Row]:
        return self.on_GetUserInfo(SoapRequest(request.method, request.comm_key, {}, request.enveloped))

    def on_GetDate(self, request: SoapRequest) -> Iterator[codec.Row]:
        yield codec.date_row(self.now().astimezone(self.rules.zone))

    def _roster(self) -> Roster:
        return build_roster(self.store.employees.list(active_only=False), self.rules)


def _canonical(method: str) -> str | None:
    return next((m for m in READS if m.lower() == method.lower()), None)


def _pin_filter(pin: str) -> str | None:
    """None for every user ("All", or no PIN); else the PIN as a number's text ("007" -> "7")."""
    pin = pin.strip()
    if not pin or pin.lower() == "all":
        return None
    return str(int(pin)) if pin.isdigit() and len(pin) < 10 else pin


def _error(status: str, method: str, information: str) -> Reply:
    """`<MethodResponse>` (or `<Response>` when there is no usable method name) with Result 0."""
    tag = method if method.isidentifier() else ""
    return Reply(status, codec.response(tag, [codec.result_row(False, information)]))


def build_soap_server(
    soap: SoapSettings, zk: ZkServerSettings, store: Store, zone: tzinfo, name: str = "soap"
) -> ServerThread:
    """The server the daemon starts when [soap] enabled = true (call .start(), later .stop())."""
    rules = MappingRules(zk.report_user_id, zk.siang_state, zk.other_state, zone=zone)
    app = SoapService(store, zk.comm_key, rules, soap.max_body_bytes, soap.refresh_db_ok)
    return ServerThread(app, soap.address, soap.port, threads=soap.threads, name=name)
