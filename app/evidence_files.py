"""/evidence <task> <unit>: the files a unit sent as evidence of a task, for staff in scope.

Every channel reads the command here: the task and unit named within the person's scope (a
unit's name that fits several units narrowed to those given the task, offered as choices),
the scope checked again, then the files, oldest first. Telegram sends the files; a channel
without documents lists them (`Item`: name, size, day, sender) with a link each.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.choices import Choice, Rows
from app.dashboard.task_page import evidence_in_scope
from app.dashboard.viewer import viewer_of
from core.markup import Markup
from core.textnorm import plain_file_name
from db.engine import session_scope
from db.models import Assignment, Contact, Evidence, Task, Unit
from db.queries.assignment_named import assignment_named, task_named_first
from db.queries.evidence import evidence_of
from db.queries.scope import Scope, in_scope

Translate = Callable[..., str]  # (key, **params) -> text in the reader's language
MB = 1024 * 1024
log = logging.getLogger(__name__)


def store_file(root: Path, relative: Path, content: bytes) -> bool:
    """Write an evidence file under the store's root, whole or not at all (blocking).

    False when the store cannot take it (disk full, read-only, not a folder): the reason is
    logged for the operator, nothing half-written is left, and the caller says so.
    """
    target = root / relative
    temporary = target.with_suffix(target.suffix + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(content)
        temporary.replace(target)
    except OSError as exc:
        log.error("evidence store %s cannot keep %s: %s", root, relative, exc)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return False
    return True


@dataclass(frozen=True)
class Found:
    """What /evidence found: an assignment's files, or what to say, or units to choose from."""

    files: list[Evidence] = field(default_factory=list)
    said: str = ""  # why there is nothing to show (markup); "" when there are files
    fitting: list[tuple[Unit, Assignment]] = field(default_factory=list)  # choose one
    task: Task | None = None
    unit: Unit | None = None


@dataclass(frozen=True)
class Item:
    """One evidence file as a list shows it."""

    evidence_id: int
    file_name: str
    size: int
    sent_on: date
    sender: str | None
    present: bool  # still in the evidence store


def find(session: Session, t: Translate, *, text: str, scope: Scope, contact_id: int) -> Found:
    """Read "<task> <unit>" within the person's scope and return that assignment's files."""
    assignment, problem, fitting = assignment_named(session, text=text, scope=scope)
    if problem == "unit_ambiguous":
        listed = "\n".join(f"• {unit.name}" for unit, _ in fitting)
        return Found(said=t("evidence.unit_ambiguous", units=listed), fitting=fitting)
    if problem == "not_found" and (alone := task_named_first(session, text=text, scope=scope)):
        task_id, unit = alone
        return Found(said=t("evidence.unit_not_found", task=str(task_id), unit=unit))
    if assignment is None or assignment.id is None:
        return Found(said=t(f"evidence.{problem or 'usage'}"))
    return of_assignment(session, t, assignment_id=assignment.id, contact_id=contact_id)


UNIT_PICK = ("el", "p")  # a choice's data: one of the units a name fits, then its assignment


def which_unit(t: Translate, fitting: list[tuple[Unit, Assignment]]) -> tuple[str, Rows]:
    """Ask whose evidence, among the units a name fits: one choice per unit (a button on
    Telegram, a typed number on Zalo), which lists that unit's files as the command would."""
    task = Markup(str(fitting[0][1].task_id))
    choices = [
        [Choice(f"{unit.name} ({unit.code})", (*UNIT_PICK, assignment.id or 0))]
        for unit, assignment in fitting
    ]
    return t("evidence.which_unit", count=len(fitting), task=task), choices


def of_assignment(session: Session, t: Translate, *, assignment_id: int, contact_id: int) -> Found:
    """Return one assignment's files when its unit is in the person's scope now."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or not in_scope(
        session, contact_id=contact_id, unit_id=assignment.unit_id
    ):
        return Found(said=t("common.not_allowed"))
    files = evidence_of(session, assignment_id=assignment_id)
    task, unit = session.get(Task, assignment.task_id), session.get(Unit, assignment.unit_id)
    return Found(files, "" if files else t("evidence.none"), task=task, unit=unit)


def items(session: Session, files: list[Evidence], *, root: Path, tz: tzinfo) -> list[Item]:
    """Return the files as a list shows them: day sent (local), sender, still stored."""
    senders = {f.contact_id for f in files if f.contact_id is not None}
    query = select(Contact.id, Contact.display_name).where(col(Contact.id).in_(senders))
    names = dict(session.exec(query).all()) if senders else {}
    return [
        Item(
            evidence_id=f.id or 0,
            file_name=shown_name(f.file_name),
            size=f.size,
            sent_on=f.created_at.astimezone(tz).date(),
            sender=names.get(f.contact_id) or None if f.contact_id is not None else None,
            present=(root / f.storage_path).is_file(),
        )
        for f in files
    ]


NAME_SHOWN = 120  # characters of a file's name a page shows


def shown_name(name: str) -> str:
    """Return a file's name as a page shows it: without control or bidirectional-format
    characters (which could dress "exe.pdf" up as something else), cut at NAME_SHOWN."""
    kept = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    return kept if len(kept) <= NAME_SHOWN else kept[: NAME_SHOWN - 1] + "…"


def sent_name(name: str) -> str:
    """Return the name a file is downloaded under: its plain name, as a page shows it (a file
    kept before names were cleaned on arrival still holds what dresses a name up)."""
    return plain_file_name(name, "evidence")


def landing_text(t: Translate, *, name: str, size: int, sent_on: date) -> str:
    """Return what a file's download page says of it: its name, size and the day it came."""
    return t(
        "web.landing_evidence",
        name=shown_name(name),
        size=Markup(size_text(t, size)),
        date=sent_on,
    )


def size_text(t: Translate, size: int) -> str:
    """Return a file's size in KB under a megabyte, else in MB, with one decimal."""
    if size < MB:
        return t("evidence.size_kb", size=round(size / 1024, 1))
    return t("evidence.size_mb", size=round(size / MB, 1))


def item_text(t: Translate, number: int, item: Item, link: str) -> str:
    """Return one file's line: number, name, size, day, sender, then its link (or missing)."""
    sender = item.sender or t("evidence.sender_unknown")
    line = t(
        "evidence.item",
        n=number,
        name=item.file_name,
        size=Markup(size_text(t, item.size)),
        date=item.sent_on,
        sender=sender,
    )
    where = t("evidence.item_link", link=link) if item.present else t("evidence.item_missing")
    return f"{line}\n{where}"


@dataclass(frozen=True)
class Kept:
    """An evidence file a person may download now, and where the store has it."""

    file_name: str
    mime_type: str | None
    path: Path | None  # None: its file is missing from the store (or outside it)


def kept_file(engine: Engine, root: Path, *, contact_id: int, evidence_id: int) -> Kept | None:
    """Return an evidence file when its unit is in the person's scope now (staff still);
    None otherwise (blocking)."""
    with session_scope(engine) as session:
        viewer = viewer_of(session, contact_id=contact_id)
        if viewer is None:
            return None
        evidence = evidence_in_scope(session, viewer, evidence_id=evidence_id)
    if evidence is None:
        return None
    root = root.resolve()
    path = (root / evidence.storage_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        log.warning("evidence %s: its file is missing from the storage", evidence_id)
        return Kept(sent_name(evidence.file_name), evidence.mime_type, None)
    return Kept(sent_name(evidence.file_name), evidence.mime_type, path)
