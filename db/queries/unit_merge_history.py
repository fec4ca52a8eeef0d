"""Units merged into one, as their history reads after it: which units a unit was merged from
and when, which it was merged into, and the old units' rows whose work goes on in its own.

A merge (`db.queries.unit_merge`) leaves the old units' reports on their own rows, inactive
(the formal report and the ranking count each unit's work as its own); each such row names
the one its work went on in (`Assignment.merged_into_id`). A coordinator reading the new
unit's page wants to see where its open work comes from and what was reported on it before,
so these are read back: the merges from the audit (`unit.merged`), the rows by their links.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.models import Assignment, AuditLog

MERGED = "unit.merged"  # the audit entry of a merge made (`app.unit_merge`)
CHAIN = 20  # merges one after another followed at most (a loop would be a bad row)


@dataclass(frozen=True)
class Merge:
    """A merge made: when, the old units and the unit they became."""

    at: datetime
    old_ids: tuple[int, ...]
    new_id: int


def _merges(session: Session) -> list[Merge]:
    """Return the merges made, oldest first (a province makes a few dozen)."""
    query = (
        select(AuditLog)
        .where(AuditLog.action == MERGED, AuditLog.object_type == "unit")
        .order_by(col(AuditLog.at), col(AuditLog.id))
    )
    found = []
    for entry in session.exec(query):
        old = (entry.details or {}).get("from") or []
        if entry.object_id.isdigit():
            ids = tuple(int(i) for i in old if isinstance(i, int))
            found.append(Merge(entry.at, ids, int(entry.object_id)))
    return found


def merged_from(session: Session, *, unit_id: int) -> list[Merge]:
    """Return the merges that made units into this one, oldest first."""
    return [m for m in _merges(session) if m.new_id == unit_id]


def merged_into(session: Session, *, unit_id: int) -> Merge | None:
    """Return the merge that made this unit into another, if one did (the latest)."""
    found = [m for m in _merges(session) if unit_id in m.old_ids]
    return found[-1] if found else None


def carried_rows(session: Session, *, unit_id: int) -> dict[int, int]:
    """Return the old units' rows whose work went on in this unit's assignments (through
    merges one after another), each with its unit; none for a unit nothing was merged into
    (read first: most units, and the index of `merged_into_id` then never read)."""
    if not merged_from(session, unit_id=unit_id):
        return {}
    mine = select(Assignment.id).where(Assignment.unit_id == unit_id)
    found: dict[int, int] = {}
    pointing = col(Assignment.merged_into_id).in_(mine.scalar_subquery())
    for _ in range(CHAIN):
        query = select(Assignment.id, Assignment.unit_id).where(
            pointing, Assignment.unit_id != unit_id
        )
        rows = [(i, u) for i, u in session.exec(query) if i is not None and i not in found]
        if not rows:
            break
        found.update(rows)
        pointing = col(Assignment.merged_into_id).in_([i for i, _ in rows])
    return found


def carried_into(
    session: Session, *, assignment_ids: Collection[int]
) -> dict[int, tuple[int, int]]:
    """Return the old units' rows whose work went on in these assignments (through merges
    one after another), each with the one of them it leads to and its own unit. The rows
    a merge left are read whole (a few per merge, found by their index), whatever the
    number of assignments asked about (an export's may be a country's)."""
    links = {
        i: (into, unit)
        for i, into, unit in session.exec(
            select(Assignment.id, Assignment.merged_into_id, Assignment.unit_id).where(
                col(Assignment.merged_into_id).is_not(None)
            )
        )
        if i is not None and into is not None
    }
    wanted = set(assignment_ids)
    found: dict[int, tuple[int, int]] = {}
    for row, (into, unit) in links.items():
        seen = {row}
        while into not in wanted and into in links and into not in seen and len(seen) < CHAIN:
            seen.add(into)
            into = links[into][0]
        if into in wanted:
            found[row] = (into, unit)
    return found


def carried_on_units(session: Session, *, assignment_id: int) -> list[int]:
    """Return the units of the rows an old unit's row's work went on in (through merges one
    after another), nearest first; none for a row no merge took."""
    units: list[int] = []
    seen = {assignment_id}
    into = session.exec(
        select(Assignment.merged_into_id).where(Assignment.id == assignment_id)
    ).first()
    while into is not None and into not in seen and len(seen) < CHAIN:
        seen.add(into)
        row = session.exec(
            select(Assignment.unit_id, Assignment.merged_into_id).where(Assignment.id == into)
        ).first()
        if row is None:
            break
        units.append(row[0])
        into = row[1]
    return units


def old_unit_ids(merges: Sequence[Merge]) -> list[int]:
    """Return the old units of these merges, each once, in order."""
    return list(dict.fromkeys(i for m in merges for i in m.old_ids))
