"""The UART fingerprint driver against a simulated R30x module on a real pseudo-terminal pair.

Nothing is mocked: pyserial opens the slave end of os.openpty() exactly as it opens /dev/ttyUSB0,
and drivers.fingerprint.r30x_sim answers on the master end. Only the finger is simulated.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.fingerprint.r30x_codec import Instruction
from drivers.fingerprint.r30x_sim import Fault, SimulatedModule, score_for
from drivers.fingerprint.uart import (
    CorruptPacket,
    DeviceMissing,
    EnrollStep,
    FingerNotPlaced,
    Match,
    ModuleError,
    ModuleTimeout,
    SlotOutOfRange,
    UartFingerprint,
    check_slot,
    employee_for_slot,
    missing_message,
)
from kiosk.domain import Employee
from kiosk.settings.errors import ConfigError
from kiosk.settings.uart import UartFingerprintSettings
from kiosk.settings.validate import build_section
from kiosk.store import Store

from helpers import wait_until

WAIT = 10.0  # upper bound for a thread to react; never reached when things work


@pytest.fixture
def sim() -> Iterator[SimulatedModule]:
    with SimulatedModule(capacity=200) as module:
        yield module


@pytest.fixture
def reader(sim: SimulatedModule) -> Iterator[UartFingerprint]:
    with UartFingerprint(sim.port, timeout=0.5, poll_interval=0.01) as driver:
        yield driver


def finger_script(sim: SimulatedModule, first: int, second: int, seen: list[EnrollStep]):
    """An enroll() callback that acts like the person at the sensor."""
    actions = {
        EnrollStep.PLACE: lambda: sim.place_finger(first),
        EnrollStep.REMOVE: sim.remove_finger,
        EnrollStep.PLACE_AGAIN: lambda: sim.place_finger(second),
        EnrollStep.STORED: sim.remove_finger,
    }

    def on_step(step: EnrollStep) -> None:
        seen.append(step)
        actions[step]()

    return on_step


def enroll(sim: SimulatedModule, reader: UartFingerprint, slot: int, finger: int) -> list[EnrollStep]:
    seen: list[EnrollStep] = []
    reader.enroll(slot, on_step=finger_script(sim, finger, finger, seen), finger_wait=WAIT)
    return seen


# -- enroll and match -----------------------------------------------------------------------


def test_enroll_then_match(sim: SimulatedModule, reader: UartFingerprint) -> None:
    steps = enroll(sim, reader, slot=12, finger=7)

    assert steps == [EnrollStep.PLACE, EnrollStep.REMOVE, EnrollStep.PLACE_AGAIN, EnrollStep.STORED]
    assert sim.enrolled() == {12: 7} and reader.template_count() == 1
    sim.place_finger(7)
    assert reader.capture() is True
    assert reader.search() == Match(slot=12, score=score_for(7))


def test_an_unknown_finger_finds_nobody(sim: SimulatedModule, reader: UartFingerprint) -> None:
    enroll(sim, reader, slot=12, finger=7)
    sim.place_finger(8)
    assert reader.capture() is True
    assert reader.search() is None


def test_capture_without_a_finger_is_false(reader: UartFingerprint) -> None:
    assert reader.capture() is False


def test_two_different_fingers_are_not_enrolled(sim: SimulatedModule, reader: UartFingerprint) -> None:
    with pytest.raises(ModuleError, match="not the same finger; enroll again") as caught:
        reader.enroll(5, on_step=finger_script(sim, 7, 8, []), finger_wait=WAIT)
    assert caught.value.code == 0x0A and sim.enrolled() == {}


def test_enroll_waits_for_the_finger_then_gives_up(sim: SimulatedModule, reader: UartFingerprint) -> None:
    with pytest.raises(FingerNotPlaced, match=r"no finger was placed on the sensor within 0\.05 s"):
        reader.enroll(5, finger_wait=0.05)
    assert sim.enrolled() == {}


@pytest.mark.parametrize("slot", [0, 200, 123456789])
def test_a_pin_beyond_the_library_is_refused_before_asking_for_a_finger(reader: UartFingerprint, slot: int) -> None:
    with pytest.raises(SlotOutOfRange, match="give the employee a PIN below 200"):
        reader.enroll(slot)


def test_delete_frees_the_slot(sim: SimulatedModule, reader: UartFingerprint) -> None:
    enroll(sim, reader, slot=3, finger=9)
    reader.delete(3)
    assert sim.enrolled() == {} and reader.template_count() == 0


def test_parameters_and_handshake(reader: UartFingerprint) -> None:
    assert reader.handshake() is True
    params = reader.parameters()
    assert (params.capacity, params.address, params.baudrate) == (200, 0xFFFFFFFF, 57600)
    assert reader.capacity() == 200


# -- the door loop --------------------------------------------------------------------------


def test_listener_reports_one_match_per_touch(sim: SimulatedModule, reader: UartFingerprint) -> None:
    enroll(sim, reader, slot=12, finger=7)
    matches: list[tuple[int, int]] = []
    matched, stop = threading.Event(), threading.Event()

    def on_match(slot: int, score: int) -> None:
        matches.append((slot, score))
        matched.set()

    worker = threading.Thread(target=reader.listen, args=(on_match, stop))
    worker.start()
    sim.place_finger(7)
    assert matched.wait(WAIT)
    polls = sim.instructions_seen().count(Instruction.GEN_IMG)
    wait_until(  # finger still down
        lambda: sim.instructions_seen().count(Instruction.GEN_IMG), "more polls", until=lambda n: n >= polls + 5, timeout=WAIT, interval=0.01
    )
    stop.set()
    worker.join(WAIT)
    assert matches == [(12, score_for(7))]


def test_listener_reports_unknown_fingers_and_survives_a_bad_cable(
    sim: SimulatedModule, reader: UartFingerprint
) -> None:
    errors: list[Exception] = []
    unknown, stop = threading.Event(), threading.Event()
    sim.set_fault(Fault.CORRUPT)
    callbacks = {"on_unknown": unknown.set, "on_error": errors.append}
    worker = threading.Thread(target=reader.listen, args=(lambda slot, score: None, stop), kwargs=callbacks)
    worker.start()
    wait_until(lambda: list(errors), "an error reported", timeout=WAIT, interval=0.01)
    sim.set_fault(Fault.NONE)
    sim.place_finger(4)
    assert unknown.wait(WAIT)
    stop.set()
    worker.join(WAIT)
    assert isinstance(errors[0], CorruptPacket)


def test_a_failing_callback_does_not_stop_the_listener(sim: SimulatedModule, reader: UartFingerprint) -> None:
    enroll(sim, reader, slot=2, finger=5)
    calls: list[int] = []
    polls_when_lifted: list[int] = []
    stop = threading.Event()

    def broken(slot: int, score: int) -> None:
        sim.remove_finger()  # lift, so the next touch counts again
        polls_when_lifted.append(sim.instructions_seen().count(Instruction.GEN_IMG))
        calls.append(slot)
        raise RuntimeError("store is full")

    worker = threading.Thread(target=reader.listen, args=(broken, stop))
    worker.start()
    sim.place_finger(5)
    wait_until(lambda: list(calls), "the first callback", until=lambda seen: len(seen) == 1, timeout=WAIT, interval=0.01)
    # Touch again only once the listener has seen the sensor empty, or it would wait for a lift.
    wait_until(
        lambda: sim.instructions_seen().count(Instruction.GEN_IMG),
        "a poll of the empty sensor",
        until=lambda n: n > polls_when_lifted[0],
        timeout=WAIT,
        interval=0.01,
    )
    sim.place_finger(5)
    wait_until(lambda: list(calls), "the second callback", until=lambda seen: len(seen) == 2, timeout=WAIT, interval=0.01)
    stop.set()
    worker.join(WAIT)


def test_listener_keeps_reporting_a_missing_port_until_stopped(tmp_path: Path) -> None:
    errors: list[Exception] = []
    stop = threading.Event()
    reader = UartFingerprint(str(tmp_path / "ttyUSB0"), poll_interval=0.01)
    worker = threading.Thread(
        target=reader.listen, args=(lambda slot, score: None, stop), kwargs={"on_error": errors.append}
    )
    worker.start()
    wait_until(lambda: list(errors), "two errors reported", until=lambda seen: len(seen) >= 2, timeout=WAIT, interval=0.01)
    stop.set()
    worker.join(WAIT)
    assert not worker.is_alive()
    assert all(isinstance(e, DeviceMissing) and "no serial device" in str(e) for e in errors)


# -- faults reported clearly ----------------------------------------------------------------


def test_a_silent_module_is_a_timeout_naming_the_port_and_step(sim: SimulatedModule) -> None:
    with UartFingerprint(sim.port, timeout=0.2) as reader:
        sim.set_fault(Fault.SILENT)
        with pytest.raises(ModuleTimeout) as caught:
            reader.template_count()
    message = str(caught.value)
    assert isinstance(caught.value, TimeoutError)
    assert f"fingerprint module on {sim.port} to template count within 0.2 s (received nothing)" in message
    assert "uart_fingerprint.baudrate" in message


def test_a_silent_module_at_open_is_a_timeout(sim: SimulatedModule) -> None:
    sim.set_fault(Fault.SILENT)
    reader = UartFingerprint(sim.port, timeout=0.2)
    with pytest.raises(ModuleTimeout, match=r"to verify password within 0\.2 s"):
        reader.open()
    assert not reader.is_open


def test_a_corrupted_reply_names_the_bytes_received(sim: SimulatedModule, reader: UartFingerprint) -> None:
    sim.set_fault(Fault.CORRUPT)
    with pytest.raises(CorruptPacket) as caught:
        reader.template_count()
    message = str(caught.value)
    assert f"corrupted reply from the fingerprint module on {sim.port} to template count" in message
    assert "checksum 0x" in message and "in ef 01 ff ff ff ff 07 00 05 00 00 00" in message
    assert "ground wire" in message


def test_the_driver_recovers_when_the_line_is_clean_again(sim: SimulatedModule, reader: UartFingerprint) -> None:
    sim.set_fault(Fault.CORRUPT)
    with pytest.raises(CorruptPacket):
        reader.template_count()
    sim.set_fault(Fault.NONE)
    assert reader.template_count() == 0


def test_junk_before_a_reply_is_skipped(sim: SimulatedModule, reader: UartFingerprint) -> None:
    sim.set_fault(Fault.NOISE)
    enroll(sim, reader, slot=1, finger=1)
    assert reader.template_count() == 1


def test_a_wrong_address_gets_no_reply_and_says_so(sim: SimulatedModule) -> None:
    with pytest.raises(ModuleTimeout, match=r"uart_fingerprint\.address"):
        UartFingerprint(sim.port, address=0x12345678, timeout=0.2).open()


def test_a_wrong_password_is_refused_with_the_fix() -> None:
    with SimulatedModule(password=0x1234) as sim:
        with pytest.raises(ModuleError, match=r"0x13 wrong module password; set uart_fingerprint\.password"):
            UartFingerprint(sim.port, password=0x4321).open()
        with UartFingerprint(sim.port, password=0x1234) as reader:
            assert reader.template_count() == 0


def test_a_missing_device_names_the_port_and_the_fix(tmp_path: Path) -> None:
    port = str(tmp_path / "ttyUSB9")
    with pytest.raises(DeviceMissing) as caught:
        UartFingerprint(port).open()
    assert isinstance(caught.value, OSError)
    assert f"no serial device at {port}: check the fingerprint module's cable" in str(caught.value)


def test_an_unset_port_says_the_module_is_disabled() -> None:
    with pytest.raises(DeviceMissing, match=r'uart_fingerprint\.port is empty.*port = "/dev/ttyUSB0"'):
        UartFingerprint("").open()


def test_a_port_held_by_another_program_is_named(sim: SimulatedModule, reader: UartFingerprint) -> None:
    with pytest.raises(DeviceMissing, match=f"{sim.port} is in use by another program"):
        UartFingerprint(sim.port).open()


def test_a_module_unplugged_mid_use_is_a_missing_device() -> None:
    sim = SimulatedModule().start()
    reader = UartFingerprint(sim.port, timeout=0.5)
    reader.open()
    sim.stop()  # the pty goes away, as a USB adapter does when pulled
    with pytest.raises(DeviceMissing, match=f"lost the fingerprint module on {sim.port} during template count"):
        reader.template_count()
    assert not reader.is_open


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (OSError(errno.ENOENT, "No such file or directory"), "no serial device at /dev/ttyS5"),
        (OSError(errno.EACCES, "Permission denied"), "add the kiosk's user to the dialout group"),
        (OSError(errno.EAGAIN, "Resource temporarily unavailable"), "/dev/ttyS5 is in use by another program"),
        (OSError(errno.EIO, "Input/output error"), "is in the dialout group"),
    ],
)
def test_open_failures_explain_the_fix(error: OSError, says: str) -> None:
    # Pure function: a permission error cannot be produced for real here (the tests may run as root).
    assert says in missing_message("/dev/ttyS5", error)


# -- slots are employee PINs ----------------------------------------------------------------


class _Roster:
    def __init__(self, *employees: Employee) -> None:
        self._by_pin = {e.pin: e for e in employees}

    def by_pin(self, pin: int) -> Employee | None:
        return self._by_pin.get(pin)


def test_slot_zero_is_nobody_even_if_an_employee_has_no_pin() -> None:
    roster = _Roster(Employee("198001012005011001", "Siti", pin=0))
    assert employee_for_slot(roster, 0) is None


@pytest.mark.parametrize(
    ("slot", "capacity", "fits"), [(1, 200, True), (199, 200, True), (200, 200, False), (0, 200, False)]
)
def test_check_slot(slot: int, capacity: int, fits: bool) -> None:
    if fits:
        check_slot(slot, capacity)
    else:
        with pytest.raises(SlotOutOfRange):
            check_slot(slot, capacity)


def test_a_matched_slot_names_the_employee_in_the_real_store(
    tmp_path: Path, sim: SimulatedModule, reader: UartFingerprint
) -> None:
    store = Store.open(tmp_path / "kiosk.db")
    try:
        pin = store.employees.next_pin()
        store.employees.add(Employee("198001012005011001", "Siti Rahma", unit="BKPSDM", pin=pin))
        enroll(sim, reader, slot=pin, finger=3)
        sim.place_finger(3)
        assert reader.capture()
        match = reader.search()
        assert match is not None
        employee = employee_for_slot(store.employees, match.slot)
        assert employee is not None and employee.nip == "198001012005011001"
    finally:
        store.close()


# -- settings -------------------------------------------------------------------------------


def test_settings_defaults_leave_the_module_disabled() -> None:
    settings = UartFingerprintSettings()
    assert not settings.enabled and settings.baudrate == 57600 and settings.address == 0xFFFFFFFF


def test_settings_load_from_a_toml_table_and_build_a_driver() -> None:
    table = {"port": "/dev/ttyUSB0", "baudrate": 115200, "password": 0x1234, "timeout_seconds": 1}
    settings = build_section(UartFingerprintSettings, table, "uart_fingerprint")
    driver = UartFingerprint.from_settings(settings)
    assert settings.enabled
    assert (driver.port, driver.baudrate, driver.password, driver.timeout) == ("/dev/ttyUSB0", 115200, 0x1234, 1.0)


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"baudrate": 56000}, "uart_fingerprint.baudrate = 56000: must be one of: 9600, 19200"),
        ({"timout_seconds": 3}, "did you mean 'timeout_seconds'"),
        ({"address": -1}, "must be at least 0"),
        ({"poll_interval": 0}, "must be at least 0.05"),
    ],
)
def test_bad_settings_name_the_key_and_the_fix(table: dict, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        build_section(UartFingerprintSettings, table, "uart_fingerprint")


