"""Small key/value facts about this kiosk kept in the database (clock references, high-water marks)."""

from __future__ import annotations

import json

from kiosk.store.db import Database


class Meta:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get_json(self, key: str, default: object = None) -> object:
        text = self.db.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return default if text is None else json.loads(text)  # type: ignore[arg-type]

    def set_json(self, key: str, value: object) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def prefixed(self, prefix: str) -> dict[str, object]:
        rows = self.db.query("SELECT key, value FROM meta WHERE key LIKE ? ORDER BY key", (prefix.replace("%", "") + "%",))
        return {row["key"]: json.loads(row["value"]) for row in rows}
