"""Employee numbers: 18-digit NIPs (printed with spaces on documents) or configured other numbers."""

from __future__ import annotations

import re

NIP_PATTERN = r"\d{18}"


class InvalidEmployeeNumber(ValueError):
    """The employee number does not have the expected form."""


def normalise_nip(text: str, pattern: str = NIP_PATTERN) -> str:
    """'19800101 200604 1 001' -> '198001012006041001'; refuses anything else with the reason."""
    compact = re.sub(r"[\s.\-]", "", text.strip())
    if re.fullmatch(pattern, compact):
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
