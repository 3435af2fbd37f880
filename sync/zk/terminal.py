"""What every client of the kiosk's ZK server shares: identity, data, clock, events, policy."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

from kiosk.domain import Punch
from kiosk.settings.zk_server import ZkServerSettings
from sync.zk.codec import encode_packet, make_commkey
from sync.zk.const import EF_ATTLOG, Cmd
from sync.zk.datasets import Datasets, Snapshot
from sync.zk.limits import AuthThrottle
from sync.zk.mapping import MappingRules, Roster, attendance_record
from sync.zk.records import UserRecord, encode_event_52
from sync.zk.source import ZkDataSource

log = logging.getLogger(__name__)

ClockSetter = Callable[[datetime], None]
FEED_POLL = 0.5  # seconds between looks at the store for punches other processes committed
FEED_PAGE = 500


def rules_from(settings: ZkServerSettings, tz: tzinfo | None = None) -> MappingRules:
    return MappingRules(settings.report_user_id, settings.siang_state, settings.other_state, zone=tz)


def comm_key_matches(key: int, session_id: int, payload: bytes) -> bool:
    """Check an AUTH payload; the third byte carries the client's tick, so any tick is accepted."""
    if len(payload) < 4:
        return False
    return make_commkey(key, session_id, ticks=payload[2]) == bytes(payload[:4])


class Terminal:
    """Shared by every session of one server; thread-safe."""

    def __init__(
        self,
        source: ZkDataSource,
        settings: ZkServerSettings,
        serial: str,
        tz: tzinfo | None = None,
        set_clock: ClockSetter | None = None,
        floor_path: Path | None = None,
    ) -> None:
        self.settings = settings
        self.serial = serial
        self.tz = tz
        self.rules = rules_from(settings, tz)
        self.datasets = Datasets(source, self.rules)
        self._set_clock = set_clock
        self._floor_path = floor_path
        self._floor = _read_floor(floor_path)
        self._lock = threading.Lock()
        self._overlay: dict[int, UserRecord | None] = {}
        self._subscribers: set = set()
        self._session_ids: set[int] = set()
        self._source = source
        self.auth_throttle = AuthThrottle()
        self._feed_cursor: int | None = None  # seq of the last punch offered to subscribers
        self._feed_wake = threading.Event()
        self._feed_stop = threading.Event()
        self._feed_thread: threading.Thread | None = None

    # identity -----------------------------------------------------------------------------
    def option(self, name: str) -> str | None:
        values = {
            "~SerialNumber": self.serial,
            "~Platform": self.settings.platform,
            "~DeviceName": self.settings.device_name,
            "MAC": "00:00:00:00:00:00",
            "~ZKFPVersion": "10",
            "ZKFaceVersion": "0",
            "FaceFunOn": "0",
            "~ExtendFmt": "0",
            "~UserExtFmt": "0",
            "CompatOldFirmware": "0",
            "~OS": "1",
            "~PIN2Width": "9",
            "IPAddress": self.settings.address,
            "NetMask": "255.255.255.0",
            "GATEIPAddress": "0.0.0.0",
        }
        return values.get(name)

    # data ---------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            overlay, floor = dict(self._overlay), self._floor
        return self.datasets.snapshot(overlay, floor)

    def write_user(self, user: UserRecord) -> bool:
        if not self.settings.accept_user_writes:
            return False
        with self._lock:
            self._overlay[user.uid] = user
        return True

    def delete_user(self, uid: int) -> bool:
        if not self.settings.accept_user_writes:
            return False
        with self._lock:
            self._overlay[uid] = None
        return True

    def clear_attendance(self) -> bool:
        """Hide what clients have seen (the floor moves); the kiosk's punches stay."""
        if not self.settings.allow_clear_attendance:
            return False
        floor = self._source.punches.last_seq()
        with self._lock:
            self._floor = floor
        _write_floor(self._floor_path, floor)
        log.info("zk client cleared attendance: punches up to seq %d are no longer served", floor)
        return True

    # clock --------------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(self.tz).replace(tzinfo=None, microsecond=0)

    def set_time(self, moment: datetime) -> bool:
        if not self.settings.allow_set_time or self._set_clock is None:
            return False
        try:
            self._set_clock(moment.replace(tzinfo=self.tz) if self.tz else moment)
        except (OSError, ValueError) as exc:
            log.warning("zk client set_time %s failed: %s", moment, exc)
            return False
        return True

    # sessions -----------------------------------------------------------------------------
    def new_session_id(self) -> int:
        """A random id no live session holds (ids are not secrets; the comm key is)."""
        with self._lock:
            session_id = random.randint(1, 0xFFFE)
            while session_id in self._session_ids:
                session_id = random.randint(1, 0xFFFE)
            self._session_ids.add(session_id)
        return session_id

    def release_session_id(self, session_id: int) -> None:
        with self._lock:
            self._session_ids.discard(session_id)

    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def is_subscribed(self, session: object) -> bool:
        with self._lock:
            return session in self._subscribers

    # events -------------------------------------------------------------------------------
    def subscribe(self, session: object) -> None:
        with self._lock:
            self._subscribers.add(session)

    def unsubscribe(self, session: object) -> None:
        with self._lock:
            self._subscribers.discard(session)

    def publish(self, punch: Punch | None = None) -> None:
        """A punch was committed (the recorder calls this): look at the store now, not at the next poll.

        Events come from the store's seq, not from this call, so every committed punch is sent once,
        in order, whichever process committed it (the daemon's recorder, `kiosk punch add`,
        `kiosk zk pull`).
        """
        self._feed_wake.set()

    def start_feed(self) -> None:
        self._feed_cursor = self._source.punches.last_seq()
        self._feed_stop.clear()
        self._feed_thread = threading.Thread(target=self._feed_loop, name="zk-events", daemon=True)
        self._feed_thread.start()

    def stop_feed(self, timeout: float = 5.0) -> None:
        self._feed_stop.set()
        self._feed_wake.set()
        if self._feed_thread is not None:
            self._feed_thread.join(timeout)

    def _feed_loop(self) -> None:
        while not self._feed_stop.is_set():
            self._feed_wake.wait(FEED_POLL)
            self._feed_wake.clear()
            try:
                self.feed_once()
            except Exception:  # a locked or busy database must not end realtime events for good
                log.exception("zk server could not read new punches for realtime events")

    def feed_once(self) -> int:
        """Offer every punch committed since the last look to the subscribers; returns how many."""
        punches = self._source.punches
        if self._feed_cursor is None:
            self._feed_cursor = punches.last_seq()
        if not self.subscriber_count():  # nobody listens: skip ahead rather than replay later
            self._feed_cursor = max(self._feed_cursor, punches.last_seq())
            return 0
        sent = 0
        while page := punches.page(after_seq=self._feed_cursor, limit=FEED_PAGE):
            roster = self.datasets.roster()
            for punch in page:
                self._push(punch, roster)
            self._feed_cursor, sent = page[-1].seq, sent + len(page)
        return sent

    def _push(self, punch: Punch, roster: Roster) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        if not subscribers:
            return
        record = attendance_record(punch, roster, self.rules)
        packet = encode_packet(Cmd.REG_EVENT, EF_ATTLOG, 0, encode_event_52(record))
        for session in subscribers:
            session.push_event(packet)


def _read_floor(path: Path | None) -> int:
    try:
        return int(path.read_text().strip()) if path else 0
    except FileNotFoundError:
        return 0
    except ValueError:
        log.warning("%s does not hold a number; serving every punch", path)
        return 0


def _write_floor(path: Path | None, floor: int) -> None:
    if path is None:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{floor}\n")
    tmp.replace(path)


__all__ = ["Terminal", "comm_key_matches", "rules_from"]
