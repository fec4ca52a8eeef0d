"""Changing a task in one typed command, on any channel: /deadline, /assign, /unassign,
/renametask, /closetask, /canceltask, /reopentask.

The task is named by '#12', '12' or its title; with a title, a '|' separates it from the
rest (`/deadline Báo cáo quý | 20/12/2026`). Each change is checked and audited here and
returns what to say; a title that names several tasks returns them, for the channel to offer
(Telegram as buttons, a text channel as numbered choices). Closing or cancelling tells the
units they need not report: a task named by a part of its title only ("/closetask Kế") is
asked about first (`Edited.confirm`), as the task card's button asks; its number or whole
title ends it at once. A task ended by mistake (the wrong number typed) is opened again by
/reopentask: its units are told, and reminders go on by its deadline.
A kind or group that would add or take off more than MANY_UNITS units ("/assign #1 Xã": every
commune) is asked about too, saying how many: the change waits as the admin's pending value
(`Edited.token`) until `confirm_units` applies it.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlmodel import Session

from app import newtask
from app.due_words import said_deadline
from app.services import Services
from app.task_notices import (
    deadline_words,
    ended_words,
    renamed_words,
    tell_reopened,
    tell_taken_off,
    tell_units,
    withdraw_taken_off,
)
from core.deadlines import DeadlineError
from core.states import TaskStatus
from core.textnorm import fold, vi_sort_key
from db.engine import session_scope
from db.models import Task
from db.queries.assignees import resolve_assignees
from db.queries.calendar import working_calendar
from db.queries.pending import set_pending, take_pending
from db.queries.task_deadlines import change_deadline, deadline_counts
from db.queries.taskadmin import (
    add_assignees,
    end_task,
    remove_assignees,
    rename_task,
    reopen_task,
)
from db.queries.tasks import TASK_NUMBER, active_unit_ids, find_tasks, stored_id
from db.queries.unit_admin import inactive_ids
from db.queries.units import unit_names

NAMED_MAX = 10  # the units a reply names; the count says how many there are
ENDINGS = {"closed": "tasks.closed", "cancelled": "tasks.cancelled"}
ENDING_VERBS = {"closetask": TaskStatus.CLOSED.value, "canceltask": TaskStatus.CANCELLED.value}
USAGES = {
    "deadline": "tasks.usage_deadline",
    "assign": "tasks.usage_assign",
    "unassign": "tasks.usage_unassign",
    "renametask": "tasks.usage_rename",
    "closetask": "tasks.usage_end",
    "canceltask": "tasks.usage_end",
    "reopentask": "tasks.usage_reopen",
}
VERBS = tuple(USAGES)
TASK_CHOICES = 10
# A kind or group word naming more units than this ("Xã": every commune) is asked about first.
MANY_UNITS = 10
UNITS_KIND = "units"  # the pending value of a change of units waiting for its confirmation
UNITS_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class Match:
    """One of the tasks a title named."""

    id: int
    title: str


@dataclass(frozen=True)
class Edited:
    """What a command says (markup); when its title named several tasks, which ones (the
    first TASK_CHOICES) and the rest of the command, to apply to the one chosen."""

    text: str
    matches: tuple[Match, ...] = ()
    rest: str = ""
    # The status to end the one task of `matches` with, once confirmed ("closed",
    # "cancelled"); empty when nothing is to confirm.
    confirm: str = ""
    # The token of a change of many units waiting for its confirmation (`confirm_units`).
    token: str = ""


def split_ref(text: str) -> tuple[str, str] | None:
    """Split '<task> <rest>': at the first '|', else after a leading task number."""
    if "|" in text:
        ref, rest = (p.strip() for p in text.split("|", 1))
    else:
        words = text.split(None, 1)
        if len(words) < 2 or not TASK_NUMBER.match(words[0]):
            return None
        ref, rest = words[0], words[1].strip()
    return (ref, rest) if ref and rest else None


def run(services: Services, lang: str, actor_id: int, verb: str, args: str) -> Edited:
    """Run one typed task command (`verb` one of VERBS) with what followed it."""
    t = partial(services.catalog.get, lang)
    if verb in ENDING_VERBS or verb == "reopentask":  # the task alone
        parts: tuple[str, str] | None = (args.strip(), "") if args.strip() else None
    else:
        parts = split_ref(args)
    if parts is None:
        return Edited(t(USAGES[verb]))
    ref, rest = parts
    with session_scope(services.engine) as session:
        tasks = find_tasks(session, text=ref)
    if not tasks:
        return Edited(t("tasks.not_found", text=ref))
    if len(tasks) > 1:
        matches = tuple(Match(task.id or 0, task.title) for task in tasks[:TASK_CHOICES])
        return Edited(t("tasks.which_one", text=ref, count=len(tasks)), matches, rest)
    task = tasks[0]
    if verb in ENDING_VERBS and task.status == TaskStatus.OPEN and not _named_whole(ref, task):
        status = ENDING_VERBS[verb]
        asked = ask_end(services, lang, status, task.id or 0) or t("common.button_stale")
        return Edited(asked, (Match(task.id or 0, task.title),), confirm=status)
    return apply(services, lang, actor_id, verb, task.id or 0, rest)


def _named_whole(ref: str, task: Task) -> bool:
    """Tell whether the task was named by its number or its whole title, not a part of it."""
    return bool(TASK_NUMBER.match(ref.strip())) or fold(ref) == task.title_folded


def apply(
    services: Services, lang: str, actor_id: int, verb: str, task_id: int, rest: str
) -> Edited:
    """Apply a command to one task (named, or chosen among those a title named)."""
    if verb in ENDING_VERBS:
        return Edited(end(services, lang, actor_id, ENDING_VERBS[verb], task_id))
    if verb == "deadline":
        return Edited(deadline(services, lang, actor_id, task_id, rest))
    if verb == "renametask":
        return Edited(rename(services, lang, actor_id, task_id, rest))
    if verb == "reopentask":
        return Edited(reopen(services, lang, actor_id, task_id))
    return change_units(services, lang, actor_id, task_id, rest, adding=verb == "assign")


def _unchangeable(services: Services, lang: str, task: Task | None) -> str:
    """Say why this task cannot be changed: it is gone, closed or cancelled."""
    t = partial(services.catalog.get, lang)
    if task is None:
        return t("common.button_stale")
    return t("tasks.not_open", id=task.id or 0, status=t(f"tasks.status_{task.status}"))


def deadline(services: Services, lang: str, actor_id: int, task_id: int, text: str) -> str:
    """Move a task's deadline; every current assignment (and its reminders) follows."""
    t = partial(services.catalog.get, lang)
    parsed = newtask.parse_deadline(services, text)
    if isinstance(parsed, DeadlineError):
        return newtask.deadline_error(services, lang, parsed)
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        if task is None or task.status != TaskStatus.OPEN:
            return _unchangeable(services, lang, task)
        old = task.deadline
        # The deadline in force: one left on a day off was due the next working day, the
        # day the units were told and counted to (Civil Code art. 148).
        was = working_calendar(session).roll_forward(old)[0]
        tz = services.settings.tz
        change_deadline(session, task=task, deadline=parsed.date, tz=tz, actor_id=actor_id)
        current, kept = deadline_counts(session, task_id=task_id, deadline=parsed.date)
        told = ""
        if parsed.date != was:  # moved onto the day it was in force: nothing to tell
            words = deadline_words(services, task_id, task.title, was, parsed.date)
            told = tell_units(
                session, services, lang, task_id=task_id, action="task.deadline_changed",
                words=words, deadline=parsed.date,
            )  # fmt: skip
    said_old = said_deadline(services.catalog, lang, old, was)
    if parsed.date == old:  # "from 15/01/2027 to 15/01/2027" read as a change made
        lines = [t("tasks.deadline_same", id=task_id, new=parsed.date)]
    else:
        changed = t(
            "tasks.deadline_changed", id=task_id, old=said_old, new=parsed.date, count=current
        )
        lines = [changed]
    lines += [newtask.moved_note(services, lang, parsed)] if parsed.moved_from else []
    lines += [t("tasks.deadline_kept", count=kept)] if kept else []
    return "\n".join(lines) + told


def rename(services: Services, lang: str, actor_id: int, task_id: int, title: str) -> str:
    """Give an open task a new title (a typo, a clearer name); its history stays, audited.

    The title is checked as /newtask checks one. Lists, summaries, exports and reports read
    the new title; reminders already queued keep the words they were written with.
    """
    t = partial(services.catalog.get, lang)
    title = unicodedata.normalize("NFC", " ".join(title.split()))
    refused = newtask.title_refusal(services, lang, title)
    if refused is not None:
        return refused.text
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        if task is None or task.status != TaskStatus.OPEN:
            return _unchangeable(services, lang, task)
        old = task.title
        if old == title:
            return t("tasks.rename_same", id=task_id, title=title)
        rename_task(session, task=task, title=title, actor_id=actor_id)
        words = renamed_words(services, task_id, old, title)
        told = tell_units(
            session, services, lang, task_id=task_id, action="task.renamed", words=words
        )
    return t("tasks.renamed", id=task_id, old=old, new=title) + told


def change_units(
    services: Services,
    lang: str,
    actor_id: int,
    task_id: int,
    spec: str,
    *,
    adding: bool,
    confirmed: bool = False,
) -> Edited:
    """Assign a task to more units (named as in /newtask), or take units off it (they get
    no more reminders, their history stays, their contacts are told); many units named by a
    kind or group are asked about first, unless `confirmed`."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        if task is None or task.status != TaskStatus.OPEN:
            return Edited(_unchangeable(services, lang, task))
        resolution = resolve_assignees(session, spec, lang=lang)
        if resolution.unmatched:
            return Edited("\n".join(newtask.unmatched_lines(services, lang, resolution)))
        on_task = set(active_unit_ids(session, task_id=task_id))
        if not adding and on_task and on_task <= set(resolution.unit_ids):
            return Edited(t("tasks.unassign_last", id=task_id))
        words = [m for m in resolution.matched if m.source != "unit"]
        moved = [u for u in resolution.unit_ids if (u in on_task) != adding]
        if not confirmed and words and len(moved) > MANY_UNITS:
            token = secrets.token_hex(4)
            data = {"token": token, "task": task_id, "spec": spec, "adding": adding}
            now = services.clock.now()
            set_pending(session, contact_id=actor_id, data=data, now=now, kind=UNITS_KIND)
            named = ", ".join(f"{m.label} ({m.count})" for m in words)
            key = "tasks.ask_assign_many" if adding else "tasks.ask_unassign_many"
            asked = t(key, id=task_id, title=task.title, count=len(moved), named=named)
            return Edited(asked, token=token)
        changed = _change(session, task, resolution.unit_ids, services, actor_id, adding)
        total = len(active_unit_ids(session, task_id=task_id))
        told = ""
        if changed and not adding:  # the units taken off hear that no report is needed
            told = tell_taken_off(
                session, services, lang, task_id=task_id, title=task.title, unit_ids=moved
            )
        elif changed:  # units put back before they heard they were taken off hear neither
            told = withdraw_taken_off(session, services, lang, task_id=task_id)
    if not changed:
        return Edited(t("tasks.none_changed", id=task_id))
    key = "tasks.assigned" if adding else "tasks.unassigned"
    return Edited(t(key, id=task_id, count=changed, total=total) + told)


def confirm_units(services: Services, lang: str, actor_id: int, token: str) -> str:
    """Apply the change of many units the admin confirmed (once: a second press finds none)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        data = take_pending(
            session, contact_id=actor_id, token=token, now=now, kind=UNITS_KIND, ttl=UNITS_TTL
        )
    if data is None:
        return services.catalog.get(lang, "common.button_stale")
    task_id, spec, adding = int(data["task"]), str(data["spec"]), bool(data["adding"])
    edited = change_units(services, lang, actor_id, task_id, spec, adding=adding, confirmed=True)
    return edited.text


def _change(
    session: Session,
    task: Task,
    unit_ids: list[int],
    services: Services,
    actor_id: int,
    adding: bool,
) -> int:
    """Add or remove the units; return how many assignments changed."""
    if adding:
        tz = services.settings.tz
        now = services.clock.now()
        return add_assignees(
            session, task=task, unit_ids=unit_ids, tz=tz, actor_id=actor_id, now=now
        )
    return remove_assignees(session, task=task, unit_ids=unit_ids, actor_id=actor_id)


def ask_end(services: Services, lang: str, status: str, task_id: int) -> str | None:
    """Ask before closing or cancelling a task; None when the task is gone (blocking)."""
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        if task is None:
            return None
        title = task.title
    key = "tasks.ask_close" if status == TaskStatus.CLOSED else "tasks.ask_cancel"
    return services.catalog.get(lang, key, id=task_id, title=title)


def end(services: Services, lang: str, actor_id: int, status: str, task_id: int) -> str:
    """Close or cancel an open task (audited) and say so."""
    t = partial(services.catalog.get, lang)
    now = services.clock.now()
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        if task is None or task.status != TaskStatus.OPEN:
            return _unchangeable(services, lang, task)
        end_task(session, task=task, status=status, now=now, actor_id=actor_id)
        title = task.title
        action = "task.closed" if status == TaskStatus.CLOSED else "task.cancelled"
        words = ended_words(services, task_id, title, status)
        told = tell_units(session, services, lang, task_id=task_id, action=action, words=words)
    # One sentence naming the task: a label glued before it read "#1 Nhiệm vụ A Đã hủy
    # nhiệm vụ #1." on a text channel, where no bold sets the title apart.
    return t(ENDINGS[status], id=task_id, title=title) + told


def reopen(services: Services, lang: str, actor_id: int, task_id: int) -> str:
    """Open a closed or cancelled task again (audited); its units are told that reports are
    needed again, by its deadline, and the reminders go on."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        if task is None:
            return t("common.button_stale")
        if task.status == TaskStatus.OPEN:
            return t("tasks.already_open", id=task_id, title=task.title)
        reopen_task(session, task=task, actor_id=actor_id)
        idle = _take_off_inactive(session, task, actor_id)
        title, deadline = task.title, task.deadline
        # The day in force: a deadline on a day off is due the next working day.
        due = working_calendar(session).roll_forward(deadline)[0]
        told = tell_reopened(session, services, lang, task_id=task_id, title=title, deadline=due)
    lines = [t("tasks.reopened", id=task_id, title=title, deadline=due)]
    lines += [t("tasks.reopened_past", id=task_id)] if due < services.today() else []
    if idle:
        named = ", ".join(idle[:NAMED_MAX]) + (", …" if len(idle) > NAMED_MAX else "")
        lines.append(t("tasks.reopened_inactive", count=len(idle), units=named))
    return "\n".join(lines) + told


def _take_off_inactive(session: Session, task: Task, actor_id: int) -> list[str]:
    """Take off a reopened task the units deactivated while it was ended, as a deactivation
    takes a unit off the open tasks (`take_off_open_tasks`); return their names in order.

    Left on it, a commune merged away meanwhile was overdue and "not reported" again in every
    summary, the formal report and the digest, its reminders and its reports refused."""
    on_task = active_unit_ids(session, task_id=stored_id(task))
    idle = inactive_ids(session, unit_ids=on_task)
    if not idle:
        return []
    remove_assignees(session, task=task, unit_ids=idle, actor_id=actor_id)
    return sorted(unit_names(session, unit_ids=idle).values(), key=vi_sort_key)
