"""Can the system clock be trusted? A Pi has no RTC: after a power cut it may be days off.

Each punch records whether the clock was NTP-synchronised, the boot id and the time since boot,
so the server can correct a punch recorded before the clock was set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import time
from dataclasses import dataclass
from pathlib import Path

TIME_ERROR = 5  # adjtimex() return value: the kernel clock is not synchronised


@dataclass(frozen=True)
class ClockReading:
    synced: bool | None  # None = cannot tell on this system
    boot_id: str
    monotonic_ns: int  # CLOCK_BOOTTIME: keeps counting through suspend


class _Timex(ctypes.Structure):
    # struct timex from <sys/timex.h>: we only read the return value, but the kernel writes the
    # whole struct, so it must be big enough (the real struct is 208 bytes on 64-bit Linux).
    _fields_ = [("modes", ctypes.c_uint), ("_rest", ctypes.c_byte * 256)]


@functools.cache
def _libc() -> ctypes.CDLL | None:
    # find_library() may run ldconfig: once per process, not once per punch.
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def kernel_clock_synced() -> bool | None:
    """The kernel's own view (set by chrony/ntpd/systemd-timesyncd), without calling timedatectl."""
    libc = _libc()
    try:
        state = libc.adjtimex(ctypes.byref(_Timex())) if libc else -1
    except AttributeError:
        return None
    if state < 0:
        return None
    return state != TIME_ERROR


def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def monotonic_ns() -> int:
    return time.clock_gettime_ns(getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC))


def read_clock() -> ClockReading:
    return ClockReading(synced=kernel_clock_synced(), boot_id=boot_id(), monotonic_ns=monotonic_ns())
