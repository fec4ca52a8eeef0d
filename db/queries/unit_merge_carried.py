"""What else follows units merged into one, beside their work and people (`db.queries.unit_merge`).

A province merging communes meets each of these the next day unless the merge carries it:

- the old units' groups ("Xã thí điểm") become the new unit's too (a coordinator scoped to a
  group goes on seeing the work moved; the old units stay in them with their history);
- the units under an old unit are under the new one (`thuộc <new>` names them);
- an old unit's open invites are revoked (a person joining a deactivated unit is lost);
- a recurring rule naming an old unit, by its code or name, or as `thuộc <code>`, names
  the new unit instead (once, when it named both);
- a question the bot asked about an assignment taken off in a join (its reason, its new
  date, which task) is about the kept assignment, as it was written (its age kept).

Each has a `*_of` that reads what it would change and a function that changes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from core.assignees import PARENT, split_spec
from core.textnorm import fold, fold_text
from db.models import Invite, RecurringTask, Unit, UnitGroupMember
from db.queries import state
from db.queries.audit import record
from db.queries.invites import revoke_invites
from db.queries.units import find_group

# The pending kinds whose values name assignments (db.queries.pending's keys): a check-in's
# question ("step"), the task just reported done ("done"), an album's task ("album"), the
# numbered choices a channel without buttons last offered ("choices": a reminder's statuses).
QUESTION_KINDS = ("step", "done", "album", "choices")
# The choices whose last part is an assignment (app.choices.STATUS_PREFIX, a percentage, a
# status confirmed, a task picked, photos' task); "cf:all:<count>" ends with a count.
ASSIGNMENT_CHOICES = frozenset({"st", "pc", "cf", "ck", "ep"})
T = TypeVar("T")

CHAIN = 50  # units over one another followed at most (a loop would be a bad row)


def groups_of(session: Session, *, old_ids: Sequence[int], new_id: int) -> list[int]:
    """Return the groups of the old units the new unit is not in yet."""
    held = select(UnitGroupMember.group_id).where(UnitGroupMember.unit_id == new_id)
    query = select(UnitGroupMember.group_id).where(
        col(UnitGroupMember.unit_id).in_(list(old_ids)), col(UnitGroupMember.group_id).not_in(held)
    )
    return sorted(set(session.exec(query)))


def join_groups(session: Session, *, old_ids: Sequence[int], new_id: int) -> list[int]:
    """Put the new unit in the old units' groups; return the groups it joined."""
    joined = groups_of(session, old_ids=old_ids, new_id=new_id)
    for group_id in joined:
        session.add(UnitGroupMember(group_id=group_id, unit_id=new_id))
    session.flush()
    return joined


def children_of(session: Session, *, old_ids: Sequence[int], new_id: int) -> list[int]:
    """Return the units under an old unit (neither an old unit nor the new one)."""
    query = select(Unit.id).where(
        col(Unit.parent_id).in_(list(old_ids)), col(Unit.id).not_in([*old_ids, new_id])
    )
    return sorted(i for i in session.exec(query) if i is not None)


def adopt_children(
    session: Session, *, old_ids: Sequence[int], new_id: int, now: datetime
) -> list[int]:
    """Put the units under an old unit under the new one; return them. A new unit that was
    under an old one (a department merged into its own office) takes the old one's place:
    it goes under the unit above the highest old unit over it (or none), not left under a
    deactivated unit, nor under a unit now under it."""
    children = children_of(session, old_ids=old_ids, new_id=new_id)
    above = _place_of(session, old_ids=old_ids, new_id=new_id)
    if above is not None:
        session.execute(
            update(Unit)
            .where(col(Unit.id) == new_id)
            .values(parent_id=above[0], updated_at=now)
            .execution_options(synchronize_session=False)
        )
    if children:
        session.execute(
            update(Unit)
            .where(col(Unit.id).in_(children))
            .values(parent_id=new_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    if children or above is not None:
        session.expire_all()
    return children


def _place_of(
    session: Session, *, old_ids: Sequence[int], new_id: int
) -> tuple[int | None] | None:
    """Return the parent the new unit takes when an old unit is over it (the parent of the
    highest old unit over it), None when none is (its place kept)."""
    parents = dict(session.exec(select(Unit.id, Unit.parent_id)).all())
    olds, place, seen = set(old_ids), None, {new_id}
    at = parents.get(new_id)
    while at is not None and at not in seen and len(seen) < CHAIN:
        seen.add(at)
        if at in olds:
            place = (parents.get(at),)
        at = parents.get(at)
    return place


def invites_of(session: Session, *, old_ids: Sequence[int], now: datetime) -> int:
    """Return how many invites of the old units are still open (unused, unexpired)."""
    query = select(func.count()).where(
        col(Invite.unit_id).in_(list(old_ids)),
        col(Invite.used_at).is_(None),
        col(Invite.expires_at) > now,
    )
    return int(session.exec(query).one())


def revoke_old_invites(
    session: Session, *, old_ids: Sequence[int], now: datetime, actor_id: int | None
) -> int:
    """Revoke the old units' open invites, each audited; return how many."""
    count = 0
    for unit_id in old_ids:
        for invite in revoke_invites(session, now=now, unit_id=unit_id):
            count += 1
            record(
                session,
                actor_id=actor_id,
                action="invite.revoked",
                object_type="invite",
                object_id=invite.id,
                details={"unit_id": unit_id, "why": "unit.merged"},
            )
    return count


def rules_of(
    session: Session, *, old_ids: Sequence[int], new_id: int
) -> list[tuple[RecurringTask, str]]:
    """Return the active recurring rules naming an old unit, each with its units rewritten;
    "" for a rule left naming nothing: a twin (its title and rule) names the new unit
    already, which would get each of its tasks twice."""
    units = {
        u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_([*old_ids, new_id])))
    }
    new = units.get(new_id)
    if new is None:
        return []
    old = {n for i in old_ids if (u := units.get(i)) for n in (u.code_folded, u.name_folded)}
    query = select(RecurringTask).where(col(RecurringTask.active).is_(True))
    rows = [(r, _renamed(session, r.assignees, old, new.code)) for r in session.exec(query)]
    rows.sort(key=lambda pair: pair[0].id or 0)
    naming_new = {_twin(r) for r, spec in rows if spec == r.assignees and _names(spec, new.code)}
    found = []
    for row, spec in rows:
        if spec == row.assignees:
            continue
        if _names(spec, new.code) and _twin(row) in naming_new:
            spec = _joined([i for i in split_spec(spec) if fold(i) != fold(new.code)])
        if _names(spec, new.code):
            naming_new.add(_twin(row))
        found.append((row, spec))
    return found


def rename_in_rules(
    session: Session, *, old_ids: Sequence[int], new_id: int, actor_id: int | None
) -> tuple[list[int], list[int]]:
    """Make the active recurring rules naming an old unit name the new one, and stop those
    left naming nothing (a twin names it); return both, audited."""
    changed, stopped = [], []
    for row, spec in rules_of(session, old_ids=old_ids, new_id=new_id):
        before = row.assignees
        if spec:
            row.assignees = spec
            changed.append(row.id or 0)
        else:
            row.active = False
            stopped.append(row.id or 0)
        session.add(row)
        record(
            session,
            actor_id=actor_id,
            action="recurring.units_merged" if spec else "recurring.stopped",
            object_type="recurring_task",
            object_id=row.id,
            details={"before": before, "after": spec, "why": "unit.merged"},
        )
    session.flush()
    return changed, stopped


def _twin(row: RecurringTask) -> tuple[str, str]:
    """Return what makes two rules make the same task: their title (folded) and rule."""
    return fold(row.title), row.rule


def _names(spec: str, code: str) -> bool:
    """Tell whether a spec has the unit's code as an item."""
    return fold(code) in {fold(i) for i in split_spec(spec)}


def _joined(items: Sequence[str]) -> str:
    """Return items as a spec, with semicolons when one has a comma (a unit's name)."""
    return ("; " if any("," in i for i in items) else ", ").join(items)


def _renamed(session: Session, spec: str, old: set[str], new_code: str) -> str:
    """Return a spec with each item naming an old unit (its code or name, or `thuộc` it)
    naming the new unit's code instead, an item named twice kept once; as it was if none."""
    items, changed = [], False
    for item in split_spec(spec):
        typed = fold_text(item)
        parent = PARENT.match(typed.folded)
        if parent is not None and fold(parent[1]) in old:
            item, changed = f"{typed.original_span(0, parent.start(1))}{new_code}", True
        elif typed.folded in old and find_group(session, text=item) is None:
            item, changed = new_code, True
        items.append(item)
    if not changed:
        return spec
    return _joined(_once(items, fold))


def questions_of(
    session: Session, *, contact_ids: Sequence[int], dropped: Mapping[int, int]
) -> dict[str, Any]:
    """Return the questions asked of these people that name an assignment taken off, as
    they would be about the kept one (by key; its value as JSON)."""
    if not dropped or not contact_ids:
        return {}
    people = {str(c) for c in contact_ids}
    found: dict[str, Any] = {}
    for kind in QUESTION_KINDS:
        for key, value in state.values_like(session, f"checkin:{kind}:%").items():
            if key.rsplit(":", 1)[-1] not in people:
                continue
            data = json.loads(value) if value.startswith("{") else None
            if isinstance(data, dict) and (moved := _repointed(data, dropped)) != data:
                found[key] = moved
    return found


def repoint_questions(
    session: Session, *, contact_ids: Sequence[int], dropped: Mapping[int, int]
) -> list[str]:
    """Make the questions naming an assignment taken off name the kept one, each still as
    old as it was (forgotten when it would have been); return their keys."""
    found = questions_of(session, contact_ids=contact_ids, dropped=dropped)
    for key, data in found.items():
        stored = state.read(session, key)
        if stored is not None:
            text = json.dumps(data, ensure_ascii=False)
            state.write(session, key, text, now=stored.updated_at)
    return sorted(found)


def _repointed(data: dict[str, Any], dropped: Mapping[int, int]) -> dict[str, Any]:
    """Return a question with its assignments taken off replaced by the kept ones: its
    `assignment_id`, its `candidates` and its `tasks` offered ([assignment, number]), once,
    and its `choices` about one."""
    moved = dict(data)

    def kept(value: Any) -> Any:
        return dropped.get(value, value) if isinstance(value, int) else value

    if "assignment_id" in moved:
        moved["assignment_id"] = kept(moved["assignment_id"])
    if isinstance(moved.get("candidates"), list):
        moved["candidates"] = list(dict.fromkeys(kept(a) for a in moved["candidates"]))
    if isinstance(moved.get("tasks"), list):
        pairs = [[kept(p[0]), *p[1:]] for p in moved["tasks"] if isinstance(p, list) and p]
        moved["tasks"] = _once(pairs, lambda p: repr(p[0]))
    if isinstance(moved.get("choices"), list):
        moved["choices"] = [_choice(c, dropped) for c in moved["choices"]]
    return moved


def _choice(data: Any, dropped: Mapping[int, int]) -> Any:
    """Return a choice offered (its data, a list) about the kept assignment when it was about
    one taken off; any other as it is."""
    if not isinstance(data, list) or len(data) < 2 or data[0] not in ASSIGNMENT_CHOICES:
        return data
    last = data[-1]
    if data[:2] == ["cf", "all"] or not str(last).isdigit() or int(last) not in dropped:
        return data
    kept = dropped[int(last)]
    return [*data[:-1], kept if isinstance(last, int) else str(kept)]


def _once(items: Sequence[T], key: Callable[[T], str]) -> list[T]:
    """Return the items in order, each key's first only."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            kept.append(item)
    return kept
