"""What a units file would do, judged by reading alone (`import_units`'s preview).

The preview used to run the import and roll it back (`dry_run`, in 5 ms slices, since
removed): every new unit was inserted, flushed and given its groups, then undone, holding
SQLite's write lock half the time while everyone's writes waited. Here the rows are checked
as the import checks them (`check_units`, the same reads) and each good one is compared with
the unit it names: its fields as `_set_fields` would set them, its groups as `_set_groups`
would, from the groups and memberships read once. No statement but reads, and as many for
40 rows as for 10.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.spreadsheet.report import ImportReport
from core.spreadsheet.table import Table
from core.textnorm import fold
from db.imports.unit_rows import UnitRow
from db.imports.units import check_units, wanted_fields
from db.models import Unit, UnitGroup, UnitGroupMember


def preview_units(
    session: Session,
    table: Table,
    *,
    now: datetime,
    tz: ZoneInfo | None = None,  # the tasks preview's contract; units need no dates
    checkpoint: Callable[[], bool | None] | None = None,  # likewise; nothing is held between rows
) -> ImportReport:
    """Report what `import_units` would do with the table now, writing nothing."""
    del now, tz, checkpoint
    report = ImportReport()
    existing, rows = check_units(session, table, report)
    groups: dict[str, int] = {}
    for group in session.exec(select(UnitGroup).order_by(col(UnitGroup.id))):
        groups.setdefault(group.name_folded, group.id or 0)
    members: dict[int, set[int]] = {}
    for unit_id, group_id in session.exec(
        select(UnitGroupMember.unit_id, UnitGroupMember.group_id)
    ):
        members.setdefault(unit_id, set()).add(group_id)
    for row in rows:
        unit = existing.get(row.key)
        if unit is None:
            report.added.append(row.code)
        elif _changes(unit, row, existing, groups, members):
            report.updated.append(row.code)
        else:
            report.unchanged.append(row.code)
    report.rejected.sort(key=lambda r: r.row)
    return report


def _changes(
    unit: Unit,
    row: UnitRow,
    existing: dict[str, Unit],
    groups: dict[str, int],
    members: dict[int, set[int]],
) -> bool:
    """Tell whether applying the row would change the unit (its fields, parent or groups)."""
    if row.parent and row.parent not in existing:  # its parent is a unit the file adds
        return True
    wanted = wanted_fields(row, existing)
    if any(getattr(unit, name) != value for name, value in wanted.items()):
        return True
    if row.groups is None:
        return False
    # A group the file names that does not exist yet is new: no unit is in it.
    named = {groups.get(fold(name), -1 - n) for n, name in enumerate(row.groups)}
    return named != members.get(unit.id or 0, set())
