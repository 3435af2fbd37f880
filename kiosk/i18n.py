"""What the door says, in Bahasa Indonesia (default) and English.

`describe(feedback, language)` turns a `Feedback` into a `DoorText`: the large headline, the detail
line under it, a one-line sentence for logs and `kiosk status`, and the tone the screen and the
sound cue use. Everything here is a pure function over the message catalogue.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.domain import Classification, Kind, Status
from kiosk.feedback import Cue, Feedback

DEFAULT_LANGUAGE = "id"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
SUPPORTED_LANGUAGES = tuple(LANGUAGE_NAMES)


class Tone(enum.StrEnum):
    """How a message should feel; the screen maps it to a colour, the sound cue to a tone."""

    GOOD = "good"  # recorded, on time
    WARN = "warn"  # recorded, but late / early / outside the punch windows
    BAD = "bad"  # not recognised, or not recorded
    GUIDE = "guide"  # do something: come closer, face the camera
    IDLE = "idle"  # nobody at the door


class Mark(enum.StrEnum):
    """The symbol beside the headline: a check only ever for a punch that was recorded."""

    CHECK = "check"
    CROSS = "cross"
    NONE = "none"


@dataclass(frozen=True)
class DoorText:
    headline: str  # the verdict, shown largest
    detail: str  # the line under it ("" = none)
    tone: Tone
    mark: Mark = Mark.NONE
    label: str = ""  # small tag above the headline, e.g. "ABSEN DATANG"
    sentence: str = ""  # the whole message on one line, for logs and `kiosk status`


class UnsupportedLanguage(ValueError):
    """A language code the catalogue has no messages for."""

    def __init__(self, language: str) -> None:
        known = ", ".join(f'"{code}" ({name})' for code, name in LANGUAGE_NAMES.items())
        super().__init__(
            f'unsupported language "{language}"; supported: {known}. Set device.language or [screen] language to one of them'
        )


MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        "thanks": "Terima kasih, {name}.",
        "thanks_anonymous": "Terima kasih.",
        "recorded_at": "Tercatat {time}",
        "on_time": "Tepat waktu",
        "late": "Terlambat {duration}",
        "early_pulang": "Pulang lebih awal {duration}",
        "early": "Lebih awal {duration}",
        "outside_window": "Di luar jam absen",
        "recorded": "Absen tercatat",
        "kind_datang": "ABSEN DATANG",
        "kind_siang": "ABSEN SIANG",
        "kind_pulang": "ABSEN PULANG",
        "kind_other": "ABSEN",
        "already_recorded": "Sudah tercatat",
        "already_recorded_at": "{name}, absen Anda tercatat {time}",
        "unknown_use_fingerprint": "Wajah tidak dikenali",
        "unknown_use_fingerprint_detail": "Silakan gunakan sidik jari",
        "unknown": "Mengenali wajah",
        "unknown_detail": "Tetap menghadap kamera",
        "come_closer": "Mendekatlah ke kamera",
        "come_closer_detail": "",
        "face_camera": "Hadap ke kamera",
        "face_camera_detail": "",
        "hold_still": "Tahan sebentar",
        "hold_still_detail": "Jangan bergerak",
        "liveness_check": "Sedang memeriksa",
        "liveness_check_detail": "Tetap di depan kamera",
        "not_recorded": "Absen GAGAL dicatat",
        "not_recorded_detail": "Hubungi operator",
        "idle": "Silakan absen",
        "idle_detail": "Hadapkan wajah ke kamera",
        "minute": "{n} menit",
        "minutes": "{n} menit",
        "hour": "{n} jam",
        "hours": "{n} jam",
        "weekdays": "Senin Selasa Rabu Kamis Jumat Sabtu Minggu",
        "months": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
        "enroll_place": "Letakkan jari di sensor sidik jari",
        "enroll_remove": "Angkat jari",
        "enroll_place_again": "Letakkan jari yang sama lagi",
        "enroll_stored": "Sidik jari tersimpan",
    },
    "en": {
        "thanks": "Thank you, {name}.",
        "thanks_anonymous": "Thank you.",
        "recorded_at": "Recorded at {time}",
        "on_time": "On time",
        "late": "Late by {duration}",
        "early_pulang": "Left {duration} early",
        "early": "Early by {duration}",
        "outside_window": "Outside punch hours",
        "recorded": "Punch recorded",
        "kind_datang": "ARRIVAL",
        "kind_siang": "MIDDAY CHECK",
        "kind_pulang": "DEPARTURE",
        "kind_other": "PUNCH",
        "already_recorded": "Already recorded",
        "already_recorded_at": "{name}, your punch was recorded at {time}",
        "unknown_use_fingerprint": "Face not recognised",
        "unknown_use_fingerprint_detail": "Please use the fingerprint reader",
        "unknown": "Recognising",
        "unknown_detail": "Keep facing the camera",
        "come_closer": "Please come closer",
        "come_closer_detail": "",
        "face_camera": "Please face the camera",
        "face_camera_detail": "",
        "hold_still": "Hold still",
        "hold_still_detail": "Do not move for a moment",
        "liveness_check": "Checking",
        "liveness_check_detail": "Stay in front of the camera",
        "not_recorded": "Punch NOT recorded",
        "not_recorded_detail": "Please contact the operator",
        "idle": "Ready",
        "idle_detail": "Look at the camera to punch",
        "minute": "{n} minute",
        "minutes": "{n} minutes",
        "hour": "{n} hour",
        "hours": "{n} hours",
        "weekdays": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "months": "January February March April May June July August September October November December",
        "enroll_place": "Place a finger on the fingerprint sensor",
        "enroll_remove": "Lift the finger",
        "enroll_place_again": "Place the same finger again",
        "enroll_stored": "Fingerprint stored",
    },
}

# Cues that need no data: their message key and how they look.
_PLAIN_CUES: dict[Cue, tuple[Tone, Mark]] = {
    Cue.UNKNOWN_USE_FINGERPRINT: (Tone.BAD, Mark.CROSS),
    Cue.NOT_RECORDED: (Tone.BAD, Mark.CROSS),
    Cue.UNKNOWN: (Tone.GUIDE, Mark.NONE),
    Cue.COME_CLOSER: (Tone.GUIDE, Mark.NONE),
    Cue.FACE_CAMERA: (Tone.GUIDE, Mark.NONE),
    Cue.HOLD_STILL: (Tone.GUIDE, Mark.NONE),
    Cue.LIVENESS_CHECK: (Tone.GUIDE, Mark.NONE),
    Cue.IDLE: (Tone.IDLE, Mark.NONE),
}


def catalogue(language: str) -> dict[str, str]:
    """The messages of one language; raises `UnsupportedLanguage` naming the supported ones."""
    try:
        return MESSAGES[language]
    except KeyError:
        raise UnsupportedLanguage(language) from None


def check_language(language: str) -> str:
    """Return `language` if the catalogue has it; raise `UnsupportedLanguage` otherwise."""
    catalogue(language)
    return language


def describe(feedback: Feedback, language: str) -> DoorText:
    """What the door says for `feedback`, in `language` ("id" or "en")."""
    messages = catalogue(language)
    if feedback.cue is Cue.RECORDED:
        return _recorded(feedback, messages, language)
    if feedback.cue is Cue.ALREADY_RECORDED:
        return _already_recorded(feedback, messages)
    return _plain(feedback.cue, messages)


def _plain(cue: Cue, messages: dict[str, str]) -> DoorText:
    tone, mark = _PLAIN_CUES[cue]
    headline, detail = messages[cue.value], messages[f"{cue.value}_detail"]
    sentence = f"{headline}, {_lower_first(detail)}" if detail else headline
    return DoorText(headline, detail, tone, mark, sentence=sentence)


def _recorded(feedback: Feedback, messages: dict[str, str], language: str) -> DoorText:
    classification = feedback.classification or Classification()
    when = format_time(feedback.punch_time or feedback.at)
    detail = f"{_thanks(feedback.name, messages)} {messages['recorded_at'].format(time=when)}"
    verdict, tone = _verdict(classification, messages, language)
    label = messages[f"kind_{classification.kind.value}"]
    if verdict is None:  # no schedule applies: nothing to judge, just confirm
        headline = messages["recorded"]
        return DoorText(headline, detail, Tone.GOOD, Mark.CHECK, label, sentence=detail)
    sentence = f"{detail}, {_lower_first(verdict)}"
    return DoorText(verdict, detail, tone, Mark.CHECK, label, sentence=sentence)


def _verdict(classification: Classification, messages: dict[str, str], language: str) -> tuple[str | None, Tone]:
    """The headline for a recorded punch and its tone; None when the punch is not judged."""
    duration = format_minutes(classification.minutes, language)
    status = classification.status
    if status is Status.ON_TIME:
        return messages["on_time"], Tone.GOOD
    if status is Status.LATE:
        return messages["late"].format(duration=duration), Tone.WARN
    if status is Status.EARLY:
        key = "early_pulang" if classification.kind is Kind.PULANG else "early"
        return messages[key].format(duration=duration), Tone.WARN
    if status is Status.OUTSIDE_WINDOW:
        return messages["outside_window"], Tone.WARN
    return None, Tone.GOOD


def _already_recorded(feedback: Feedback, messages: dict[str, str]) -> DoorText:
    headline = messages["already_recorded"]
    if feedback.punch_time is not None and feedback.name:
        detail = messages["already_recorded_at"].format(name=feedback.name, time=format_time(feedback.punch_time))
    else:
        detail = _thanks(feedback.name, messages)
    return DoorText(headline, detail, Tone.GOOD, Mark.CHECK, sentence=f"{headline}: {detail}")


def _thanks(name: str, messages: dict[str, str]) -> str:
    return messages["thanks"].format(name=name) if name else messages["thanks_anonymous"]


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is shouted ("GAGAL") or an acronym."""
    first_word = text.split(" ", 1)[0]
    if len(first_word) > 1 and first_word.isupper():
        return text
    return text[:1].lower() + text[1:]


def format_time(moment: datetime) -> str:
    """Wall-clock time as the door shows it: 24-hour HH:MM in the moment's own offset."""
    return moment.strftime("%H:%M")


def format_minutes(minutes: int, language: str) -> str:
    """75 -> "1 jam 15 menit" / "1 hour 15 minutes"; 0 -> "0 menit"."""
    messages = catalogue(language)
    hours, rest = divmod(max(minutes, 0), 60)
    parts = [_count(hours, "hour", messages)] if hours else []
    if rest or not hours:
        parts.append(_count(rest, "minute", messages))
    return " ".join(parts)


def _count(n: int, unit: str, messages: dict[str, str]) -> str:
    return messages[unit if n == 1 else f"{unit}s"].format(n=n)


def format_date(day: date, language: str) -> str:
    """Format a day as "Senin, 3 Maret 2025" / "Monday, 3 March 2025"."""
    messages = catalogue(language)
    weekday = messages["weekdays"].split()[day.weekday()]
    month = messages["months"].split()[day.month - 1]
    return f"{weekday}, {day.day} {month} {day.year}"
