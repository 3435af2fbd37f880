"""Versioned schema migrations, applied in order at start.

Each migration runs in one transaction together with the `PRAGMA user_version` bump that records
it, so a power cut leaves the database either before or after a migration, never half-way.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3

M001_INITIAL = """
CREATE TABLE employees (
    nip TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    schedule TEXT NOT NULL DEFAULT '',
    pin INTEGER NOT NULL UNIQUE,          -- user id on ZKTeco terminals / fingerprint slots
    active INTEGER NOT NULL DEFAULT 1,
    source TEXT NOT NULL DEFAULT 'local',  -- 'local' or 'roster'
    created_utc TEXT NOT NULL,
    updated_utc TEXT NOT NULL
);
CREATE TABLE face_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nip TEXT NOT NULL REFERENCES employees(nip) ON DELETE CASCADE,
    vector BLOB NOT NULL,                  -- 128 float32, little-endian
    source TEXT NOT NULL,                  -- 'photo', 'camera', 'roster'
    quality REAL NOT NULL DEFAULT 0,
    uploaded INTEGER NOT NULL DEFAULT 0,   -- sent to the central server's roster
    created_utc TEXT NOT NULL
);
CREATE INDEX face_templates_nip ON face_templates(nip);
CREATE TABLE punches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, -- the pull cursor; never reused
    uuid TEXT NOT NULL UNIQUE,
    nip TEXT NOT NULL,
    time_utc TEXT NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    method TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    status_minutes INTEGER NOT NULL DEFAULT 0,
    distance REAL,
    liveness REAL,
    clock_synced INTEGER NOT NULL,
    photo TEXT,
    boot_id TEXT NOT NULL DEFAULT '',
    monotonic_ns INTEGER NOT NULL DEFAULT 0,
    source_key TEXT UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL,
    recorded_utc TEXT NOT NULL
);
CREATE INDEX punches_nip_time ON punches(nip, time_utc);
CREATE INDEX punches_time ON punches(time_utc);
-- punches are append-only: enforce it in the database itself
CREATE TRIGGER punches_no_update BEFORE UPDATE ON punches
BEGIN SELECT RAISE(ABORT, 'punches are append-only'); END;
CREATE TABLE delivery_cursor (
    target TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL DEFAULT 0,   -- every punch <= last_seq is delivered or parked
    last_attempt_utc TEXT,
    last_success_utc TEXT,
    last_error TEXT,
    last_error_utc TEXT,
    halted_reason TEXT                     -- set on 401/403: pushing stops until config changes
);
CREATE TABLE delivery_parked (
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    parked_utc TEXT NOT NULL,
    PRIMARY KEY (target, seq)
);
CREATE TABLE absences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nip TEXT NOT NULL,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    code TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    evidence TEXT,
    created_by TEXT NOT NULL DEFAULT '',
    created_utc TEXT NOT NULL
);
CREATE INDEX absences_nip ON absences(nip, date_from);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time_utc TEXT NOT NULL,
    os_user TEXT NOT NULL,
    action TEXT NOT NULL,
    nip TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# The employee's first working day (ISO date): recaps and yearly violations count from it, so a
# mid-year hire is not counted absent since January. NULL = unknown, counted from the period's start.
M002_EMPLOYEE_SINCE = """
ALTER TABLE employees ADD COLUMN since TEXT;
"""

# The operator console's accounts and server-side sessions (docs/console.md).
M003_CONSOLE_USERS = """
CREATE TABLE console_users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,                    -- 'viewer', 'operator' or 'technician'
    password_hash TEXT NOT NULL,           -- scrypt$N$r$p$salt$hash, never the password
    created_utc TEXT NOT NULL,
    updated_utc TEXT NOT NULL
);
CREATE TABLE console_sessions (
    token_hash TEXT PRIMARY KEY,           -- SHA-256 of the cookie's random token, never the token
    user_name TEXT REFERENCES console_users(name) ON DELETE CASCADE,  -- NULL before login
    data TEXT NOT NULL DEFAULT '{}',
    created_utc TEXT NOT NULL,
    expires_utc TEXT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions(expires_utc);
"""

# (name, SQL script) in order; the position + 1 is the schema version it produces.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("001_initial", M001_INITIAL),
    ("002_employee_since", M002_EMPLOYEE_SINCE),
    ("003_console_users", M003_CONSOLE_USERS),
)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def pending(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations that would run, without running them."""
    return [name for name, _sql in MIGRATIONS[schema_version(conn) :]]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations, each in its own transaction; return their names."""
    applied = []
    for number, (name, sql) in enumerate(MIGRATIONS, start=1):
        if number <= schema_version(conn):
            continue
        # executescript() would commit a transaction opened outside it, so BEGIN goes inside.
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
