"""The coordinators' digest: what changed since the last one, what is due this week, who is
overdue. Queued through the outbox under a key per coordinator per digest time, so a
restart or a second firing at the same time never sends it twice. A coordinator with
nothing in their scope (no open task, no report and no new task since the last digest) is
sent nothing: a message of zeros every week is noise that teaches people to skip the digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from functools import partial

from sqlmodel import Session

from app.due_words import in_force
from app.i18n import Catalog, format_percent
from app.services import Services
from app.summary_text import Translate, as_of, compact, task_title
from core.markup import escape
from core.status import Counts
from core.summary import TaskCounts, overdue_first
from core.taskdates import effective_deadline
from core.textnorm import fold
from db.engine import session_scope
from db.models import Contact
from db.queries import state
from db.queries import summary as q
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.scope import contact_scope

LAST_KEY = "digest.last_at"
MAX_TASKS = 12
MAX_UNITS = 10
FIRST_WINDOW = timedelta(days=7)  # the first digest looks back a week


def send_digests(
    session: Session,
    catalog: Catalog,
    *,
    now: datetime,
    tz: tzinfo,
    not_before: datetime | None = None,
) -> int:
    """Queue a digest for every coordinator who takes it; return how many were new.

    It is counted as of `now` and goes out from `not_before` (office time, when set).
    """
    since = last_digest(session) or now - FIRST_WINDOW
    stamp = now.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    # Every digest is read before the first is queued: the first write takes SQLite's write
    # lock until the commit, and each coordinator's counts take a country a fifth of a
    # second to read, while every person's report waits for that lock.
    texts = [
        (contact, to, digest_text(session, catalog, contact, since=since, now=now, tz=tz))
        for contact, to in q.digest_readers(session)
    ]
    queued = 0
    for contact, to, text in texts:
        if text is None:  # nothing in their scope: nothing to say
            continue
        row = enqueue(
            session,
            key=f"digest:{to.contact_id}:{stamp}",
            chat_id=to.chat_id,
            channel=to.channel,
            kind="digest",
            text=text,
            now=now,
            contact_id=contact.id,
            priority=PRIORITY_NOTICE,
            not_before=not_before,
        )
        queued += row is not None
    remember_digest(session, now)
    return queued


def last_digest(session: Session) -> datetime | None:
    """Return when the last digest was made, if ever."""
    stored = state.value(session, LAST_KEY)
    return datetime.fromisoformat(stored) if stored else None


def remember_digest(session: Session, moment: datetime) -> None:
    """Record the moment of this digest, for the next one's 'since'."""
    state.write(session, LAST_KEY, moment.isoformat(), now=moment)


def digest_text(
    session: Session,
    catalog: Catalog,
    contact: Contact,
    *,
    since: datetime,
    now: datetime,
    tz: tzinfo,
) -> str | None:
    """Return one coordinator's digest in their language, counted within their scope, or None
    when nothing is in it: no open task, and no report or new task since `since`."""
    lang = "en" if contact.language == "en" else "vi"

    def t(key: str, **params: object) -> str:
        return catalog.get(lang, key, **params)

    assert contact.id is not None
    scope = contact_scope(session, contact_id=contact.id)
    local = now.astimezone(tz)
    parts = [t("digest.head"), as_of(t, local), ""]
    changes = q.changes_since(session, since=since, until=now, scope=scope)
    reports = sum(n for k, n in changes.items() if k != "new_tasks")
    parts.append(
        t(
            "digest.changes",
            since=since.astimezone(tz).date(),
            reports=reports,
            done=changes.get("done", 0),
            blocked=changes.get("blocked", 0),
            new_tasks=changes["new_tasks"],
        )
    )
    tasks = q.task_counts(session, now=now, scope=scope)
    if not tasks and not reports and not changes["new_tasks"]:
        return None
    parts.append(_totals(t, tasks, lang))
    parts += _due_this_week(t, tasks, local.date(), lang)
    parts += _overdue_tasks(t, tasks)
    units = q.most_overdue(session, now=now, scope=scope, limit=MAX_UNITS)
    parts += _overdue_units(t, units, local)
    unreached = [escape(name) for name in q.unreached_units(session, scope=scope)]
    parts += _section(t, "digest.unreached", unreached, more="digest.more_units")
    parts += ["", t("digest.footer")]
    return "\n".join(parts)


def _totals(t: Translate, tasks: Sequence[TaskCounts], lang: str) -> str:
    """Return the line of the open tasks' totals: done of due, overdue, not reported."""
    total = sum((x.counts for x in tasks), Counts())
    return t(
        "digest.totals" if total.due else "digest.totals_none_due",
        tasks=len(tasks),
        done=total.done,
        due=total.due,
        rate=format_percent(total.done, total.due, lang),
        overdue=total.overdue,
        no_report=total.no_report,
    )


def _due_this_week(t: Translate, tasks: Sequence[TaskCounts], today: date, lang: str) -> list[str]:
    """Return the section of the tasks due this week, each with its counts."""
    monday, sunday = week_of(today)
    week = sorted(  # by the day in force: a deadline on Sunday is due the next Monday
        (x for x in tasks if monday <= in_force(x.deadline, x.due) <= sunday),
        key=lambda x: (in_force(x.deadline, x.due), x.task_id),
    )
    due_items = [f"{task_title(t, x)}\n{compact(t, x.counts, lang)}" for x in week]
    return _section(t, "digest.due_week", due_items, monday=monday, sunday=sunday)


def _overdue_tasks(t: Translate, tasks: Sequence[TaskCounts]) -> list[str]:
    """Return the section of the tasks with overdue units, the most overdue first."""
    late = [x for x in overdue_first(tasks) if x.counts.overdue]
    late_items = [
        t(
            "digest.overdue_task",
            id=x.task_id,
            title=x.title,
            n=x.counts.overdue,
            no_report=x.counts.no_report,
        )
        for x in late
    ]
    return _section(t, "digest.overdue_tasks", late_items)


def _overdue_units(
    t: Translate, units: Sequence[tuple[str, int, str, date, datetime]], local: datetime
) -> list[str]:
    """Return the section of the longest-overdue units, with how many days late each is."""
    zone = local.tzinfo
    assert zone is not None
    unit_items = [
        t(
            "digest.overdue_unit",
            unit=u,
            id=tid,
            title=title,
            days=(local.date() - effective_deadline(d, due, zone)).days,
        )
        for u, tid, title, d, due in units
    ]
    return _section(t, "digest.overdue_units", unit_items)


def _section(
    t: Translate, key: str, items: list[str], *, more: str = "digest.more", **params: object
) -> list[str]:
    """Return a titled list of at most MAX_TASKS items, or nothing when empty."""
    if not items:
        return []
    lines = ["", t(key, n=len(items), **params), *(f"• {i}" for i in items[:MAX_TASKS])]
    if len(items) > MAX_TASKS:
        lines.append(t(more, n=len(items) - MAX_TASKS))
    return lines


def week_of(day: date) -> tuple[date, date]:
    """Return the Monday and Sunday of the week of day."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


SWITCH_WORDS = {"on": True, "bat": True, "off": False, "tat": False}


def switch(services: Services, lang: str, contact_id: int, text: str) -> str:
    """/digest on|off: turn the person's scheduled digest on or off; else say its state and
    how to change it (and that other words change nothing)."""
    t = partial(services.catalog.get, lang)
    choice = SWITCH_WORDS.get(fold(text))
    with session_scope(services.engine) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            return t("common.not_registered")
        if choice is not None:
            contact.digest_enabled = choice
        enabled = contact.digest_enabled
    if choice is None:
        said = t("digest.usage", state=t("digest.state_on" if enabled else "digest.state_off"))
        # "/digest tuần" is no switch: said so, not answered as if nothing had been typed.
        return f"{t('digest.unknown', text=text.strip())}\n{said}" if text.strip() else said
    return t("digest.turned_on" if enabled else "digest.turned_off")
