"""Employee numbers: 18-digit NIPs (printed with spaces on documents) or configured other numbers."""

from __future__ import annotations

import re
import unicodedata

NIP_PATTERN = r"\d{18}"


class InvalidEmployeeNumber(ValueError):
    """The employee number does not have the expected form."""


def normalise_nip(text: str, pattern: str = NIP_PATTERN) -> str:
    """'19800101 200604 1 001' -> '198001012006041001'; refuses anything else with the reason."""
    compact = re.sub(r"[\s.\-]", "", text.strip())  # any space, also a PDF's no-break space
    refuse_non_ascii(compact)
    # re.ASCII: without it \d also matches fullwidth and Arabic-Indic digits.
    if re.fullmatch(pattern, compact, re.ASCII):
        return compact
    if compact.isdigit() and pattern == NIP_PATTERN:
        raise InvalidEmployeeNumber(
            f"NIP '{text}' has {len(compact)} digits; a PNS/CPNS NIP has 18 "
            "(other employee numbers need device.employee_id_pattern in the config)"
        )
    raise InvalidEmployeeNumber(
        f"'{text}' is not a valid employee number (expected {pattern}); "
        "an NIP is 18 digits, spaces allowed, e.g. '19800101 200604 1 001'"
    )


def refuse_non_ascii(text: str) -> None:
    """Employee numbers are ASCII: a fullwidth '５' or an Arabic-Indic '٥' looks like a digit (and
    str.isdigit() agrees) but would be a different employee to every other system."""  # noqa: RUF002 - the lookalikes are the point
    for char in text:
        if not char.isascii():
            name = unicodedata.name(char, "unnamed character")
            raise InvalidEmployeeNumber(
                f"employee number {text!r} contains {char!r} (U+{ord(char):04X} {name}); "
                "type it with the digits 0-9 only (switch the keyboard to half-width / Latin input)"
            )
