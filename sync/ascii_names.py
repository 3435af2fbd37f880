"""Names for wires whose clients read text as ASCII (the ZK protocol's name field, the SOAP service).

PHP and Node clients of ZKTeco terminals decode the name bytes as ASCII or Latin-1: UTF-8
"Renée Müller" comes out as "RenC)e MC<ller". A terminal's own keyboard only types ASCII, so the
kiosk sends what a terminal would hold: the name transliterated. Accented letters lose their accent
(Unicode NFKD, then the combining marks are dropped); the few Latin letters that have no
decomposition take the usual spelling from `_SPELLED`; anything else becomes "?", so a reader sees
that a letter was there. The store keeps the name as written.
"""

from __future__ import annotations

import unicodedata

_SPELLED = {
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H", "ŋ": "ng",
    "Ŋ": "NG", "ſ": "s", "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
    "‐": "-", "⁄": "/", "\u00a0": " ",
}  # fmt: skip


def ascii_name(name: str) -> str:
    """'Renée Müller' -> 'Renee Muller'; printable ASCII only, control characters dropped."""
    return "".join(_ascii_letter(letter) for letter in unicodedata.normalize("NFKD", name))


def _ascii_letter(letter: str) -> str:
    if " " <= letter <= "~":
        return letter
    if unicodedata.combining(letter):
        return ""  # the accent NFKD split off its letter
    if unicodedata.category(letter).startswith("C"):
        return ""  # control and format characters have no place in a name field
    spelled = _SPELLED.get(unicodedata.normalize("NFC", letter), "?")
    return spelled
