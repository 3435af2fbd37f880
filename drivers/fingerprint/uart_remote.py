"""Enrolling and deleting fingers on the UART module, whether or not the kiosk service holds the port.

The service opens the serial port exclusively for its door loop, so `kiosk fingerprint enroll` (or
the console) cannot open it while the service runs. The service therefore listens on a Unix socket
in its runtime directory (owner-only) and hands each request to the door loop's thread, which runs
it between touches (`Jobs`); progress comes back as it happens, so the person at the sensor is
told when to place and lift the finger. When no service runs, the port is opened directly.

The protocol is one JSON line each way per event, one request per connection:
  request:  {"op": "enroll", "slot": 12, "finger_wait": 20}  or  {"op": "delete", "slot": 12}
  replies:  {"event": "started"}  then, for enroll, {"event": "step", "step": "place"} ...
            and finally {"event": "done"} or {"event": "error", "error": "FingerNotPlaced", "message": "..."}
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.fingerprint.uart import (
    DEFAULT_FINGER_WAIT_SECONDS,
    CorruptPacket,
    DeviceMissing,
    EnrollCancelled,
    EnrollStep,
    FingerNotPlaced,
    FingerprintError,
    Jobs,
    ModuleError,
    ModuleTimeout,
    SlotOutOfRange,
    StepCallback,
    UartFingerprint,
)

if TYPE_CHECKING:
    from kiosk.settings.uart import UartFingerprintSettings

log = logging.getLogger(__name__)

SOCKET_NAME = "fingerprint.sock"
REQUEST_LIMIT = 1024  # bytes; a request is a few dozen
ACCEPT_SECONDS = 15.0  # how long a client waits for the door loop to take its request
REPLY_MARGIN_SECONDS = 15.0  # beyond the finger wait, for the module's own replies
MAX_FINGER_WAIT_SECONDS = 120.0
MAX_SLOT = 65535  # the protocol's slot field is 16 bits; the module's capacity is checked by the driver

VIA_DAEMON = "daemon"
VIA_DIRECT = "direct"

# Errors the service reports by class name, raised again on the client as the same class.
_ERRORS: dict[str, type[FingerprintError]] = {
    cls.__name__: cls
    for cls in (DeviceMissing, ModuleTimeout, CorruptPacket, SlotOutOfRange, FingerNotPlaced, EnrollCancelled)
}


class RequestRefused(FingerprintError, ValueError):
    """A request the service does not accept (malformed, unknown operation, bad slot)."""


class ServiceUnavailable(FingerprintError):
    """No kiosk service answers on the socket (not running, or an old socket file)."""


def parse_request(line: bytes) -> dict:
    """Validate one request line; RequestRefused says what is wrong."""
    if len(line) > REQUEST_LIMIT:
        raise RequestRefused(f"request longer than {REQUEST_LIMIT} bytes")
    try:
        request = json.loads(line)
    except ValueError:
        raise RequestRefused("request is not one line of JSON") from None
    if not isinstance(request, dict) or request.get("op") not in ("enroll", "delete"):
        raise RequestRefused('request must be {"op": "enroll" | "delete", "slot": N}')
    slot = request.get("slot")
    if type(slot) is not int or not 1 <= slot <= MAX_SLOT:
        raise RequestRefused(f"slot must be a whole number from 1 to {MAX_SLOT}, got {slot!r}")
    wait = request.get("finger_wait", DEFAULT_FINGER_WAIT_SECONDS)
    if type(wait) not in (int, float) or not 1 <= wait <= MAX_FINGER_WAIT_SECONDS:
        raise RequestRefused(f"finger_wait must be 1 to {MAX_FINGER_WAIT_SECONDS:g} seconds, got {wait!r}")
    return {"op": request["op"], "slot": slot, "finger_wait": float(wait)}


def error_event(exc: FingerprintError) -> dict:
    event: dict[str, str | int] = {"event": "error", "error": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, ModuleError):
        event["code"] = exc.code
    return event


def error_from_event(event: dict) -> FingerprintError:
    message = str(event.get("message", "the kiosk service reported an error without a message"))
    if event.get("error") == "ModuleError":
        return ModuleError(message, int(event.get("code", 0)))
    return _ERRORS.get(str(event.get("error")), FingerprintError)(message)


# -- the service's side ----------------------------------------------------------------------


class RequestServer:
    """Accepts requests on a Unix socket and runs them on the door loop's thread via `jobs`."""

    def __init__(self, path: Path, jobs: Jobs, cancel: threading.Event) -> None:
        self.path = path
        self.jobs = jobs
        self.cancel = cancel  # the service's stop event: a waiting enrolment ends with it
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _remove_stale(self.path)
        server = socketserver.ThreadingUnixStreamServer(str(self.path), _Handler, bind_and_activate=True)
        os.chmod(self.path, 0o600)  # the directory is owner-only too; this is the second lock
        server.daemon_threads = True
        server.owner = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="fingerprint requests", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.jobs.close()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            self.path.unlink(missing_ok=True)

    def handle(self, request: dict, send: Callable[[dict], None]) -> None:
        """On a handler thread: queue the request and wait until the door loop has answered it."""
        finished = threading.Event()
        self.jobs.submit(lambda reader: self._run(reader, request, send, finished))
        budget = ACCEPT_SECONDS + 3 * request["finger_wait"] + REPLY_MARGIN_SECONDS
        if not finished.wait(budget):
            log.warning("fingerprint request %s not finished within %.0f s", request, budget)

    def _run(
        self, reader: UartFingerprint, request: dict, send: Callable[[dict], None], finished: threading.Event
    ) -> None:
        """On the door loop's thread, which owns the port."""
        try:
            send({"event": "started"})
            reader.ensure_open()
            if request["op"] == "enroll":

                def on_step(step: EnrollStep) -> None:
                    send({"event": "step", "step": step.value})

                reader.enroll(request["slot"], on_step, request["finger_wait"], cancel=self.cancel)
            else:
                reader.delete(request["slot"])
            log.info("fingerprint module: %s slot %d done for a local request", request["op"], request["slot"])
            send({"event": "done"})
        except FingerprintError as exc:
            log.warning("fingerprint module: %s slot %d failed: %s", request["op"], request["slot"], exc)
            with contextlib.suppress(OSError):
                send(error_event(exc))
        except OSError as exc:  # the client went away mid-enrolment: nobody is at the sensor any more
            log.warning("fingerprint request abandoned by its client: %s", exc)
        finally:
            finished.set()


class _Handler(socketserver.StreamRequestHandler):
    timeout = 5.0  # for reading the request line

    def handle(self) -> None:
        owner: RequestServer = self.server.owner  # type: ignore[attr-defined]
        lock = threading.Lock()

        def send(event: dict) -> None:
            with lock:
                self.wfile.write(json.dumps(event).encode() + b"\n")
                self.wfile.flush()

        with contextlib.suppress(OSError):  # a client that went away needs no answer
            try:
                request = parse_request(self.rfile.readline(REQUEST_LIMIT + 1))
            except RequestRefused as exc:
                send(error_event(exc))
                return
            try:
                owner.handle(request, send)
            except DeviceMissing as exc:  # the door loop has stopped
                send(error_event(exc))


def _remove_stale(path: Path) -> None:
    """A socket file left by a service that was killed: remove it, unless someone still answers."""
    if not path.exists():
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError:
        path.unlink(missing_ok=True)
    else:
        raise DeviceMissing(f"another kiosk service already answers fingerprint requests on {path}; stop it first")
    finally:
        probe.close()


# -- the client's side -----------------------------------------------------------------------


def call_service(path: Path, request: dict, on_step: StepCallback | None = None) -> None:
    """Send one request to the service and follow it to the end; raises what the service reports."""
    request = parse_request(json.dumps(request).encode())
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(ACCEPT_SECONDS)
        try:
            conn.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise ServiceUnavailable(f"no kiosk service answers on {path} ({exc.strerror})") from None
        conn.sendall(json.dumps(request).encode() + b"\n")
        _follow(conn, request, on_step)
    finally:
        conn.close()


def _follow(conn: socket.socket, request: dict, on_step: StepCallback | None) -> None:
    replies = conn.makefile("rb")
    started = False
    while True:
        try:
            line = replies.readline(REQUEST_LIMIT * 4)
        except TimeoutError:
            waited = f"{conn.gettimeout():g} s"
            if not started:
                raise ModuleTimeout(
                    f"the kiosk service did not take the fingerprint request within {waited} (is the sensor held "
                    "down, or the service busy with another enrolment?); try again"
                ) from None
            raise ModuleTimeout(f"the kiosk service sent no progress for {waited} during {request['op']}") from None
        if not line:
            raise FingerprintError(
                f"the kiosk service closed the connection before the {request['op']} finished; "
                "see its log (journalctl -u kiosk)"
            )
        try:
            event = json.loads(line)
            kind = event.get("event")
        except (ValueError, AttributeError):
            raise FingerprintError(
                f"unreadable reply from the kiosk service on {conn.getpeername()}: {line[:80]!r}"
            ) from None
        if kind == "started":
            started = True
            conn.settimeout(request["finger_wait"] + REPLY_MARGIN_SECONDS)
        elif kind == "step" and on_step is not None:
            on_step(EnrollStep(event["step"]))
        elif kind == "done":
            return
        elif kind == "error":
            raise error_from_event(event)


# -- either way ------------------------------------------------------------------------------


def enroll_slot(
    settings: UartFingerprintSettings,
    slot: int,
    on_step: StepCallback | None = None,
    finger_wait: float = DEFAULT_FINGER_WAIT_SECONDS,
    service: Path | None = None,
) -> str:
    """Enroll a finger into `slot`: through the service at `service` when it answers there, else on
    the port directly. Returns VIA_DAEMON or VIA_DIRECT."""
    request = {"op": "enroll", "slot": slot, "finger_wait": finger_wait}
    return _either(settings, request, service, lambda reader: reader.enroll(slot, on_step, finger_wait), on_step)


def delete_slot(settings: UartFingerprintSettings, slot: int, service: Path | None = None) -> str:
    """Erase `slot` from the module, through the service or directly. Returns how."""
    return _either(settings, {"op": "delete", "slot": slot}, service, lambda reader: reader.delete(slot), None)


def _either(
    settings: UartFingerprintSettings,
    request: dict,
    service: Path | None,
    direct: Callable[[UartFingerprint], None],
    on_step: StepCallback | None,
) -> str:
    if service is not None:
        try:
            call_service(service, request, on_step)
            return VIA_DAEMON
        except ServiceUnavailable as exc:
            log.info("%s; opening %s directly", exc, settings.port)
    with UartFingerprint.from_settings(settings) as reader:
        direct(reader)
    return VIA_DIRECT
