"""ADMS / iclock push target: the kiosk delivers punches like a ZKTeco push terminal.

Per run: handshake (options=all), ATTLOG batches, then one getrequest poll whose commands are
answered through devicecmd. A server holding the device as pending (403) keeps punches queued.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import tzinfo

import requests

from kiosk import erasure
from kiosk.backoff import parse_retry_after
from kiosk.domain import Punch
from kiosk.photos import PhotoStore
from kiosk.store import Store
from sync import adms_codec as codec
from sync.delivery_loop import PushPolicy, Sent
from sync.push import describe_exception
from sync.targets import Target

log = logging.getLogger(__name__)
USER_AGENT = "iClock Proxy/1.09"
PENDING = "the ADMS server refused device {sn} (HTTP {status}): it is probably pending approval; approve it on the server. Punches stay queued."


class AdmsTransport:
    def __init__(
        self, target: Target, policy: PushPolicy, store: Store, photos: PhotoStore, employee_pattern: str = r".+", *, zone: tzinfo
    ) -> None:
        self.target, self.policy, self.store, self.photos = target, policy, store, photos
        self.zone = zone  # device.timezone: ATTLOG carries the device's wall clock without an offset
        self.employee_pattern = employee_pattern
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.options: codec.ServerOptions | None = None

    def close(self) -> None:
        self.session.close()

    def _get(self, path: str, **params: str) -> requests.Response:
        return self.session.get(
            f"{self.target.url}{path}", params={"SN": self.target.serial, **params}, timeout=self.policy.timeout, verify=self.policy.verify
        )

    def _post(self, path: str, body: str, **params: str) -> requests.Response:
        return self.session.post(
            f"{self.target.url}{path}", params={"SN": self.target.serial, **params}, data=body.encode(),
            headers={"Content-Type": "text/plain"}, timeout=self.policy.timeout, verify=self.policy.verify,
        )  # fmt: skip

    def send(self, punches: Sequence[Punch]) -> Sent:
        try:
            if self.options is None:
                problem = self._handshake()
                if problem:
                    return problem
            lines, parked = self._encode(punches)
            if lines:
                response = self._post("/iclock/cdata", "\n".join(lines) + "\n", table="ATTLOG", Stamp=str(punches[-1].seq))
                problem = self._check(response)
                if problem:
                    return problem
                codec.parse_ok_count(response.text)
            self.poll_commands()
        except requests.RequestException as exc:
            return Sent("retry", describe_exception(exc))
        except ValueError as exc:
            return Sent("retry", f"malformed ADMS reply: {exc}")
        return Sent("ok", parked=tuple(parked))

    def _handshake(self) -> Sent | None:
        response = self._get("/iclock/cdata", options="all", pushver="2.4.1", language="69")
        problem = self._check(response)
        if problem is None:
            self.options = codec.parse_options(response.text)
        return problem

    def _check(self, response: requests.Response) -> Sent | None:
        if response.status_code == 200:
            return None
        if response.status_code in (401, 403):
            self.options = None  # handshake again once approved
            return Sent("retry", PENDING.format(sn=self.target.serial, status=response.status_code))
        return Sent("retry", f"ADMS server answered HTTP {response.status_code}", parse_retry_after(response.headers.get("Retry-After")))

    def _encode(self, punches: Sequence[Punch]) -> tuple[list[str], list[tuple[int, str, str]]]:
        """ATTLOG lines, and the punches that cannot be expressed (no terminal PIN) parked."""
        lines, parked = [], []
        for punch in punches:
            employee = self.store.employees.get(punch.nip)
            if employee is None or not employee.pin:
                parked.append((punch.seq, "no_terminal_pin", f"employee {punch.nip} has no terminal PIN on this kiosk"))
            else:
                lines.append(codec.attlog_line(punch, employee.pin, self.zone))
        return lines, parked

    def poll_commands(self) -> int:
        """One getrequest; every command gets a devicecmd result. Returns how many were answered."""
        response = self._get("/iclock/getrequest")
        if response.status_code != 200:
            return 0
        commands = codec.parse_commands(response.text)
        if commands:
            results = [codec.command_result(c, self.execute(c)) for c in commands]
            self._post("/iclock/devicecmd", "\n".join(results) + "\n")
        return len(commands)

    def execute(self, command: codec.Command) -> int:
        """User updates and deletes are supported; everything else is answered 'not supported'."""
        handler = {"DATA UPDATE USERINFO": self._update_user, "DATA DELETE USERINFO": self._delete_user}.get(command.action)
        if handler is None:
            log.info("ADMS command %s not supported: %s", command.id, command.text)
            return codec.NOT_SUPPORTED
        try:
            return handler(command.params)
        except (ValueError, KeyError) as exc:
            log.warning("ADMS command %s refused: %s", command.id, exc)
            return codec.BAD_PARAMETER

    def _update_user(self, params: dict[str, str]) -> int:
        # ADMS knows users by PIN only; a kiosk employee needs a NIP, so unknown PINs are refused.
        employee = self.store.employees.by_pin(int(params["PIN"]))
        if employee is None:
            return codec.BAD_PARAMETER
        name = params.get("Name", "").strip() or employee.name
        self.store.employees.update(replace(employee, name=name))
        self.store.audit.log("adms.user_update", employee.nip, {"target": self.target.name, "pin": employee.pin, "name": name})
        return codec.OK

    def _delete_user(self, params: dict[str, str]) -> int:
        employee = self.store.employees.by_pin(int(params["PIN"]))
        if employee is not None:  # deleting an absent user succeeds: the outcome is the same
            erasure.remove_employee(self.store, self.photos, employee.nip, self.employee_pattern)
        return codec.OK
