"""An admin's units or tasks file, whichever way it came (a Telegram document, the web page).

Which importer runs is decided by the columns of the header (IMPORTERS). A file of more
than PREVIEW_OVER_ROWS data rows is not applied at once: the admin sees what it would do and
applies or cancels it; meanwhile the file waits in the database as the admin's pending
import (`db/queries/pending.py`, kind "import", for IMPORT_TTL) under a random token, so a
restart keeps it, and applying it takes it once, however often it is asked.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from app.notices import tell
from app.services import Services
from core.spreadsheet.table import Table
from db.engine import session_scope
from db.imports import Importer as Importer  # re-exported: what applies a file
from db.imports.tasks import import_tasks
from db.imports.units import import_units
from db.queries import import_claims as claims
from db.queries.pending import IMPORT_KIND, IMPORT_TTL, get_pending, set_pending, take_pending
from db.queries.recipients import recipient

# Header signature (the columns a file must have, in their documented order) -> importer.
# The most specific signature the header contains wins.
WAITS_MINUTES = int(IMPORT_TTL.total_seconds() // 60)  # how long a previewed file waits

IMPORTERS: dict[tuple[str, ...], Importer] = {
    ("code", "name", "kind"): import_units,  # + parent_code, groups (optional)
    ("title", "deadline", "assignees"): import_tasks,  # + code, directive, description
}
PREVIEW_OVER_ROWS = 20  # a file with more data rows is previewed before it is applied
# The web page where an admin on a channel without files (Zalo) sends one, by a signed link
# for them alone, valid UPLOAD_TTL (`web/upload.py`).
UPLOAD_PATH = "/upload/import"
UPLOAD_TTL = timedelta(hours=1)


# A text file (Excel's "Unicode Text", UTF-16 with tabs; a .tsv) may be a table to import or
# a report typed in a text file, sent as evidence: it is an import only when its header
# names an importer's columns (`text_import`); anything else in one goes on as evidence.
TEXT_TABLE_SUFFIXES = (".txt", ".tsv")


def is_text_table(name: str) -> bool:
    """Tell whether a file is named as a text file that may hold a table (.txt, .tsv)."""
    return name.lower().endswith(TEXT_TABLE_SUFFIXES)


def text_import(name: str, table: Table) -> bool:
    """Tell whether an admin's text file, read as a table, is an import: named .txt or .tsv
    with a header that names a units or tasks file's columns."""
    return is_text_table(name) and importer_for(table) is not None


def importer_for(table: Table) -> Importer | None:
    """Return the importer whose header signature the table's header contains."""
    header = set(table.header)
    matching = [sig for sig in IMPORTERS if set(sig) <= header]
    return IMPORTERS[max(matching, key=len)] if matching else None


def keep(
    services: Services,
    contact_id: int,
    name: str,
    content: bytes,
    *,
    link: str = "",
    said: str = "",
) -> str:
    """Keep a previewed file as the person's pending import (replacing any); its token.

    A file sent through an upload link keeps the link's id and what its preview said, so
    that the link's page shows that preview again (`previewed`) until it is applied."""
    token = secrets.token_hex(6)
    data = {"token": token, "name": name, "content": base64.b64encode(content).decode("ascii")}
    if link:
        data |= {"link": link, "said": said}
    with session_scope(services.engine) as session:
        set_pending(
            session, contact_id=contact_id, data=data, now=services.clock.now(), kind=IMPORT_KIND
        )
    return token


def waiting(services: Services, contact_id: int, token: str) -> tuple[str, bytes] | None:
    """Return the person's pending file (name, content) if `token` still names it."""
    pending = _pending_file(services, contact_id)
    if pending is None or pending.get("token") != token:
        return None
    return str(pending.get("name", "")), base64.b64decode(str(pending.get("content", "")))


def previewed(services: Services, contact_id: int, link: str) -> tuple[str, str] | None:
    """Return the token and what the preview said of the person's pending file, if the
    upload link `link` sent it and it still waits (not applied, cancelled or replaced)."""
    pending = _pending_file(services, contact_id)
    if pending is None or not link or pending.get("link") != link:
        return None
    return str(pending.get("token", "")), str(pending.get("said", ""))


def claim(services: Services, contact_id: int, token: str, *, where: str = "chat") -> bool:
    """Claim the file `token` names for an apply; False when it is being applied already.

    In the database (`db.queries.import_claims`): a second press while it is applied is
    refused, on this worker or another. The file stays the person's pending import while it
    is applied, and is taken (`take`) only once the import has ended: an import stopped part
    way leaves it there, so that pressing Apply again goes on. `where` the Apply was pressed
    ("chat", or "upload": the upload page), which a start after the process was killed
    names (`tell_cut_short`). Let go with `release` when the apply ends, however it ends.
    Among several workers the claim names this worker: killed, the leader tells of it
    (`tell_dead`)."""
    data: dict[str, Any] = {"contact_id": contact_id, "where": where}
    if services.worker is not None:
        data["worker"] = services.worker
    with session_scope(services.engine) as session:
        return claims.claim(session, token=token, data=data, now=services.clock.now())


def release(services: Services, token: str) -> None:
    """Let the file `token` names go: its apply ended (done, failed or stopped)."""
    with session_scope(services.engine) as session:
        claims.release(session, token=token)


def tell_cut_short(services: Services) -> int:
    """At start: tell each admin whose apply never ended (the process killed outright) how
    far it got and to press Apply again, once; return how many were told.

    Called where no apply runs (one process, before it takes updates); each claim is taken
    and its notice queued (keyed by the file) in one transaction, so a second start, or a
    crash between, tells nobody twice."""
    with session_scope(services.engine) as session:
        found = claims.left(session)
    return _tell(services, found)


def tell_dead(services: Services) -> int:
    """Among several workers (the leader's housekeeping): tell each admin whose apply's
    worker is gone (killed: no start of its own tells of it), or whose apply no slice moved
    for `import_claims.STALE`, how far it got, once, as `tell_cut_short` does at a start;
    the claim taken, Apply pressed again goes on at once. Return how many were told."""
    with session_scope(services.engine) as session:
        found = claims.dead(session, now=services.clock.now())
    return _tell(services, found)


def _tell(services: Services, found: dict[str, str]) -> int:
    """Take each claim left (token: what it held, if unchanged) and tell its admin, once."""
    now = services.clock.now()
    told = 0
    for token, value in found.items():
        with session_scope(services.engine) as session:
            data = claims.take_left(session, token=token, value=value)
            contact_id = int(data.get("contact_id") or 0) if data is not None else 0
            pending = get_pending(
                session, contact_id=contact_id, now=now, kind=IMPORT_KIND, ttl=IMPORT_TTL
            )
            if data is None or pending is None or pending.get("token") != token:
                continue  # applied (killed before it let go), cancelled, replaced or expired
            person = recipient(session, contact_id=contact_id)
            if person is None:
                continue
            told += tell(
                session,
                [person],
                key=f"import-cut:{token}",
                text=_cut_short(services, data),
                now=now,
            )
    return told


def _cut_short(services: Services, data: dict[str, Any]) -> Callable[[str], str]:
    """Return the words of an apply cut short, from what its claim held: how far it got,
    or that nothing was saved yet (it died before its first slice's commit), and where
    Apply was pressed (the chat's preview, or the upload page)."""
    done, total = int(data.get("done") or 0), int(data.get("total") or 0)
    upload = data.get("where") == "upload"
    if total:
        key = "imports.cut_short_upload" if upload else "imports.cut_short"
    else:
        key = "imports.cut_short_nothing_upload" if upload else "imports.cut_short_nothing"

    def words(lang: str) -> str:
        return services.catalog.get(lang, key, done=done, total=total)

    return words


def take(services: Services, contact_id: int, token: str) -> bool:
    """Take the pending file `token` names (True once: then it is applied or dropped)."""
    with session_scope(services.engine) as session:
        taken = take_pending(
            session,
            contact_id=contact_id,
            token=token,
            now=services.clock.now(),
            kind=IMPORT_KIND,
            ttl=IMPORT_TTL,
        )
    return taken is not None


def _pending_file(services: Services, contact_id: int) -> dict[str, Any] | None:
    """Return what is kept of the person's file waiting to be applied, if any."""
    with session_scope(services.engine) as session:
        return get_pending(
            session,
            contact_id=contact_id,
            now=services.clock.now(),
            kind=IMPORT_KIND,
            ttl=IMPORT_TTL,
        )
