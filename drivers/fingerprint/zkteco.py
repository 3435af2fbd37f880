"""The ZKTeco fingerprint terminal as the kiosk's fallback, through pyzk.

A background thread keeps one connection: it pushes the roster, reads the terminal clock, then
live-captures verification events and records each as a fingerprint punch through the same
recorder as a face punch. Any failure closes the connection and reconnects after an exponential
backoff; nothing here runs on the caller's (camera) thread.

Each terminal record gets the source key `zk:<serial>:<user id>:<YYYYmmddHHMMSS>`, so a live
event and the same record read later by `pull_missed` (e.g. `kiosk zk pull`) are one punch.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from kiosk.backoff import Backoff
from kiosk.domain import Employee
from kiosk.recorder import RecordOutcome
from kiosk.settings.zk_terminal import ZkTerminalSettings
from kiosk.store import DuplicatePunch

log = logging.getLogger(__name__)

# (nip, at, source_key) -> the recorder's outcome; raises DuplicatePunch for a record already taken
RecordFingerprint = Callable[[str, datetime, str], RecordOutcome]
LIVE_POLL = 1  # seconds pyzk waits for an event before handing control back
MAX_UID = 0xFFFF
ADMIN_PRIVILEGE = 14


class EmployeeLookup(Protocol):
    def by_pin(self, pin: int) -> Employee | None: ...

    def get(self, nip: str) -> Employee | None: ...

    def list(self, active_only: bool = True) -> list[Employee]: ...


class TerminalUnavailable(ConnectionError):
    """The terminal could not be reached or refused us; the message says what to check."""


@dataclass(frozen=True)
class PullResult:
    read: int = 0  # records in the terminal's log
    recorded: int = 0  # new punches
    already: int = 0  # recorded before (live capture or an earlier pull)
    repeats: int = 0  # within the recorder's repeat window of another punch: one punch, not two
    unknown_users: tuple[str, ...] = ()  # terminal user ids with no employee
    failed: int = 0  # the recorder refused them (see the log)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "recorded": self.recorded,
            "already": self.already,
            "repeats": self.repeats,
            "unknown_users": list(self.unknown_users),
            "failed": self.failed,
        }


@dataclass(frozen=True)
class RosterChanges:
    to_set: tuple[tuple[int, str, str], ...] = ()  # (uid, user_id, name)
    to_delete: tuple[int, ...] = ()  # uids


def source_key(serial: str, user_id: str, at: datetime) -> str:
    return f"zk:{serial}:{user_id}:{at:%Y%m%d%H%M%S}"


def find_employee(employees: EmployeeLookup, user_id: str) -> Employee | None:
    """A terminal user id is the employee's PIN (at most 9 digits), or their NIP on NIP-keyed terminals."""
    user_id = user_id.strip()
    if user_id.isdigit() and len(user_id) <= 9:
        found = employees.by_pin(int(user_id))
        if found is not None:
            return found
    return employees.get(user_id) if user_id else None


def roster_changes(terminal_users: Iterable[Any], employees: Iterable[Employee]) -> RosterChanges:
    """What to write so the terminal holds exactly the kiosk's active employees (admins are kept)."""
    users = {u.user_id: u for u in terminal_users}
    used_uids = {u.uid for u in users.values()}
    wanted = {str(e.pin): e for e in employees if e.active and e.pin > 0}
    to_set = []
    for user_id, employee in sorted(wanted.items(), key=lambda item: int(item[0])):
        current = users.get(user_id)
        name = employee.name[:24]
        if current is not None and current.name == name:
            continue
        uid = current.uid if current is not None else _free_uid(employee.pin, used_uids)
        used_uids.add(uid)
        to_set.append((uid, user_id, name))
    to_delete = tuple(
        sorted(u.uid for uid_key, u in users.items() if uid_key not in wanted and u.privilege != ADMIN_PRIVILEGE)
    )
    return RosterChanges(tuple(to_set), to_delete)


def _free_uid(pin: int, used: set[int]) -> int:
    if 0 < pin <= MAX_UID and pin not in used:
        return pin
    return next(n for n in range(1, MAX_UID + 1) if n not in used)


def open_terminal(settings: ZkTerminalSettings, zk_class: Any = None) -> Any:
    """A connected pyzk ZK object; raises TerminalUnavailable with what to check."""
    if not settings.enabled:
        raise TerminalUnavailable("no terminal configured; set [fingerprint] terminal_address in the config")
    if zk_class is None:
        from zk import ZK  # imported here so the kiosk runs without pyzk when unused

        zk_class = ZK
    zk = zk_class(
        settings.terminal_address,
        port=settings.port,
        timeout=settings.timeout,
        password=settings.comm_key,
        force_udp=settings.udp,
        ommit_ping=True,
    )
    try:
        return zk.connect()
    except Exception as exc:
        raise TerminalUnavailable(
            f"cannot connect to the terminal at {settings.terminal_address}:{settings.port} ({exc}); "
            "check the address, that the terminal is on, and [fingerprint] comm_key"
        ) from exc


class Ingest:
    """Turns terminal attendance records into fingerprint punches, once each."""

    def __init__(
        self,
        employees: EmployeeLookup,
        record: RecordFingerprint,
        tz: tzinfo,
        already: Callable[[str], bool] = lambda key: False,
    ) -> None:
        self.employees, self.record, self.tz, self.already = employees, record, tz, already

    def one(self, serial: str, user_id: str, at: datetime) -> str:
        """Returns "recorded", "already", "repeat", "unknown" or "failed"."""
        key = source_key(serial, user_id, at)
        if self.already(key):
            return "already"
        employee = find_employee(self.employees, user_id)
        if employee is None:
            log.warning("terminal user %s is not an employee of this kiosk; enroll them or fix their PIN", user_id)
            return "unknown"
        try:
            outcome = self.record(employee.nip, at.replace(tzinfo=self.tz), key)
        except DuplicatePunch:
            return "already"
        except Exception:
            log.exception("fingerprint punch of %s at %s not recorded", employee.nip, at)
            return "failed"
        return "repeat" if outcome.repeated else "recorded"

    def many(self, serial: str, records: Iterable[Any]) -> PullResult:
        counts = {"recorded": 0, "already": 0, "repeat": 0, "failed": 0}
        unknown: list[str] = []
        total = 0
        for att in records:
            total += 1
            outcome = self.one(serial, str(att.user_id), att.timestamp)
            if outcome == "unknown":
                unknown.append(str(att.user_id))
            else:
                counts[outcome] += 1
        return PullResult(
            total,
            counts["recorded"],
            counts["already"],
            counts["repeat"],
            tuple(dict.fromkeys(unknown)),
            counts["failed"],
        )


def pull_missed(conn: Any, ingest: Ingest) -> PullResult:
    """Read the terminal's whole attendance log and record what is not recorded yet."""
    serial = conn.get_serialnumber()
    return ingest.many(serial, conn.get_attendance())


def push_roster(conn: Any, employees: Iterable[Employee]) -> RosterChanges:
    changes = roster_changes(conn.get_users(), employees)
    for uid, user_id, name in changes.to_set:
        conn.set_user(uid=uid, name=name, privilege=0, user_id=user_id)
    for uid in changes.to_delete:
        conn.delete_user(uid=uid)
    return changes


def clock_drift(conn: Any, tz: tzinfo) -> timedelta:
    """Terminal clock minus kiosk clock (both on the office's wall clock)."""
    return conn.get_time() - datetime.now(tz).replace(tzinfo=None)


@dataclass
class FallbackStatus:
    connected: bool = False
    serial: str = ""
    last_error: str = ""
    drift: timedelta | None = None
    events: int = 0
    reconnects: int = 0
    roster: RosterChanges | None = field(default=None, repr=False)


class ZkFallback:
    """The live link to the terminal, in its own thread. start() and stop() return promptly."""

    def __init__(
        self,
        settings: ZkTerminalSettings,
        employees: EmployeeLookup,
        record: RecordFingerprint,
        tz: tzinfo,
        already: Callable[[str], bool] = lambda key: False,
        zk_class: Any = None,
    ) -> None:
        self.settings = settings
        self.employees = employees
        self.ingest = Ingest(employees, record, tz, already)
        self.tz = tz
        self.zk_class = zk_class
        self.status = FallbackStatus()
        self._stop = threading.Event()
        self._jobs: queue.Queue[Callable[[Any], None]] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.settings.enabled:
            log.info("no ZKTeco terminal configured; fingerprint fallback off")
            return
        self._thread = threading.Thread(target=self._run, name="zk-fallback", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request_roster_push(self) -> None:
        self._jobs.put(self._push)

    # the thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = Backoff(self.settings.backoff_min, self.settings.backoff_max)
        while not self._stop.is_set():
            try:
                self._session()
                backoff.reset()
            except Exception as exc:  # noqa: BLE001 - pyzk raises many kinds (network, struct, its own): all mean reconnect
                self.status.connected, self.status.last_error = False, str(exc)
                delay = backoff.next()
                log.warning("ZKTeco terminal link lost (%s); reconnecting in %.1f s", exc, delay)
                self.status.reconnects += 1
                self._stop.wait(delay)

    def _session(self) -> None:
        conn = open_terminal(self.settings, self.zk_class)
        try:
            self.status.connected, self.status.serial = True, conn.get_serialnumber()
            log.info("connected to ZKTeco terminal %s (serial %s)", self.settings.terminal_address, self.status.serial)
            self._check_clock(conn)
            if self.settings.push_roster:
                self._push(conn)
            self._capture(conn)
        finally:
            self.status.connected = False
            _quietly(conn.disconnect)

    def _capture(self, conn: Any) -> None:
        while not self._stop.is_set():
            for att in conn.live_capture(new_timeout=LIVE_POLL):
                if att is not None:
                    self.status.events += 1
                    self.ingest.one(self.status.serial, str(att.user_id), att.timestamp)
                if self._stop.is_set() or not self._jobs.empty():
                    conn.end_live_capture = True  # pyzk leaves the loop and unregisters events
            self._run_jobs(conn)

    def _run_jobs(self, conn: Any) -> None:
        while not self._jobs.empty():
            self._jobs.get_nowait()(conn)

    def _check_clock(self, conn: Any) -> None:
        self.status.drift = drift = clock_drift(conn, self.tz)
        if abs(drift.total_seconds()) > self.settings.drift_warn_seconds:
            log.warning(
                "terminal clock differs from the kiosk by %.0f s; set the terminal's time", drift.total_seconds()
            )

    def _push(self, conn: Any) -> None:
        self.status.roster = push_roster(conn, self.employees.list(active_only=True))


def pull_once(settings: ZkTerminalSettings, ingest: Ingest, zk_class: Any = None) -> PullResult:
    """Connect, pull the whole log, disconnect (what `kiosk zk pull` runs)."""
    conn = open_terminal(settings, zk_class)
    try:
        return pull_missed(conn, ingest)
    finally:
        _quietly(conn.disconnect)


def terminal_info(settings: ZkTerminalSettings, tz: tzinfo, zk_class: Any = None) -> dict[str, Any]:
    """Identity, counts and clock drift of the terminal (what `kiosk zk info` prints)."""
    conn = open_terminal(settings, zk_class)
    try:
        conn.read_sizes()
        return {
            "address": f"{settings.terminal_address}:{settings.port}",
            "serial": conn.get_serialnumber(),
            "firmware": conn.get_firmware_version(),
            "platform": conn.get_platform(),
            "device_name": conn.get_device_name(),
            "users": conn.users,
            "records": conn.records,
            "clock_drift_seconds": round(clock_drift(conn, tz).total_seconds()),
        }
    finally:
        _quietly(conn.disconnect)


def _quietly(action: Callable[[], object]) -> None:
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - closing a broken link may fail any way
        log.debug("ignored while closing the terminal link: %s", exc)
