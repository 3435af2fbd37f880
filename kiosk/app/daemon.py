"""The kiosk service: `Kiosk(settings).start()` lists its parts; `stop()` sets one event and joins them.

Parts: the store and the recorder (vital), the door screen, the face pipeline (vital: the camera
may fail, the loop must not hang), the fingerprint listeners, the ZK-protocol server, the pull API,
the terminals' SOAP web service, the operator console, the delivery scheduler (vital; it also writes
the roster to the fingerprint terminal), and the monitors (clock jumps, status file, systemd watchdog).
An optional part that fails is a fault shown in `kiosk status`, never a reason to stop recording
punches. The servers and the fingerprint terminal link are restarted within a budget
(kiosk/app/supervisor.py); the other optional parts stay as they started.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from drivers.camera.select import make_camera
from kiosk.app.priority import QUIET_SECONDS, start_when_door_quiet
from kiosk.app.supervisor import RestartBudget, Running, SupervisedPart, Supervisor, current_instance
from kiosk.app.wiring import build_recorder, load_holidays
from kiosk.camera.reopen import ReopeningCamera
from kiosk.clocktrust import JumpWatcher, save_reference
from kiosk.domain import Classification, Method, Punch
from kiosk.face.encoder_process import EncoderProcess
from kiosk.face.match import Matcher
from kiosk.face.models import FaceModels, model_paths
from kiosk.face.recognizer import Recognizer
from kiosk.face.template_cache import load_matrix
from kiosk.feedback import Cue, Feedback, FeedbackHub
from kiosk.health import Health
from kiosk.notify import SystemdNotifier, Watchdog, watchdog_interval_seconds
from kiosk.pipeline import Pipeline
from kiosk.recorder import PunchRecorder, RecordOutcome
from kiosk.settings import Settings
from kiosk.status import DaemonSnapshot, snapshot_dir, write_snapshot
from kiosk.store import DuplicatePunch, Store, StoreError
from kiosk.timeutil import in_zone, utc_now

if TYPE_CHECKING:  # imported where they start: the door is ready before these load
    from apscheduler.schedulers.background import BackgroundScheduler

    from drivers.display.screen import DoorScreen
    from drivers.fingerprint.zkteco import ZkFallback
    from kiosk.rules.holidays import HolidayCalendar
    from sync.deliverer import Deliverer
    from sync.wsgi_server import ServerThread
    from sync.zk import ZkServer

log = logging.getLogger(__name__)

STOP_BUDGET_SECONDS = 4.0  # SIGTERM to exit within 5 s: each part gets a share of this
STATUS_EVERY = 2.0
PIPELINE_STALL_SECONDS = 20.0  # no loop turn for this long = hung camera loop: stop petting the watchdog
ENCODER_START_TIMEOUT = 120.0  # seconds for the encoder process to load its model (a Pi under load)
# The servers and delivery start when no face is at the door, and at the latest this long after READY=1
# (a queue at 07:30 must not keep the pull API and delivery away for long).
BACKGROUND_DEADLINE_SECONDS = 20.0
WAITING_PARTS = "servers and delivery"


def build_matcher(settings: Settings, store: Store) -> Matcher:
    matrix = load_matrix(store.templates, settings.data_dir / "cache")  # a file read when nothing changed since the last start
    return Matcher(matrix, settings.face.tolerance, settings.face.margin)


def build_pipeline(
    settings: Settings,
    store: Store,
    recorder: PunchRecorder,
    hub: FeedbackHub,
    stop: threading.Event,
    exit_at_end: bool = False,
    models: FaceModels | None = None,
    on_frame: Callable | None = None,
    encoder: EncoderProcess | None = None,
) -> Pipeline:
    """The door's pipeline. A live source encodes in a worker process (kiosk/face/encoder_process.py),
    which loads its model while this process loads the detector and the templates."""
    backend = make_camera(settings.camera)
    if encoder is None and backend.live:
        encoder = start_encoder()
    warm = encoder.warm_up() if encoder else None
    camera = ReopeningCamera(
        backend,
        stop,
        min_backoff=settings.camera.reopen_min_seconds,
        max_backoff=settings.camera.reopen_max_seconds,
        end_is_fault=not exit_at_end,
        give_up=exit_at_end,  # a replay stops with the reason instead of retrying forever
    )
    models = models or FaceModels.load(cache_dir=settings.data_dir / "cache")
    recognizer = Recognizer(models, settings.face, build_matcher(settings, store), encoder=encoder)
    if warm is not None:
        warm.result(timeout=ENCODER_START_TIMEOUT)  # READY=1 means a face can be encoded now
    return Pipeline(
        camera, recognizer, recorder, hub, settings.photos, stop,
        now=lambda: datetime.now(settings.tz),
        matcher_factory=lambda: build_matcher(settings, store),
        exit_at_end=exit_at_end,
        on_frame=on_frame,
        templates_version=store.templates.version,
    )  # fmt: skip


def start_encoder() -> EncoderProcess:
    encoder = EncoderProcess(model_paths()[1])
    encoder.warm_up()  # starts the worker now (forked while this process has one thread, see encoder_process)
    return encoder


class Kiosk:
    """The store and the recorder exist from the constructor on (every other part is built on them);
    `start()` adds the door, then the parts that may fail without stopping it."""

    def __init__(
        self,
        settings: Settings,
        exit_at_end: bool = False,
        hub: FeedbackHub | None = None,
        notifier: SystemdNotifier | None = None,
        restart_budget: RestartBudget | None = None,
        holidays: HolidayCalendar | None = None,
    ) -> None:
        self.settings, self.exit_at_end = settings, exit_at_end
        self.hub = hub or FeedbackHub()
        self.notifier = notifier or SystemdNotifier()
        self.health = Health()
        self.stop_event = threading.Event()
        self.started_utc = utc_now()
        self.store = Store.open(settings.database_path, device_id=settings.device.id)
        try:
            # The holiday file is read once here (unless a SIGHUP already read it) and shared with the console.
            self.holidays = load_holidays(settings) if holidays is None else holidays  # may refuse the file
            self.recorder = build_recorder(settings, self.store, self.holidays)
        except BaseException:
            self.store.close()
            raise
        self.hub.subscribe(self._storage_health)
        # The parts that restart within a budget when they fail (kiosk/app/supervisor.py).
        self.supervisor = Supervisor(self.stop_event, restart_budget or RestartBudget(), self.health)
        # Each of these is set at most once, by start(); None = not started, or configured off.
        self.encoder: EncoderProcess | None = None
        self.screen: DoorScreen | None = None
        self.pipeline: Pipeline | None = None
        self.delivery: Delivery | None = None
        self.terminal_link: SupervisedPart[ZkFallback] | None = None
        self.zk_server: SupervisedPart[ZkServer] | None = None
        self.uart_socket = ""  # the fingerprint module's request socket, once it listens
        # Parts started once, never restarted: part -> "running" | "off" | "failed (reason)".
        self.started_once: dict[str, str] = {"store": "running", "recorder": "running"}
        self._stoppers: list[tuple[str, Callable[[float], None]]] = []
        self._threads: list[threading.Thread] = []
        self._stopped = False
        self._background: threading.Thread | None = None  # starts the servers and delivery
        self.stall_seconds = PIPELINE_STALL_SECONDS

    # --- start ------------------------------------------------------------------------------
    def start(self) -> None:
        """The door first: READY=1 as soon as a face can be recorded (a restart after a power cut is part of
        the door's latency); the fingerprint paths and monitors start right after, the servers and
        delivery once the door is quiet (docs/face-recognition.md, "What runs where")."""
        began = time.monotonic()
        # Before any thread exists: then the encoder's worker can be forked with numpy and dlib
        # already imported, and it loads its model while the screen and the detector start here.
        self.encoder = start_encoder() if make_camera(self.settings.camera).live else None
        self.start_screen()
        self.start_pipeline()
        self.notifier.ready(f"recording punches; camera {self.settings.camera.source}")
        log.info("ready: recording punches %.2f s after start (%.2f CPU-s in this process)", time.monotonic() - began, time.process_time())
        if self.screen is not None:
            self.screen.open_sound()  # after READY=1: opening the audio device is no part of the door's start-up
        if not self.exit_at_end:
            # Fingerprint punches are the door's too: their threads keep its priority.
            self.start_fingerprint_terminal()
            self.start_fingerprint_module()
            self.start_background_parts(began)

    def start_background_parts(self, began: float) -> None:
        """The monitors at once, the servers and delivery when the door is quiet; all from a nicer
        thread, so they and every thread they create yield the CPU to the door (kiosk/app/priority.py)."""

        def done() -> None:
            self.started_once.pop(WAITING_PARTS, None)
            self.notifier.status(f"all parts started; camera {self.settings.camera.source}")
            log.info("all parts started %.2f s after start (%.2f CPU-s in this process)", time.monotonic() - began, time.process_time())

        def reported(name: str, start: Callable[[], None]) -> tuple[str, Callable[[], None]]:
            def start_or_say_why() -> None:  # the supervised servers retry by themselves; this is for the rest
                try:
                    start()
                except Exception as exc:
                    self._did_not_start(name, exc)
                    raise

            return name, start_or_say_why

        parts = [
            reported("zk server", self.start_zk_server),
            reported("pull api", self.start_pull_api),
            reported("soap service", self.start_soap_service),
            reported("console", self.start_console),
            reported("scheduler", self.start_scheduler),
        ]
        self.started_once[WAITING_PARTS] = f"starting when no face is at the door (at the latest {BACKGROUND_DEADLINE_SECONDS:g} s after start)"
        quiet = QUIET_SECONDS if self.pipeline is not None else 0.0  # no camera: no one to wait for
        self._background = start_when_door_quiet(
            self.start_monitors, parts, self.door_busy, self.stop_event, BACKGROUND_DEADLINE_SECONDS, done, quiet
        )

    def wait_for_parts(self, timeout: float) -> bool:
        """Block until the servers and delivery have started (or were not to start); True when they have.
        For callers in the same process, such as tests; other processes see "all parts started" in
        the systemd status and `kiosk status`."""
        if self._background is not None:
            self._background.join(timeout)
            return not self._background.is_alive()
        return True

    def door_busy(self) -> bool:
        return self.pipeline is not None and self.pipeline.recognizer.busy

    def start_screen(self) -> None:
        from drivers.display.factory import build_door_screen

        try:
            screen = build_door_screen(self.hub, self.settings.screen, self.settings.device.language, clock=self.now)
            if screen is None:
                self.started_once["screen"] = "off"
                return
            screen.start()
        except Exception as exc:  # the door records without a screen
            log.exception("screen did not start")
            self._did_not_start("screen", exc)
            return
        self.screen = screen
        self._stoppers.append(("screen", screen.stop))
        self.started_once["screen"] = "running"

    def start_pipeline(self) -> None:
        pipeline = build_pipeline(
            self.settings, self.store, self.recorder, self.hub, self.stop_event, self.exit_at_end,
            on_frame=self.screen.on_frame if self.screen is not None else None, encoder=self.encoder,
        )  # fmt: skip
        self.pipeline = pipeline
        if self.screen is not None:  # fewer redraws while a face is being encoded (drivers/display/screen.py)
            self.screen.busy = lambda: pipeline.recognizer.encoding
        pipeline.start()
        self.started_once["camera"] = "running"
        log.info("face pipeline started on %s", pipeline.camera.camera.describe())

    def start_fingerprint_terminal(self) -> None:
        """The link to a ZKTeco terminal reconnects by itself; it is restarted only if its thread ends."""
        if not self.settings.fingerprint.enabled:
            self.started_once["fingerprint terminal"] = "off"
            return
        from drivers.fingerprint.zkteco import ZkFallback

        def start() -> ZkFallback:
            link = ZkFallback(
                self.settings.fingerprint, self.store.employees, self.record_fingerprint, self.settings.tz,
                already=self.store.punches.exists_source_key,
            )  # fmt: skip
            link.start()
            return link

        self.terminal_link = self.supervisor.add("fingerprint terminal", start)

    def start_fingerprint_module(self) -> None:
        if not self.settings.uart_fingerprint.enabled:
            self.started_once["fingerprint module"] = "off"
            return
        from drivers.fingerprint.uart import Jobs, UartFingerprint, employee_for_slot
        from drivers.fingerprint.uart_remote import SOCKET_NAME, RequestServer

        reader = UartFingerprint.from_settings(self.settings.uart_fingerprint)
        # The door loop holds the port: `kiosk fingerprint enroll` and `employee remove` hand their
        # work to it through this socket, and it runs between touches.
        jobs = Jobs()
        self._stoppers.append(("fingerprint module", lambda budget: jobs.close()))  # wakes the loop at once
        server = RequestServer(snapshot_dir(self.settings.data_dir) / SOCKET_NAME, jobs, self.stop_event)
        try:
            server.start()
        except Exception as exc:  # without the socket the module still records touches
            log.exception("fingerprint requests did not start")
            self._did_not_start("fingerprint requests", exc)
        else:
            self.uart_socket = str(server.path)
            self._stoppers.append(("fingerprint requests", lambda budget: server.stop()))
            self.started_once["fingerprint requests"] = "running"

        def on_match(slot: int, score: int) -> None:
            employee = employee_for_slot(self.store.employees, slot)
            if employee is None or not employee.active:
                log.warning("fingerprint slot %d matches no active employee", slot)
                return
            self.record_fingerprint(employee.nip, self.now(), None)

        def listen() -> None:
            reader.listen(
                on_match, self.stop_event, jobs=jobs,
                on_error=lambda exc: self.health.report_fault("fingerprint module", str(exc)),
            )  # fmt: skip
            reader.close()

        self._thread("fingerprint module", listen)

    def start_zk_server(self) -> None:
        if not self.settings.zk_server.enabled:
            self.started_once["zk server"] = "off"
            return
        from sync.zk import build_server

        def start() -> ZkServer:
            server = build_server(
                self.store, self.settings.zk_server, self.settings.device.id, tz=self.settings.tz, data_dir=self.settings.data_dir
            )
            return _started(server, server.start)

        self.recorder.subscribe(self._publish_to_zk_clients)  # once: it reaches whichever server runs
        self.zk_server = self.supervisor.add("zk server", start)

    def start_pull_api(self) -> None:
        if not self.settings.api.enabled:
            self.started_once["pull api"] = "off"
            return
        from kiosk.photos import PhotoStore
        from sync.pull_api import build_pull_server

        def start() -> ServerThread:
            server = build_pull_server(self.settings.api, self.store, PhotoStore(self.settings.data_dir), self.settings.tz)
            return _started(server, server.start)

        self.supervisor.add("pull api", start)

    def start_soap_service(self) -> None:
        if not self.settings.soap.enabled:
            self.started_once["soap service"] = "off"
            return
        from sync.soap.service import build_soap_server

        def start() -> ServerThread:
            server = build_soap_server(self.settings.soap, self.settings.zk_server, self.store, self.settings.tz)
            return _started(server, server.start)

        self.supervisor.add("soap service", start)

    def start_console(self) -> None:
        """The operator's web console (docs/console.md); it records through the daemon's recorder."""
        if not self.settings.console.enabled:
            self.started_once["console"] = "off"
            return
        from kiosk.console.server import build_console_server

        def start() -> ServerThread:
            server = build_console_server(self.settings, self.store, self.recorder, holidays=self.holidays)
            return _started(server, server.start)

        self.supervisor.add("console", start)

    def start_scheduler(self) -> None:
        """Delivery is vital, not restarted: a scheduler that stops makes `healthy()` false, and the
        systemd watchdog restarts the service."""
        from sync.deliverer import Deliverer
        from sync.jobs import build_scheduler

        deliverer = Deliverer(self.settings, self.store)
        terminal = self.settings.fingerprint
        roster = self._push_roster_to_terminal if terminal.enabled and terminal.push_roster else None
        delivery = Delivery(build_scheduler(self.settings, self.store, deliverer, roster), deliverer, self.settings)
        self.delivery = delivery
        delivery.scheduler.start()
        # After a power cut or an update, deliver what waited on disk without waiting an interval.
        delivery.push_soon(None)
        if self.settings.sync.push_delay_seconds > 0:
            self.recorder.subscribe(delivery.push_soon)
        self._stoppers.append(("scheduler", delivery.stop))
        self.started_once["scheduler"] = "running"

    def start_monitors(self) -> None:
        jumps = JumpWatcher(self.store)
        jumps.start()
        self._stoppers.append(("clock", lambda budget: jumps.stop()))
        self.supervisor.start()
        self.write_status()  # at once: other commands find the running service (and its sockets) by it
        self._thread("status", self._status_loop)
        interval = watchdog_interval_seconds()
        if interval:
            # A loop stalled for the whole watchdog timeout is hung (a frame never takes that long).
            self.stall_seconds = min(PIPELINE_STALL_SECONDS, max(2.0, interval * 2))
            watchdog = Watchdog(self.notifier, self.healthy, interval)
            watchdog.start()
            self._stoppers.append(("watchdog", lambda budget: watchdog.stop()))

    # --- what parts call --------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(self.settings.tz)

    def record_fingerprint(self, nip: str, at: datetime, source_key: str | None) -> RecordOutcome:
        """A fingerprint joins the face path at 'decision': same debounce, rules, commit, screen.
        A terminal record already taken raises DuplicatePunch (the terminal link counts it as such)."""
        try:
            outcome = self.recorder.record(nip, Method.FINGERPRINT, at, source_key=source_key)
        except DuplicatePunch:
            raise  # nothing new happened at the door: no feedback
        except StoreError as exc:
            self.hub.publish(Feedback(Cue.NOT_RECORDED, self.now(), nip=nip, detail=str(exc)))
            raise
        punch = outcome.punch
        # The NIP, never the name: logs leave the device (journald, support bundles).
        if outcome.repeated:
            log.info("fingerprint punch for %s repeats seq %d", nip, punch.seq)
        else:
            log.info("fingerprint punch seq %d for %s (%s)", punch.seq, nip, punch.status.value)
        self.hub.publish(
            Feedback(
                Cue.ALREADY_RECORDED if outcome.repeated else Cue.RECORDED, self.now(), name=outcome.employee.name, nip=nip,
                punch_time=in_zone(punch.time_utc, self.settings.tz), classification=Classification(punch.kind, punch.status, punch.status_minutes),
                detail="fingerprint",
            )
        )  # fmt: skip
        return outcome

    def healthy(self) -> bool:
        """What the systemd watchdog asks: are the vital loops turning?"""
        pipeline_ok = self.pipeline is not None and (
            (not self.pipeline.is_alive() and self.exit_at_end)
            or time.monotonic() - self.pipeline.last_beat < self.stall_seconds
        )
        return bool(pipeline_ok and self._delivery_ok())

    def _delivery_ok(self) -> bool:
        """Running, or not started yet (waiting for a quiet door; none with --exit-at-end). Once the
        parts have all been started without it, the kiosk is not healthy: a restart may bring it back."""
        if self.delivery is not None:
            return bool(self.delivery.scheduler.running)
        return self._background is None or self._background.is_alive() or self.stop_event.is_set()

    def _storage_health(self, feedback: Feedback) -> None:
        if feedback.cue == Cue.NOT_RECORDED:
            self.health.report_fault("storage", f"punch NOT recorded: {feedback.detail}")
        elif feedback.cue == Cue.RECORDED:
            self.health.clear_fault("storage")

    def _publish_to_zk_clients(self, punch: Punch | None) -> None:
        server = current_instance(self.zk_server)
        if server is not None:
            server.publish(punch)

    def _push_roster_to_terminal(self) -> None:
        """The scheduler's "terminal-roster" job: a removed employee's terminal user is deleted too
        (their finger must not punch), an added one can punch at once."""
        link = current_instance(self.terminal_link)
        if link is not None:
            link.request_roster_push()

    # --- status -----------------------------------------------------------------------------
    def _status_loop(self) -> None:
        while not self.stop_event.wait(STATUS_EVERY):
            self._observe_parts()
            self.write_status()

    def write_status(self) -> None:
        """The one status file `kiosk status` reads (see kiosk/status.py for where it lives)."""
        try:
            write_snapshot(snapshot_dir(self.settings.data_dir), self.snapshot())
        except OSError as exc:
            self.health.report_fault("storage", f"cannot write the status file: {exc}")

    def _observe_parts(self) -> None:
        camera = self.pipeline.camera.status() if self.pipeline else None
        if camera is not None and camera.state in ("fault", "ended"):
            self.health.report_fault("camera", camera.last_error or camera.state)
        elif camera is not None:
            self.health.clear_fault("camera")
        link = current_instance(self.terminal_link)
        if link is not None:
            status = link.status
            if status.connected:
                self.health.clear_fault("fingerprint terminal")
            elif status.last_error:
                self.health.report_fault("fingerprint terminal", status.last_error)
            if status.drift is not None:
                save_reference(self.store, f"terminal:{self.settings.fingerprint.terminal_address}", status.drift.total_seconds())
        for name in self.store.delivery.targets():
            state = self.store.delivery.state(name)
            problem = state.halted_reason or state.last_error
            if problem:
                self.health.report_fault(f"sync:{name}", problem)
            else:
                self.health.clear_fault(f"sync:{name}")

    def part_states(self) -> dict[str, str]:
        """part -> "running" | "off" | "restarting (attempt k of n, next in s s): reason" | "failed (...)"."""
        return {**self.started_once, **self.supervisor.states()}

    def snapshot(self) -> DaemonSnapshot:
        link = current_instance(self.terminal_link)
        fallback = link.status if link is not None else None
        return DaemonSnapshot(
            pid=os.getpid(),
            started_utc=self.started_utc.isoformat(),
            updated_utc=utc_now().isoformat(),
            data_dir=str(self.settings.data_dir),
            pipeline=self.pipeline.status().as_dict() if self.pipeline else {},
            fingerprint={} if fallback is None else {"connected": fallback.connected, "events": fallback.events, "last_error": fallback.last_error},
            faults=[
                {"part": f.part, "message": f.message, "since_utc": datetime.fromtimestamp(f.since_wall).astimezone().isoformat()}
                for f in self.health.faults()
            ],
            parts=self.part_states(),
            uart_socket="" if self.stop_event.is_set() else self.uart_socket,  # a stopping service takes no requests
        )

    # --- helpers ----------------------------------------------------------------------------
    def _did_not_start(self, part: str, exc: Exception) -> None:
        """A part started once (never restarted) failed: `kiosk status` shows why, as a fault too."""
        self.started_once[part] = f"failed ({exc})"
        self.health.report_fault(part, f"did not start: {exc}")

    def _thread(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)
        self.started_once[name] = "running"

    # --- stop -------------------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> bool:
        """Block until stopped or (with --exit-at-end) the source ended; True when finished."""
        if self.pipeline is None:
            return True
        self.pipeline.join(timeout)
        return not self.pipeline.is_alive()

    def stop(self) -> None:
        """Every committed punch is already on disk: stopping only has to be prompt and tidy."""
        if self._stopped:
            return
        self._stopped = True
        self.notifier.stopping()
        self.stop_event.set()
        deadline = time.monotonic() + STOP_BUDGET_SECONDS
        if self._background is not None:  # a part being started is finished first, then stopped below
            self._background.join(max(0.1, (deadline - time.monotonic()) / 2))
        self.supervisor.stop(max(0.1, (deadline - time.monotonic()) / 2))
        for name, stopper in reversed(self._stoppers):
            try:
                stopper(max(0.1, (deadline - time.monotonic()) / 2))
            except Exception:
                log.exception("stopping %s failed", name)
        self._stoppers.clear()
        if self.pipeline is not None:
            self.pipeline.join(max(0.1, deadline - time.monotonic()))
            if self.pipeline.is_alive():
                log.warning("face pipeline did not stop in time; exiting anyway (nothing uncommitted is lost)")
        for thread in self._threads:
            thread.join(max(0.05, deadline - time.monotonic()))
        if not self.exit_at_end:
            self.write_status()  # the last word: "stopped"
        if self.encoder is not None:
            self.encoder.close()  # also when the pipeline never started (the pipeline closes it otherwise)
        self.store.close()

    def status(self) -> dict:
        return {"pipeline": self.pipeline.status().as_dict() if self.pipeline else None}


@dataclass(frozen=True)
class Delivery:
    """The delivery part: the scheduler of sync/jobs.py and the deliverer its jobs call."""

    scheduler: BackgroundScheduler
    deliverer: Deliverer
    settings: Settings

    def push_soon(self, punch: Punch | None) -> None:
        """Deliver shortly after a punch (one pending run at a time), not only on the interval."""
        from apscheduler.jobstores.base import ConflictingIdError  # with the scheduler, after READY=1

        run_at = datetime.now(self.settings.tz) + timedelta(seconds=self.settings.sync.push_delay_seconds)
        try:
            self.scheduler.add_job(self.deliverer.push_all, "date", run_date=run_at, id="push-soon", name="push after a punch")
        except ConflictingIdError:
            pass  # a run is already pending; it will take this punch too

    def stop(self, budget: float) -> None:
        self.deliverer.stop.set()  # a push waiting out a backoff returns at once
        self.scheduler.shutdown(wait=False)


P = TypeVar("P", bound=Running)


def _started(part: P, start: Callable[[], object]) -> P:
    """Start a part that was just built; when starting fails, stop it before the error goes on, so
    what it already holds (its listening socket) is free for the next attempt."""
    try:
        start()
    except BaseException:
        try:
            part.stop(1.0)
        except Exception:  # the start's error is the one to report
            log.debug("cleaning up after a failed start", exc_info=True)
        raise
    return part
