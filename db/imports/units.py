"""Import units from a table `code,name,kind,parent_code,groups` (groups separated by `;`).

Idempotent: a unit is keyed by its code (case ignored), so the same file twice changes
nothing. Whether a unit is followed is /deactivate's and /activate's alone: a unit
deactivated since the file was last sent stays so. Good rows are applied, bad ones
rejected with their row number and a reason code (see REASONS). A missing optional column
leaves that property alone; an empty cell in a present column clears it (no parent, no
groups).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.spreadsheet.report import ImportReport, Rejection
from core.spreadsheet.table import Table
from core.textnorm import fold, vi_sort_key
from core.units import code_problem
from db.imports import refuse_unsaved_formulas, require_columns
from db.imports.unit_twins import drop_twins
from db.models import Unit, UnitGroup, UnitGroupMember
from db.queries.assignees import names_no_unit
from db.queries.audit import record
from db.queries.units import find_group, find_kind

HEADER = ("code", "name", "kind", "parent_code", "groups")
REQUIRED = frozenset({"code", "name", "kind"})
REASONS = (
    "empty_code",
    "empty_name",
    "name_no_words",
    "too_long",
    "unknown_kind",
    "duplicate_code",
    "unknown_parent",
    "parent_rejected",
    "parent_cycle",
    "code_separator",
    "code_keyword",
    "same_name",
    "same_name_in_file",
)
MAX_CODE, MAX_NAME, MAX_GROUP = 40, 200, 120
AUDIT_LIST_LIMIT = 200


@dataclass
class UnitRow:
    """One good-looking row, before its parent is checked."""

    number: int
    code: str
    name: str
    kind_key: str
    parent: str | None  # folded parent code; "" = no parent; None = column absent
    groups: list[str] | None  # None = column absent
    parent_text: str = ""  # the parent code as written, for the report

    @property
    def key(self) -> str:
        """Return the folded code that identifies the unit."""
        return fold(self.code)


def import_units(
    session: Session,
    table: Table,
    *,
    actor_id: int | None,
    now: datetime,
    tz: ZoneInfo | None = None,  # part of the importer contract; units need no dates
    actor_label: str = "",
    audit_action: str = "units.imported",
    checkpoint: Callable[[int, int], bool | None]
    | None = None,  # the contract's; units go in one batch
) -> ImportReport:
    """Apply the good rows of a units table and report every row."""
    report = ImportReport()
    existing, good = check_units(session, table, report)
    _apply(session, good, existing, report, now)
    report.rejected.sort(key=lambda r: r.row)
    if report.added or report.updated:
        record(
            session,
            actor_id=actor_id,
            actor_label=actor_label,
            action=audit_action,
            object_type="unit",
            details={
                "added": report.added[:AUDIT_LIST_LIMIT],
                "updated": report.updated[:AUDIT_LIST_LIMIT],
                "rejected": len(report.rejected),
            },
        )
    return report


def check_units(
    session: Session, table: Table, report: ImportReport
) -> tuple[dict[str, Unit], list[UnitRow]]:
    """Refuse a table that cannot be imported; reject its bad rows into `report`; return the
    units there are (by folded code) and the good rows (the import's and its preview's)."""
    require_columns(table, REQUIRED)
    refuse_unsaved_formulas(table, HEADER)
    existing = {u.code_folded: u for u in session.exec(select(Unit))}
    rows = drop_twins(_parse_rows(session, table, report, existing), existing, report)
    return existing, _check_parents(rows, existing, report)


def _parse_rows(
    session: Session, table: Table, report: ImportReport, existing: dict[str, Unit]
) -> list[UnitRow]:
    """Check each row on its own and against the others; return the ones that pass."""
    has_parent, has_groups = "parent_code" in table.header, "groups" in table.header
    kinds: dict[str, str | None] = {}
    parsed: list[UnitRow] = []
    for number, cells in table.rows:
        code, name, kind_text = cells.get("code", ""), cells.get("name", ""), cells.get("kind", "")
        groups = [g.strip() for g in cells.get("groups", "").split(";") if g.strip()]
        groups = [unicodedata.normalize("NFC", g) for g in groups]
        reason = _row_problem(code, name, groups) or (
            "" if fold(code) in existing else new_code_problem(session, code)
        )
        if reason:
            report.rejected.append(Rejection(number, reason, {"code": code, "value": name}))
            continue
        if kind_text not in kinds:
            kind = find_kind(session, text=kind_text) if kind_text.strip() else None
            kinds[kind_text] = kind.key if kind is not None else None
        kind_key = kinds[kind_text]
        if kind_key is None:
            report.rejected.append(Rejection(number, "unknown_kind", _p(code, kind_text)))
            continue
        parent_text = cells.get("parent_code", "")
        parent = fold(parent_text) if has_parent else None
        # NFC: a form's name typed with a "Unicode tổ hợp" keyboard (Unikey) comes decomposed
        name = unicodedata.normalize("NFC", " ".join(name.split()))
        kept_groups = groups if has_groups else None
        parsed.append(UnitRow(number, code, name, kind_key, parent, kept_groups, parent_text))
    return _drop_duplicates(parsed, report)


def _row_problem(code: str, name: str, groups: list[str]) -> str:
    """Return the reason a row is unusable on its own, or an empty string."""
    if not code.strip():
        return "empty_code"
    if not name.strip():
        return "empty_name"
    if not any(c.isalnum() for c in name):  # "🔥", "...": names nothing in any list
        return "name_no_words"
    if len(code) > MAX_CODE or len(name) > MAX_NAME or any(len(g) > MAX_GROUP for g in groups):
        return "too_long"
    return ""


def new_code_problem(session: Session, code: str) -> str:
    """Return why a new unit cannot have this code (a reason code), or an empty string.

    The one rule of /addunit and of imports: a unit is named in a list of units by its code,
    so the code may hold no separator of the list ("code_separator") and may not read as a
    keyword of it, everyone, a parent or a kind ("code_keyword"). Only new codes are
    checked: no command renames a unit, so one made before a rule stays editable.
    """
    problem = code_problem(code)
    if problem:
        return problem
    return "code_keyword" if names_no_unit(session, code) else ""


def _drop_duplicates(rows: list[UnitRow], report: ImportReport) -> list[UnitRow]:
    """Reject every row whose code appears more than once: which one is right is unknown."""
    numbers: dict[str, list[int]] = {}
    for row in rows:
        numbers.setdefault(row.key, []).append(row.number)
    kept = []
    for row in rows:
        if len(numbers[row.key]) > 1:
            rows_text = ", ".join(str(n) for n in numbers[row.key])
            report.rejected.append(
                Rejection(row.number, "duplicate_code", _p(row.code, rows_text))
            )
        else:
            kept.append(row)
    return kept


def _check_parents(
    rows: list[UnitRow], existing: dict[str, Unit], report: ImportReport
) -> list[UnitRow]:
    """Reject rows whose parent is unknown, rejected, or would make a cycle; repeat to a fix."""
    pending = {row.key: row for row in rows}
    rejected = {fold(r.params.get("code", "")) for r in report.rejected}
    while True:
        dropped: list[tuple[UnitRow, str]] = []
        for row in pending.values():
            if row.parent and row.parent not in pending and row.parent not in existing:
                reason = "parent_rejected" if row.parent in rejected else "unknown_parent"
                dropped.append((row, reason))
        if not dropped:
            dropped = [(row, "parent_cycle") for row in _rows_in_cycles(pending, existing)]
        if not dropped:
            return [row for row in rows if row.key in pending]
        for row, reason in dropped:
            report.rejected.append(Rejection(row.number, reason, _p(row.code, row.parent_text)))
            rejected.add(row.key)
            del pending[row.key]


def _rows_in_cycles(pending: dict[str, UnitRow], existing: dict[str, Unit]) -> list[UnitRow]:
    """Return the rows that would be their own ancestor once the file is applied."""
    code_of = {u.id: u.code_folded for u in existing.values()}

    def parent_of(key: str) -> str:
        row = pending.get(key)
        if row is not None and row.parent is not None:
            return row.parent
        unit = existing.get(key)
        return code_of.get(unit.parent_id, "") if unit is not None else ""

    looped = []
    for start, row in pending.items():
        seen, key = {start}, parent_of(start)
        while key and key not in seen:
            seen.add(key)
            key = parent_of(key)
        if key == start:
            looped.append(row)
    return looped


def _apply(
    session: Session,
    rows: list[UnitRow],
    existing: dict[str, Unit],
    report: ImportReport,
    now: datetime,
) -> None:
    """Create the new units, then set every row's fields, parent and groups."""
    new_keys = set()
    for row in rows:
        if row.key not in existing:
            unit = Unit(
                code=row.code,
                code_folded=row.key,
                name=row.name,
                name_folded=fold(row.name),
                kind_key=row.kind_key,
                created_at=now,
                updated_at=now,
            )
            session.add(unit)
            existing[row.key] = unit
            new_keys.add(row.key)
    session.flush()
    for row in rows:
        unit = existing[row.key]
        changed = _set_fields(unit, row, existing)
        changed = _set_groups(session, unit, row.groups) or changed
        if row.key in new_keys:
            report.added.append(row.code)
        elif changed:
            unit.updated_at = now
            report.updated.append(row.code)
        else:
            report.unchanged.append(row.code)
    session.flush()


def wanted_fields(row: UnitRow, existing: dict[str, Unit]) -> dict[str, object]:
    """Return the unit's own fields as the row sets them (its parent's id: None for a unit
    the file adds and has not been written yet)."""
    wanted: dict[str, object] = {
        "code": row.code,
        "name": row.name,
        "name_folded": fold(row.name),
        "kind_key": row.kind_key,
    }  # not `active`: a file or /editunit naming a deactivated unit does not follow it again
    if row.parent is not None:
        parent = existing.get(row.parent) if row.parent else None
        wanted["parent_id"] = parent.id if parent is not None else None
    return wanted


def _set_fields(unit: Unit, row: UnitRow, existing: dict[str, Unit]) -> bool:
    """Bring the unit's own fields to the row's values; tell whether anything changed."""
    wanted = wanted_fields(row, existing)
    changed = False
    for name, value in wanted.items():
        if getattr(unit, name) != value:
            setattr(unit, name, value)
            changed = True
    return changed


def _set_groups(session: Session, unit: Unit, names: list[str] | None) -> bool:
    """Make the unit a member of exactly these groups (creating new ones); tell if changed."""
    if names is None:
        return False
    assert unit.id is not None
    wanted: set[int] = set()
    for name in names:
        group = find_group(session, text=name)
        if group is None:
            group = UnitGroup(name=" ".join(name.split()), name_folded=fold(name))
            session.add(group)
            session.flush()
        assert group.id is not None
        wanted.add(group.id)
    query = select(UnitGroupMember).where(UnitGroupMember.unit_id == unit.id)
    current = {m.group_id: m for m in session.exec(query)}
    for group_id in wanted - current.keys():
        session.add(UnitGroupMember(group_id=group_id, unit_id=unit.id))
    for group_id in current.keys() - wanted:
        session.delete(current[group_id])
    return wanted != set(current)


def save_unit(
    session: Session, cells: dict[str, str], *, actor_id: int | None, now: datetime, action: str
) -> ImportReport:
    """Add or change one unit from form cells, with exactly the checks of an import."""
    header = tuple(name for name in HEADER if name in cells)
    table = Table(header, ((1, {name: cells[name] for name in header}),))
    return import_units(session, table, actor_id=actor_id, now=now, audit_action=action)


def _p(code: str, value: str) -> dict[str, str]:
    """Return the parameters of a rejection."""
    return {"code": code, "value": value}


def groups_of(session: Session, *, unit_id: int) -> list[str]:
    """Return the names of the unit's groups, in Vietnamese order."""
    query = (
        select(UnitGroup.name)
        .join(UnitGroupMember, col(UnitGroupMember.group_id) == col(UnitGroup.id))
        .where(UnitGroupMember.unit_id == unit_id)
    )
    return sorted(session.exec(query), key=vi_sort_key)
