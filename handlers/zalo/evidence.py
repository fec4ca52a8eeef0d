"""A photo sent on Zalo, kept as evidence like a Telegram photo (downloaded from photo_url).

The task is the one its caption names ("#12 biên bản"), else the unit's only open task
(one it has reported done included, as on Telegram);
otherwise the bot asks to send it again with the task's number. A caption that states a
status ("đã xong") is recorded with the photo, in one transaction, or alone when the photo
could not be fetched, was too large or could not be stored.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

from app.actor import Actor
from app.checkin import Said
from app.checkin.caption import caption_report
from app.evidence_files import store_file
from app.reporting import record, refusal, unit_inactive
from app.services import Services
from core.checkin import task_numbers
from db.engine import session_scope
from db.models import Evidence
from db.queries.checkin import (
    Check,
    check_reportable,
    named_assignments,
    open_items,
    unit_name,
)
from db.queries.evidence import add_evidence, find_evidence, unit_evidence_bytes
from zalo import Event

MB = 1024 * 1024
MAX_PHOTO = 20 * MB


def keep(
    services: Services, actor: Actor, event: Event, photo: bytes | None, *, oversized: bool = False
) -> Said:
    """Store the photo for the task it is about and say so (blocking)."""
    t = partial(services.catalog.get, actor.lang)
    if oversized:  # sending it again would not help: say the limit
        return Said(
            _status_all_the_same(
                services, actor, event, t("zalo.photo_too_large", mb=MAX_PHOTO // MB)
            )
        )
    if photo is None:
        return Said(_status_all_the_same(services, actor, event, t("zalo.photo_failed")))
    assignment_id = _assignment(services, actor, event.caption)
    if assignment_id is None:  # every unit deactivated: that is why, not which task
        said = unit_inactive(services, actor.lang, actor.unit_ids, every=True)
        return Said(said or t("zalo.photo_which"))
    with session_scope(services.engine) as session:
        check, about = check_reportable(
            session, assignment_id=assignment_id, unit_ids=actor.unit_ids
        )
        if check != Check.OK or about is None:
            return Said(refusal(services, actor.lang, check, about))
        digest = hashlib.sha256(photo).hexdigest()
        known = find_evidence(session, assignment_id=assignment_id, sha256=digest) is not None
        used = unit_evidence_bytes(session, unit_id=about.unit_id)
        unit = unit_name(session, unit_id=about.unit_id)
    name = f"zalo_{event.message_id}.jpg"
    limit = services.settings.evidence_quota_mb
    if not known and used + len(photo) > limit * MB:
        size, used_mb = round(len(photo) / MB, 1), round(used / MB, 1)
        return Said(
            t("evidence.quota_full", name=name, size=size, unit=unit, used=used_mb, limit=limit)
        )
    relative = Path(str(assignment_id)) / f"{digest[:32]}.jpg"
    report = caption_report(services, assignment_id, event.caption, _key(event))
    if not store_file(services.settings.evidence_path, relative, photo):
        failed = t("evidence.not_stored", name=name)
        if report is None:  # the status its caption states is recorded all the same
            return Said(failed)
        return Said(f"{failed}\n{record(services, actor, report).text}")
    evidence = Evidence(
        assignment_id=assignment_id,
        contact_id=actor.contact_id,
        file_name=name,
        mime_type="image/jpeg",
        size=len(photo),
        sha256=digest,
        storage_path=relative.as_posix(),
        channel_file_id=f"zalo:{event.message_id}"[:200],
        created_at=services.clock.now(),
    )
    kept = t(
        "evidence.kept",
        name=name,
        size=round(len(photo) / 1024, 1),
        task=str(about.task_id),
        title=about.title,
    )
    if report is not None:
        result = record(services, actor, report, also=partial(add_evidence, evidence=evidence))
        return Said(f"{kept}\n{result.text}" if result.ok else result.text)
    with services.engine.begin() as connection:
        add_evidence(connection, evidence)
    status = t("evidence.no_status") if event.caption.strip() else ""
    return Said(f"{kept}\n{status}".strip())


def _status_all_the_same(services: Services, actor: Actor, event: Event, failed: str) -> str:
    """Return why the photo was not kept, with the status its caption states recorded all
    the same ("đã xong" is the official's word whatever became of the photo)."""
    assignment_id = _assignment(services, actor, event.caption) if event.caption else None
    report = (
        caption_report(services, assignment_id, event.caption, _key(event))
        if assignment_id is not None
        else None
    )
    if report is None:
        return failed
    return f"{failed}\n{record(services, actor, report).text}"


def _key(event: Event) -> str:
    """Return the dedup key of a status report sent as a photo's caption."""
    return f"zalo:msg:{event.sender_id}:{event.message_id}"


def _assignment(services: Services, actor: Actor, caption: str) -> int | None:
    """Return the assignment a photo is about: the task its caption names, or the only one."""
    named = task_numbers(caption)
    with session_scope(services.engine) as session:
        # The open tasks' assignments, done ones too (as on Telegram): the minutes of a
        # meeting are often photographed after the unit has reported it done.
        items = open_items(session, unit_ids=actor.unit_ids)
        found = [i.assignment_id for i in items if i.task_id in named]
        if named and not found:  # a task of the unit closed or cancelled: refused as such
            found = named_assignments(session, task_ids=sorted(named), unit_ids=actor.unit_ids)
    if named:
        return found[0] if len(found) == 1 else None
    return items[0].assignment_id if len(items) == 1 else None
