"""Keeping a file sent as evidence, for any channel: whether the person may file it for the
assignment, whether it fits the unit's quota, where it is filed, what row records it, and
what to say of it. The channel downloads the file and sends what this returns.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.actor import Actor
from app.evidence_files import store_file
from app.reporting import Recorded, Report, record, refusal
from app.services import Services
from core.checkin import command_of, named_tasks, task_numbers
from db.engine import session_scope
from db.models import Evidence
from db.queries.checkin import (
    Check,
    Target,
    check_reportable,
    message_outbox,
    named_assignments,
    open_items,
)
from db.queries.evidence import add_evidence, find_evidence, unit_evidence_bytes
from db.queries.pending import PENDING_TTL, clear_pending, get_pending, set_pending
from db.queries.people_to_tell import unit_name
from db.queries.reports import just_done

MB = 1024 * 1024
SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class Admitted:
    """The assignment a file is for, when the person may file for it; else why not."""

    target: Target | None
    refused: str = ""  # what to say when `target` is None


def admit(services: Services, actor: Actor, assignment_id: int) -> Admitted:
    """Whether the person may file evidence for the assignment now (blocking)."""
    with session_scope(services.engine) as session:
        check, target = check_reportable(
            session, assignment_id=assignment_id, unit_ids=actor.unit_ids
        )
    if check != Check.OK or target is None:
        return Admitted(None, refusal(services, actor.lang, check, target))
    return Admitted(target)


def over_quota(services: Services, lang: str, *, unit_id: int, name: str, size: int) -> str:
    """What to say when `size` more bytes would take the unit's evidence past its quota; ""
    when they fit (blocking)."""
    limit = services.settings.evidence_quota_mb
    with session_scope(services.engine) as session:
        used = unit_evidence_bytes(session, unit_id=unit_id)
        unit = None if used + size <= limit * MB else unit_name(session, unit_id=unit_id)
    if unit is None:
        return ""
    return services.catalog.get(
        lang,
        "evidence.quota_full",
        name=name,
        size=round(size / MB, 1),
        unit=unit,
        used=round(used / MB, 1),
        limit=limit,
    )


def digest_of(content: bytes) -> str:
    """Return a file's checksum, by which a file sent again is known."""
    return hashlib.sha256(content).hexdigest()


def known(services: Services, *, assignment_id: int, digest: str) -> bool:
    """Whether the assignment has this file already (blocking)."""
    with session_scope(services.engine) as session:
        return find_evidence(session, assignment_id=assignment_id, sha256=digest) is not None


def filed_at(assignment_id: int, file_name: str, digest: str) -> Path:
    """Where a file is filed under the evidence store: its assignment's folder, its checksum,
    and its name's suffix when that is a plain one."""
    suffix = Path(file_name).suffix
    return Path(str(assignment_id)) / (digest[:32] + (suffix if SAFE_SUFFIX.match(suffix) else ""))


@dataclass(frozen=True)
class Sent:
    """A file as the channel received it, kept under `relative`."""

    file_name: str
    mime_type: str | None
    size: int
    digest: str
    relative: Path
    channel_file_id: str


def evidence(actor: Actor, assignment_id: int, sent: Sent, now: datetime) -> Evidence:
    """Return the row that records the file as the assignment's evidence."""
    return Evidence(
        assignment_id=assignment_id,
        contact_id=actor.contact_id,
        file_name=sent.file_name[:255],
        mime_type=sent.mime_type,
        size=sent.size,
        sha256=sent.digest,
        storage_path=sent.relative.as_posix(),
        channel_file_id=sent.channel_file_id[:200],
        created_at=now,
    )


def add(services: Services, row: Evidence) -> None:
    """Record the evidence file alone, in a transaction of its own (blocking)."""
    with services.engine.begin() as connection:
        add_evidence(connection, row)


def addwith_status(services: Services, actor: Actor, report: Report, row: Evidence) -> Recorded:
    """Record the file and the status its caption gives, in one transaction (blocking)."""
    return record(services, actor, report, also=partial(add_evidence, evidence=row))


def kept_text(
    services: Services, lang: str, target: Target, *, name: str, size: int, again: bool
) -> str:
    """Say a file was kept for the task (or, sent again, that it was kept already: it is
    recorded once, so it is not said kept under its new name)."""
    t = partial(services.catalog.get, lang)
    if again:
        return t("evidence.already_kept", task=str(target.task_id), title=target.title)
    kb = round(size / 1024, 1)
    return t("evidence.kept", name=name, size=kb, task=str(target.task_id), title=target.title)


@dataclass(frozen=True)
class Filing:
    """A file a person sent as evidence, its bytes fetched by their channel."""

    file_name: str  # as it is said and listed; its suffix names the stored file's
    mime_type: str | None
    content: bytes
    channel_file_id: str
    caption: str = ""  # its words: with no status in them, the person is told so


@dataclass(frozen=True)
class Filed:
    """What is said of a file sent as evidence, and whether the assignment has it now."""

    text: str
    kept: bool


def file_it(
    services: Services,
    actor: Actor,
    about: Target,
    filing: Filing,
    report: Report | None,
    *,
    status_asked: bool = False,
) -> Filed:
    """Keep a file for the assignment the person may file for (`admit`), with the status its
    caption states (`report`, recorded in the file's transaction), and say what became of
    both, for any channel (blocking).

    A file the assignment has already (same checksum) is said received already and not
    stored again (under another name's suffix it would be a second copy no row names), the
    status recorded all the same (a caption that gives none is said so, as of a file kept
    now); one past the unit's quota is refused; one the store cannot
    take is said not kept, the status recorded all the same. `status_asked`: the caption's
    status is asked about apart (a forwarded file's words are another's): nothing said of it.
    """
    t = partial(services.catalog.get, actor.lang)
    content, name = filing.content, filing.file_name
    digest = digest_of(content)
    if known(services, assignment_id=about.assignment_id, digest=digest):
        again = kept_text(services, actor.lang, about, name=name, size=len(content), again=True)
        if report is None and not status_asked and filing.caption.strip():
            # Its caption gave no status: said, as of a file kept now (the sender may think
            # "#3 biên bản" reported something).
            return Filed(f"{again}\n{caption_note(services, actor, filing.caption)}", kept=True)
        return Filed(with_status(services, actor, again, report), kept=True)
    full = over_quota(services, actor.lang, unit_id=about.unit_id, name=name, size=len(content))
    if full:
        return Filed(full, kept=False)
    relative = filed_at(about.assignment_id, name, digest)
    if not store_file(services.settings.evidence_path, relative, content):
        failed = t("evidence.not_stored", name=name)
        return Filed(with_status(services, actor, failed, report), kept=False)
    sent = Sent(name, filing.mime_type, len(content), digest, relative, filing.channel_file_id)
    row = evidence(actor, about.assignment_id, sent, services.clock.now())
    kept = kept_text(services, actor.lang, about, name=name, size=len(content), again=False)
    if report is not None:  # the file and the status its caption gives, in one transaction
        result = addwith_status(services, actor, report, row)
        return Filed(f"{kept}\n{result.text}" if result.ok else result.text, kept=result.ok)
    add(services, row)
    if status_asked or not filing.caption.strip():
        return Filed(kept, kept=True)
    return Filed(f"{kept}\n{caption_note(services, actor, filing.caption)}", kept=True)


EXPLAIN_WORDS = frozenset({"explain", "giaitrinh"})


def caption_note(services: Services, actor: Actor, caption: str) -> str:
    """Return what is said of a caption that gave no status: how to report; or, of one that is
    a command, that it was not run (a caption is read as a report, never run), with how a
    unit's contact sends the explanation `/explain #3 X1` in a caption may have meant."""
    t = partial(services.catalog.get, actor.lang)
    command = command_of(caption)
    if not command:
        return t("evidence.no_status")
    said = t("evidence.caption_command", command=caption.strip().partition(" ")[0])
    if command in EXPLAIN_WORDS and actor.unit_ids:
        return f"{said}\n{t('explanations.answer_usage')}"
    return said


def with_status(services: Services, actor: Actor, said: str, report: Report | None) -> str:
    """Return what is said of a file (kept, or why not), with the status its caption states
    recorded all the same: "đã xong" is the official's word whatever became of the file
    (blocking)."""
    if report is None:
        return said
    return f"{said}\n{record(services, actor, report).text}"


ALBUM = "album"  # the pending kind: the task an album's first file was kept for
MAX_ASKED = 20  # files one question keeps (an album holds at most 10)
ASKED = "evidence"  # the step of the pending question "which task is this file for?"


@dataclass(frozen=True)
class Replied:
    """The bot's message a file was sent in reply to: its chat, id and words."""

    chat_id: str
    message_id: int
    text: str


def attribute(
    services: Services,
    actor: Actor,
    *,
    replied: Replied | None,
    caption: str,
    group: str | None,
    album_for: timedelta = PENDING_TTL,
) -> tuple[int | None, list[tuple[int, int]]]:
    """Return the assignment a file is for (None: ask) and the sender's open (assignment,
    task)s (blocking).

    An album's files come as messages of their own, its caption on the first alone: the
    task one of them was kept for is remembered for the others (`ALBUM`), `album_for` long
    after the last (a channel without albums names its files sent in a row one group).
    """
    now = services.clock.now()
    with session_scope(services.engine) as session:
        items = [
            (i.assignment_id, i.task_id) for i in open_items(session, unit_ids=actor.unit_ids)
        ]
        ids = {a for a, _ in items}
        found = _found(session, actor, now, items, ids, replied=replied, caption=caption)
        if group is not None and found is None:
            album = get_pending(
                session, contact_id=actor.contact_id, now=now, kind=ALBUM, ttl=album_for
            )
            if album is not None and album.get("group") == group:
                found = album.get("assignment_id")
                found = found if found in ids else None
        if group is not None and found is not None:
            _remember_album(session, actor.contact_id, now, group, found)
    return found, items


def _remember_album(
    session: Session, contact_id: int, now: datetime, group: str, assignment_id: int
) -> None:
    """Remember the task an album's file was kept for, for its other files."""
    data = {"group": group, "assignment_id": assignment_id}
    set_pending(session, contact_id=contact_id, data=data, now=now, kind=ALBUM)


def _found(
    session: Session,
    actor: Actor,
    now: datetime,
    items: list[tuple[int, int]],
    ids: set[int],
    *,
    replied: Replied | None,
    caption: str,
) -> int | None:
    """Return the assignment a file names or follows (a reminder replied to, its caption, the
    only open task, done just chosen), or None: ask (a caption naming no task of the unit's
    among its open or closed ones is asked about, never filed under another).

    A task the caption names wins over the message replied to: "#13 xong" sent in reply to
    #12's reminder is #13's file, and its status #13's, never #12's."""
    numbers = named_tasks(caption)
    if replied is not None:
        sent = message_outbox(session, chat_id=replied.chat_id, message_id=replied.message_id)
        about = set(sent.assignment_ids) if sent else set()
        about |= {a for a, t in items if t in task_numbers(replied.text)}
        if numbers:  # the reply still says which unit's, for a task it is about
            about = {a for a, t in items if a in about and t in numbers}
        if len(about & ids) == 1:
            return (about & ids).pop()
        if len(about) == 1 and not about & ids:  # closed since: refused as such when kept
            return about.pop()
    named = [a for a, t in items if t in numbers]
    if len(named) == 1:
        return named[0]
    if numbers and not named:  # a task of the unit closed or cancelled: refused as such
        closed = named_assignments(session, task_ids=sorted(numbers), unit_ids=actor.unit_ids)
        if len(closed) == 1:
            return closed[0]
    if numbers:  # a task not the unit's (a typo, another unit's): asked, not guessed
        return None
    if len(items) == 1:  # the only open task, as a text or Zalo's photo
        return items[0][0]
    done = just_done(session, contact_id=actor.contact_id, since=now - PENDING_TTL)
    return done if done in ids else None


def ask_which(
    services: Services,
    actor: Actor,
    upload: dict[str, Any],
    items: list[tuple[int, int]],
    group: str | None,
) -> dict[int, str] | None:
    """Add the file to those the question asked about, if it is still asked (several files
    sent at once): the answer keeps them all. Return the titles of the open tasks to ask
    with, or None when the file is one of an album already asked about (blocking)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        asked = get_pending(session, contact_id=actor.contact_id, now=now)
        earlier = uploads(asked) if asked and asked.get("step") == ASKED else []
        data: dict[str, Any] = {
            "step": ASKED,
            "uploads": [*earlier, upload][-MAX_ASKED:],
            "tasks": items,
            "group": group,
        }
        set_pending(session, contact_id=actor.contact_id, data=data, now=now)
        if earlier and group is not None and asked and asked.get("group") == group:
            return None
        return {i.assignment_id: i.title for i in open_items(session, unit_ids=actor.unit_ids)}


def asked(services: Services, contact_id: int) -> dict[str, Any] | None:
    """Return the question "which task is this file for?" while it is asked, else None
    (blocking)."""
    with session_scope(services.engine) as session:
        pending = get_pending(session, contact_id=contact_id, now=services.clock.now())
    return pending if pending is not None and pending.get("step") == ASKED else None


def answered(services: Services, contact_id: int, group: object, assignment_id: int) -> None:
    """Forget the question answered; an album's files still to come follow the task chosen
    (blocking)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        clear_pending(session, contact_id=contact_id)
        if isinstance(group, str):
            _remember_album(session, contact_id, now, group, assignment_id)


def uploads(pending: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the files a pending question asks about (one, as it was kept before albums)."""
    found = pending.get("uploads")
    if isinstance(found, list):
        return [u for u in found if isinstance(u, dict)]
    return [pending["upload"]] if isinstance(pending.get("upload"), dict) else []
