"""Import units from a table `code,name,kind,parent_code,groups` (groups separated by `;`).

Idempotent: a unit is keyed by its code (case ignored), so the same file twice changes
nothing. Whether a unit is followed is /deactivate's and /activate's alone: a unit
deactivated since the file was last sent stays so. Good rows are applied, bad ones
rejected with their row number and a reason code (see `db.imports.unit_rows`, which reads
the rows; here their parents are checked and they are written). A missing optional column
leaves that property alone; an empty cell or `-` in a present column clears it (no parent,
no groups), as `-` does in /editunit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.spreadsheet.report import ImportReport, Rejection
from core.spreadsheet.table import Table
from core.textnorm import fold, vi_sort_key
from db.imports import ignored_columns, refuse_unsaved_formulas, require_columns, require_rows
from db.imports.unit_rows import HEADER, REQUIRED, UnitRow, params, parse_rows
from db.imports.unit_twins import drop_twins
from db.models import Unit, UnitGroup, UnitGroupMember
from db.queries.audit import record
from db.queries.units import find_group

AUDIT_LIST_LIMIT = 200


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
    require_rows(table)
    refuse_unsaved_formulas(table, HEADER)
    report.ignored = ignored_columns(table, HEADER)
    report.hidden = list(table.hidden)
    report.hidden_columns = list(table.hidden_columns)
    existing = {u.code_folded: u for u in session.exec(select(Unit))}
    rows = drop_twins(parse_rows(session, table, report, existing), existing, report)
    return existing, _check_parents(rows, existing, report)


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
            report.rejected.append(
                Rejection(row.number, reason, params(row.code, row.parent_text))
            )
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


def groups_of(session: Session, *, unit_id: int) -> list[str]:
    """Return the names of the unit's groups, in Vietnamese order."""
    query = (
        select(UnitGroup.name)
        .join(UnitGroupMember, col(UnitGroupMember.group_id) == col(UnitGroup.id))
        .where(UnitGroupMember.unit_id == unit_id)
    )
    return sorted(session.exec(query), key=vi_sort_key)
