"""Domain values shared by every part of the kiosk.

These are plain frozen dataclasses and string enums: the store returns them, the rules classify
them, the sync side encodes them. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone


class Method(enum.StrEnum):
    """How the employee proved who they are."""

    FACE = "face"
    FINGERPRINT = "fingerprint"
    MANUAL = "manual"


class Kind(enum.StrEnum):
    """Which punch of the working day this is (Perbup Musi Rawas 50/2022, Lampiran I)."""

    DATANG = "datang"  # arrival
    SIANG = "siang"  # midday check
    PULANG = "pulang"  # departure
    OTHER = "other"  # not a working day, a repeat, or no schedule applies


class Status(enum.StrEnum):
    """How a punch counts against the schedule."""

    ON_TIME = "on_time"
    LATE = "late"  # arrival after the start, by `minutes`
    EARLY = "early"  # departure before the end, by `minutes`
    OUTSIDE_WINDOW = "outside_window"  # before arrival opens / after departure closes
    UNSCHEDULED = "unscheduled"  # no working day or no schedule: kept, not judged


@dataclass(frozen=True)
class Classification:
    """The verdict of the rules on one punch."""

    kind: Kind = Kind.OTHER
    status: Status = Status.UNSCHEDULED
    minutes: int = 0  # minutes late or early; 0 otherwise


@dataclass(frozen=True)
class Employee:
    nip: str  # 18-digit NIP for PNS/CPNS, or another configured employee number; kept as text
    name: str
    unit: str = ""
    schedule: str = ""  # schedule name; "" = the unit's / device default
    pin: int = 0  # numeric user id on ZKTeco terminals and fingerprint modules (<= 9 digits)
    active: bool = True
    since: date | None = None  # first working day; recaps do not count the days before it

    def employed_on(self, day: date) -> bool:
        """Whether `day` is on or after the employee's start date (always, when it is unknown)."""
        return self.since is None or day >= self.since


@dataclass(frozen=True)
class FaceTemplate:
    id: int
    nip: str
    vector: tuple[float, ...]  # 128 floats, dlib ResNet embedding
    source: str  # "photo", "camera", "roster"
    quality: float
    created_utc: datetime


@dataclass(frozen=True)
class NewPunch:
    """What a recognizer hands to the recorder; the store assigns seq and uuid."""

    nip: str
    time: datetime  # timezone-aware, device-local offset kept
    method: Method
    classification: Classification = Classification()
    distance: float | None = None  # face match distance
    liveness: float | None = None  # liveness score, None when not measured
    clock_synced: bool = True
    photo: str | None = None  # path of the evidence JPEG relative to data_dir
    boot_id: str = ""
    monotonic_ns: int = 0
    source_key: str | None = None  # unique key of an external record (e.g. a terminal log line)
    note: str = ""  # reason for a manual punch

    def __post_init__(self) -> None:
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise ValueError("punch time must carry its UTC offset")


@dataclass(frozen=True, slots=True)
class Punch:
    """A recorded punch, as read back from the store.

    Slots: exports and the pull API hold 100,000s of these; slots make each smaller and let the
    store's paged read fill them with plain attribute stores (kiosk/store/punches.py).
    """

    seq: int
    uuid: str
    nip: str
    time_utc: datetime
    utc_offset_minutes: int
    method: Method
    kind: Kind
    status: Status
    status_minutes: int
    distance: float | None
    liveness: float | None
    clock_synced: bool
    photo: str | None
    boot_id: str
    monotonic_ns: int
    source_key: str | None
    note: str
    device_id: str
    recorded_utc: datetime

    @property
    def local_time(self) -> datetime:
        """The punch time on the device's wall clock when it was recorded."""
        return self.time_utc.astimezone(timezone(timedelta(minutes=self.utc_offset_minutes)))


class AbsenceCode(enum.StrEnum):
    """Absence codes of Perbup Musi Rawas 50/2022 Pasal 5 and Lampiran I."""

    C = "C"  # cuti, leave
    DK = "DK"  # diklat, training
    D = "D"  # dinas luar, official travel
    S = "S"  # sakit, sick
    I = "I"  # izin, permission  # noqa: E741
    TK = "TK"  # tanpa keterangan, no reason


@dataclass(frozen=True)
class Absence:
    id: int
    nip: str
    date_from: str  # ISO date
    date_to: str  # ISO date, inclusive
    code: AbsenceCode
    note: str = ""
    evidence: str | None = None  # path relative to data_dir
    created_by: str = ""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    time_utc: datetime
    os_user: str
    action: str
    nip: str | None
    detail: dict = field(default_factory=dict)
