"""A simulated R30x / ZFM fingerprint module on a pseudo-terminal pair.

The simulator holds the master end of `os.openpty()`; the driver opens the slave end by its path
(`sim.port`, e.g. /dev/pts/7) with pyserial, exactly as it opens /dev/ttyUSB0 on a kiosk. Tests and
technicians drive it like a person at the sensor: `place_finger(7)`, `remove_finger()`. A finger is
just a number: the same number always matches the same template. Faults imitate a bad cable:
replies with a broken checksum, junk bytes before replies, or no reply at all.

Run it by hand for a bench or a demo without hardware:

    python -m drivers.fingerprint.r30x_sim
    # prints the port; then type: place 7 | remove | fault corrupt | fault none | list | quit
"""

from __future__ import annotations

import enum
import logging
import os
import select
import sys
import threading
import tty
from collections.abc import Callable
from typing import Self

from drivers.fingerprint.r30x_codec import (
    DEFAULT_ADDRESS,
    DEFAULT_PASSWORD,
    START_CODE,
    Ack,
    Command,
    Confirmation,
    Instruction,
    PacketError,
    as_command,
    decode,
    encode_ack,
    next_frame,
    reply,
    unpack_params,
)

log = logging.getLogger(__name__)

MATCH_SCORE_BASE = 50  # scores are 50..149, in the range real modules report for a good match
TEMPLATE_EMPTY = 0x22
READ_TEMPLATE_FAILED = 0x0C


class Fault(enum.StrEnum):
    """How the simulated cable misbehaves."""

    NONE = "none"
    CORRUPT = "corrupt"  # every reply's checksum is wrong
    SILENT = "silent"  # commands are read and never answered
    NOISE = "noise"  # junk bytes before every reply (replies stay valid)


def score_for(finger: int) -> int:
    return MATCH_SCORE_BASE + finger % 100


class ModuleState:
    """The module's memory and what each command does to it. No I/O; the caller serialises calls."""

    def __init__(self, address: int, password: int, capacity: int) -> None:
        self.address = address
        self.password = password
        self.capacity = capacity
        self.verified = password == DEFAULT_PASSWORD  # a module with the default password needs no login
        self.finger: int | None = None  # what lies on the sensor now
        self.image: int | None = None  # the last captured image
        self.buffers: dict[int, int] = {}  # character buffers 1 and 2
        self.library: dict[int, int] = {}  # slot -> finger
        self._handlers: dict[int, Callable[..., Ack]] = {
            Instruction.VFY_PWD: self._verify_password,
            Instruction.HANDSHAKE: lambda: Ack(Confirmation.OK),
            Instruction.GEN_IMG: self._gen_img,
            Instruction.IMG2TZ: self._img2tz,
            Instruction.MATCH: self._match,
            Instruction.REG_MODEL: self._reg_model,
            Instruction.STORE: self._store,
            Instruction.LOAD_CHAR: self._load_char,
            Instruction.SEARCH: self._search,
            Instruction.DELETE_CHAR: self._delete,
            Instruction.EMPTY: self._empty,
            Instruction.TEMPLATE_NUM: lambda: reply(Instruction.TEMPLATE_NUM, Confirmation.OK, len(self.library)),
            Instruction.READ_SYS_PARA: self._read_sys_para,
        }

    def handle(self, command: Command) -> Ack:
        handler = self._handlers.get(command.instruction)
        if handler is None:
            return Ack(Confirmation.RECEIVE_ERROR)
        if not self.verified and command.instruction != Instruction.VFY_PWD:
            return Ack(Confirmation.PASSWORD_NOT_VERIFIED)
        try:
            values = unpack_params(command)
        except PacketError:
            return Ack(Confirmation.RECEIVE_ERROR)
        return handler(*values)

    def _verify_password(self, password: int) -> Ack:
        self.verified = password == self.password
        return Ack(Confirmation.OK if self.verified else Confirmation.WRONG_PASSWORD)

    def _gen_img(self) -> Ack:
        if self.finger is None:
            return Ack(Confirmation.NO_FINGER)
        self.image = self.finger
        return Ack(Confirmation.OK)

    def _img2tz(self, buffer: int) -> Ack:
        if self.image is None:
            return Ack(Confirmation.NO_VALID_IMAGE)
        self.buffers[buffer] = self.image
        return Ack(Confirmation.OK)

    def _match(self) -> Ack:
        first, second = self.buffers.get(1), self.buffers.get(2)
        if first is None or first != second:
            return Ack(Confirmation.NO_MATCH)
        return reply(Instruction.MATCH, Confirmation.OK, score_for(first))

    def _reg_model(self) -> Ack:
        first, second = self.buffers.get(1), self.buffers.get(2)
        if first is None or first != second:
            return Ack(Confirmation.ENROLL_MISMATCH)
        return Ack(Confirmation.OK)

    def _store(self, buffer: int, slot: int) -> Ack:
        if slot >= self.capacity:
            return Ack(Confirmation.BAD_LOCATION)
        if buffer not in self.buffers:
            return Ack(TEMPLATE_EMPTY)
        self.library[slot] = self.buffers[buffer]
        return Ack(Confirmation.OK)

    def _load_char(self, buffer: int, slot: int) -> Ack:
        if slot not in self.library:
            return Ack(READ_TEMPLATE_FAILED)
        self.buffers[buffer] = self.library[slot]
        return Ack(Confirmation.OK)

    def _search(self, buffer: int, start: int, count: int) -> Ack:
        finger = self.buffers.get(buffer)
        for slot in sorted(self.library):
            if start <= slot < start + count and self.library[slot] == finger:
                return reply(Instruction.SEARCH, Confirmation.OK, slot, score_for(finger))
        return Ack(Confirmation.NOT_FOUND)

    def _delete(self, slot: int, count: int) -> Ack:
        if slot + count > self.capacity:
            return Ack(Confirmation.BAD_LOCATION)
        for gone in range(slot, slot + count):
            self.library.pop(gone, None)
        return Ack(Confirmation.OK)

    def _empty(self) -> Ack:
        self.library.clear()
        return Ack(Confirmation.OK)

    def _read_sys_para(self) -> Ack:
        # status 0, system id 9, capacity, security level 3, address, 128-byte packets, 57600 baud
        return reply(Instruction.READ_SYS_PARA, Confirmation.OK, 0, 9, self.capacity, 3, self.address, 2, 6)


class SimulatedModule:
    """The module's state served over a pty; a daemon thread answers the driver."""

    def __init__(
        self, *, address: int = DEFAULT_ADDRESS, password: int = DEFAULT_PASSWORD, capacity: int = 200
    ) -> None:
        self._state = ModuleState(address, password, capacity)
        self._lock = threading.Lock()
        self._fault = Fault.NONE
        self._seen: list[int] = []
        self._stop = threading.Event()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo or newline translation before pyserial opens it
        self.port = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._serve, name="r30x-sim", daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            os.close(fd)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def place_finger(self, finger: int) -> None:
        with self._lock:
            self._state.finger = finger

    def remove_finger(self) -> None:
        with self._lock:
            self._state.finger = None

    def set_fault(self, fault: Fault) -> None:
        with self._lock:
            self._fault = fault

    def enrolled(self) -> dict[int, int]:
        """slot -> finger, a copy."""
        with self._lock:
            return dict(self._state.library)

    def instructions_seen(self) -> tuple[int, ...]:
        with self._lock:
            return tuple(self._seen)

    def _serve(self) -> None:
        pending = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if ready:
                pending = self._consume(pending + os.read(self._master, 4096))

    def _consume(self, pending: bytes) -> bytes:
        while True:
            try:
                frame, pending = next_frame(pending)
            except PacketError as exc:
                log.debug("simulator skipping a bad header: %s", exc)
                pending = pending[pending.find(START_CODE) + len(START_CODE) :]  # resync after it
                continue
            if frame is None:
                return pending
            self._answer(frame)

    def _answer(self, frame: bytes) -> None:
        with self._lock:
            out = self._respond(frame)
            fault = self._fault
        if fault is Fault.SILENT or out is None:
            return
        if fault is Fault.CORRUPT:
            out = out[:-1] + bytes([out[-1] ^ 0x5A])
        if fault is Fault.NOISE:
            out = b"\x55\x00\xff" + out
        os.write(self._master, out)

    def _respond(self, frame: bytes) -> bytes | None:
        """The reply frame, or None when the packet is for another address (as a real module)."""
        address = self._state.address
        try:
            packet = decode(frame)
            command = as_command(packet)
        except PacketError:
            return encode_ack(Ack(Confirmation.RECEIVE_ERROR), address)
        if packet.address != address:
            return None
        self._seen.append(command.instruction)
        return encode_ack(self._state.handle(command), address)


def main() -> None:
    """Serve a simulated module until `quit`, taking finger and fault commands from stdin."""
    with SimulatedModule() as sim:
        print(f"simulated R30x module on {sim.port} (57600 baud, address 0xFFFFFFFF, password 0)")
        print("commands: place N | remove | fault none|corrupt|silent|noise | list | quit")
        for line in sys.stdin:
            if not _run_line(sim, line.split()):
                break


def _run_line(sim: SimulatedModule, words: list[str]) -> bool:
    match words:
        case ["place", finger] if finger.isdigit():
            sim.place_finger(int(finger))
        case ["remove"]:
            sim.remove_finger()
        case ["fault", name] if name in Fault.__members__.values():
            sim.set_fault(Fault(name))
        case ["list"]:
            print(sim.enrolled() or "no templates")
        case ["quit"]:
            return False
        case _:
            print("commands: place N | remove | fault none|corrupt|silent|noise | list | quit")
    return True


if __name__ == "__main__":
    main()
