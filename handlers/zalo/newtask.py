"""/newtask in one line on Zalo: `/newtask <title> | <deadline> | <units> [| <directive>]`.

The line is read as Telegram's one-line form reads it (the same parsers and texts); nothing
is created until the admin types the number of "Create" under the confirmation. The line
waits in the database (pending kind "newtask") and is read again when confirmed, so a
restart in between loses nothing. A refused part is said, and the admin types the line
again; the guided form (`/newtask` alone) is Telegram's for now.
"""

from __future__ import annotations

from functools import partial

from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.services import Services
from core.deadlines import WEEKEND, DeadlineError, DeadlineErrorCode, parse_deadline
from core.directives import parse_directive_line
from core.markup import Markup
from core.roles import Access
from core.taskdraft import MAX_TITLE, TaskDraft
from core.textnorm import vi_sort_key
from db.engine import session_scope
from db.queries.assignees import resolve_assignees
from db.queries.calendar import working_calendar
from db.queries.directives import find_directive
from db.queries.pending import clear_pending, get_pending, set_pending
from db.queries.taskadmin import create_from_draft
from db.queries.units import unit_names

KIND = "newtask"
PREFIX = "nt"
MAX_LISTED_CHARS = 1200


def newtask(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Read the line into a draft and ask to confirm it, or say what is wrong."""
    t = partial(services.catalog.get, actor.lang)
    if actor.access < Access.ADMIN:
        return [Said(t("common.not_allowed"))]
    draft = draft_of(services, actor, args)
    if isinstance(draft, str):
        return [Said(draft)]
    with session_scope(services.engine) as session:
        set_pending(
            session,
            contact_id=actor.contact_id,
            data={"line": args},
            now=services.clock.now(),
            kind=KIND,
        )
        names = ", ".join(
            sorted(unit_names(session, unit_ids=draft.unit_ids).values(), key=vi_sort_key)
        )
    if len(names) > MAX_LISTED_CHARS:
        names = names[:MAX_LISTED_CHARS] + "…"
    assert draft.deadline is not None
    moved = ""
    if draft.moved_from is not None:
        reason = (
            t("tasks.weekend") if draft.moved_reason in (None, WEEKEND) else draft.moved_reason
        )
        moved = t(
            "tasks.deadline_moved", moved_from=draft.moved_from, to=draft.deadline, reason=reason
        )
    if draft.new_directive is not None:
        directive = t("newtask.directive_new_mark", number=draft.directive_number)
    else:
        directive = t("newtask.no_directive") if not draft.directive_number else ""
    text = t(
        "newtask.confirm",
        title=draft.title,
        directive=Markup(directive) if directive else draft.directive_number,
        deadline=draft.deadline,
        moved=Markup(f"\n{moved}" if moved else ""),
        count=len(draft.unit_ids),
        units=names,
        description="-",
    )
    choices = [
        [
            Choice(t("newtask.btn_create"), (PREFIX, "ok")),
            Choice(t("newtask.btn_cancel"), (PREFIX, "no")),
        ]
    ]
    return [Said(text, choices)]


def decide(services: Services, actor: Actor, create: bool) -> Said:
    """Create the task the admin confirmed (its line read again), or cancel it."""
    t = partial(services.catalog.get, actor.lang)
    if actor.access < Access.ADMIN:
        return Said(t("common.not_allowed"))
    now = services.clock.now()
    with session_scope(services.engine) as session:
        kept = get_pending(session, contact_id=actor.contact_id, now=now, kind=KIND)
        clear_pending(session, contact_id=actor.contact_id, kind=KIND)
    if kept is None or not create:
        return Said(t("common.cancelled"))
    draft = draft_of(services, actor, str(kept.get("line", "")))
    if isinstance(draft, str):
        return Said(draft)
    with session_scope(services.engine) as session:
        task = create_from_draft(
            session, draft=draft, tz=services.settings.tz, actor_id=actor.contact_id
        )
        task_id = task.id or 0
    return Said(
        t(
            "newtask.created",
            id=task_id,
            title=draft.title,
            count=len(draft.unit_ids),
            deadline=draft.deadline,
        )
    )


def draft_of(services: Services, actor: Actor, line: str) -> TaskDraft | str:
    """Return the draft a one-line form describes, or what to say about what is wrong."""
    t = partial(services.catalog.get, actor.lang)
    parts = [" ".join(p.split()) for p in line.split("|")]
    if len(parts) < 3 or not all(parts[:3]):
        return t("newtask.usage_one_line")
    title, deadline_text, spec = parts[:3]
    if len(title) > MAX_TITLE:
        return t("newtask.title_too_long", limit=MAX_TITLE)
    draft = TaskDraft(title=title, line_units=spec)
    with session_scope(services.engine) as session:
        if len(parts) > 3:
            parsed = parse_directive_line(" | ".join(parts[3:]))
            if isinstance(parsed, str):
                return t(f"newtask.directive_{parsed}")
            existing = find_directive(session, number=parsed.number)
            if existing is not None:
                draft.directive_id = existing.id
            else:
                draft.new_directive = parsed
            draft.directive_number = parsed.number
        calendar = working_calendar(session)
        deadline = parse_deadline(deadline_text, today=services.today(), calendar=calendar)
        if isinstance(deadline, DeadlineError):
            return _deadline_error(services, actor, deadline)
        draft.deadline, draft.moved_from = deadline.date, deadline.moved_from
        draft.moved_reason = deadline.reason
        resolution = resolve_assignees(session, spec, lang=actor.lang)
    if not resolution.ok:
        problems = [
            t(
                f"tasks.unmatched_{item.reason}",
                text=item.text,
                candidates=", ".join(item.candidates),
            )
            for item in resolution.unmatched
        ]
        return "\n".join(problems) or t("newtask.none_chosen")
    draft.add_units(resolution.unit_ids)
    draft.matched = list(resolution.matched)
    return draft


def _deadline_error(services: Services, actor: Actor, error: DeadlineError) -> str:
    """Say why a deadline was refused."""
    t = partial(services.catalog.get, actor.lang)
    if error.code == DeadlineErrorCode.IN_PAST and error.suggestion is not None:
        return t("tasks.deadline_in_past_suggest", date=error.date, suggestion=error.suggestion)
    if error.code == DeadlineErrorCode.IN_PAST and error.date is not None:
        return t("tasks.deadline_in_past", date=error.date)
    return t(f"tasks.deadline_{error.code.value}", text=error.original)
