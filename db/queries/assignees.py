"""Resolve who a task is for against the units (the grammar is in `core/assignees.py`)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from core.assignees import (
    COMMITTEE,
    EVERYONE,
    KIND_PREFIX,
    MAX_CANDIDATES,
    MAX_JOIN,
    PARENT,
    WITH_CODE,
    Matched,
    Resolution,
    Unmatched,
    is_keyword,
    kind_spelled_out,
    split_spec,
)
from core.textnorm import FoldedText, fold, fold_text, vi_sort_key
from db.models import Unit, UnitGroup, UnitGroupMember, UnitKind
from db.queries.units import find_group, find_kind, find_units, unit_by_code

Outcome = tuple[Matched, list[int]] | Unmatched


class Items:
    """How each item of a file's cells resolved ("X01", "các phường", a join of pieces), and
    the names an item could match, read once: the units must not change meanwhile.

    A cell of three codes is also tried joined back ("X01, X02, X03", "X01, X02", ...) as
    one unit's or group's exact name: each such join cost a group and a unit query, two
    round trips a join on PostgreSQL, for names nobody has.
    """

    def __init__(self) -> None:
        self.resolved: dict[tuple[str, str, bool], Outcome] = {}
        self._units: frozenset[str] | None = None
        self._groups: frozenset[str] | None = None

    def may_be_group(self, session: Session, folded: str) -> bool:
        """Tell whether a folded text is a group's name (else `find_group` finds none)."""
        if self._groups is None:
            self._groups = frozenset(session.exec(select(UnitGroup.name_folded)))
        return fold(folded) in self._groups

    def may_be_unit(self, session: Session, text: str) -> bool:
        """Tell whether a text is an active unit's code or name as `find_units` folds it
        (else it finds none but by a part of a name)."""
        if self._units is None:
            query = select(Unit.code_folded, Unit.name_folded).where(col(Unit.active).is_(True))
            self._units = frozenset(n for row in session.exec(query) for n in row)
        return fold(text) in self._units


def resolve_assignees(
    session: Session, spec: str, *, lang: str = "vi", items: Items | None = None
) -> Resolution:
    """Return the active units named by the spec, and what did not match.

    `items`, when given, keeps how each item resolved, for the next specs (a file's cells
    name the same units again and again); the units must not change meanwhile.
    """
    result = Resolution()
    seen: set[int] = set()
    for outcome in _walk(session, spec, lang, items):
        if isinstance(outcome, Unmatched):
            result.unmatched.append(outcome)
            continue
        matched, ids = outcome
        result.matched.append(matched)
        for unit_id in ids:
            if unit_id not in seen:
                seen.add(unit_id)
                result.unit_ids.append(unit_id)
    return result


def lasting_spec(session: Session, spec: str, *, lang: str = "vi") -> str:
    """Return the spec as a rule keeps it for later: each unit it names by its name, a part
    of it or as an appendix cites it ("UBND xã An Hòa") written as the unit's code, and a
    parent's ("thuộc Điện Bàn") too; kinds, groups and everyone as typed.

    A name is read anew each time the rule makes a task: a unit renamed (the 2025 mergers
    renamed communes) or a new one of a like name ("Xã An Phú Tây" beside "An Phú") would
    then name nothing, or two, and the unit be left out with nobody told. A code stays.
    """
    kept: list[str] = []
    for outcome in _walk(session, spec, lang, None):
        if isinstance(outcome, Unmatched):
            kept.append(outcome.text)
            continue
        matched, ids = outcome
        if matched.source == "unit":
            unit = session.get(Unit, ids[0])
            kept.append(unit.code if unit is not None else matched.text)
        elif matched.source == "parent":
            kept.append(_parent_by_code(session, matched.text))
        else:
            kept.append(matched.text)
    separator = "; " if any("," in item for item in kept) else ", "
    return separator.join(kept)


def spec_shown(session: Session, spec: str) -> str:
    """Return a kept spec as a person reads it: each unit's code with its name before it
    ("Phường An Hòa (X01)"); everything else as it is kept."""
    shown = []
    for item in split_spec(spec):
        unit = None if names_no_unit(session, item) else unit_by_code(session, code=item)
        shown.append(f"{unit.name} ({unit.code})" if unit is not None else item)
    return ("; " if ";" in spec else ", ").join(shown)


def _parent_by_code(session: Session, text: str) -> str:
    """Return "thuộc <unit>" with the unit named by its code ("thuộc H01")."""
    typed = fold_text(text)
    parent = PARENT.match(typed.folded)
    assert parent is not None  # the item was read as a parent
    named = typed.original_span(*parent.span(1))
    units = find_units(session, text=named)
    head = typed.original_span(0, parent.start(1))
    return f"{head}{units[0].code}" if len(units) == 1 else text


def _walk(
    session: Session, spec: str, lang: str, items: Items | None
) -> Iterator[tuple[Matched, list[int]] | Unmatched]:
    """Yield how each item of the spec resolves, in order (joined items as one)."""
    pieces = split_spec(spec)
    i = 0
    while i < len(pieces):
        joined = _longest_join(session, pieces, i, lang, items)
        if joined is not None:
            width, matched, ids = joined
            yield matched, ids
            i += width
            continue
        yield _item(session, pieces[i], lang, items)
        i += 1


def _longest_join(
    session: Session, pieces: list[str], start: int, lang: str, items: Items | None
) -> tuple[int, Matched, list[int]] | None:
    """Match pieces start.. joined back with commas to an exact unit, kind or group name."""
    for width in range(min(MAX_JOIN, len(pieces) - start), 1, -1):
        text = ", ".join(pieces[start : start + width])
        outcome = _item(session, text, lang, items, exact=True)
        if not isinstance(outcome, Unmatched):
            return width, outcome[0], outcome[1]
    return None


def _item(
    session: Session, text: str, lang: str, items: Items | None, *, exact: bool = False
) -> tuple[Matched, list[int]] | Unmatched:
    """Resolve one item, or take how it resolved before from `items`."""
    if items is None:
        return _resolve_item(session, text, lang, exact=exact)
    key = (text, lang, exact)
    if key not in items.resolved:
        items.resolved[key] = _resolve_item(session, text, lang, exact=exact, known=items)
    return items.resolved[key]


def _resolve_item(
    session: Session, text: str, lang: str, *, exact: bool = False, known: Items | None = None
) -> tuple[Matched, list[int]] | Unmatched:
    """Resolve one item (see the module doc for the order); `known`, the names read once,
    spares the queries that would find nothing."""
    typed = fold_text(text)
    folded = typed.folded
    if folded in EVERYONE:
        ids = _active_ids(session, select(Unit.id))
        return _matched(text, "all", text, ids)
    parent = PARENT.match(folded)
    if parent is not None:
        return _under(session, text, typed.original_span(*parent.span(1)))
    kind = _kind(session, folded)
    if kind is not None:
        label = kind.plural_en or kind.name_en if lang == "en" else kind.plural_vi or kind.name_vi
        ids = _active_ids(session, select(Unit.id).where(Unit.kind_key == kind.key))
        return _matched(text, "kind", label, ids)
    group = None
    if known is None or known.may_be_group(session, folded):
        group = find_group(session, text=folded)
    if group is not None:
        query = (
            select(Unit.id)
            .join(UnitGroupMember, col(UnitGroupMember.unit_id) == col(Unit.id))
            .where(UnitGroupMember.group_id == group.id)
        )
        return _matched(text, "group", group.name, _active_ids(session, query))
    # As typed: its diacritics tell "Ái" from "Aí". An exact item needs no name part (a
    # scan of every unit's name for each way of joining a file's cell).
    if exact and known is not None and not known.may_be_unit(session, text):
        units = []
    else:
        units = find_units(session, text=text, by_part=not exact)
    if exact:
        units = [u for u in units if folded in (u.name_folded, u.code_folded)]
    if not units and not exact:
        return _as_cited(session, text, typed, lang) or _inactive(session, text, folded)
    return _one_unit(text, units)


def _as_cited(
    session: Session, text: str, typed: FoldedText, lang: str
) -> tuple[Matched, list[int]] | None:
    """Read an item that names nothing as an appendix writes it (see core.assignees):
    "UBND các xã" as "các xã", "huyện Điện Bàn" as the district named "Điện Bàn"."""
    committee = COMMITTEE.match(typed.folded)
    if committee is not None:  # "UBND các xã, phường": what follows may be a list itself
        inner = resolve_assignees(session, typed.original_span(*committee.span(1)), lang=lang)
        if not inner.ok:
            return None
        first = inner.matched[0]
        label = ", ".join(m.label for m in inner.matched)
        return Matched(text, first.source, label, len(inner.unit_ids)), inner.unit_ids
    coded = WITH_CODE.match(text)  # "Phường An Hòa (X01)", as the bot shows a unit
    if coded is not None:
        unit = unit_by_code(session, code=coded[2])
        if unit is not None and unit.active and unit.id is not None:
            named = fold(coded[1])
            if named in unit.name_folded or named == unit.code_folded:
                return Matched(text, "unit", unit.name, 1), [unit.id]
    spelled_out = kind_spelled_out(text)  # "P. Điện Bàn" is "phường Điện Bàn"
    if spelled_out is not None:
        outcome = _resolve_item(session, spelled_out, lang)
        if isinstance(outcome, Unmatched):
            return None
        matched, ids = outcome
        return Matched(text, matched.source, matched.label, matched.count), ids
    words = typed.folded.split(" ")
    for width in (1, 2):  # "huyện", "thị xã", "đặc khu"
        kind = find_kind(session, text=" ".join(words[:width]))
        if kind is None or len(words) <= width:
            continue
        start = len(" ".join(words[:width])) + 1
        name = typed.original_span(start, len(typed.folded))
        units = [u for u in find_units(session, text=name) if u.kind_key == kind.key]
        if len(units) == 1 and units[0].id is not None:
            return Matched(text, "unit", units[0].name, 1), [units[0].id]
    return None


def _kind(session: Session, folded: str) -> UnitKind | None:
    """Return the kind an item names ("xã", "các sở", "all communes"), or None."""
    return find_kind(session, text=folded) or find_kind(session, text=KIND_PREFIX.sub("", folded))


def names_no_unit(session: Session, text: str) -> bool:
    """Tell whether an item is read as a keyword (everyone, a parent, a kind) before it could
    be read as a unit's code: a unit with such a code could never be named by it."""
    folded = fold(text)
    return is_keyword(folded) or _kind(session, folded) is not None


def _inactive(session: Session, text: str, folded: str) -> Unmatched:
    """Say whether a text naming no active unit names a deactivated one exactly, by code or
    name: "unknown" would send the admin looking for a unit that is there, switched off."""
    exact = [
        u
        for u in find_units(session, text=folded, include_inactive=True)
        if not u.active and folded in (u.name_folded, u.code_folded)
    ]
    if not exact:
        return Unmatched(text, "unknown")
    return Unmatched(
        text, "inactive", tuple(f"{u.name} ({u.code})" for u in exact[:MAX_CANDIDATES])
    )


def _under(session: Session, text: str, parent_text: str) -> tuple[Matched, list[int]] | Unmatched:
    """Return every active unit below the named unit, at any depth."""
    parents = find_units(session, text=parent_text)
    if len(parents) != 1:
        return _one_unit(text, parents)
    parent = parents[0]
    assert parent.id is not None
    ids: list[int] = []
    level = [parent.id]
    while level:
        query = select(Unit.id).where(col(Unit.parent_id).in_(level))
        level = [i for i in _active_ids(session, query) if i not in ids]
        ids.extend(level)
    return _matched(text, "parent", parent.name, ids)


def _one_unit(text: str, units: list[Unit]) -> tuple[Matched, list[int]] | Unmatched:
    """Accept exactly one unit; otherwise say nothing or too much matched."""
    if not units:
        return Unmatched(text, "unknown")
    if len(units) > 1:
        # Named with their codes: the answer asks for a code, so it shows them.
        names = tuple(f"{u.name} ({u.code})" for u in units[:MAX_CANDIDATES])
        return Unmatched(text, "ambiguous", names)
    unit = units[0]
    assert unit.id is not None
    return Matched(text, "unit", unit.name, 1), [unit.id]


def _matched(
    text: str, source: str, label: str, ids: list[int]
) -> tuple[Matched, list[int]] | Unmatched:
    """Return a match, or 'empty' when it names no active unit."""
    if not ids:
        return Unmatched(text, "empty")
    return Matched(text, source, label, len(ids)), ids


def _active_ids(session: Session, query: object) -> list[int]:
    """Run a `select(Unit.id)` query restricted to active units, ordered by name."""
    assert isinstance(query, SelectOfScalar)
    ids = [i for i in session.exec(query.where(col(Unit.active).is_(True))) if i is not None]
    if not ids:
        return []
    names = select(Unit.id, Unit.name, Unit.code).where(col(Unit.id).in_(ids))
    rows = sorted(session.exec(names), key=lambda r: vi_sort_key(r[1], r[2]))
    return [i for i, _, _ in rows if i is not None]
