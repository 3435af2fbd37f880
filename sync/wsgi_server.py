"""Run a WSGI app with hypercorn in a background thread, stoppable, on a chosen or ephemeral port.

Every HTTP surface of the kiosk (pull API, reference receiver, ADMS, SOAP, console) runs here, so
they share the limits of sync/http_limits.py and the TLS of kiosk/tls.py. Why hypercorn
(docs/security.md): it is asyncio, so a slow partial request costs a coroutine, not a worker thread,
and its idle timer runs from the connection's start until the request's headers are complete, which
is the total header deadline slowloris needs; it serves TLS from an ssl.SSLContext; the WSGI app runs
on a bounded thread pool once the request is complete.

Hooks on hypercorn, each small and tested in tests/test_hostile_http.py:
  - `_LimitedWsgi` (a hypercorn WSGIWrapper) refuses a declared oversized body with 413 before
    reading it, reads the body against a deadline (408), and gives an empty response its start line;
  - `_Config` hands hypercorn our ssl.SSLContext instead of building its own;
  - the listening socket is a `CappedListener` that closes connections over the caps on accept.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import ssl
import threading
import time
from typing import Any, Self

import h11
import hypercorn.protocol
from hypercorn.app_wrappers import WSGIWrapper
from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.protocol.h11 import H11Protocol

from sync.http_limits import ConnectionCounter, HttpLimits, listening_socket

log = logging.getLogger(__name__)


class ServerThread:
    """`ServerThread(app, "127.0.0.1", 0).start()`; `.port` is the bound port; `.stop()` joins.

    `limits` bounds sizes, times and connections (sync/http_limits.py); `tls` (an ssl.SSLContext
    from kiosk.tls.server_context) serves HTTPS instead of HTTP.
    """

    def __init__(
        self,
        app,
        host: str,
        port: int,
        threads: int = 4,
        name: str = "http",
        *,
        limits: HttpLimits | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.name, self.threads, self.tls = name, threads, tls
        self.limits = limits or HttpLimits()
        self.connections = ConnectionCounter(self.limits, name)
        self.socket = listening_socket(host, port, self.connections)
        self.app = _LimitedWsgi(_with_start_line(app), self.limits)
        self.thread = threading.Thread(target=self._run, name=f"{name}-server", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    @property
    def host(self) -> str:
        return str(self.socket.getsockname()[0])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def start(self) -> Self:
        self.thread.start()
        self._ready.wait(10)
        return self

    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and self.thread.is_alive():
            loop.call_soon_threadsafe(stopping.set)
            self.thread.join(timeout)
        self.socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception:  # the thread's last word goes to the journal (BLE001 allows: logged)
            log.exception("%s: the HTTP server stopped", self.name)
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        # the WSGI app runs on this pool (hypercorn uses the loop's default executor)
        pool = concurrent.futures.ThreadPoolExecutor(self.threads, thread_name_prefix=f"{self.name}-worker")
        self._loop.set_default_executor(pool)
        config = _config(self.limits, self.tls)
        sockets = Sockets(secure_sockets=[self.socket] if self.tls else [], insecure_sockets=[] if self.tls else [self.socket], quic_sockets=[])
        self._ready.set()
        await worker_serve(self.app, config, sockets=sockets, shutdown_trigger=self._stopping.wait)


class _UncountedCrlfTolerant(h11.Connection):
    """h11's server connection, except that the CRLF the PHP attendance applications send after an
    HTTP/1.0 body (not counted in Content-Length, see docs/soap-service.md) is dropped instead of
    being answered with 400: a real terminal ignores it. Only whitespace after a finished request
    that must close is dropped; anything else still is a protocol error."""

    def receive_data(self, data: bytes) -> None:
        if data and self.their_state is h11.MUST_CLOSE and not data.strip(b"\r\n"):
            return
        super().receive_data(data)

    def next_event(self) -> h11.Event | type[h11.NEED_DATA | h11.PAUSED]:
        event = super().next_event()
        if self.their_state is h11.MUST_CLOSE:
            pending, _closed = self.trailing_data
            if pending and not pending.strip(b"\r\n"):
                # h11 has no public way to discard buffered bytes; a fresh buffer is what it starts with.
                self._receive_buffer = type(self._receive_buffer)()
        return event


class _TolerantH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # hypercorn's own arguments, passed on
        super().__init__(*args, **kwargs)
        self.connection = _UncountedCrlfTolerant(h11.SERVER, max_incomplete_event_size=self.config.h11_max_incomplete_size)


# hypercorn builds its HTTP/1 protocol by this module-level name; every server of this process is
# ours, so they all get the tolerant connection (tested in tests/test_soap_service.py).
hypercorn.protocol.H11Protocol = _TolerantH11Protocol  # type: ignore[misc]


class _Config(Config):
    """hypercorn's Config, serving TLS with the context we built (kiosk.tls) instead of its own."""

    context: ssl.SSLContext | None = None

    @property
    def ssl_enabled(self) -> bool:
        return self.context is not None

    def create_ssl_context(self) -> ssl.SSLContext | None:
        return self.context


def _config(limits: HttpLimits, tls: ssl.SSLContext | None) -> _Config:
    config = _Config()
    config.context = tls
    config.keep_alive_timeout = limits.header_timeout  # runs from connect until the headers are complete
    config.ssl_handshake_timeout = limits.header_timeout
    config.h11_max_incomplete_size = limits.max_header_bytes
    config.h2_max_header_list_size = limits.max_header_bytes
    config.h2_max_concurrent_streams = 8
    config.wsgi_max_body_size = limits.max_body_bytes
    config.include_server_header = False  # do not tell the LAN which server and version run here
    config.graceful_timeout = 2.0
    config.errorlog = logging.getLogger("hypercorn.error")
    config.accesslog = None
    return config


class _LimitedWsgi(WSGIWrapper):
    """hypercorn's WSGI wrapper, but the body is read against the limits before the app runs."""

    def __init__(self, app, limits: HttpLimits) -> None:
        super().__init__(app, limits.max_body_bytes)
        self.limits = limits

    async def handle_http(self, scope, receive, send, sync_spawn, call_soon) -> None:
        if str(scope.get("http_version", "1.1")).startswith("1"):
            send = _closing(send)
        declared = _content_length(scope.get("headers", []))
        if declared == -1:
            return await _refuse(send, 400, "bad_request", "Content-Length is not a whole number")
        if declared > self.limits.max_body_bytes:
            return await _refuse(send, 413, "too_large", f"the body declares {declared} bytes; this server takes at most {self.limits.max_body_bytes}")
        body = bytearray()
        deadline = time.monotonic() + self.limits.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return await _refuse(send, 408, "timeout", f"the body did not arrive within {self.limits.body_timeout:g} s")
            if message.get("type") == "http.disconnect":
                return None
            body.extend(message.get("body", b""))
            if len(body) > self.limits.max_body_bytes:
                return await _refuse(send, 413, "too_large", f"the body is over {self.limits.max_body_bytes} bytes")
            if not message.get("more_body"):
                break
        sent = False

        async def once():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await super().handle_http(scope, once, send, sync_spawn, call_soon)


def _closing(send):
    """One request per HTTP/1 connection. hypercorn keeps a connection the client has closed until
    its keep-alive timer fires (up to header_timeout), so a client that opens a connection per
    request would run into its own per-source cap; `Connection: close` makes hypercorn close the
    socket as soon as the response is sent, which frees the slot at once."""

    async def closing_send(message):
        if message.get("type") == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
            message = {**message, "headers": [*headers, (b"connection", b"close")]}
        await send(message)

    return closing_send


def _content_length(headers) -> int:
    """The declared length, 0 when none, -1 when it is not a number."""
    for name, value in headers:
        if name.lower() == b"content-length":
            text = value.strip()
            return int(text) if text.isdigit() and len(text) <= 18 else -1
    return 0


async def _refuse(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _with_start_line(app):
    """hypercorn sends the status line with the first body chunk, so an empty body (204, HEAD, 304)
    would become a 500: give it one empty chunk."""

    def wrapped(environ, start_response):
        body = app(environ, start_response)
        return _AtLeastOneChunk(body)

    return wrapped


class _AtLeastOneChunk:
    def __init__(self, body) -> None:
        self.body = body

    def __iter__(self):
        empty = True
        for chunk in self.body:
            empty = False
            yield chunk
        if empty:
            yield b""

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            close()
