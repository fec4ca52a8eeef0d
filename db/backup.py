"""A copy of a live SQLite database: what `dondoc db backup` writes.

The bot keeps its SQLite file in WAL mode: the newest transactions live in `<file>-wal`
until a checkpoint moves them into the file. A copy of the file alone (`cp`, a nightly
rsync) may miss them, or catch a page half written; SQLite's online backup API reads one
consistent snapshot, the WAL's transactions included, while the bot goes on writing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

# How long the copy waits for a lock (a checkpoint) before it gives up, in seconds.
BUSY_TIMEOUT_S = 30.0


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the database `source` into the new file `target`, standing alone (no -wal of its
    own to keep beside it), and return its size in bytes.

    The copy is written beside `target` under another name and renamed when complete and
    checked, so that `target` is never a copy cut short; a `target` that exists is an
    error (FileExistsError), never overwritten.
    """
    if target.exists():
        raise FileExistsError(17, os.strerror(17), str(target))
    part = target.with_name(target.name + ".part")
    # mode=rw: a missing source is an error, not a new empty database.
    origin = sqlite3.connect(
        f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S
    )
    try:
        try:
            part.write_bytes(b"")
        except OSError as exc:  # a folder missing or not writable: said of the file asked for
            raise type(exc)(exc.errno, exc.strerror, str(target)) from None
        copy = sqlite3.connect(part)
        try:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, whatever the source's mode
            (checked,) = copy.execute("PRAGMA quick_check").fetchone()
            if checked != "ok":
                raise sqlite3.DatabaseError(f"the copy does not read back: {checked}")
        finally:
            copy.close()
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    finally:
        origin.close()
    part.replace(target)
    return target.stat().st_size
