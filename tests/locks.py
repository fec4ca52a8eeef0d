"""An SQLite database locked for a while from another connection, as an outage test makes it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


def lock_for_a_while(db_path: Path, seconds: float, released: threading.Event) -> None:
    """Take the database's write lock from another connection now and give it back
    `seconds` later; `released` is set once it is given back."""
    blocker = sqlite3.connect(db_path, timeout=5, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")

    def release() -> None:
        blocker.rollback()
        blocker.close()
        released.set()

    threading.Timer(seconds, release).start()
