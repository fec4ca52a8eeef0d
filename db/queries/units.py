"""Finding units, kinds and groups the way people name them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from core.textnorm import fold, spelled, vi_sort_key
from db.models import Unit, UnitGroup, UnitKind

MAX_MATCHES = 20


def find_units(
    session: Session, *, text: str, include_inactive: bool = False, by_part: bool = True
) -> list[Unit]:
    """Return the units named by text: by code, else by exact name, else (unless not
    `by_part`) by name part.

    Matching ignores case and diacritics ("so y te" finds "Sở Y tế"), unless several names
    fold alike and one is spelled exactly as typed. Several results mean the name is
    ambiguous: the caller asks which one rather than guessing.
    """
    folded = fold(text)
    if not folded:
        return []
    base = select(Unit)
    if not include_inactive:
        base = base.where(col(Unit.active).is_(True))
    by_code = session.exec(base.where(Unit.code_folded == folded)).first()
    if by_code is not None:
        return [by_code]
    exact = list(session.exec(base.where(Unit.name_folded == folded).order_by(col(Unit.id))))
    if len(exact) > 1:
        # "Xã Ái" and "Xã Aí" fold alike: the one spelled as typed, diacritics and all, is
        # meant ("use the full name" could otherwise never be followed).
        as_typed = [u for u in exact if spelled(u.name) == spelled(text)]
        exact = as_typed or sorted(exact, key=lambda u: vi_sort_key(u.name, u.code))
    if exact or not by_part:
        return exact
    pattern = f"%{_escape_like(folded)}%"
    # Folded names first: bytes would put "Xã Ái…" after "Xã Yên…", so the units kept under
    # the limit would not be the first ones in Vietnamese order.
    query = base.where(col(Unit.name_folded).like(pattern, escape="\\"))
    query = query.order_by(col(Unit.name_folded), col(Unit.code))
    found = list(session.exec(query.limit(MAX_MATCHES)))
    return sorted(found, key=lambda u: vi_sort_key(u.name, u.code))


def unit_by_code(session: Session, *, code: str) -> Unit | None:
    """Return the unit (active or not) with this code, case and diacritics ignored."""
    return session.exec(select(Unit).where(Unit.code_folded == fold(code))).first()


def find_kind(session: Session, *, text: str) -> UnitKind | None:
    """Return the unit kind named by its key, a name or an alias (Vietnamese or English)."""
    return _kind_names(session).get(fold(text).replace("_", " "))


KINDS_INFO = "dondoc.unit_kinds"  # Session.info key: (transaction, {folded name: kind})


def _kind_names(session: Session) -> dict[str, UnitKind]:
    """Return every kind by each of its folded names, read once per transaction.

    Resolving a file's assignees asks for a kind several times a row: reading the kinds and
    folding all their names on each call was a quarter of a 5,000-row tasks import. Kinds
    are written by the seed alone, never in a transaction that then names them.
    """
    transaction = session.get_transaction()
    cached = session.info.get(KINDS_INFO)
    if cached is not None and transaction is not None and cached[0] is transaction:
        known: dict[str, UnitKind] = cached[1]
        return known
    names: dict[str, UnitKind] = {}
    for kind in session.exec(select(UnitKind)):
        folded = [fold(kind.key).replace("_", " "), fold(kind.name_vi), fold(kind.name_en)]
        folded += [fold(kind.plural_vi), fold(kind.plural_en)]
        folded += [a.strip() for a in kind.aliases.split(",") if a.strip()]
        for name in folded:
            names.setdefault(name, kind)  # the first kind in the table's order, as before
    session.info[KINDS_INFO] = (session.get_transaction(), names)
    return names


def find_group(session: Session, *, text: str) -> UnitGroup | None:
    """Return the group with this name (case and diacritics ignored)."""
    return session.exec(select(UnitGroup).where(UnitGroup.name_folded == fold(text))).first()


def _escape_like(text: str) -> str:
    """Escape LIKE wildcards in user text."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def unit_names(session: Session, *, unit_ids: Iterable[int]) -> dict[int, str]:
    """Return the name of each unit, by id."""
    ids = list(set(unit_ids))
    if not ids:
        return {}
    query = select(Unit.id, Unit.name).where(col(Unit.id).in_(ids))
    return {uid: name for uid, name in session.exec(query) if uid is not None}
