"""The units an admin may give a task to, as the guided form offers them: by kind, by
group, or found by name or code, in Vietnamese alphabetical order."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.textnorm import fold, vi_sort_key
from db.models import Unit, UnitGroup, UnitGroupMember


def kind_unit_ids(session: Session, kinds: Iterable[str]) -> list[int]:
    """Return the active units of these kinds, by name."""
    query = select(Unit.id, Unit.name, Unit.code).where(
        col(Unit.kind_key).in_(list(kinds)), col(Unit.active).is_(True)
    )
    rows = sorted(session.exec(query), key=lambda r: vi_sort_key(r[1], r[2]))
    return [i for i, _, _ in rows if i is not None]


def group_choices(session: Session) -> list[tuple[int, str, int]]:
    """Return every group as (id, name, number of active units), in Vietnamese order."""
    query = (
        select(col(UnitGroup.id), col(UnitGroup.name), func.count(col(Unit.id)))
        .join(UnitGroupMember, col(UnitGroupMember.group_id) == col(UnitGroup.id))
        .join(Unit, col(Unit.id) == col(UnitGroupMember.unit_id))
        .where(col(Unit.active).is_(True))
        .group_by(col(UnitGroup.id), col(UnitGroup.name))
    )
    found = [(g, name, int(n)) for g, name, n in session.exec(query) if g is not None]
    return sorted(found, key=lambda r: vi_sort_key(r[1]))  # "Ánh" before "Biên", not after "Z"


def pickable_units(session: Session, *, search: str = "") -> list[tuple[int, str]]:
    """Return (id, name) of active units whose name or code contains the search, by name."""
    query = select(col(Unit.id), col(Unit.name), col(Unit.code)).where(col(Unit.active).is_(True))
    folded = fold(search)
    if folded:
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            col(Unit.name_folded).like(pattern, escape="\\")
            | col(Unit.code_folded).like(pattern, escape="\\")
        )
    rows = sorted(session.exec(query), key=lambda r: vi_sort_key(r[1], r[2]))
    return [(i, n) for i, n, _ in rows if i is not None]
