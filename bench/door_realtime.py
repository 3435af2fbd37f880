"""The door in real time inside a CPU quota (issue 12). Prints medians; asserts nothing.

    python bench/door_realtime.py [--faces ../shared/faces] [--runs 3] [--quotas 1.0,0.25,0.15]
                                  [--baseline OLD_CHECKOUT] [--screen auto|none]

`kiosk run` (the service, as systemd starts it, in a child process) plays short_hamilton_clip.mp4
with camera.realtime = true: a reader thread paces the file at 29.97 fps and keeps only the newest
frame, as a camera would. The store holds the four reference people (tests/faces.py) plus 2,499
synthetic employees, 10,000 face templates in all; each run is a restart (the detector and template
caches in data_dir/cache exist, as after the kiosk's first start), and the checkout is byte-compiled
first, as install.sh does (the service cannot write __pycache__). The child is moved into a new cgroup with a CPU
quota before it executes anything (cgroup v2 cpu.max, else v1 cpu.cfs_quota_us), so imports, model
loading, the encoder process and the pipeline all count against it; a quota caps all cores
together, so 0.15 is the one-core worst case of a Pi 4. Per quota, medians of --runs runs of:
- READY=1: seconds from spawning `kiosk run` to the READY=1 datagram (sd_notify, read here);
- punch: wall-clock seconds from the moment frame 82 (the face fully visible) was live to the
  moment the log line of the committed punch arrived here (so it includes the commit and the log);
- frames processed and dropped, the largest lag behind the live frame (from the kiosk's summary);
- CPU-seconds used by the cgroup (the kiosk and its encoder process), for the whole run.
It also prints the punches of every run (exactly one, for Lin, is the goal), when the servers
started, and the machine's load average. The kiosk runs with the servers a regency enables (pull
API, ZK server, SOAP service, console) besides delivery. They start only once the door has had no
face for 3 s (kiosk/app/priority.py), so during the clip they do not; a second scene measures what
their start costs the door: 14 s of the clip's faceless frames (nobody at the door), the same
figures, with the time from READY=1 to "all parts started". The load average matters: the machine
is shared, and other processes' CPU use slows everything here too.
With --baseline, the same runs are made with an older checkout (e.g. `git archive` of the commit
before issue 12) in the same session, so the ratios are against the same machine and load; an old
kiosk that does not log when playback starts is timed from its "face pipeline started" line.
`--screen none` runs without the door screen (which renders at [screen] fps; here it falls back
to the headless renderer, which draws the same image without showing it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kiosk.domain import Employee  # noqa: E402
from kiosk.enroll import Enroller  # noqa: E402
from kiosk.face.models import FaceModels  # noqa: E402
from kiosk.face.template_cache import load_matrix  # noqa: E402
from kiosk.settings.face import FaceSettings  # noqa: E402
from kiosk.staff import add_employee  # noqa: E402
from kiosk.store import Store  # noqa: E402

PEOPLE = {
    "198001012006041001": ("Barack Obama", "obama.jpg"),
    "198001012006041002": ("Joe Biden", "biden.jpg"),
    "198001012006041003": ("Alex Lacamoire", "alex-lacamoire.png"),
    "198001012006041004": ("Lin-Manuel Miranda", "lin-manuel-miranda.png"),
}
LIN = "198001012006041004"
CLIP_NAME = "short_hamilton_clip.mp4"
VISIBLE_FRAME = 82  # first frame where the pipeline's detector sees Lin's face (bench/recognition_bench.py)
TEMPLATES = 10_000
EMPTY_DOOR_SECONDS = 14.0  # long enough for the servers to start (after 3 s without a face) at 0.15 core
CGROUP_NAME = "siap-kiosk-door-bench"
PERIOD_US = 100_000  # the kernel's default CFS period
# The build machine is shared (other sessions run test suites): a high weight lets the quota, not the
# neighbours, decide how much CPU the kiosk gets, as on a Pi that runs only the kiosk. The quota
# still caps it, so the neighbours lose at most that share.
SHARES_V1, WEIGHT_V2 = 10240, 1000


# --- the store ------------------------------------------------------------------------------
def build_data_dir(folder: Path, faces: Path) -> Path:
    """The four people from their photos, then synthetic employees up to 10,000 templates."""
    data_dir = folder / "data"
    models = FaceModels.load(cache_dir=data_dir / "cache")  # the detector cache a first start writes
    with Store.open(data_dir / "kiosk.db", device_id="BENCH") as store:
        enroller = Enroller(store, models, FaceSettings())
        for nip, (name, photo) in PEOPLE.items():
            add_employee(store, nip, name)
            enroller.from_photos(nip, [faces / photo])
        rng = np.random.default_rng(12)
        missing = TEMPLATES - store.templates.count()
        nips = [f"1990010120200{i:05d}" for i in range((missing + 3) // 4)]
        for nip in nips:
            store.employees.add(Employee(nip=nip, name=f"Pegawai {nip[-5:]}"))
        # Random directions of the size of real encodings: farther than 1.0 from any real face.
        vectors = rng.normal(0, 0.09, (missing, 128)).astype(np.float32)
        store.templates.add_bulk([(nips[i // 4], vector) for i, vector in enumerate(vectors)])
        assert store.templates.count() == TEMPLATES
        # A restart, as after a power cut: the kiosk ran on this data before, so its template cache exists.
        load_matrix(store.templates, data_dir / "cache")
    return data_dir


def write_config(folder: Path, data_dir: Path, clip: Path, screen: str = "auto") -> Path:
    """The door plus the servers a regency enables (pull API, ZK server, SOAP service, console), on free ports."""
    path = folder / "kiosk.toml"
    token = folder / "api.token"
    token.write_text("bench-token-" + "x" * 24 + "\n")
    token.chmod(0o600)
    path.write_text(
        f"""
[screen]
backend = "{screen}"

[api]
enabled = true
port = {free_port()}
token_file = "{token}"

[zk_server]
enabled = true
port = {free_port()}
udp = false

[soap]
enabled = true
port = {free_port()}

[console]
enabled = true
port = {free_port()}

[device]
id = "BENCH-01"
data_dir = "{data_dir}"

[camera]
source = "{clip}"
realtime = true
reopen_min_seconds = 60.0   # the clip ends once; the bench stops the kiosk then
reopen_max_seconds = 60.0
"""
    )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_empty_door_clip(source: Path, path: Path, seconds: float = EMPTY_DOOR_SECONDS) -> Path:
    """Camera footage with nobody at the door: the clip's faceless frames 20-75 played forwards and back."""
    capture = cv2.VideoCapture(str(source))
    fps = capture.get(cv2.CAP_PROP_FPS)
    frames = []
    for index in range(76):
        ok, frame = capture.read()
        if ok and index >= 20:
            frames.append(frame)
    capture.release()
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    loop = frames + frames[-2:0:-1]
    for index in range(round(seconds * fps)):
        writer.write(loop[index % len(loop)])
    writer.release()
    return path


# --- the CPU quota --------------------------------------------------------------------------
@dataclass
class Quota:
    """A child cgroup with a CPU quota; `usage()` is the CPU-seconds its processes used."""

    cores: float
    kind: str = "none"  # "v2", "v1" or "none"
    folder: Path | None = None
    usage_folder: Path | None = None  # v1: the cpuacct hierarchy, if separate
    reason: str = ""

    @classmethod
    def create(cls, cores: float) -> Quota:
        quota = int(cores * PERIOD_US)
        v2 = Path("/sys/fs/cgroup")
        if (v2 / "cgroup.controllers").is_file() and "cpu" in (v2 / "cgroup.controllers").read_text().split():
            try:
                if "cpu" not in (v2 / "cgroup.subtree_control").read_text().split():
                    (v2 / "cgroup.subtree_control").write_text("+cpu")
                folder = v2 / CGROUP_NAME
                folder.mkdir(exist_ok=True)
                (folder / "cpu.max").write_text(f"{quota} {PERIOD_US}")
                (folder / "cpu.weight").write_text(str(WEIGHT_V2))
                return cls(cores, "v2", folder, folder)
            except OSError as exc:
                reason = f"cgroup v2 at {v2}: {exc}"
        else:
            reason = "no cgroup v2 cpu controller"
        v1 = Path("/sys/fs/cgroup/cpu")
        if (v1 / "cpu.cfs_quota_us").is_file():
            try:
                folder = v1 / CGROUP_NAME
                folder.mkdir(exist_ok=True)
                (folder / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (folder / "cpu.cfs_quota_us").write_text(str(quota))
                (folder / "cpu.shares").write_text(str(SHARES_V1))
                usage = None
                acct = Path("/sys/fs/cgroup/cpuacct")
                if (folder / "cpuacct.usage").is_file():
                    usage = folder
                elif (acct / "cpuacct.usage").is_file():
                    usage = acct / CGROUP_NAME
                    usage.mkdir(exist_ok=True)
                return cls(cores, "v1", folder, usage)
            except OSError as exc:
                reason += f"; cgroup v1 at {v1}: {exc}"
        return cls(cores, "none", reason=reason or "no cgroup cpu controller found")

    def join(self) -> None:
        """Run in the child between fork and exec: everything the kiosk does counts against the quota."""
        for folder in {self.folder, self.usage_folder} - {None}:
            (folder / "cgroup.procs").write_text(str(os.getpid()))  # type: ignore[operator]

    def usage(self) -> float | None:
        if self.usage_folder is None:
            return None
        if self.kind == "v2":
            stat = dict(line.split() for line in (self.usage_folder / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6
        return int((self.usage_folder / "cpuacct.usage").read_text()) / 1e9

    def remove(self) -> None:
        for folder in {self.folder, self.usage_folder} - {None}:
            for _ in range(50):
                try:
                    folder.rmdir()  # type: ignore[union-attr]
                    break
                except OSError:
                    time.sleep(0.1)  # the last process is still leaving

    def describe(self) -> str:
        if self.kind == "none":
            return f"NO QUOTA could be set ({self.reason}): measured at whatever CPU the machine gave"
        weight = f"cpu.shares {SHARES_V1}" if self.kind == "v1" else f"cpu.weight {WEIGHT_V2}"
        return f"cgroup {self.kind} quota {int(self.cores * PERIOD_US)} us per {PERIOD_US} us ({self.cores} core), {weight}, at {self.folder}"


# --- one run --------------------------------------------------------------------------------
@dataclass
class Run:
    ready: float | None = None
    punch: float | None = None
    frames: int | None = None
    dropped: int | None = None
    lag: float | None = None
    cpu: float | None = None
    nips: list[str] = field(default_factory=list)
    parts_started: float | None = None  # seconds from READY=1 to "all parts started" (None: not before the clip ended)
    parts_started_at: float | None = None
    log_tail: list[str] = field(default_factory=list)
    door_lines: list[str] = field(default_factory=list)  # what the door showed (--log)


class NotifySocket:
    """The systemd side of sd_notify: when did READY=1 arrive?"""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.ready_at: float | None = None
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if b"READY=1" in data.split(b"\n") and self.ready_at is None:
                self.ready_at = time.monotonic()

    def close(self) -> None:
        self.sock.close()


PLAYING = re.compile(r"in real time at ([\d.]+) fps from monotonic ([\d.]+)")
PIPELINE_STARTED = "face pipeline started on"  # an old kiosk's only sign that playback begins
PUNCH = re.compile(r"face punch seq \d+ for (\d+)")
SUMMARY = re.compile(r"Stopped: (\d+) frames(?:.* (\d+) frames dropped, largest lag ([\d.]+) s)?")


def compile_sources(repo: Path) -> None:
    """Byte-compile the checkout as install.sh does: the service cannot write __pycache__ (ProtectSystem=strict),
    and this session may run with PYTHONDONTWRITEBYTECODE, which would otherwise time compiling, not starting."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "kiosk", "drivers", "sync"], cwd=repo, check=True)


def one_run(template: Path, clip: Path, quota: Quota, folder: Path, timeout: float, repo: Path, screen: str) -> Run:
    shutil.copytree(template, folder / "data")
    config = write_config(folder, folder / "data", clip, screen)
    notify = NotifySocket(folder / "notify.sock")
    env = {**os.environ, "NOTIFY_SOCKET": str(notify.path), "PYTHONPATH": str(repo), "PYTHONUNBUFFERED": "1"}
    env.pop("WATCHDOG_USEC", None)
    cpu_before = quota.usage()
    spawned = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "run"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=folder,
        preexec_fn=quota.join if quota.kind != "none" else None,
    )  # fmt: skip
    run, lines = Run(), []
    playing: tuple[float, float] | None = None
    ended = threading.Event()

    def read_output() -> None:
        nonlocal playing
        for raw in process.stdout:  # type: ignore[union-attr]
            arrived = time.monotonic()
            line = raw.decode(errors="replace").rstrip()
            lines.append(line)
            if (m := PLAYING.search(line)) and playing is None:
                playing = (float(m.group(1)), float(m.group(2)))
            if PIPELINE_STARTED in line and playing is None and repo != REPO:
                playing = (29.97, arrived)
            if (m := PUNCH.search(line)) and m.group(1) == LIN and run.punch is None and playing:
                run.punch = arrived - (playing[1] + VISIBLE_FRAME / playing[0])
            if "all parts started" in line:
                run.parts_started_at = arrived
            if "ended; retrying" in line:  # the clip is over (camera fault "... ended")
                ended.set()
            if m := SUMMARY.search(line):
                run.frames = int(m.group(1))
                run.dropped = int(m.group(2)) if m.group(2) else None
                run.lag = float(m.group(3)) if m.group(3) else None

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    ended.wait(timeout)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    reader.join(5)
    notify.close()
    run.ready = None if notify.ready_at is None else notify.ready_at - spawned
    if run.parts_started_at is not None and notify.ready_at is not None:
        run.parts_started = run.parts_started_at - notify.ready_at
    cpu_after = quota.usage()
    run.cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    with Store.open(folder / "data" / "kiosk.db", device_id="BENCH") as store:
        run.nips = [p.nip for p in store.punches.page()]
    run.log_tail = lines[-8:]
    run.door_lines = _since_visible([line for line in lines if any(word in line for word in (" door: ", "ready:", "all parts", "playing "))])
    return run


def _since_visible(lines: list[str]) -> list[str]:
    """Log lines with their time counted from the moment frame 82 was live (from the log's own clock)."""
    stamps = [_stamp(line) for line in lines]
    played = next((stamp for line, stamp in zip(lines, stamps, strict=True) if "playing " in line and stamp is not None), None)
    if played is None:
        return lines
    fps = float(m.group(1)) if (m := next(filter(None, map(PLAYING.search, lines)), None)) else 29.97
    visible = played + VISIBLE_FRAME / fps
    return [line if stamp is None else f"{stamp - visible:+7.2f} s {line[24:]}" for line, stamp in zip(lines, stamps, strict=True)]


def _stamp(line: str) -> float | None:
    try:
        return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    except ValueError:
        return None



def measure(label: str, repo: Path, cores: float, template: Path, clip: Path, folder: Path, args) -> tuple[Quota, list[Run]]:
    quota = Quota.create(cores)
    scene = "the clip" if clip.name == CLIP_NAME else "an empty door"
    print(f"\n== {label} ({repo}), {scene}, {cores} core: {quota.describe()}; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    runs = []
    try:
        for number in range(args.runs):
            run = one_run(template, clip, quota, folder / f"{clip.stem}-{label[0]}{cores}-r{number}", args.timeout, repo, args.screen)
            runs.append(run)
            started = fmt(run.parts_started) + " after READY=1" if run.parts_started is not None else "not before the clip ended"
            print(f"  run {number + 1}: READY=1 {fmt(run.ready)}, punch {fmt(run.punch)} after frame {VISIBLE_FRAME} was live, "
                  f"frames {run.frames} processed / {run.dropped} dropped, largest lag {fmt(run.lag)}, "
                  f"CPU {fmt(run.cpu, 'CPU-s')}, punches {['Lin' if n == LIN else n for n in run.nips]}, "
                  f"servers started {started}, load {os.getloadavg()[0]:.2f}", flush=True)
            if args.log:
                print("    " + "\n    ".join(run.door_lines))
            if run.frames is None or run.ready is None:
                print("    log tail:\n      " + "\n      ".join(run.log_tail))
    finally:
        quota.remove()
    return quota, runs


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None, unit: str = "s", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} {unit}".rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, default=REPO.parent / "shared" / "faces")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quotas", default="1.0,0.25,0.15", help="CPU quotas in cores, comma-separated")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for the clip to end in one run")
    parser.add_argument("--baseline", type=Path, help="an older checkout to run the same way, for ratios")
    parser.add_argument("--log", action="store_true", help="print what the door showed in each run (the kiosk's 'door:' log lines)")
    parser.add_argument("--screen", default="auto", choices=("auto", "headless", "none"), help="[screen] backend")
    args = parser.parse_args()
    clip = args.faces / CLIP_NAME
    if not clip.is_file():
        sys.exit(f"{clip} not found; pass --faces DIR (the shared test photos)")
    fps = cv2.VideoCapture(str(clip)).get(cv2.CAP_PROP_FPS)
    goals = {1.0: 0.5, 0.25: 1.0, 0.15: 1.5}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print(f"building the store: 4 reference people + synthetic employees = {TEMPLATES:,} templates ...", flush=True)
        template = build_data_dir(folder / "template", args.faces)
        contenders = {"this checkout": REPO, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
        for repo in contenders.values():
            compile_sources(repo)
        results = {}
        for cores in [float(q) for q in args.quotas.split(",")]:
            for label, repo in contenders.items():  # alternate, so both see the same load
                results[(label, cores)] = measure(label, repo, cores, template, clip, folder, args)
        print(f"\n== medians of {args.runs} runs (clip {fps:.2f} fps; face fully visible at frame {VISIBLE_FRAME} = {VISIBLE_FRAME / fps:.2f} s)")
        print(f"{'checkout':>13} | {'quota':>5} | {'READY=1':>8} | {'punch':>7} | {'goal':>6} | {'processed':>9} | {'dropped':>7} | {'max lag':>7} | {'CPU-s':>6} | punches (Lin only, once?)")
        for (label, cores), (quota, runs) in results.items():
            exact = all(run.nips == [LIN] for run in runs)
            print(f"{label:>13} | {cores:>5} | {fmt(median([r.ready for r in runs])):>8} | {fmt(median([r.punch for r in runs])):>7} | "
                  f"{fmt(goals.get(cores)):>6} | {fmt(median([r.frames for r in runs]), '', 0):>9} | "
                  f"{fmt(median([r.dropped for r in runs]), '', 0):>7} | {fmt(median([r.lag for r in runs])):>7} | "
                  f"{fmt(median([r.cpu for r in runs]), ''):>6} | {'yes' if exact else 'NO'}"
                  + ("" if quota.kind != "none" else "  (NO QUOTA)"))
        # The servers start only once no face was seen for 3 s, so during the clip they do not: what
        # their start costs the door is measured here, on camera footage with nobody in it.
        empty_door = write_empty_door_clip(clip, folder / "empty_door.avi")
        quiet = {}
        for cores in [float(q) for q in args.quotas.split(",")]:
            for label, repo in contenders.items():
                quiet[(label, cores)] = measure(label, repo, cores, template, empty_door, folder, args)
        print(f"\n== medians of {args.runs} runs, an empty door ({EMPTY_DOOR_SECONDS:g} s of faceless footage) while the "
              "pull API, ZK server, SOAP service, console and delivery start")
        print(f"{'checkout':>13} | {'quota':>5} | {'READY=1':>8} | {'servers started':>15} | {'processed':>9} | {'dropped':>7} | {'max lag':>7} | {'goal':>6} | {'CPU-s':>6} | punches")
        for (label, cores), (quota, runs) in quiet.items():
            print(f"{label:>13} | {cores:>5} | {fmt(median([r.ready for r in runs])):>8} | {fmt(median([r.parts_started for r in runs])):>15} | "
                  f"{fmt(median([r.frames for r in runs]), '', 0):>9} | {fmt(median([r.dropped for r in runs]), '', 0):>7} | "
                  f"{fmt(median([r.lag for r in runs])):>7} | {fmt(0.5):>6} | {fmt(median([r.cpu for r in runs]), ''):>6} | "
                  f"{'none' if all(not run.nips for run in runs) else 'SOME'}" + ("" if quota.kind != "none" else "  (NO QUOTA)"))
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
