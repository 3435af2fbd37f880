"""`kiosk doctor`: check every part a terminal needs, each with a clear status and what to do.

Each check is a small function returning a `Check`; `run_checks` runs them in order and never
lets one check's crash hide the others.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass

import requests

from kiosk.clock import read_clock
from kiosk.settings import ConfigError, Settings
from kiosk.settings.advice import config_warnings
from kiosk.store import Store, StoreError

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
DISK_FAIL_MB, DISK_WARN_MB = 100, 500


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL


def check_config(settings: Settings) -> Check:
    from kiosk.app.wiring import load_holidays

    try:
        load_holidays(settings)  # the one file the configuration names that parsing does not read
    except ConfigError as exc:
        return Check("config", FAIL, str(exc))
    warnings = config_warnings(settings)
    if warnings:
        return Check("config", WARN, f"{settings.source or 'defaults'} is valid, but: " + " | ".join(warnings))
    return Check("config", OK, f"{settings.source or 'defaults'} is valid")


def check_database(settings: Settings) -> Check:
    try:
        with Store.open(settings.database_path, device_id=settings.device.id) as store:
            result = store.db.integrity_check()
            punches, employees, templates = store.punches.count(), store.employees.count(), store.templates.count()
    except StoreError as exc:
        return Check("database", FAIL, str(exc))
    if result != "ok":
        return Check("database", FAIL, f"integrity_check: {result}; see docs/store.md, 'A damaged database'")
    return Check("database", OK, f"{settings.database_path}: {punches} punches, {employees} employees, {templates} face templates")


def check_disk(settings: Settings) -> Check:
    free_mb = shutil.disk_usage(settings.data_dir).free // 2**20
    if free_mb < DISK_FAIL_MB:
        return Check("disk", FAIL, f"only {free_mb} MB free in {settings.data_dir}: punches may not be recorded; free space")
    if free_mb < DISK_WARN_MB:
        return Check("disk", WARN, f"{free_mb} MB free in {settings.data_dir}; consider freeing space")
    return Check("disk", OK, f"{free_mb} MB free in {settings.data_dir}")


def check_privacy(settings: Settings) -> Check:
    """Face templates, photos and evidence are personal data of a specific kind (UU 27/2022)."""
    loose = [
        str(path)
        for path in (settings.data_dir, settings.data_dir / "photos", settings.data_dir / "evidence", settings.database_path)
        if path.exists() and path.stat().st_mode & 0o077
    ]
    if loose:
        return Check("privacy", WARN, f"readable by other users: {', '.join(loose)}; fix with: chmod -R go-rwx {settings.data_dir}")
    return Check("privacy", OK, f"{settings.data_dir} is owner-only")


def check_clock(settings: Settings) -> Check:
    synced = read_clock().synced
    if synced:
        return Check("clock", OK, "synchronised by NTP")
    if synced is None:
        return Check("clock", WARN, "cannot tell whether the clock is synchronised; punches are flagged clock_synced=false")
    return Check(
        "clock", WARN, "not synchronised by NTP: punches are recorded and flagged; check `timedatectl` and the network"
    )


def check_camera(settings: Settings, timeout: float = 8.0) -> Check:
    from drivers.camera.select import make_camera

    outcome: dict[str, Check] = {}

    def probe() -> None:
        try:
            camera = make_camera(settings.camera)
            camera.open()
            try:
                frame = camera.read()
            finally:
                camera.close()
            height, width = frame.image.shape[:2]
            outcome["check"] = Check("camera", OK, f"{camera.describe()}: {width}x{height} frames")
        except Exception as exc:  # noqa: BLE001 - any camera failure is the doctor's finding
            outcome["check"] = Check("camera", FAIL, str(exc) or type(exc).__name__)

    return _within(probe, timeout, outcome, Check("camera", FAIL, f"no frame within {timeout:.0f} s from {settings.camera.source}"))


def check_face_models(settings: Settings) -> Check:
    from kiosk.face.models import FaceModels
    from kiosk.face.resnet import FaceResNet

    try:
        encoder = FaceModels.load().encoder  # the encoder loads on first use: load it here
    except Exception as exc:  # noqa: BLE001
        return Check("face models", FAIL, str(exc))
    if not isinstance(encoder, FaceResNet):
        return Check(
            "face models", WARN,
            "the ResNet model file is not the one the fast encoder reads, so dlib's own encoder runs (about 7x "
            "more CPU per face); reinstall it with `pip install --force-reinstall 'face_recognition_models>=0.3,<0.4'`",
        )  # fmt: skip
    return Check("face models", OK, "dlib 5-point landmarks and ResNet encoder loaded (the ResNet run by numpy)")


def check_server(settings: Settings) -> list[Check]:
    from sync.targets import TokenError, configured_targets, read_token

    targets = configured_targets(settings)
    if not targets:
        return [Check("central server", SKIP, "no sync target configured (sync.url is empty)")]
    checks = []
    for target in targets:
        name = f"server {target.name}"
        try:
            token = read_token(target.token_file) if target.kind == "siap" else ""
            checks.append(_probe_target(name, target, token, settings))
        except TokenError as exc:
            checks.append(Check(name, FAIL, str(exc)))
        except requests.RequestException as exc:
            checks.append(Check(name, FAIL, f"{target.url} unreachable: {type(exc).__name__}; check the network and sync.url"))
    return checks


def _probe_target(name: str, target, token: str, settings: Settings) -> Check:
    from sync.delivery_loop import PushPolicy

    policy = PushPolicy.from_settings(settings.sync)  # the same TLS and timeouts as real pushes
    timeout, verify = policy.timeout, policy.verify
    if target.kind == "adms":
        reply = requests.get(f"{target.url}/iclock/cdata", params={"SN": target.serial, "options": "all"}, timeout=timeout, verify=verify)
        if reply.status_code == 403:
            return Check(name, WARN, "the ADMS server holds this device as pending: approve it there; punches stay queued")
        return Check(name, OK if reply.ok else FAIL, f"{target.url}: ADMS handshake answered {reply.status_code}")
    reply = requests.get(f"{target.url}/api/v1/roster", headers={"Authorization": f"Bearer {token}"}, timeout=timeout, verify=verify)
    if reply.status_code in (401, 403):
        return Check(name, FAIL, f"{target.url} refused the token ({reply.status_code}); put the right token in {target.token_file}")
    if not reply.ok:
        return Check(name, FAIL, f"{target.url} answered {reply.status_code}")
    return Check(name, OK, f"{target.url} reachable, token accepted")


def check_fingerprint(settings: Settings) -> list[Check]:
    checks = []
    if settings.fingerprint.enabled:
        from drivers.fingerprint.zkteco import TerminalUnavailable, terminal_info

        try:
            info = terminal_info(settings.fingerprint, settings.tz)
            checks.append(
                Check("fingerprint terminal", OK, f"{info['address']} serial {info['serial']}, clock drift {info['clock_drift_seconds']} s")
            )
        except TerminalUnavailable as exc:
            checks.append(Check("fingerprint terminal", FAIL, str(exc)))
    if settings.uart_fingerprint.enabled:
        from drivers.fingerprint.uart import FingerprintError, UartFingerprint

        try:
            with UartFingerprint.from_settings(settings.uart_fingerprint) as reader:
                checks.append(Check("fingerprint module", OK, f"{settings.uart_fingerprint.port}: {reader.template_count()} fingers enrolled"))
        except FingerprintError as exc:
            checks.append(Check("fingerprint module", FAIL, str(exc)))
    return checks or [Check("fingerprint", SKIP, "no fingerprint terminal or module configured")]


def _within(probe: Callable[[], None], timeout: float, outcome: dict[str, Check], late: Check) -> Check:
    """A camera that hangs must not hang the doctor."""
    worker = threading.Thread(target=probe, name="doctor-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    return outcome.get("check", late)


CHECKS: tuple[Callable[[Settings], Check | list[Check]], ...] = (
    check_config,
    check_database,
    check_disk,
    check_privacy,
    check_clock,
    check_camera,
    check_face_models,
    check_server,
    check_fingerprint,
)


def run_checks(settings: Settings) -> list[Check]:
    results: list[Check] = []
    for check in CHECKS:
        try:
            found = check(settings)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            found = Check(check.__name__.removeprefix("check_"), FAIL, f"the check itself failed: {exc}")
        results.extend(found if isinstance(found, list) else [found])
    return results
