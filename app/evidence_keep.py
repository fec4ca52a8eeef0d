"""Keeping a file sent as evidence, for any channel: whether the person may file it for the
assignment, whether it fits the unit's quota, where it is filed, what row records it, and
what to say of it. The channel downloads the file and sends what this returns.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from app.actor import Actor
from app.reporting import Recorded, Report, record, refusal
from app.services import Services
from db.engine import session_scope
from db.models import Evidence
from db.queries.checkin import Check, Target, check_reportable, unit_name
from db.queries.evidence import add_evidence, find_evidence, unit_evidence_bytes

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


def add_with_status(services: Services, actor: Actor, report: Report, row: Evidence) -> Recorded:
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
