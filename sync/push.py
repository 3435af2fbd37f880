"""SIAP push protocol v1 over HTTPS with requests: one POST per batch, then the photos asked for."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import tzinfo

import requests

from kiosk.domain import Punch
from kiosk.photos import PhotoStore
from sync import protocol
from sync.delivery_loop import PushPolicy, Sent
from sync.targets import Target, TokenError, read_token

log = logging.getLogger(__name__)
USER_AGENT = "siap-kiosk push/1"


def new_session() -> requests.Session:
    """A keep-alive session; requests retries nothing by itself, the delivery loop decides."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def describe_exception(exc: requests.RequestException) -> str:
    kinds = {
        requests.exceptions.SSLError: "TLS verification failed (set sync.ca_bundle to the server's CA)",
        requests.exceptions.ConnectTimeout: "timed out connecting",
        requests.exceptions.ReadTimeout: "no reply within the read timeout",
        requests.exceptions.ChunkedEncodingError: "connection closed in the middle of the reply",
        requests.exceptions.ConnectionError: "cannot connect",
    }
    for kind, text in kinds.items():
        if isinstance(exc, kind):
            return f"{text} ({type(exc).__name__})"
    return f"request failed ({type(exc).__name__}: {exc})"


class SiapTransport:
    def __init__(
        self, target: Target, policy: PushPolicy, device_id: str, photos: PhotoStore | None = None, *, zone: tzinfo
    ) -> None:
        self.target, self.policy, self.device_id, self.photos = target, policy, device_id, photos
        self.zone = zone  # device.timezone: punch times are sent on the device's wall clock
        self.session = new_session()

    def close(self) -> None:
        self.session.close()

    def _headers(self) -> dict[str, str]:
        token = read_token(self.target.token_file)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def send(self, punches: Sequence[Punch]) -> Sent:
        try:
            headers = self._headers()
        except TokenError as exc:
            return Sent("halt", str(exc))
        key, body = protocol.encode_batch(self.device_id, punches, self.zone)
        headers |= {"Idempotency-Key": key, "Content-Type": "application/json"}
        try:
            response = self.session.post(
                self.target.url + protocol.PUNCHES_PATH, data=body, headers=headers, timeout=self.policy.timeout, verify=self.policy.verify
            )
        except requests.RequestException as exc:
            return Sent("retry", describe_exception(exc))
        reply = protocol.classify_reply(
            response.status_code, response.headers, response.content, [p.uuid for p in punches], self.target.url, self.target.token_file
        )
        if reply.action != "ok":
            return Sent(reply.action, reply.reason, reply.retry_after)
        problem = self._upload_photos(punches, reply.results, headers)
        return problem or Sent("ok", parked=tuple(protocol.parked_of(punches, reply.results)))

    def _upload_photos(self, punches: Sequence[Punch], results: Sequence[protocol.PunchResult], headers: dict) -> Sent | None:
        """Photos first, acknowledgement after: a failed upload re-sends the batch (as duplicates)."""
        if not (self.policy.upload_photos and self.photos):
            return None
        wanted = {r.uuid for r in results if r.photo_wanted}
        for punch in punches:
            if punch.uuid in wanted and punch.photo:
                problem = self._upload_photo(punch, headers)
                if problem:
                    return problem
        return None

    def _upload_photo(self, punch: Punch, headers: dict) -> Sent | None:
        try:
            jpeg = self.photos.path_of(punch.photo).read_bytes()  # type: ignore[union-attr,arg-type]
        except (OSError, ValueError):
            log.info("evidence photo of punch #%d is gone (retention); not uploaded", punch.seq)
            return None
        photo_headers = {k: v for k, v in headers.items() if k == "Authorization"} | {"Content-Type": "image/jpeg"}
        try:
            response = self.session.put(
                self.target.url + protocol.photo_path(punch.uuid), data=jpeg, headers=photo_headers,
                timeout=self.policy.timeout, verify=self.policy.verify,
            )  # fmt: skip
        except requests.RequestException as exc:
            return Sent("retry", f"photo upload: {describe_exception(exc)}")
        if response.status_code in (200, 201, 204):
            return None
        reply = protocol.classify_reply(response.status_code, response.headers, response.content, [], self.target.url, self.target.token_file)
        if reply.action in ("halt", "retry") and response.status_code in protocol.RETRY_STATUSES | {401, 403}:
            return Sent(reply.action, f"photo upload: {reply.reason}", reply.retry_after)
        log.warning("server refused the photo of punch #%d (HTTP %d); punch delivered without it", punch.seq, response.status_code)
        return None
