"""A flood of bad input cannot flood the log: refusals are logged in bursts, the rest counted."""

from __future__ import annotations

import logging
import socket

from kiosk.logs import RepeatLimit, configure_logging

from zk_helpers import open_store, pyzk, running_server


def test_a_flood_of_bad_packets_logs_a_burst_not_a_line_each(tmp_path, capsys):
    handler = configure_logging(environ={})
    logging.getLogger().setLevel(logging.INFO)
    try:
        store = open_store(tmp_path / "kiosk.db")
        with running_server(store, tmp_path, udp=True) as server:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                for _ in range(300):
                    sock.sendto(b"\x00garbage-not-a-zk-packet", ("127.0.0.1", server.port))
                # A good client still gets answered after the flood (over TCP: a UDP flood may fill
                # the socket's receive buffer, and then the kernel drops a UDP connect as well).
                conn = pyzk(server.port).connect()
                assert conn.get_serialnumber()
                conn.disconnect()
        store.close()
    finally:
        logging.getLogger().removeHandler(handler)
    err = capsys.readouterr().err
    refusals = [line for line in err.splitlines() if "sent bad data" in line]
    assert refusals, "the first bad packets must still be logged"
    assert len(refusals) <= RepeatLimit().burst, f"{len(refusals)} refusal lines for 300 bad packets"


def _record(msg: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("sync.zk.server", level, __file__, 1, msg, ("10.0.0.9",), None)


def test_lines_held_back_are_counted_on_the_next_line_let_through():
    now = [0.0]
    limit = RepeatLimit(burst=3, window=60.0, clock=lambda: now[0])
    passed = [limit.filter(_record("zk %s sent bad data")) for _ in range(10)]
    assert passed == [True] * 3 + [False] * 7
    now[0] = 61.0
    record = _record("zk %s sent bad data")
    assert limit.filter(record)
    assert "7 similar lines held back" in record.getMessage()
    # Other templates and errors are not held back by this one's flood.
    assert limit.filter(_record("zk %s connection ended"))
    now[0] = 62.0
    for _ in range(5):
        limit.filter(_record("zk %s sent bad data"))
    assert limit.filter(_record("zk %s sent bad data", logging.ERROR))
