"""The door's wording: every cue in both languages, the verdict of each classification."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from kiosk.domain import Classification, Kind, Status
from kiosk.feedback import Cue, Feedback
from kiosk.i18n import (
    MESSAGES,
    SUPPORTED_LANGUAGES,
    Mark,
    Tone,
    UnsupportedLanguage,
    describe,
    format_date,
    format_minutes,
)

WIB = timezone(timedelta(hours=7))
AT = datetime(2025, 3, 3, 7, 41, 20, tzinfo=WIB)


def recorded(kind: Kind, status: Status, minutes: int = 0, name: str = "Budi") -> Feedback:
    return Feedback(Cue.RECORDED, AT, name=name, punch_time=AT, classification=Classification(kind, status, minutes))


def test_every_language_has_the_same_messages():
    keys = {language: set(messages) for language, messages in MESSAGES.items()}
    assert keys["en"] == keys["id"]
    assert SUPPORTED_LANGUAGES == ("id", "en")
    assert {cue.value for cue in Cue} <= keys["id"]  # feedback.Cue values are message keys


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("cue", list(Cue))
def test_every_cue_has_words_in_every_language(cue, language):
    text = describe(Feedback(cue, AT, name="Budi", punch_time=AT), language)
    assert text.headline and text.sentence
    assert "{" not in text.headline + text.detail + text.sentence  # no unfilled placeholder


@pytest.mark.parametrize(
    ("kind", "status", "minutes", "headline", "sentence", "tone"),
    [
        (Kind.DATANG, Status.ON_TIME, 0, "Tepat waktu", "Terima kasih, Budi. Tercatat 07:41, tepat waktu", Tone.GOOD),
        (
            Kind.DATANG,
            Status.LATE,
            12,
            "Terlambat 12 menit",
            "Terima kasih, Budi. Tercatat 07:41, terlambat 12 menit",
            Tone.WARN,
        ),
        (
            Kind.PULANG,
            Status.EARLY,
            20,
            "Pulang lebih awal 20 menit",
            "Terima kasih, Budi. Tercatat 07:41, pulang lebih awal 20 menit",
            Tone.WARN,
        ),
        (
            Kind.SIANG,
            Status.EARLY,
            5,
            "Lebih awal 5 menit",
            "Terima kasih, Budi. Tercatat 07:41, lebih awal 5 menit",
            Tone.WARN,
        ),
        (
            Kind.DATANG,
            Status.OUTSIDE_WINDOW,
            0,
            "Di luar jam absen",
            "Terima kasih, Budi. Tercatat 07:41, di luar jam absen",
            Tone.WARN,
        ),
        (Kind.OTHER, Status.UNSCHEDULED, 0, "Absen tercatat", "Terima kasih, Budi. Tercatat 07:41", Tone.GOOD),
        (
            Kind.DATANG,
            Status.LATE,
            75,
            "Terlambat 1 jam 15 menit",
            "Terima kasih, Budi. Tercatat 07:41, terlambat 1 jam 15 menit",
            Tone.WARN,
        ),
    ],
)
def test_recorded_verdicts_in_bahasa_indonesia(kind, status, minutes, headline, sentence, tone):
    text = describe(recorded(kind, status, minutes), "id")
    assert (text.headline, text.sentence, text.tone, text.mark) == (headline, sentence, tone, Mark.CHECK)
    assert text.detail == "Terima kasih, Budi. Tercatat 07:41"


@pytest.mark.parametrize(
    ("kind", "status", "minutes", "headline", "label"),
    [
        (Kind.DATANG, Status.ON_TIME, 0, "On time", "ARRIVAL"),
        (Kind.DATANG, Status.LATE, 1, "Late by 1 minute", "ARRIVAL"),
        (Kind.DATANG, Status.LATE, 12, "Late by 12 minutes", "ARRIVAL"),
        (Kind.PULANG, Status.EARLY, 20, "Left 20 minutes early", "DEPARTURE"),
        (Kind.SIANG, Status.ON_TIME, 0, "On time", "MIDDAY CHECK"),
        (Kind.PULANG, Status.OUTSIDE_WINDOW, 0, "Outside punch hours", "DEPARTURE"),
    ],
)
def test_recorded_verdicts_in_english(kind, status, minutes, headline, label):
    text = describe(recorded(kind, status, minutes), "en")
    assert (text.headline, text.label, text.detail) == (headline, label, "Thank you, Budi. Recorded at 07:41")


@pytest.mark.parametrize(
    ("cue", "language", "sentence", "tone", "mark"),
    [
        (Cue.UNKNOWN_USE_FINGERPRINT, "id", "Wajah tidak dikenali, silakan gunakan sidik jari", Tone.BAD, Mark.CROSS),
        (Cue.NOT_RECORDED, "id", "Absen GAGAL dicatat, hubungi operator", Tone.BAD, Mark.CROSS),
        (Cue.COME_CLOSER, "id", "Mendekatlah ke kamera", Tone.GUIDE, Mark.NONE),
        (Cue.FACE_CAMERA, "id", "Hadap ke kamera", Tone.GUIDE, Mark.NONE),
        (Cue.HOLD_STILL, "id", "Tahan sebentar, jangan bergerak", Tone.GUIDE, Mark.NONE),
        (Cue.IDLE, "id", "Silakan absen, hadapkan wajah ke kamera", Tone.IDLE, Mark.NONE),
        (
            Cue.UNKNOWN_USE_FINGERPRINT,
            "en",
            "Face not recognised, please use the fingerprint reader",
            Tone.BAD,
            Mark.CROSS,
        ),
        (Cue.NOT_RECORDED, "en", "Punch NOT recorded, please contact the operator", Tone.BAD, Mark.CROSS),
        (Cue.COME_CLOSER, "en", "Please come closer", Tone.GUIDE, Mark.NONE),
    ],
)
def test_cues_without_a_punch(cue, language, sentence, tone, mark):
    text = describe(Feedback(cue, AT), language)
    assert (text.sentence, text.tone, text.mark) == (sentence, tone, mark)


def test_a_check_mark_only_ever_means_recorded():
    for cue in Cue:
        text = describe(Feedback(cue, AT, name="Budi", punch_time=AT), "id")
        assert (text.mark is Mark.CHECK) == (cue in (Cue.RECORDED, Cue.ALREADY_RECORDED)), cue


def test_already_recorded_names_the_earlier_punch():
    text = describe(Feedback(Cue.ALREADY_RECORDED, AT, name="Budi", punch_time=AT), "id")
    assert (text.headline, text.detail, text.tone) == ("Sudah tercatat", "Budi, absen Anda tercatat 07:41", Tone.GOOD)


def test_the_time_shown_is_the_punch_time_in_its_own_offset():
    wita = datetime(2025, 3, 3, 8, 5, tzinfo=timezone(timedelta(hours=8)))
    feedback = Feedback(
        Cue.RECORDED, AT, name="Ani", punch_time=wita, classification=Classification(Kind.DATANG, Status.ON_TIME)
    )
    assert describe(feedback, "id").detail == "Terima kasih, Ani. Tercatat 08:05"


def test_a_recorded_punch_without_name_or_classification_still_confirms():
    text = describe(Feedback(Cue.RECORDED, AT), "id")
    assert (text.headline, text.detail, text.mark) == ("Absen tercatat", "Terima kasih. Tercatat 07:41", Mark.CHECK)


@pytest.mark.parametrize(
    ("minutes", "language", "expected"),
    [
        (0, "id", "0 menit"),
        (1, "id", "1 menit"),
        (59, "id", "59 menit"),
        (60, "id", "1 jam"),
        (61, "id", "1 jam 1 menit"),
        (135, "id", "2 jam 15 menit"),
        (1, "en", "1 minute"),
        (2, "en", "2 minutes"),
        (60, "en", "1 hour"),
        (121, "en", "2 hours 1 minute"),
    ],
)
def test_durations(minutes, language, expected):
    assert format_minutes(minutes, language) == expected


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2025, 3, 3), "id", "Senin, 3 Maret 2025"),
        (date(2025, 8, 17), "id", "Minggu, 17 Agustus 2025"),
        (date(2025, 3, 7), "en", "Friday, 7 March 2025"),
    ],
)
def test_dates(day, language, expected):
    assert format_date(day, language) == expected


def test_an_unknown_language_names_the_supported_ones():
    with pytest.raises(UnsupportedLanguage) as caught:
        describe(Feedback(Cue.IDLE, AT), "fr")
    message = str(caught.value)
    assert '"fr"' in message and '"id"' in message and '"en"' in message and "device.language" in message
    assert isinstance(caught.value, ValueError)
