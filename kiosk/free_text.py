"""Names and other free text typed by people: checked on the way in, made harmless on the way out.

A name reaches terminals over SSH, spreadsheets and the door screen. Control characters (an ANSI
escape can rewrite or hide what a technician's terminal shows) and bidirectional overrides (which
reorder what is displayed) are refused on input; text stored before this rule existed is printed
with them replaced, so no output path emits them.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_LENGTH = 100  # characters; the longest names on Indonesian rosters are well under 80
MAX_CELL = 200  # longer stored text is cut in tables, so a bad old row cannot flood the terminal

# Bidirectional embeddings, overrides and isolates (Unicode category Cf) that reorder displayed text.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def is_unsafe(char: str) -> bool:
    """Control (C0, DEL, C1 such as the 8-bit CSI), surrogate or bidi-reordering characters."""
    return unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI


def check_text(value: str, what: str, limit: int = MAX_NAME_LENGTH) -> str:
    """The value stripped, or ValueError naming the field, the problem and the fix."""
    value = value.strip()
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters long; at most {limit} are allowed, shorten it")
    bad = sorted({char for char in value if is_unsafe(char)})
    if bad:
        codes = ", ".join(f"U+{ord(char):04X}" for char in bad)
        raise ValueError(
            f"{what} contains control characters ({codes}), e.g. a terminal escape or a pasted tab or line break; "
            "type it again as plain text"
        )
    return value


def printable(text: str, limit: int = MAX_CELL) -> str:
    """Stored text safe for a terminal: unsafe characters shown as '?', cut at `limit` with '…'."""
    safe = "".join("?" if is_unsafe(char) else char for char in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"
