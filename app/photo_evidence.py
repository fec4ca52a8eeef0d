"""A photo sent on a channel without buttons (Zalo), kept as evidence of a task.

The adapter fetches the photo's bytes and says what this returns; everything else is here.
The task is the one its caption names ("#12 biên bản"), else the unit's only open task
(one it has reported done included), else the one just reported done: Telegram's rule,
`evidence_keep.attribute`, without a reply to read, photos sent in a row (`IN_A_ROW`) taken
as its album, following the first one's task (until the person sends anything else); with
several and no "#N" (or one naming two tasks, or one not the unit's), the photo is kept
pending (under EVIDENCE_DIR/pending, named in the database for PENDING_TTL, so a restart keeps
it) and the person is asked which task with numbered choices (`ep:<assignment>`): a typed
"2" files it there (`take`), as Telegram's buttons do. Kept as any channel keeps a file
(`evidence_keep.file_it`): a photo the task has already is said to be received already, not
kept again. A caption that states a status ("đã xong") is recorded with the photo, in one
transaction, or alone when the photo
could not be fetched, was too large or could not be stored; one that asks for an extension
("#12 4 15/01/2027 chờ kinh phí") sends the request as the same text would, photo kept or
not. Blocking: off the event loop.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app import evidence_keep
from app.actor import Actor
from app.checkin import Said
from app.checkin.caption import caption_extension, caption_report, request_extension
from app.choices import Choice
from app.evidence_files import store_file
from app.offers import last_offer
from app.reporting import unit_inactive
from app.services import Services
from core.numbers import typed_number
from db.engine import session_in, session_scope
from db.queries.checkin import OpenItem, open_items
from db.queries.pending import (
    PENDING_TTL,
    clear_pending,
    get_pending,
    pending_since,
    set_pending,
)
from db.queries.people_to_tell import unit_names

log = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_PHOTO = 20 * MB
PREFIX = "ep"  # a typed number choosing the task of the photos kept pending
PENDING = "zalo_photo"  # the pending kind: the photos waiting for their task
PENDING_FOLDER = "pending"  # under EVIDENCE_DIR: pending/<contact id>/<checksum>.jpg
MAX_ASKED = 20  # photos one question keeps, and tasks it offers
# Photos a person sends one after another, each within this of the last kept, are one group,
# as an album's are on Telegram: those without a caption naming their task follow the task
# the first was kept for (several chosen at once come as one event each, the caption on one).
# Anything else the person sends ends the row (`row_ended`): no album holds a text.
IN_A_ROW = timedelta(minutes=2)
IN_A_ROW_GROUP = "in-a-row"


@dataclass(frozen=True)
class Sent:
    """A photo's message as its channel received it (the bytes apart)."""

    channel: str  # names the file kept: "<channel>_<message id>.jpg"
    message_id: str
    caption: str
    key: str  # the status its caption states is recorded once by this key


def keep(
    services: Services, actor: Actor, sent: Sent, photo: bytes | None, *, oversized: bool = False
) -> Said:
    """Store the photo for the task it is about and say so, or keep it pending and ask which
    task with numbered choices (blocking). `photo` None: it could not be fetched;
    `oversized`: it was not fetched, larger than MAX_PHOTO."""
    t = partial(services.catalog.get, actor.lang)
    if not actor.unit_ids:  # staff: registered, but no unit to keep evidence for
        return Said(t("evidence.no_unit"))
    if oversized:  # sending it again would not help: say the limit
        return Said(
            _status_all_the_same(
                services, actor, sent, t("zalo.photo_too_large", mb=MAX_PHOTO // MB)
            )
        )
    if photo is None:
        return Said(_status_all_the_same(services, actor, sent, t("zalo.photo_failed")))
    assignment_id = _assignment(services, actor, sent.caption, in_a_row=True)
    if assignment_id is None:
        # A caption naming two tasks, or one not the unit's, is asked about as Telegram asks:
        # the photo was dropped, the person told to send it again with the "#N" they had sent.
        asked = _ask(services, actor, sent, photo)
        if asked is not None:
            return asked
        # No open task: every unit deactivated (that is why), or none is open, as Telegram
        # says. "Which task? Send it again with #N" sent the person round for nothing.
        said = unit_inactive(services, actor.lang, actor.unit_ids, every=True)
        return Said(said or t("checkin.no_open"))
    return _file(services, actor, assignment_id, photo, sent)


def _file(services: Services, actor: Actor, assignment_id: int, photo: bytes, sent: Sent) -> Said:
    """Keep the photo as the assignment's evidence, with the status its caption states, as
    any channel keeps a file (`evidence_keep.file_it`)."""
    admitted = evidence_keep.admit(services, actor, assignment_id)
    if admitted.target is None:
        return Said(admitted.refused)
    report = caption_report(services, assignment_id, sent.caption, sent.key)
    extension = caption_extension(services, sent.caption)
    channel_file = f"{sent.channel}:{sent.message_id}"
    filing = evidence_keep.Filing(_name(sent), "image/jpeg", photo, channel_file, sent.caption)
    asked = extension is not None  # said below, not "no status was recorded"
    target = admitted.target
    filed = evidence_keep.file_it(services, actor, target, filing, report, status_asked=asked)
    if extension is None:
        return Said(filed.text)
    line = request_extension(services, actor, assignment_id, extension, sent.caption, sent.key)
    return Said(f"{filed.text}\n{line}")


def _ask(services: Services, actor: Actor, sent: Sent, photo: bytes) -> Said | None:
    """Keep the photo pending (on disk, named in the database) and ask which open task it is
    for, as numbered choices (`ep:<assignment>`); None when the unit has no open task.

    Photos sent before the answer join the question (at most MAX_ASKED, the oldest dropped);
    one asked about more than PENDING_TTL ago is forgotten, its file deleted. One sent in a
    row (IN_A_ROW after the last asked about, the question still the last offer) joins it
    unsaid, `Said("")`, as an album's files on Telegram: the question came once.
    """
    now = services.clock.now()
    with session_scope(services.engine) as session:
        items = open_items(session, unit_ids=actor.unit_ids)
        if not items:
            return None
        found = pending_since(session, contact_id=actor.contact_id, kind=PENDING)
        asked = found[0] if found is not None and now - found[1] <= PENDING_TTL else None
        joins = (
            found is not None
            and now - found[1] <= IN_A_ROW
            and _still_offered(session, actor, now)
        )
        folder = _folder(services, actor.contact_id)
        earlier = _photos(asked)
        if asked is None:  # none, or one past its time: its files go
            shutil.rmtree(folder, ignore_errors=True)
        digest = hashlib.sha256(photo).hexdigest()
        name = f"{digest[:32]}.jpg"
        if not store_file(folder.parent, Path(folder.name) / name, photo):
            shown = _name(sent)
            return Said(services.catalog.get(actor.lang, "evidence.not_stored", name=shown))
        entry = {"file": name, "message_id": sent.message_id, "caption": sent.caption}
        entry["key"] = sent.key
        photos = [*[p for p in earlier if p["file"] != name], entry]
        for dropped in photos[:-MAX_ASKED]:
            (folder / dropped["file"]).unlink(missing_ok=True)
        data = {"photos": photos[-MAX_ASKED:]}
        set_pending(session, contact_id=actor.contact_id, data=data, now=now, kind=PENDING)
        if joins and earlier:
            return Said("")
        return Said(services.catalog.get(actor.lang, "zalo.photo_pick"), _pick(session, items))


def row_ended(services: Services, actor: Actor) -> None:
    """Forget the task photos sent in a row follow: the person sent something else (a text
    "#5" between a photo of #12 and the next meant the next was #5's, or asked about; it was
    kept as #12's) (blocking)."""
    album, now = evidence_keep.ALBUM, services.clock.now()
    with session_scope(services.engine) as session:  # read first: most texts follow no photo
        if get_pending(session, contact_id=actor.contact_id, now=now, kind=album, ttl=IN_A_ROW):
            clear_pending(session, contact_id=actor.contact_id, kind=album)


def _still_offered(session: Session, actor: Actor, now: datetime) -> bool:
    """Tell whether the numbers last offered to the person are the photos' question (no
    reminder or answer came since): a typed number still files the photos."""
    offer = last_offer(session, contact_id=actor.contact_id, now=now)
    choices = (offer or {}).get("choices") or [[]]
    return bool(choices[0]) and choices[0][0] == PREFIX


def _pick(session: Session, items: Sequence[OpenItem]) -> list[list[Choice]]:
    """Return the open tasks offered for the photos, a numbered choice each; a task given to
    several of the sender's units named with its unit, as "which task?" names it (the same
    "#1 <title>" twice told the official nothing apart)."""
    shown = items[:MAX_ASKED]
    counts = Counter(item.task_id for item in shown)
    twice = [item.assignment_id for item in shown if counts[item.task_id] > 1]
    units = unit_names(session, assignment_ids=twice) if twice else {}
    return [
        [Choice(_label(item, units.get(item.assignment_id))[:60], (PREFIX, item.assignment_id))]
        for item in shown
    ]


def _label(item: OpenItem, unit: str | None) -> str:
    """Return how a task is offered: "#12 <title>", or "#12 <unit>: <title>"."""
    return f"#{item.task_id} {unit}: {item.title}" if unit else f"#{item.task_id} {item.title}"


def still_asked(services: Services, actor: Actor, db: Session | None = None) -> Said | None:
    """Ask again which task the photos kept pending are for, after a text that answered
    something else (a typed number takes the last offer only, and the photos were left
    unfiled, unsaid): None when none wait (in `db`'s transaction when given)."""
    with session_in(services.engine, db) as session:
        now = services.clock.now()
        asked = get_pending(session, contact_id=actor.contact_id, now=now, kind=PENDING)
        if not _photos(asked):
            return None
        items = open_items(session, unit_ids=actor.unit_ids)
        if not items:
            return None
        again = services.catalog.get(actor.lang, "zalo.photo_pick_again")
        return Said(again, _pick(session, items))


def take(
    services: Services, actor: Actor, data: Sequence[str | int], *, channel: str
) -> list[Said]:
    """File the photos kept pending for the task chosen by its number (`ep:<assignment>`)."""
    t = partial(services.catalog.get, actor.lang)
    chosen = typed_number(str(data[1])) if len(data) == 2 else None
    now = services.clock.now()
    with session_scope(services.engine) as session:
        asked = get_pending(session, contact_id=actor.contact_id, now=now, kind=PENDING)
    folder = _folder(services, actor.contact_id)
    photos = _photos(asked)
    if chosen is None or not photos:
        return [Said(t("zalo.photo_pick_expired"))]
    said = []
    for one in photos:
        path = folder / one["file"]
        try:
            photo = path.read_bytes()
        except OSError:
            log.warning("pending Zalo photo %s of contact %s is gone", path, actor.contact_id)
            said.append(Said(t("zalo.photo_pick_expired")))
            continue
        sent = Sent(channel, one["message_id"], one["caption"], one["key"])
        said.append(_file(services, actor, chosen, photo, sent))
    # Forgotten once filed: run again after a database failure, each is said received.
    with session_scope(services.engine) as session:
        clear_pending(session, contact_id=actor.contact_id, kind=PENDING)
    shutil.rmtree(folder, ignore_errors=True)
    return said


def _folder(services: Services, contact_id: int) -> Path:
    """Return the folder of a person's photos waiting for their task."""
    return services.settings.evidence_path / PENDING_FOLDER / str(contact_id)


def _photos(asked: dict[str, Any] | None) -> list[dict[str, str]]:
    """Return the photos a pending question is about."""
    photos = (asked or {}).get("photos")
    if not isinstance(photos, list):
        return []
    fields = ("file", "message_id", "caption", "key")
    return [
        {f: str(p[f]) for f in fields}
        for p in photos
        if isinstance(p, dict) and all(isinstance(p.get(f), str) for f in fields)
    ]


def _status_all_the_same(services: Services, actor: Actor, sent: Sent, failed: str) -> str:
    """Return why the photo was not kept, with the status its caption states recorded all
    the same ("đã xong" is the official's word whatever became of the photo)."""
    assignment_id = _assignment(services, actor, sent.caption) if sent.caption else None
    if assignment_id is None:
        return failed
    report = caption_report(services, assignment_id, sent.caption, sent.key)
    said = evidence_keep.with_status(services, actor, failed, report)
    extension = caption_extension(services, sent.caption)
    if extension is None:
        return said
    line = request_extension(services, actor, assignment_id, extension, sent.caption, sent.key)
    return f"{said}\n{line}"


def _name(sent: Sent) -> str:
    """Return the name a photo is kept under, as its message named it."""
    return f"{sent.channel}_{sent.message_id}.jpg"


def _assignment(
    services: Services, actor: Actor, caption: str, *, in_a_row: bool = False
) -> int | None:
    """Return the assignment a photo is about, by the rule of every channel
    (`evidence_keep.attribute`): the task its caption names, the only open one, or the one
    just reported done; None: ask. Zalo has no reply to read, nor albums: photos sent
    `in_a_row` (each within IN_A_ROW of the last kept) are one, as an album is on Telegram."""
    group = IN_A_ROW_GROUP if in_a_row else None
    found, _ = evidence_keep.attribute(
        services, actor, replied=None, caption=caption, group=group, album_for=IN_A_ROW
    )
    return found
