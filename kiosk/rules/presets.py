"""Ready-made schedules from Perbup Musi Rawas 50/2022 Pasal 2(6) (times WIB)."""

from __future__ import annotations

from types import MappingProxyType

from kiosk.rules.schedule import Hours, Schedule

_MON_THU_5 = Hours.parse("07:45-16:15")  # Pasal 2(6) huruf a angka 1
_FRI_5 = Hours.parse("07:45-16:45")  # Pasal 2(6) huruf a angka 2
_MON_THU_6 = Hours.parse("07:45-14:45")  # Pasal 2(6) huruf b angka 1
_FRI_6 = Hours.parse("07:45-11:45")  # Pasal 2(6) huruf b angka 2
_SAT_6 = Hours.parse("07:45-13:15")  # Pasal 2(6) huruf b angka 3

FIVE_DAY = Schedule(name="5-hari", week=(_MON_THU_5,) * 4 + (_FRI_5, None, None))
SIX_DAY = Schedule(name="6-hari", week=(_MON_THU_6,) * 4 + (_FRI_6, _SAT_6, None))

PRESETS = MappingProxyType({FIVE_DAY.name: FIVE_DAY, SIX_DAY.name: SIX_DAY})
