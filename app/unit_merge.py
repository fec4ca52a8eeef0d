"""Units merged into one (`/mergeunits` on both channels, `dondoc units merge`): shown, then made.

Vietnam's 2025 reform merged communes (Xã A and Xã B became Xã C), and units go on being
merged and renamed. An admin names the old units and the unit they became (added first, or
one that takes the others in); `plan` says what the merge would move, changing nothing, and
`merge`, once the admin confirms, moves the old units' open work and contacts to the new
unit (`db.queries.unit_merge`), with their groups, the units under them, the recurring rules
naming them and the questions asked about a task joined, revokes their open invites,
deactivates the old units (their history kept), audits it, queues the moved contacts a
notice for office time and tells the admin what moved. Every check is made again by `merge`:
the units may have changed since the plan was shown.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.choices import Choice, Rows
from app.i18n import Catalog
from app.link_merge import vi_sorted
from app.notices import office_moment
from app.services import Services
from app.task_notices import KEY, Prepared, send_told, told_line
from app.unit_form import one_named, task_numbers
from app.unit_list import PREFIX
from core.markup import Markup
from core.roles import Role
from core.states import ReportState
from db.engine import session_scope
from db.models import Contact, Unit, UnitGroup
from db.queries import state
from db.queries.audit import record
from db.queries.outbox import PRIORITY_NOTICE, NewMessage
from db.queries.task_notices import contacts_of_units, unit_entry
from db.queries.unit_admin import deactivate_all
from db.queries.unit_merge import (
    TaskMoved,
    UnitsMerged,
    merge_units,
    move_work,
    next_slice,
    preview,
)
from db.queries.unit_merge_history import MERGED, merged_into

ASKED = "unitmerge:"  # the key-value store's key of the merge an admin was last asked to confirm
CONFIRM, DROP = "mg", "mgx"  # the choices' data: (unit_list.PREFIX, CONFIRM or DROP, token)
LISTED_JOINED = 10  # the tasks several assignments of which became one, named with their status
# The pause between a merge's transactions (`db.queries.unit_merge.next_slice`), as long as
# the slice took, at least SLICE_GAP_S: SQLite's busy handler sleeps up to 100 ms between its
# tries, and a reply that met a slice and gave up is tried again after 0.2 s, 0.4 s...
# (`db.retry`): with a pause of 0.1 s a tap kept meeting the next slice, 14 s at worst, while
# 200 units were merged.
SLICE_GAP_S = 0.1


@dataclass(frozen=True)
class MergeAsked:
    """A merge's plan or outcome: the words to say and, when it can be made, its units."""

    text: str
    old_ids: tuple[int, ...] = ()
    new_id: int = 0

    @property
    def possible(self) -> bool:
        """Whether the units named can be merged (the words are then the plan)."""
        return bool(self.old_ids)


def parse_typed(text: str) -> tuple[list[str], str] | None:
    """Read `/mergeunits OLD1, OLD2 | NEW` (its arguments): the old units and the new one."""
    old, bar, new = text.partition("|")
    names = [n.strip() for n in old.replace(";", ",").split(",") if n.strip()]
    if not bar or not names or not new.strip():
        return None
    return names, " ".join(new.split())


def plan(
    services: Services, lang: str, *, old: Sequence[str], into: str, actor_id: int | None
) -> MergeAsked:
    """Say what merging the units named `old` into the one named `into` would do, changing
    nothing; or why it cannot be made (no units then) (blocking)."""
    found = _named(services, lang, old=old, into=into, actor_id=actor_id)
    if isinstance(found, str):
        return MergeAsked(found)
    old_ids, new_id = found
    with session_scope(services.engine) as session:
        moved = preview(session, old_ids=old_ids, new_id=new_id, now=services.clock.now())
        text = _plan_text(session, services.catalog, lang, old_ids, new_id, moved)
    return MergeAsked(text, old_ids, new_id)


def merge(
    services: Services,
    lang: str,
    *,
    old_ids: Sequence[int],
    new_id: int,
    actor_id: int | None,
    actor_label: str = "",
    taken: tuple[str, str] | None = None,
) -> MergeAsked:
    """Merge the old units into the new one as planned, or say why not now (blocking).

    Much work is moved a slice at a time (`next_slice`: about 200 open assignments a
    transaction; the people, what follows them, the old units' deactivation and the audit
    with the last), so the write lock (PostgreSQL: the rows) is held briefly and other
    people's replies go in between. A slice refused (a unit deactivated meanwhile) leaves
    the slices before it made; the merge asked again moves the rest.

    The outcome's units are set when it was made. `actor_label`: who made it, when no
    person did (the command line's "cli"). `taken`: the key-value store's plan it makes,
    taken in its transaction (a second press finds it gone and merges nothing)."""
    t = partial(services.catalog.get, lang)
    now = services.clock.now()
    before: list[TaskMoved] = []
    dropped: dict[int, int] = {}
    while True:
        with Session(services.engine) as session:  # a read, before the lock: not committed
            tasks, last = next_slice(session, old_ids=old_ids)
        began = time.monotonic()
        with session_scope(services.engine) as session:
            if taken is not None and not state.take(session, *taken):
                return MergeAsked(t("units.merge_not_asked"))
            units = _locked(session, [*old_ids, new_id])
            refused = _refusal(
                session,
                services.catalog,
                lang,
                units,
                old_ids,
                new_id,
                actor_id,
                services.settings.tz,
            )
            if refused:
                session.rollback()  # the plan stays asked: nothing was done in this slice
                return MergeAsked(refused)
            if last:  # what is left now, read again under the lock (`move_work`)
                moved = merge_units(
                    session,
                    old_ids=old_ids,
                    new_id=new_id,
                    actor_id=actor_id,
                    now=now,
                    before=before,
                    dropped_before=dropped,
                )
                return _made(
                    session, services, lang, old_ids, new_id, moved, actor_id, actor_label, now
                )
            moved_now, taken_off = move_work(
                session, old_ids=old_ids, new_id=new_id, actor_id=actor_id, tasks=tasks
            )
            before += moved_now
            dropped |= taken_off
            taken = None  # taken with the first slice
        time.sleep(max(SLICE_GAP_S, time.monotonic() - began))  # the others' writes go first


def _made(
    session: Session,
    services: Services,
    lang: str,
    old_ids: Sequence[int],
    new_id: int,
    moved: UnitsMerged,
    actor_id: int | None,
    actor_label: str,
    now: datetime,
) -> MergeAsked:
    """Finish a merge in its last transaction: deactivate the old units, audit it, tell the
    people moved; return what the admin is told. `now`: the merge's moment, as it began."""
    t = partial(services.catalog.get, lang)
    deactivate_all(session, unit_ids=old_ids, actor_id=actor_id, now=now)
    entry = record(
        session,
        actor_id=actor_id,
        actor_label=actor_label,
        action=MERGED,
        object_type="unit",
        object_id=new_id,
        details={
            "from": list(old_ids),
            "tasks": [m.task_id for m in moved.tasks][:100],
            "task_count": len(moved.tasks),
            "contacts": len(moved.contacts_moved) + len(moved.contacts_joined),
            "groups": list(moved.groups),
            "children": list(moved.children),
            "invites": moved.invites,
            "rules": list(moved.rules),
            "rules_stopped": list(moved.rules_stopped),
            "questions": moved.questions,
        },
    )
    entry.at = now  # the merge's moment, which the units' pages say (its local day)
    session.flush()
    told = _tell_people(session, services, old_ids, new_id, moved)
    lines = [
        t(
            "units.merged" if moved.tasks else "units.merged_no_tasks",
            old=_names(session, old_ids),
            new=_names(session, [new_id]),
            count=len(moved.tasks),
            tasks=task_numbers([m.task_id for m in moved.tasks]) or "-",
            people=len(moved.contacts_moved) + len(moved.contacts_joined),
        ),
        *_joined_lines(session, services.catalog, lang, moved.tasks, new_id),
        *_carried_lines(session, services.catalog, lang, moved, new_id),
    ]
    said = "\n".join(lines) + (told_line(services, lang, *told) if told else "")
    return MergeAsked(said, tuple(old_ids), new_id)


def ask_typed(services: Services, lang: str, actor_id: int, args: str) -> tuple[str, Rows]:
    """Answer `/mergeunits OLD1, OLD2 | NEW` on a chat channel: the plan, with the choices to
    merge or not (Telegram's buttons, Zalo's numbers), or why it cannot be made (blocking).

    The plan is kept for the admin (the key-value store, with a token the choices carry):
    a choice from an older plan, or pressed twice, merges nothing."""
    t = partial(services.catalog.get, lang)
    parsed = parse_typed(args)
    if parsed is None:
        return t("units.merge_usage"), []
    asked = plan(services, lang, old=parsed[0], into=parsed[1], actor_id=actor_id)
    if not asked.possible:
        return asked.text, []
    token = secrets.token_hex(4)
    kept = f"{token}|{asked.new_id}|{','.join(str(i) for i in asked.old_ids)}"
    with session_scope(services.engine) as session:
        state.write(session, f"{ASKED}{actor_id}", kept, now=services.clock.now())
    choices = [
        Choice(t("units.merge_confirm"), (PREFIX, CONFIRM, token)),
        Choice(t("units.merge_cancel"), (PREFIX, DROP, token)),
    ]
    return asked.text, [choices]


def answer_choice(services: Services, lang: str, actor_id: int, data: Sequence[str]) -> str:
    """Merge as the admin was last asked (`un:mg:<token>`), or not (`un:mgx:<token>`), and
    say what was done; a choice of a plan no longer asked merges nothing (blocking)."""
    t = partial(services.catalog.get, lang)
    key = f"{ASKED}{actor_id}"
    with session_scope(services.engine) as session:
        kept = state.value(session, key) or ""
    token, _, planned = kept.partition("|")
    if len(data) != 3 or not token or data[2] != token:
        return t("units.merge_not_asked")
    if data[1] != CONFIRM:
        with session_scope(services.engine) as session:
            state.take(session, key, kept)
        return t("units.merge_cancelled")
    new, _, old = planned.partition("|")
    old_ids = tuple(int(i) for i in old.split(",") if i.isdigit())
    done = merge(
        services, lang, old_ids=old_ids, new_id=int(new or 0), actor_id=actor_id, taken=(key, kept)
    )
    return done.text


def _named(
    services: Services, lang: str, *, old: Sequence[str], into: str, actor_id: int | None
) -> tuple[tuple[int, ...], int] | str:
    """Return the old units' ids and the new one's, named as the admin typed them; or what
    to say: a unit unknown, named ambiguously or deactivated, a unit into itself, none
    old, a person not an admin (blocking)."""
    t = partial(services.catalog.get, lang)
    if actor_id is not None and not _is_admin(services, actor_id):
        return t("units.merge_not_admin")
    if not old or not into.strip():
        return t("units.merge_usage")
    found: list[Unit] = []
    for text in [*old, into]:
        unit = one_named(services, lang, text, include_inactive=True)
        if isinstance(unit, str):
            return unit
        if not unit.active:
            return _inactive(services, lang, unit)
        found.append(unit)
    *olds, new = found
    # "/mergeunits Xã A, Xã B | Xã A": Xã A takes Xã B in, the new unit named among the old
    # ones as an admin lists every unit of the merge; only a unit into itself alone is wrong.
    old_ids = tuple(dict.fromkeys(u.id for u in olds if u.id is not None and u.id != new.id))
    if not old_ids:
        return t("units.merge_into_itself", name=new.name, code=new.code)
    assert new.id is not None
    return old_ids, new.id


def _inactive(services: Services, lang: str, unit: Unit) -> str:
    """Say why a deactivated unit is not merged (blocking: `_inactive_words`)."""
    with session_scope(services.engine) as session:
        return _inactive_words(session, services.catalog, lang, unit, services.settings.tz)


def _inactive_words(session: Session, catalog: Catalog, lang: str, unit: Unit, tz: tzinfo) -> str:
    """Say why a deactivated unit is not merged: one merged before names the unit it went
    into and when (the one to name instead: merges one after another), any other its
    /activate."""
    went = merged_into(session, unit_id=unit.id or 0)
    if went is None:
        return catalog.get(lang, "units.merge_inactive", name=unit.name, code=unit.code)
    into, day = _names(session, [went.new_id]), went.at.astimezone(tz).date()
    return catalog.get(
        lang, "units.merge_merged_away", name=unit.name, code=unit.code, into=into, day=day
    )


def _is_admin(services: Services, actor_id: int) -> bool:
    """Tell whether the person is an admin now (blocking)."""
    with session_scope(services.engine) as session:
        person = session.get(Contact, actor_id)
        return person is not None and person.role == Role.ADMIN.value


def _locked(session: Session, ids: Sequence[int]) -> dict[int, Unit]:
    """Return the units by id, their rows locked until the transaction ends (PostgreSQL;
    SQLite's one writer takes them in turn): two merges of one unit at once never both
    move its work."""
    wanted = col(Unit.id).in_(list(ids))
    if session.get_bind().dialect.name == "sqlite":  # its one write lock, before reading
        session.execute(
            update(Unit)
            .where(wanted)
            .values(active=Unit.active)
            .execution_options(synchronize_session=False)
        )
    query = select(Unit).where(wanted).order_by(col(Unit.id))
    return {u.id: u for u in session.exec(query.with_for_update()) if u.id is not None}


def _refusal(
    session: Session,
    catalog: Catalog,
    lang: str,
    units: dict[int, Unit],
    old_ids: Sequence[int],
    new_id: int,
    actor_id: int | None,
    tz: tzinfo,
) -> str:
    """Say why the planned merge cannot be made now ("" when it can)."""
    t = partial(catalog.get, lang)
    if actor_id is not None:
        person = session.get(Contact, actor_id)
        if person is None or person.role != Role.ADMIN.value:
            return t("units.merge_not_admin")
    if not old_ids or new_id in old_ids:
        return t("units.merge_usage")
    for unit_id in [*old_ids, new_id]:
        unit = units.get(unit_id)
        if unit is None:
            return t("common.button_stale")
        if not unit.active:
            return _inactive_words(session, catalog, lang, unit, tz)
    return ""


def _names(session: Session, unit_ids: Sequence[int]) -> str:
    """Return units as "Xã An Hòa (XA-AH), Xã Bình Minh (XA-BM)", in Vietnamese order."""
    query = select(Unit.name, Unit.code).where(col(Unit.id).in_(list(unit_ids)))
    return ", ".join(vi_sorted(f"{name} ({code})" for name, code in session.exec(query)))


def _state_words(catalog: Catalog, lang: str, state: str, percent: int | None) -> str:
    """Return an assignment's status as a person reads it."""
    if state == ReportState.IN_PROGRESS and percent is not None:
        return catalog.get(lang, "checkin.state_in_progress_pct", percent=percent)
    return catalog.get(lang, f"checkin.state_{state}")


def _joined_lines(
    session: Session, catalog: Catalog, lang: str, tasks: Sequence[TaskMoved], new_id: int
) -> list[str]:
    """Return a line per task several assignments of which become one (the first
    LISTED_JOINED): the status kept, and whose it was."""
    joined = [m for m in tasks if m.joined]
    lines = [
        catalog.get(
            lang,
            "units.merge_joined",
            task=Markup(str(m.task_id)),
            state=_state_words(catalog, lang, m.state, m.percent),
            unit=_names(session, [m.kept_from]),
        )
        for m in joined[:LISTED_JOINED]
    ]
    if len(joined) > LISTED_JOINED:
        lines.append("…")
    return lines


def _plan_text(
    session: Session,
    catalog: Catalog,
    lang: str,
    old_ids: Sequence[int],
    new_id: int,
    moved: UnitsMerged,
) -> str:
    """Return what a merge would do, as the admin is asked to confirm it."""
    t = partial(catalog.get, lang)
    old, new = _names(session, old_ids), _names(session, [new_id])
    count = len(moved.tasks)
    tasks = task_numbers([m.task_id for m in moved.tasks])
    lines = [
        t("units.merge_plan", old=old, new=new),
        t("units.merge_plan_tasks", count=count, new=new, tasks=tasks)
        if count
        else t("units.merge_plan_no_tasks"),
        *_joined_lines(session, catalog, lang, moved.tasks, new_id),
        _people_line(t, moved, new),
        t("units.merge_plan_old", old=old),
        *_carried_lines(session, catalog, lang, moved, new_id),
    ]
    # A reminder sent today about a task moved: said only when a task moves.
    return "\n".join([*lines, *([t("units.merge_plan_reminders")] if count else [])])


def _people_line(t: Callable[..., str], moved: UnitsMerged, new: str) -> str:
    """Return the plan's line of the people who move (and of those already the new unit's)."""
    joined = len(moved.contacts_joined)
    people = len(moved.contacts_moved) + joined
    if not people:
        return t("units.merge_plan_no_people")
    if not joined:
        return t("units.merge_plan_people", people=people, new=new)
    return t("units.merge_plan_people_joined", people=people, new=new, joined=joined)


def _carried_lines(
    session: Session, catalog: Catalog, lang: str, moved: UnitsMerged, new_id: int
) -> list[str]:
    """Return a line for each other thing the old units pass on, when there is any: their
    groups, the units under them, their open invites (revoked), their recurring rules and
    the questions asked about a task joined."""
    t = partial(catalog.get, lang)
    new = _names(session, [new_id])
    lines = []
    if moved.groups:
        query = select(UnitGroup.name).where(col(UnitGroup.id).in_(list(moved.groups)))
        groups = ", ".join(vi_sorted(session.exec(query)))
        lines.append(t("units.merge_groups", new=new, count=len(moved.groups), groups=groups))
    if moved.children:
        units = _names(session, moved.children[:LISTED_JOINED])  # a message, not a list
        units += ", …" if len(moved.children) > LISTED_JOINED else ""
        lines.append(t("units.merge_children", new=new, count=len(moved.children), units=units))
    if moved.invites:
        lines.append(t("units.merge_invites", new=new, count=moved.invites))
    if moved.rules:
        rules = ", ".join(str(r) for r in moved.rules)
        lines.append(t("units.merge_rules", new=new, count=len(moved.rules), rules=rules))
    if moved.rules_stopped:
        rules = ", ".join(str(r) for r in moved.rules_stopped)
        count = len(moved.rules_stopped)
        lines.append(t("units.merge_rules_stopped", new=new, count=count, rules=rules))
    if moved.questions:
        lines.append(t("units.merge_questions", new=new, count=moved.questions))
    return lines


def _tell_people(
    session: Session,
    services: Services,
    old_ids: Sequence[int],
    new_id: int,
    moved: UnitsMerged,
) -> tuple[int, datetime] | None:
    """Queue to the moved contacts, for office time, that their units became the new one and
    its open tasks are now theirs to report; return how many and when (None: nobody)."""
    mine = {*moved.contacts_moved, *moved.contacts_joined}
    people = [p for p, _ in contacts_of_units(session, unit_ids=[new_id]) if p.contact_id in mine]
    if not people:
        return None
    now, tz = services.clock.now(), services.settings.tz
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    entry = unit_entry(session, unit_id=new_id, action=MERGED)
    old, new = _names(session, old_ids), _names(session, [new_id])
    tasks = task_numbers([m.task_id for m in moved.tasks]) or "-"
    said = "units.notice_merged" if moved.tasks else "units.notice_merged_no_tasks"
    messages = [
        NewMessage(
            key=f"{KEY}:merge{entry}:{p.contact_id}", chat_id=p.chat_id, kind="notice",
            text=services.catalog.get(
                p.language, said, old=old, new=new, count=len(moved.tasks), tasks=tasks,
            ),
            contact_id=p.contact_id, priority=PRIORITY_NOTICE, channel=p.channel,
            not_before=moment, office=True,
        )
        for p in people
    ]  # fmt: skip
    return send_told(session, services, Prepared(messages, moment))
