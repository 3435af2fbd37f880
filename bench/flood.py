"""Floods against one kiosk on loopback while its legitimate clients keep working (issue 11, must-show 2).

    python bench/flood.py [--seconds 30] [--video ../shared/faces/short_hamilton_clip.mp4]

Starts the real daemon (`kiosk run` as a child process) with the Hamilton clip as a looping file
camera, Lin-Manuel Miranda enrolled (face.repeat_minutes = 0: every pass of the clip punches), the
ZK server (TCP+UDP, with a comm key) and the pull API enabled on 127.0.0.1. Then, for a bounded
time each, it runs a quiet baseline and five floods:

  zk_udp_sessions     CONNECT + REG_EVENT datagrams from 4 sockets, as fast as replies come
  zk_tcp_sessions     TCP clients that CONNECT, subscribe (REG_EVENT) and stay silent, re-opened
  comm_key_guessing   CONNECT + AUTH with successive keys over TCP, reconnecting when cut
  http_slow_headers   105 partial HTTP requests, one header line every 20 s, re-opened when cut
  http_big_bodies     3 at a time: unauthenticated POSTs declaring 300 MB, then streaming the body
                      (100 Mbit/s in total by default, a LAN host's rate; --lan-mbit 0 = loopback speed)

Attack traffic comes from 127.0.0.2 ... so per-source limits can tell it from the legitimate
clients on 127.0.0.1: a pyzk pull of the attendance log, a pull-API page, and the face punches the
file camera produces. Printed per phase: each probe's median latency and its ratio to the quiet
baseline (goal: within 2x, none failing), the face punches' median interval, and the daemon's
memory, file descriptors and the disk used during the flood. Loopback only; every loop is bounded
in count and time.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import queue
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sync.zk.codec import encode_packet, frame, make_commkey  # noqa: E402
from tests.helpers import write_token  # noqa: E402

NIP = "198001012006041004"
TOKEN = "flood-token"
COMM_KEY = 271828
CONNECT, REG_EVENT, AUTH = 1000, 500, 1102
MAX_PACKETS = 2_000_000  # hard caps on any attack loop, besides its time
MAX_CONNECTIONS = 20_000


@dataclass
class Kiosk:
    folder: Path
    api_port: int
    zk_port: int
    process: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"


@dataclass(frozen=True)
class Target:
    """What an attacker process needs: the ports (picklable, unlike Kiosk's child process)."""

    api_port: int
    zk_port: int
    lan_mbit: float = 100.0  # the big-body flood's total rate: what a LAN host can send


@dataclass
class Phase:
    name: str
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"pyzk_pull": [], "api_page": []})
    failures: dict[str, list[str]] = field(default_factory=lambda: {"pyzk_pull": [], "api_page": []})
    face_intervals: list[float] = field(default_factory=list)
    face_punches: int = 0
    rss_mb: tuple[float, float] = (0.0, 0.0)  # at the start, peak
    fds: tuple[int, int] = (0, 0)
    disk_mb: float = 0.0
    tmp_mb: float = 0.0
    kiosk_cpu_s: float = 0.0
    seconds: float = 0.0
    baseline: Phase | None = None  # the quiet stretch measured just before this flood
    attack: dict[str, int] = field(default_factory=dict)


# --- the kiosk ------------------------------------------------------------------------------


def free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (the ZK server takes both)."""
    for _ in range(50):
        with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def write_config(kiosk: Kiosk, video: Path) -> Path:
    token = write_token(kiosk.folder / "api.token", TOKEN)
    config = kiosk.folder / "kiosk.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [device]
            id = "FLOOD-01"
            data_dir = "{kiosk.data_dir}"
            [camera]
            source = "{video}"
            loop = true
            realtime = true
            [face]
            repeat_minutes = 0
            [screen]
            backend = "headless"
            sound = false
            [api]
            enabled = true
            address = "127.0.0.1"
            port = {kiosk.api_port}
            token_file = "{token}"
            [zk_server]
            enabled = true
            address = "127.0.0.1"
            port = {kiosk.zk_port}
            udp = true
            comm_key = {COMM_KEY}
            """
        )
    )
    return config


def kiosk_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--config", str(config), *args]


def start_kiosk(kiosk: Kiosk, config: Path, photo: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SDL_AUDIODRIVER": "dummy"}
    subprocess.run(kiosk_command(config, "employee", "add", NIP, "--name", "Lin"), check=True, env=env, capture_output=True)
    subprocess.run(kiosk_command(config, "enroll", NIP, "--photo", str(photo)), check=True, env=env, capture_output=True)
    log = (kiosk.folder / "kiosk.log").open("w")
    kiosk.process = subprocess.Popen(kiosk_command(config, "run"), env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if kiosk.process.poll() is not None:
            raise SystemExit(f"kiosk run exited {kiosk.process.returncode}; see {kiosk.folder / 'kiosk.log'}")
        try:
            if requests.get(f"{kiosk.api_url}/api/v1/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("the pull API did not come up within 180 s")


# --- legitimate clients ---------------------------------------------------------------------


def pyzk_pull(kiosk: Kiosk) -> None:
    from zk import ZK

    conn = ZK("127.0.0.1", port=kiosk.zk_port, timeout=10, password=COMM_KEY, ommit_ping=True).connect()
    try:
        conn.get_attendance()
    finally:
        conn.disconnect()


def api_page(kiosk: Kiosk) -> None:
    reply = requests.get(f"{kiosk.api_url}/api/v1/punches?limit=100", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    reply.raise_for_status()
    reply.json()


def face_punch_times(kiosk: Kiosk) -> list[float]:
    """Monotonic seconds of every face punch (the daemon's CLOCK_MONOTONIC is ours too)."""
    conn = sqlite3.connect(f"file:{kiosk.data_dir / 'kiosk.db'}?mode=ro", uri=True, timeout=10)
    try:
        return [row[0] / 1e9 for row in conn.execute("SELECT monotonic_ns FROM punches WHERE method = 'face' ORDER BY seq")]
    finally:
        conn.close()


# --- floods: each runs until `stop` is set, bounded in count too -----------------------------


def zk_udp_sessions(kiosk: Target, stop, counts: dict[str, int]) -> None:
    sockets = []
    for n in range(4):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((f"127.0.0.{2 + n}", 0))
        sock.settimeout(0.05)
        sockets.append(sock)
    try:
        while not stop.is_set() and counts.get("datagrams", 0) < MAX_PACKETS:
            for sock in sockets:
                sock.sendto(encode_packet(CONNECT, 0, 0), ("127.0.0.1", kiosk.zk_port))
                counts["datagrams"] = counts.get("datagrams", 0) + 1
                try:
                    reply = sock.recv(1024)
                except OSError:
                    continue
                if len(reply) < 8:
                    continue
                session = struct.unpack_from("<4H", reply)[2]
                sock.sendto(encode_packet(REG_EVENT, session, 1, struct.pack("<I", 1)), ("127.0.0.1", kiosk.zk_port))
                counts["datagrams"] += 1
                counts["sessions_opened"] = counts.get("sessions_opened", 0) + 1
    finally:
        for sock in sockets:
            sock.close()


def _zk_tcp_connect(kiosk: Target, source: str) -> tuple[socket.socket, int]:
    sock = socket.socket()
    try:
        sock.bind((source, 0))
        sock.settimeout(2)
        sock.connect(("127.0.0.1", kiosk.zk_port))
        sock.sendall(frame(encode_packet(CONNECT, 0, 0)))
        reply = sock.recv(1024)
        if len(reply) < 16:
            raise ConnectionError("the server closed the connection instead of answering CONNECT")
    except OSError:
        sock.close()
        raise
    return sock, struct.unpack_from("<4H", reply, 8)[2]


def zk_tcp_sessions(kiosk: Target, stop, counts: dict[str, int]) -> None:
    held: list[socket.socket] = []
    try:
        while not stop.is_set() and counts.get("connects", 0) < MAX_CONNECTIONS:
            held = [s for s in held if _still_open(s)]
            if len(held) >= 16:
                stop.wait(0.2)
                continue
            counts["connects"] = counts.get("connects", 0) + 1
            try:
                sock, session = _zk_tcp_connect(kiosk, "127.0.0.3")
                sock.sendall(frame(encode_packet(REG_EVENT, session, 1, struct.pack("<I", 1))))
                held.append(sock)
                counts["subscribed"] = counts.get("subscribed", 0) + 1
            except OSError:
                counts["refused"] = counts.get("refused", 0) + 1
                stop.wait(0.05)
    finally:
        for sock in held:
            sock.close()


def comm_key_guessing(kiosk: Target, stop, counts: dict[str, int]) -> None:
    guess = 0
    while not stop.is_set() and counts.get("guesses", 0) < MAX_PACKETS:
        try:
            sock, session = _zk_tcp_connect(kiosk, "127.0.0.4")
        except OSError:
            counts["refused"] = counts.get("refused", 0) + 1
            stop.wait(0.05)
            continue
        reply_id = 1
        try:
            while not stop.is_set() and guess < 1_000_000:
                if guess == COMM_KEY:
                    guess += 1  # measure the throttling, not a lucky hit
                sock.sendall(frame(encode_packet(AUTH, session, reply_id, make_commkey(guess, session))))
                reply = sock.recv(1024)
                if not reply:
                    break
                guess, reply_id = guess + 1, reply_id + 1
                counts["guesses"] = counts.get("guesses", 0) + 1
        except OSError:
            counts["cut"] = counts.get("cut", 0) + 1
        finally:
            sock.close()


def _still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(65536, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def http_slow_headers(kiosk: Target, stop, counts: dict[str, int]) -> None:
    held: dict[int, socket.socket] = {}
    last_line = time.monotonic()
    try:
        while not stop.is_set() and counts.get("opened", 0) < MAX_CONNECTIONS:
            for slot in range(105):
                sock = held.get(slot)
                if sock is not None and _still_open(sock):
                    continue
                if sock is not None:
                    sock.close()
                    counts["cut_by_server"] = counts.get("cut_by_server", 0) + 1
                try:
                    sock = socket.socket()
                    sock.bind((f"127.0.0.{2 + slot // 8}", 0))
                    sock.settimeout(2)
                    sock.connect(("127.0.0.1", kiosk.api_port))
                    sock.sendall(b"GET /api/v1/punches HTTP/1.1\r\nHost: kiosk\r\n")
                    held[slot] = sock
                    counts["opened"] = counts.get("opened", 0) + 1
                except OSError:
                    sock.close()
                    held.pop(slot, None)
                    counts["refused"] = counts.get("refused", 0) + 1
            if time.monotonic() - last_line >= 20:
                for sock in held.values():
                    try:
                        sock.sendall(b"X-Slow: a\r\n")
                    except OSError:
                        pass
                last_line = time.monotonic()
            counts["held_now"] = len(held)
            stop.wait(0.5)
    finally:
        for sock in held.values():
            sock.close()


def http_big_bodies(kiosk: Target, stop, counts: dict[str, int]) -> None:
    per_sender = kiosk.lan_mbit * 1e6 / 8 / 3  # bytes per second each; 0 = as fast as loopback goes

    def one_sender(source: str) -> None:
        chunk = b"x" * 65536
        while not stop.is_set() and counts.get("requests", 0) < MAX_CONNECTIONS:
            counts["requests"] = counts.get("requests", 0) + 1
            try:
                sock = socket.socket()
                sock.bind((source, 0))
                sock.settimeout(2)
                sock.connect(("127.0.0.1", kiosk.api_port))
            except OSError:
                counts["refused"] = counts.get("refused", 0) + 1
                stop.wait(0.05)
                continue
            try:
                sock.sendall(b"POST /api/v1/punches HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 300000000\r\n\r\n")
                sent, began = 0, time.monotonic()
                while not stop.is_set() and sent < 300_000_000:
                    sock.sendall(chunk)
                    sent += len(chunk)
                    ahead = sent / per_sender - (time.monotonic() - began) if per_sender else 0
                    if ahead > 0:
                        time.sleep(ahead)
                    counts["body_mb_sent"] = counts.get("body_mb_sent", 0) + (1 if sent % (1 << 20) == 0 else 0)
            except OSError:
                counts["cut_by_server"] = counts.get("cut_by_server", 0) + 1
            finally:
                sock.close()

    senders = [threading.Thread(target=one_sender, args=(f"127.0.0.{5 + n}",), daemon=True) for n in range(3)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()


FLOODS: dict[str, Callable[[Target, object, dict[str, int]], None] | None] = {
    "quiet": None,
    "zk_udp_sessions": zk_udp_sessions,
    "zk_tcp_sessions": zk_tcp_sessions,
    "comm_key_guessing": comm_key_guessing,
    "http_slow_headers": http_slow_headers,
    "http_big_bodies": http_big_bodies,
}


# --- one phase ------------------------------------------------------------------------------


def attack(name: str, target: Target, stop, results) -> None:
    """Runs in its own process, so the attack's Python threads do not compete with the probes for
    this process's GIL (that would slow the probes without the kiosk being any slower)."""
    counts: dict[str, int] = {}
    try:
        FLOODS[name](target, stop, counts)  # type: ignore[misc]
    finally:
        results.put(counts)


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def run_phase(kiosk: Kiosk, name: str, seconds: float, lan_mbit: float) -> Phase:
    phase = Phase(name)
    watched = psutil.Process(kiosk.process.pid)  # type: ignore[union-attr]
    rss0, fds0 = watched.memory_info().rss / 2**20, watched.num_fds()
    peak_rss, peak_fds = rss0, fds0
    disk0, tmp0 = folder_mb(kiosk.data_dir), shutil.disk_usage(tempfile.gettempdir()).used / 2**20
    cpu0 = sum(watched.cpu_times()[:2])
    stop, results = multiprocessing.Event(), multiprocessing.Queue()
    target = Target(kiosk.api_port, kiosk.zk_port, lan_mbit)
    attacker = multiprocessing.Process(target=attack, args=(name, target, stop, results), daemon=True) if FLOODS[name] else None
    began = time.monotonic()
    if attacker:
        attacker.start()
        time.sleep(min(3.0, seconds / 5))  # let the flood build up before measuring
    measuring_from = time.monotonic()
    while time.monotonic() - began < seconds:
        for probe, call in (("pyzk_pull", pyzk_pull), ("api_page", api_page)):
            started = time.monotonic()
            try:
                call(kiosk)
                phase.latencies[probe].append(time.monotonic() - started)
            except Exception as exc:  # noqa: BLE001 - a failure is a result to print
                phase.failures[probe].append(f"{type(exc).__name__}: {exc}"[:120])
        peak_rss = max(peak_rss, watched.memory_info().rss / 2**20)
        peak_fds = max(peak_fds, watched.num_fds())
        time.sleep(0.2)
    phase.disk_mb = folder_mb(kiosk.data_dir) - disk0
    phase.tmp_mb = shutil.disk_usage(tempfile.gettempdir()).used / 2**20 - tmp0
    stop.set()
    counts = {}
    if attacker:
        try:
            counts = results.get(timeout=60)
        except queue.Empty:
            counts = {"attacker": "did not report"}
        attacker.join(30)
        if attacker.is_alive():
            attacker.terminate()
    faces = [t for t in face_punch_times(kiosk) if measuring_from <= t]
    phase.face_punches = len(faces)
    phase.seconds = time.monotonic() - measuring_from
    phase.kiosk_cpu_s = sum(watched.cpu_times()[:2]) - cpu0
    phase.face_intervals = [b - a for a, b in itertools.pairwise(faces)]
    phase.rss_mb, phase.fds, phase.attack = (rss0, peak_rss), (fds0, peak_fds), dict(counts)
    return phase


def median_ms(values: list[float]) -> float | None:
    return statistics.median(values) * 1000 if values else None


def report(phases: list[Phase]) -> None:
    quiet = phases[0]
    print("\nphase               probe        n  fail   median ms   x quiet   x quiet just before")
    for phase in phases:
        for probe in ("pyzk_pull", "api_page"):
            mine, base = median_ms(phase.latencies[probe]), median_ms(quiet.latencies[probe])
            near = median_ms(phase.baseline.latencies[probe]) if phase.baseline else base
            ratio = f"{mine / base:6.2f}x" if mine is not None and base else "     -"
            near_ratio = f"{mine / near:6.2f}x (quiet {near:.1f} ms)" if mine is not None and near else "     -"
            shown = f"{mine:10.1f}" if mine is not None else "         -"
            print(f"{phase.name:19} {probe:10} {len(phase.latencies[probe]):3} {len(phase.failures[probe]):5} {shown}   {ratio}   {near_ratio}")
        rate = 60 * phase.face_punches / phase.seconds if phase.seconds else 0.0
        base_rate = 60 * quiet.face_punches / quiet.seconds if quiet.seconds else 0.0
        ratio = f"{rate / base_rate:6.2f}x" if base_rate else "     -"
        print(f"{phase.name:19} {'face_punch':10} {phase.face_punches:3} {'':5} {rate:8.1f}/min {ratio}   (face punches from the looping clip)")
    print("\nphase               rss MB start->peak   fds start->peak   kiosk CPU s   data_dir +MB   tmp fs +MB   attack counters")
    for phase in phases:
        print(
            f"{phase.name:19} {phase.rss_mb[0]:7.1f} -> {phase.rss_mb[1]:7.1f}   {phase.fds[0]:5} -> {phase.fds[1]:5}"
            f"   {phase.kiosk_cpu_s:11.1f}   {phase.disk_mb:12.2f}   {phase.tmp_mb:10.1f}   {phase.attack}"
        )
    print("(tmp fs: the whole file system under the temp dir, shared with other programs: a rough figure)")
    failed = [(p.name, probe, f) for p in phases for probe, fs in p.failures.items() for f in fs[:2]]
    if failed:
        print("\nfailures (first two per probe and phase):")
        for name, probe, failure in failed:
            print(f"  {name} {probe}: {failure}")
    def near(phase: Phase, probe: str) -> float:
        return median_ms((phase.baseline or quiet).latencies[probe]) or 0.0

    within = all(
        not p.failures[probe] and p.latencies[probe] and median_ms(p.latencies[probe]) <= 2 * near(p, probe)
        for p in phases for probe in ("pyzk_pull", "api_page")
    )  # fmt: skip
    print(f"\nevery probe succeeded and stayed within 2x of the quiet stretch before its flood: {within}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase (the flood and the quiet baseline)")
    parser.add_argument("--video", type=Path, default=REPO.parent / "shared" / "faces" / "short_hamilton_clip.mp4")
    parser.add_argument("--photo", type=Path, default=REPO.parent / "shared" / "faces" / "lin-manuel-miranda.png")
    parser.add_argument(
        "--lan-mbit", type=float, default=100.0,
        help="total rate of the oversized-body flood in Mbit/s, as a host on a 100 Mbit office LAN sends; 0 = unlimited (loopback speed)",
    )  # fmt: skip
    parser.add_argument("--only", nargs="*", choices=list(FLOODS)[1:], help="run only these floods (after the quiet baseline)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kiosk = Kiosk(Path(tmp), api_port=free_port(), zk_port=free_port())
        config = write_config(kiosk, args.video)
        start_kiosk(kiosk, config, args.photo)
        print(f"kiosk run: pid {kiosk.process.pid}, pull API {kiosk.api_url}, ZK 127.0.0.1:{kiosk.zk_port}", flush=True)  # type: ignore[union-attr]
        phases = []
        try:
            print(f"quiet: {args.seconds:g} s ...", flush=True)
            phases.append(run_phase(kiosk, "quiet", args.seconds, args.lan_mbit))
            for name in args.only or list(FLOODS)[1:]:
                time.sleep(2)  # let the last flood's connections drain
                # a quiet stretch just before each flood: the machine's background load drifts
                print(f"quiet before {name}: {args.seconds / 3:g} s, then {name}: {args.seconds:g} s ...", flush=True)
                baseline = run_phase(kiosk, "quiet", args.seconds / 3, args.lan_mbit)
                phase = run_phase(kiosk, name, args.seconds, args.lan_mbit)
                phase.baseline = baseline
                phases.append(phase)
        finally:
            kiosk.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            kiosk.process.wait(timeout=60)  # type: ignore[union-attr]
        report(phases)


if __name__ == "__main__":
    main()
