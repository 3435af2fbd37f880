"""Opening the SQLite file safely: header check, pragmas, migrations, one write lock."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from kiosk.private import ensure_private_file, make_private_dirs, narrow_if_present
from kiosk.store import migrations
from kiosk.store.errors import CorruptDatabase, NewerSchema, StorageFull

SQLITE_HEADER = b"SQLite format 3\x00"
T = TypeVar("T")


def recovery_hint(path: Path) -> str:
    return (
        f"Stop the kiosk, move the file aside (mv {path} {path}.broken), then restore the latest backup "
        "(see docs/operations.md, 'Restore') or start empty; punches not yet delivered are in the moved file."
    )


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite can touch it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise CorruptDatabase(f"{path} is not an SQLite database (bad header). {recovery_hint(path)}")


class Database:
    """One connection shared by the kiosk's threads, with writes serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_header(path)
        make_private_dirs(path.parent)  # biometric data: owner only
        # SQLite gives kiosk.db-wal and -shm the mode of kiosk.db when it creates them, so the
        # database file must be 0600 before SQLite opens it, not after.
        ensure_private_file(path)
        for companion in ("-wal", "-shm", "-journal"):
            narrow_if_present(path.with_name(path.name + companion))
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so durability is explicit.
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self.lock = threading.RLock()
        try:
            self._configure()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise CorruptDatabase(f"{path} is damaged ({exc}). {recovery_hint(path)}") from None

    def _configure(self) -> None:
        self.conn.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsynced at every commit, so a punch survives a power cut once recorded.
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (face templates of a removed employee) are overwritten with zeros instead of
        # left in free space; builds differ in their default, so it is set, not assumed.
        self.conn.execute("PRAGMA secure_delete=ON")

    def _migrate(self) -> None:
        version = migrations.schema_version(self.conn)
        if version > len(migrations.MIGRATIONS):
            raise NewerSchema(
                f"{self.path} has schema version {version}, newer than this kiosk knows "
                f"({len(migrations.MIGRATIONS)}). Install the newer kiosk version that wrote it; never downgrade."
            )
        migrations.migrate(self.conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; when this returns, the change is on disk."""
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and _is_disk_full(exc):
                    raise StorageFull(f"disk full: nothing was written to {self.path}") from exc
                raise

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self.lock:
            cursor = self.conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    def tuples(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        """Rows as plain tuples: ~3x cheaper than sqlite3.Row when a reader converts many rows by position."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def converted(self, sql: str, params: tuple | dict, convert: Callable[[list[tuple]], list[T]], chunk: int = 64) -> list[T]:
        """Rows as plain tuples handed to `convert` a chunk at a time, as SQLite produces them.

        For readers that turn many rows into objects (punch pages): each chunk's tuples are freed
        before the next is fetched, so the cyclic GC's young-generation passes (every ~700 new
        objects) scan the new objects but not the whole result's tuples too: ~10 ms of a 100,000-row read.
        """
        # A page makes thousands of acyclic objects and no garbage cycles: the cyclic GC's passes over
        # them are pure cost (~25 ms of 100,000 rows), so it rests while the page is built. Only a
        # reader that found it enabled switches it back on; reference counting frees memory as ever.
        pause = gc.isenabled()
        with self.lock:
            if pause:
                gc.disable()
            try:
                cursor = self.conn.execute(sql, params)
                converted: list[T] = []
                while rows := cursor.fetchmany(chunk):
                    converted += convert(rows)
                return converted
            finally:
                if pause:
                    gc.enable()

    def scalar(self, sql: str, params: tuple | dict = ()) -> object:
        with self.lock:
            row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def count(self, sql: str, params: tuple | dict = ()) -> int:
        """The integer a SELECT of one count returns (COUNT(*), or COALESCE(MAX(seq), 0)), typed and checked,
        unlike `scalar`."""
        value = self.scalar(sql, params)
        if not isinstance(value, int):
            raise TypeError(f"{sql!r} returned {value!r}, not a count")
        return value

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate the WAL to zero bytes, so rows deleted
        (and zeroed by secure_delete) no longer exist in an older WAL frame. False when a reader in
        another process kept it from completing; the next checkpoint finishes the job."""
        with self.lock:
            busy, _frames, _copied = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0

    def integrity_check(self) -> str:
        return str(self.scalar("PRAGMA integrity_check"))

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _is_disk_full(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "disk is full" in text or "database or disk is full" in text or "disk i/o error" in text
