"""python -m sync.receiver --port 8471 --db receiver.db --token-file token [--roster roster.json]"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
from pathlib import Path

from kiosk.private import SecretFileProblem, read_secret
from sync.receiver import Faults, Receiver

log = logging.getLogger("sync.receiver")  # named for the program: run as -m, __name__ is "__main__"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sync.receiver", description="Reference receiver of the kiosk's push protocol v1.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on [127.0.0.1]")
    parser.add_argument("--port", type=int, default=8471, help="TCP port [8471]")
    parser.add_argument("--db", required=True, help="SQLite file for received punches (created if missing)")
    parser.add_argument("--token-file", required=True, help="file holding the bearer token kiosks must send")
    parser.add_argument("--roster", help='JSON file [{"nip", "name", "pin", "unit", "schedule"}] served at /api/v1/roster')
    parser.add_argument("--fail-ratio", type=float, default=0.0, help="answer this share of batches with 500 (testing)")
    return parser.parse_args(argv)


def read_token_file(path: str) -> str:
    """The token, or SystemExit with the problem and the fix: missing, readable by others, or empty."""
    try:
        return read_secret(path)
    except SecretFileProblem as problem:
        raise SystemExit(f"--token-file {path}: {problem}") from None


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    token = read_token_file(args.token_file)
    receiver = Receiver(args.db, token, Faults(fail_ratio=args.fail_ratio), args.host, args.port)
    if args.roster:
        for person in json.loads(Path(args.roster).read_text(encoding="utf-8")):
            receiver.store.put_employee(person["nip"], person["name"], int(person["pin"]), person.get("unit", ""), person.get("schedule", ""))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    receiver.start()
    log.info("receiver listening on %s (database %s)", receiver.url, args.db)
    stop.wait()
    receiver.stop()


if __name__ == "__main__":
    main()
