"""Driver for an R30x / ZFM fingerprint module on a UART (R305, R307, R502, R503, AS608, clones).

The module keeps its own template library in numbered slots and does the matching itself; the
kiosk only asks it to capture and search. A slot number is the employee's terminal PIN, the same
number a ZKTeco terminal reports as its user id, so `store.employees.by_pin(slot)` names the
person. Wiring, settings and limits: docs/uart-fingerprint.md.

Every failure raises a FingerprintError subclass whose message names the port, the step and the
fix; the classes also inherit the matching built-in (a timeout is a TimeoutError).
"""

from __future__ import annotations

import enum
import errno
import logging
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, Self

import serial

from drivers.fingerprint.r30x_codec import (
    DEFAULT_ADDRESS,
    DEFAULT_PASSWORD,
    Ack,
    Command,
    Confirmation,
    Instruction,
    Packet,
    PacketError,
    SystemParameters,
    as_ack,
    build,
    decode,
    describe,
    encode_command,
    hexdump,
    next_frame,
    system_parameters,
    unpack_reply,
)
from kiosk.domain import Employee

if TYPE_CHECKING:
    from kiosk.settings.uart import UartFingerprintSettings

log = logging.getLogger(__name__)

READ_SLICE_SECONDS = 0.05  # one serial read blocks at most this long, so deadlines stay exact
MAX_BACKOFF_SECONDS = 30.0
DEFAULT_FINGER_WAIT_SECONDS = 20.0
# A port that vanishes mid-command (USB unplugged) surfaces as any of these, depending on the call.
_PORT_GONE = (serial.SerialException, OSError, termios.error)

# What a technician can do about a refusal; codes not listed get the module's own message only.
_FIXES = MappingProxyType(
    {
        0x01: "check the wiring and that uart_fingerprint.baudrate matches the module",
        0x06: "clean the sensor and press the finger flat",
        0x07: "clean the sensor and press the finger flat",
        0x0A: "enroll again, placing the same finger the same way both times",
        0x0B: "use a slot (PIN) below the module's capacity",
        0x13: "set uart_fingerprint.password to the module's password (0 on a new module)",
        0x18: "the module's flash may be worn out; replace the module",
        0x1F: "delete unused templates (kiosk employee remove) or use a larger module",
        0x21: "set uart_fingerprint.password to the module's password (0 on a new module)",
    }
)


class FingerprintError(Exception):
    """A problem with the UART fingerprint module."""


class DeviceMissing(FingerprintError, OSError):
    """The serial port cannot be opened, or went away."""


class ModuleTimeout(FingerprintError, TimeoutError):
    """The module did not send a complete reply in time."""


class CorruptPacket(FingerprintError, ValueError):
    """The module's reply is damaged (checksum, header or address)."""


class ModuleError(FingerprintError):
    """The module answered a command with an error confirmation code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class SlotOutOfRange(FingerprintError, ValueError):
    """A slot (employee PIN) that the module's library cannot hold."""


class FingerNotPlaced(FingerprintError, TimeoutError):
    """Enrolment waited too long for the finger to be placed or lifted."""


class EnrollCancelled(FingerprintError):
    """Enrolment was stopped before it finished (the service is stopping)."""


class EnrollStep(enum.StrEnum):
    """What the person enrolling must do next; passed to the enroll() callback."""

    PLACE = "place"  # put the finger on the sensor
    REMOVE = "remove"  # lift it
    PLACE_AGAIN = "place_again"  # the same finger once more
    STORED = "stored"  # the template is in its slot


@dataclass(frozen=True)
class Match:
    slot: int  # the employee's terminal PIN
    score: int  # the module's match score; higher is surer


MatchCallback = Callable[[int, int], None]
StepCallback = Callable[[EnrollStep], None]
Job = Callable[["UartFingerprint"], None]


class Jobs:
    """Work handed to the door loop's thread, which owns the port: an enrolment or a deletion asked
    for by another program while the daemon listens (docs/uart-fingerprint.md). The loop runs the
    jobs between touches; submitting one wakes the loop at once instead of after its pause."""

    def __init__(self) -> None:
        self._pending: list[Job] = []
        self._changed = threading.Condition()
        self._closed = False

    def submit(self, job: Job) -> None:
        with self._changed:
            if self._closed:
                raise DeviceMissing("the fingerprint module's door loop has stopped; try again when the service runs")
            self._pending.append(job)
            self._changed.notify_all()

    def close(self) -> None:
        """No more jobs; wakes the loop so it can see its stop event."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, less when a job arrives or the queue is closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._pending or self._closed, timeout=seconds)

    def take(self) -> list[Job]:
        with self._changed:
            taken, self._pending = self._pending, []
        return taken


class SupportsByPin(Protocol):
    def by_pin(self, pin: int) -> Employee | None: ...


def employee_for_slot(employees: SupportsByPin, slot: int) -> Employee | None:
    """The employee whose terminal PIN is this slot; slot 0 is never a PIN."""
    return employees.by_pin(slot) if slot > 0 else None


def check_slot(slot: int, capacity: int) -> None:
    if not 1 <= slot < capacity:
        raise SlotOutOfRange(
            f"slot {slot} does not fit this fingerprint module, which holds slots 1..{capacity - 1}; "
            f"the slot is the employee's PIN, so give the employee a PIN below {capacity}"
        )


def missing_message(port: str, exc: BaseException) -> str:
    """Why `port` cannot be opened, and what to do about it."""
    code = getattr(exc, "errno", None)
    if code == errno.ENOENT:
        return (
            f"no serial device at {port}: check the fingerprint module's cable and power, and the port name "
            "(ls /dev/serial/by-id /dev/ttyUSB* /dev/serial0), then set uart_fingerprint.port"
        )
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"permission denied opening {port}: add the kiosk's user to the dialout group "
            "(sudo usermod -aG dialout USER), then log in again or restart the service"
        )
    if code in (errno.EAGAIN, errno.EBUSY):
        return f"{port} is in use by another program: stop it (e.g. sudo systemctl stop kiosk) and try again"
    return (
        f"cannot open {port} ({exc}): check the fingerprint module's cable, that the port exists, "
        "and that the kiosk's user is in the dialout group"
    )


def timeout_message(port: str, step: str, seconds: float, received: bytes) -> str:
    got = f"only {len(received)} bytes: {hexdump(received)}" if received else "nothing"
    return (
        f"no complete reply from the fingerprint module on {port} to {step} within {seconds:g} s "
        f"(received {got}); check the module's power, that its TX goes to the computer's RX and RX to TX, "
        "and that uart_fingerprint.baudrate and uart_fingerprint.address match the module"
    )


def corrupt_message(port: str, step: str, problem: object) -> str:
    return (
        f"corrupted reply from the fingerprint module on {port} to {step}: {problem}; check the ground wire "
        "and cable length, and that uart_fingerprint.baudrate matches the module"
    )


def refusal_message(port: str, step: str, code: int) -> str:
    fix = _FIXES.get(code)
    return f"the fingerprint module on {port} refused {step}: {describe(code)}" + (f"; {fix}" if fix else "")


class UartFingerprint:
    """One module on one serial port. Open it (or use `with`) before calling the commands."""

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 57600,
        address: int = DEFAULT_ADDRESS,
        password: int = DEFAULT_PASSWORD,
        timeout: float = 2.0,
        poll_interval: float = 0.3,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.address = address
        self.password = password
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._serial: serial.Serial | None = None
        self._capacity: int | None = None
        self._lock = threading.Lock()  # one command and its reply at a time

    @classmethod
    def from_settings(cls, settings: UartFingerprintSettings) -> UartFingerprint:
        return cls(
            settings.port,
            baudrate=settings.baudrate,
            address=settings.address,
            password=settings.password,
            timeout=settings.timeout_seconds,
            poll_interval=settings.poll_interval,
        )

    # -- connection -------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        """Open the port and log in with the password: this is the handshake every module answers."""
        self.close()
        self._serial = _open_port(self.port, self.baudrate)
        self._capacity = None
        try:
            self.verify_password()
        except FingerprintError:
            self.close()
            raise

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except _PORT_GONE:
                log.debug("closing %s after it went away", self.port)

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commands ---------------------------------------------------------------------------

    def verify_password(self) -> None:
        self._command(build(Instruction.VFY_PWD, self.password), "verify password")

    def handshake(self) -> bool:
        """The R502/R503 HandShake command; older modules do not know it (use open() instead)."""
        return self._exchange(build(Instruction.HANDSHAKE), "handshake").ok

    def parameters(self) -> SystemParameters:
        ack = self._command(build(Instruction.READ_SYS_PARA), "read system parameters")
        return system_parameters(self._reply(Instruction.READ_SYS_PARA, ack, "read system parameters"))

    def capacity(self) -> int:
        """Number of template slots; read once per open()."""
        if self._capacity is None:
            self._capacity = self.parameters().capacity
        return self._capacity

    def template_count(self) -> int:
        ack = self._command(build(Instruction.TEMPLATE_NUM), "template count")
        return self._reply(Instruction.TEMPLATE_NUM, ack, "template count")[0]

    def finger_present(self) -> bool:
        """Capture an image (GenImg); False when the sensor is empty."""
        ack = self._exchange(build(Instruction.GEN_IMG), "capture image")
        if ack.code == Confirmation.NO_FINGER:
            return False
        self._check(ack, "capture image")
        return True

    def capture(self, buffer: int = 1) -> bool:
        """Capture a finger into a character buffer (GenImg + Img2Tz); False when no finger."""
        if not self.finger_present():
            return False
        self._command(build(Instruction.IMG2TZ, buffer), "extract features")
        return True

    def search(self, buffer: int = 1) -> Match | None:
        """Search the whole library for the captured finger; None when nobody matches."""
        ack = self._exchange(build(Instruction.SEARCH, buffer, 0, self.capacity()), "search")
        if ack.code == Confirmation.NOT_FOUND:
            return None
        self._check(ack, "search")
        slot, score = self._reply(Instruction.SEARCH, ack, "search")
        return Match(slot, score)

    def enroll(
        self,
        slot: int,
        on_step: StepCallback | None = None,
        finger_wait: float = DEFAULT_FINGER_WAIT_SECONDS,
        cancel: threading.Event | None = None,
    ) -> None:
        """Two captures of one finger, combined and stored in `slot` (the employee's PIN).

        Setting `cancel` stops a wait for the finger at its next poll (EnrollCancelled)."""
        check_slot(slot, self.capacity())
        notify = on_step or _ignore_step
        stop = cancel or threading.Event()
        self._enroll_capture(1, EnrollStep.PLACE, notify, finger_wait, stop)
        notify(EnrollStep.REMOVE)
        self._wait_finger(False, finger_wait, EnrollStep.REMOVE, stop)
        self._enroll_capture(2, EnrollStep.PLACE_AGAIN, notify, finger_wait, stop)
        self._command(build(Instruction.REG_MODEL), "combine the two captures")
        self._command(build(Instruction.STORE, 1, slot), f"store in slot {slot}")
        notify(EnrollStep.STORED)

    def delete(self, slot: int, count: int = 1) -> None:
        """Erase `count` slots from `slot` on; an empty slot is erased without complaint."""
        check_slot(slot, self.capacity())
        self._command(build(Instruction.DELETE_CHAR, slot, count), f"delete slot {slot}")

    def ensure_open(self) -> None:
        if not self.is_open:
            self.open()

    # -- the door loop ----------------------------------------------------------------------

    def listen(
        self,
        on_match: MatchCallback,
        stop: threading.Event,
        *,
        on_unknown: Callable[[], None] | None = None,
        on_error: Callable[[FingerprintError], None] | None = None,
        jobs: Jobs | None = None,
    ) -> None:
        """Poll for a finger until `stop` is set: on_match(slot, score) once per touch.

        Link failures (missing port, timeout, corrupted reply) are reported to on_error and
        retried with a growing pause; a lost port is reopened. A refused capture (a smudged
        finger) is reported and the loop carries on at the normal pace. `jobs` submitted by
        other threads run here between touches, with the port (each job reports its own errors).
        """
        pause = self.poll_interval
        while not self._rest(stop, jobs, pause):
            try:
                if self._run_jobs(jobs, stop):
                    pause = self.poll_interval if self.is_open else pause
                    continue
                self._scan_once(on_match, on_unknown, stop)
                pause = self.poll_interval
            except FingerprintError as exc:
                _report(exc, on_error)
                pause = self._pause_after(exc, pause)

    def _run_jobs(self, jobs: Jobs | None, stop: threading.Event) -> bool:
        """Run what other threads asked for; True when any ran. The finger just enrolled is still
        on the sensor: wait for it to lift, or the loop would record a punch for it at once."""
        taken = jobs.take() if jobs else []
        for job in taken:
            _safe_call(job, self)
        if taken and self.is_open:
            self._wait_lift(stop)
        return bool(taken)

    def _wait_lift(self, stop: threading.Event) -> None:
        while self.finger_present() and not stop.wait(self.poll_interval):
            pass

    @staticmethod
    def _rest(stop: threading.Event, jobs: Jobs | None, pause: float) -> bool:
        """Wait between polls; True when the loop must stop."""
        if jobs is None:
            return stop.wait(pause)
        jobs.wait(pause)
        return stop.is_set()

    def _pause_after(self, exc: FingerprintError, pause: float) -> float:
        """A refused touch keeps the pace; a broken link or a refused login backs off."""
        if isinstance(exc, ModuleError) and self.is_open:
            return self.poll_interval
        return min(max(pause, self.poll_interval) * 2, MAX_BACKOFF_SECONDS)

    def _scan_once(self, on_match: MatchCallback, on_unknown: Callable[[], None] | None, stop: threading.Event) -> None:
        if not self.is_open:
            self.open()
        if not self.capture():
            return
        match = self.search()
        if match is None:
            _safe_call(on_unknown)
        else:
            _safe_call(on_match, match.slot, match.score)
        self._wait_lift(stop)  # one touch is one event: wait for the finger to lift

    # -- helpers ----------------------------------------------------------------------------

    def _enroll_capture(
        self, buffer: int, step: EnrollStep, notify: StepCallback, wait: float, cancel: threading.Event
    ) -> None:
        notify(step)
        self._wait_finger(True, wait, step, cancel)
        self._command(build(Instruction.IMG2TZ, buffer), "extract features")

    def _wait_finger(self, present: bool, wait: float, step: EnrollStep, cancel: threading.Event) -> None:
        deadline = time.monotonic() + wait
        while self.finger_present() != present:
            if time.monotonic() >= deadline:
                action = "placed on" if present else "lifted from"
                raise FingerNotPlaced(f"no finger was {action} the sensor within {wait:g} s (enroll step {step})")
            if cancel.wait(self.poll_interval):
                raise EnrollCancelled(f"enrolment on {self.port} was cancelled at step {step}; enroll again")

    def _command(self, command: Command, step: str) -> Ack:
        return self._check(self._exchange(command, step), step)

    def _check(self, ack: Ack, step: str) -> Ack:
        if not ack.ok:
            raise ModuleError(refusal_message(self.port, step, ack.code), ack.code)
        return ack

    def _reply(self, instruction: Instruction, ack: Ack, step: str) -> tuple[int, ...]:
        try:
            return unpack_reply(instruction, ack)
        except PacketError as exc:
            raise CorruptPacket(corrupt_message(self.port, step, exc)) from None

    def _exchange(self, command: Command, step: str) -> Ack:
        with self._lock:
            packet = self._transact(command, step)
        if packet.address != self.address:
            problem = f"reply from address 0x{packet.address:08X}, expected 0x{self.address:08X}"
            raise CorruptPacket(corrupt_message(self.port, step, problem))
        try:
            return as_ack(packet)
        except PacketError as exc:
            raise CorruptPacket(corrupt_message(self.port, step, exc)) from None

    def _transact(self, command: Command, step: str) -> Packet:
        if self._serial is None:
            raise DeviceMissing(f"the fingerprint module on {self.port} is not open; call open() first")
        port = self._serial
        try:
            port.reset_input_buffer()  # drop the tail of an earlier damaged reply
            port.write(encode_command(command, self.address))
            return self._read_packet(port, step)
        except FingerprintError:
            raise  # a ModuleTimeout is also an OSError, but the port is still there
        except _PORT_GONE as exc:
            self.close()
            reason = exc.args[-1] if exc.args else exc  # termios.error is a bare (errno, text) tuple
            raise DeviceMissing(
                f"lost the fingerprint module on {self.port} during {step} ({reason}): check the cable; "
                "the door loop reopens the port by itself"
            ) from exc

    def _read_packet(self, port: serial.Serial, step: str) -> Packet:
        deadline = time.monotonic() + self.timeout
        pending = received = b""
        while True:
            try:
                frame, pending = next_frame(pending)
                if frame is not None:
                    return decode(frame)
            except PacketError as exc:
                raise CorruptPacket(corrupt_message(self.port, step, exc)) from None
            if time.monotonic() >= deadline:
                raise ModuleTimeout(timeout_message(self.port, step, self.timeout, received))
            chunk = port.read(max(1, port.in_waiting))
            pending += chunk
            received += chunk


def _open_port(port: str, baudrate: int) -> serial.Serial:
    if not port:
        raise DeviceMissing(
            "uart_fingerprint.port is empty, so the UART fingerprint module is disabled; "
            'set it to the module\'s port, e.g. port = "/dev/ttyUSB0"'
        )
    try:
        return serial.Serial(port, baudrate, timeout=READ_SLICE_SECONDS, exclusive=True)
    except serial.SerialException as exc:
        raise DeviceMissing(missing_message(port, exc)) from exc


def _ignore_step(step: EnrollStep) -> None:
    log.debug("enroll step %s", step)


def _safe_call(callback: Callable[..., None] | None, *args: object) -> None:
    """Run a listener callback; a failing callback must not stop the door loop."""
    if callback is None:
        return
    try:
        callback(*args)
    except Exception:
        log.exception("fingerprint callback %r failed", callback)


def _report(exc: FingerprintError, on_error: Callable[[FingerprintError], None] | None) -> None:
    log.warning("%s", exc)
    if on_error is not None:
        _safe_call(on_error, exc)
