"""A new task from what an admin typed, part by part: the rules of /newtask on every channel.

Each part (title, deadline, units, directive) is read on its own, so a guided form can check
it as it is typed and ask for it again, and a one-line form reads them all at once
(`draft_from`; Telegram's, which keeps its draft in memory, in two halves: `begin_draft`,
then `complete_draft` again for a part typed alone). The draft is built again from the
typed parts when the admin confirms, so a form kept in the database across a restart
creates exactly what the confirmation showed (or says which part no longer holds). What
goes wrong comes back as a `Refused`: the part, and the words to say from the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlmodel import Session, col, func, select

from app.services import Services
from core.assignees import Matched, Resolution
from core.calendar import public_holiday_name
from core.deadlines import WEEKEND, DeadlineError, DeadlineErrorCode, DeadlineParsed
from core.deadlines import parse_deadline as parse_deadline_text
from core.directives import DirectiveDraft, parse_directive_line
from core.markup import Markup
from core.states import TaskStatus
from core.taskdraft import MAX_TITLE, TaskDraft
from core.textnorm import fold, vi_sort_key
from db.engine import session_in, session_scope
from db.models import Assignment, Directive, Task
from db.queries.assignees import resolve_assignees
from db.queries.calendar import working_calendar
from db.queries.directives import find_directive
from db.queries.pending import clear_pending, get_pending
from db.queries.taskadmin import create_from_draft
from db.queries.units import unit_names

# Unit names listed in full below this (with the description); else how they were named.
MAX_LISTED_CHARS = 1200
SOURCE_KEYS = {
    "all": "tasks.src_all",
    "kind": "tasks.src_kind",
    "group": "tasks.src_group",
    "parent": "tasks.src_parent",
    "unit": "tasks.src_unit",
}
# Typed for "no directive" at the optional step, folded ("bỏ qua", "không", "không có",
# "chưa có", "-"; "hủy" on Telegram, where it leaves no form: on Zalo it leaves the form
# before the step reads it).
SKIP_WORDS = frozenset(
    {"-", "0", "bo qua", "khong", "khong co", "chua co", "ko", "ko co", "none", "no", "skip"}
    | {"huy", "cancel"}
)


@dataclass(frozen=True)
class Parts:
    """What the admin typed for each part of a new task (directive: "" for none)."""

    title: str
    deadline: str
    units: str
    directive: str = ""


@dataclass(frozen=True)
class Refused:
    """A part that cannot be taken ("usage", "title", "deadline", "units", "directive").

    `suggestion`: for a past 'd/m' deadline, the same day next year, which a channel with
    buttons offers as one.
    """

    part: str
    text: str
    suggestion: date | None = None


def title_refusal(services: Services, lang: str, title: str) -> Refused | None:
    """Return why a title cannot be taken (no letter or digit, too long), or None.

    A title names the task in every list, summary and report: blanks, faces or signs
    alone ("🔥🔥", "...") name nothing.
    """
    t = partial(services.catalog.get, lang)
    if not any(c.isalnum() for c in title):
        return Refused("title", t("newtask.title_no_words"))
    if len(title) > MAX_TITLE:
        return Refused("title", t("newtask.title_too_long", limit=MAX_TITLE))
    return None


def parse_deadline(services: Services, text: str) -> DeadlineParsed | DeadlineError:
    """Parse a typed deadline against today and the province's working calendar."""
    with session_scope(services.engine) as session:
        calendar = working_calendar(session)
    return parse_deadline_text(text, today=services.today(), calendar=calendar)


def read_deadline(services: Services, lang: str, text: str) -> DeadlineParsed | Refused:
    """Read a typed deadline, or say why it is refused."""
    parsed = parse_deadline(services, text)
    if isinstance(parsed, DeadlineError):
        text = deadline_error(services, lang, parsed)
        return Refused("deadline", text, parsed.suggestion)
    return parsed


def deadline_error(services: Services, lang: str, error: DeadlineError) -> str:
    """Say why a deadline was refused (a past 'd/m': with next year's day to type)."""
    t = partial(services.catalog.get, lang)
    if error.code == DeadlineErrorCode.IN_PAST and error.suggestion is not None:
        return t("tasks.deadline_in_past_suggest", date=error.date, suggestion=error.suggestion)
    if error.code == DeadlineErrorCode.IN_PAST and error.date is not None:
        return t("tasks.deadline_in_past", date=error.date)
    return t(f"tasks.deadline_{error.code.value}", text=error.original)


def moved_note(services: Services, lang: str, parsed: DeadlineParsed) -> str:
    """Say that a deadline moved off a day off (Civil Code 2015, art. 148), or nothing."""
    if parsed.moved_from is None:
        return ""
    t = partial(services.catalog.get, lang)
    reason = t("tasks.weekend") if parsed.reason in (None, WEEKEND) else parsed.reason
    if parsed.reason == public_holiday_name(parsed.moved_from, "vi"):
        # A public holiday, named by the `holidays` package in the reader's language; a
        # province's own day off keeps the reason its admin typed.
        reason = public_holiday_name(parsed.moved_from, lang) or reason
    return t("tasks.deadline_moved", moved_from=parsed.moved_from, to=parsed.date, reason=reason)


def resolve_units(services: Services, lang: str, spec: str) -> Resolution | Refused:
    """Resolve typed units (names, codes, groups, kinds, "tất cả"), or say what matched none."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        resolution = resolve_assignees(session, spec, lang=lang)
    if resolution.ok and resolution.unit_ids:
        return resolution
    problems = unmatched_lines(services, lang, resolution)
    return Refused("units", "\n".join(problems) or t("newtask.none_chosen"))


def unmatched_lines(services: Services, lang: str, resolution: Resolution) -> list[str]:
    """Say, item by item, what in an assignee spec matched no unit or several."""
    t = partial(services.catalog.get, lang)
    return [
        t(f"tasks.unmatched_{item.reason}", text=item.text, candidates=", ".join(item.candidates))
        for item in resolution.unmatched
    ]


def matched_text(services: Services, lang: str, matched: list[Matched], picked: int = 0) -> Markup:
    """Say how the units were named: 'các xã (95); nhóm Xã thí điểm (5); Sở Y tế'."""
    t = partial(services.catalog.get, lang)
    parts = [
        t(SOURCE_KEYS[m.source], label=m.label, count=m.count)
        for m in matched
        if m.source in SOURCE_KEYS
    ]
    if picked:
        parts.append(t("tasks.src_picked", count=picked))
    return Markup("; ".join(parts))


def read_directive(
    services: Services, lang: str, text: str, *, known_only: bool
) -> tuple[int | None, DirectiveDraft | None, str] | Refused:
    """Return the directive typed: (an existing one's id, or a new one, its number).

    A known number is that directive; 'number | date | issuer | title' is a new one. A bare
    number nobody knows is a new directive in the one-line form, and refused (it may be a
    typo) when `known_only` (the guided step, as on Telegram). A skip word is no directive.
    """
    if fold(text) in SKIP_WORDS:
        return None, None, ""
    parsed = parse_directive_line(text)
    t = partial(services.catalog.get, lang)
    if isinstance(parsed, str):
        return Refused("directive", t(f"newtask.directive_{parsed}"))
    with session_scope(services.engine) as session:
        existing = find_directive(session, number=parsed.number)
        known = (existing.id, existing.number) if existing is not None else None
    if known is not None:  # named as it is kept ("4824/ubnd" is 4824/UBND)
        return known[0], None, known[1]
    if known_only and "|" not in text:
        return Refused("directive", t("newtask.directive_not_found", number=parsed.number))
    return None, parsed, parsed.number


def split_line(line: str) -> Parts | None:
    """Return the parts of `<title> | <deadline> | <units> [| <directive>]`, else None."""
    parts = [" ".join(p.split()) for p in line.split("|")]
    if len(parts) < 3 or not all(parts[:3]):
        return None
    return Parts(parts[0], parts[1], parts[2], " | ".join(parts[3:]))


def draft_from(
    services: Services, lang: str, parts: Parts, *, known_only: bool = False
) -> TaskDraft | Refused:
    """Return the draft the typed parts describe, or the first part that is refused."""
    draft = begin_draft(services, lang, parts, known_only=known_only)
    if isinstance(draft, Refused):
        return draft
    refused = complete_draft(services, lang, draft, parts.deadline)
    return draft if refused is None else refused


def begin_draft(
    services: Services, lang: str, parts: Parts, *, known_only: bool = False
) -> TaskDraft | Refused:
    """Return a draft of the title and directive typed, its units kept as typed.

    A refused title or directive is to be typed again with the whole line; the deadline
    and units are read by `complete_draft`, and may be typed again alone.
    """
    refused = title_refusal(services, lang, parts.title)
    if refused is not None:
        return refused
    draft = TaskDraft(title=parts.title, line_units=parts.units)
    if parts.directive:
        directive = read_directive(services, lang, parts.directive, known_only=known_only)
        if isinstance(directive, Refused):
            return directive
        draft.directive_id, draft.new_directive, draft.directive_number = directive
    return draft


def complete_draft(
    services: Services, lang: str, draft: TaskDraft, deadline: str
) -> Refused | None:
    """Set the draft's deadline (unless set) from `deadline`, then its units (unless chosen)
    from its `line_units`; return the first part refused, or None."""
    if draft.deadline is None:
        parsed = read_deadline(services, lang, deadline)
        if isinstance(parsed, Refused):
            return parsed
        draft.deadline, draft.moved_from = parsed.date, parsed.moved_from
        draft.moved_reason = parsed.reason
    if not draft.unit_ids:
        resolution = resolve_units(services, lang, draft.line_units)
        if isinstance(resolution, Refused):
            return resolution
        draft.add_units(resolution.unit_ids)
        draft.matched = list(resolution.matched)
    return None


def confirm_text(
    services: Services,
    lang: str,
    draft: TaskDraft,
    *,
    listed_limit: int = MAX_LISTED_CHARS,
    buttons: bool = True,
) -> str:
    """Say everything about the task before it is created, and how to confirm it: by its
    buttons, or (`buttons` False, Zalo) by typing.

    The units are named one by one unless they and the description pass `listed_limit`
    characters (a channel's room), then by how they were chosen ('các xã (95); ...').
    """
    t = partial(services.catalog.get, lang)
    assert draft.deadline is not None
    with session_scope(services.engine) as session:
        names = ", ".join(
            sorted(unit_names(session, unit_ids=draft.unit_ids).values(), key=vi_sort_key)
        )
        if draft.directive_id is not None and not draft.directive_number:
            known = session.get(Directive, draft.directive_id)
            draft.directive_number = known.number if known is not None else ""
        twin = same_task(session, draft)
    listed: str | Markup = names
    if len(names) + len(draft.description) > listed_limit:
        listed = matched_text(services, lang, draft.matched, draft.picked)
    moved = ""
    if draft.moved_from is not None:
        moved = moved_note(
            services,
            lang,
            DeadlineParsed(draft.deadline, "", draft.moved_from, draft.moved_reason),
        )
    if twin is not None:
        moved += ("\n" if moved else "") + t("newtask.same_task", id=twin[0], count=twin[1])
    if draft.new_directive is not None:
        directive = t("newtask.directive_new_mark", number=draft.directive_number)
    else:
        directive = t("newtask.no_directive") if not draft.directive_number else ""
    return t(
        "newtask.confirm",
        title=draft.title,
        directive=Markup(directive) if directive else draft.directive_number,
        deadline=draft.deadline,
        moved=Markup(f"\n{moved}" if moved else ""),
        count=len(draft.unit_ids),
        units=listed,
        description=draft.description or "-",
        how=Markup(t("newtask.confirm_how_buttons" if buttons else "newtask.confirm_how_typed")),
    )


def same_task(session: Session, draft: TaskDraft) -> tuple[int, int] | None:
    """Return the open task of the draft's title and deadline (its id, its units), or None.

    The same line sent twice, or a directive's task entered by two admins, would follow
    every unit up twice: the confirmation says so, and the admin decides.
    """
    query = select(Task).where(
        Task.title_folded == fold(draft.title),
        Task.deadline == draft.deadline,
        Task.status == TaskStatus.OPEN,
    )
    task = session.exec(query.order_by(col(Task.id))).first()
    if task is None or task.id is None:
        return None
    units = select(func.count()).where(
        Assignment.task_id == task.id, col(Assignment.active).is_(True)
    )
    return task.id, session.exec(units).one()


def create_once(services: Services, lang: str, actor_id: int, draft: TaskDraft, form: str) -> str:
    """Create the task a form confirmed, once: the person's pending `form` (its kind in the
    store of pending questions) is taken in the transaction that creates it, so a repeated
    "1" creates nothing ("cancelled"), and a database failing on the way keeps it whole."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        if get_pending(session, contact_id=actor_id, now=now, kind=form) is None:
            return services.catalog.get(lang, "common.cancelled")
        clear_pending(session, contact_id=actor_id, kind=form)
        return create(services, lang, actor_id, draft, db=session)


def create(
    services: Services, lang: str, actor_id: int, draft: TaskDraft, db: Session | None = None
) -> str:
    """Create the confirmed task (and its new directive) and say so (in `db`'s transaction,
    when given: the caller commits it)."""
    with session_in(services.engine, db) as session:
        task = create_from_draft(
            session,
            draft=draft,
            tz=services.settings.tz,
            actor_id=actor_id,
            now=services.clock.now(),
        )
        task_id = task.id or 0
    return services.catalog.get(
        lang,
        "newtask.created",
        id=task_id,
        title=draft.title,
        count=len(draft.unit_ids),
        deadline=draft.deadline,
    )
