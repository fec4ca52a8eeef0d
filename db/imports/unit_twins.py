"""A units file's rows that would give a unit another's name under the same parent.

Split from `db.imports.units`, which calls it between reading the rows (`unit_rows`) and
checking their parents (in the preview and the apply alike).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.spreadsheet.report import ImportReport, Rejection
from core.textnorm import fold, name_key, unmarked, without_committee
from db.models import Unit

if TYPE_CHECKING:
    from db.imports.unit_rows import UnitRow


def drop_twins(
    rows: list[UnitRow], existing: dict[str, Unit], report: ImportReport
) -> list[UnitRow]:
    """Reject a row that would give a unit the name of another under the same parent.

    Names that differ only by case, spacing, NFC or NFD or where a tone mark sits, or by
    "UBND" before it (`core.textnorm.name_key`), look alike in every list: a second such
    unit splits a commune's tasks and reports in two, as /addunit and /editunit refuse
    (`app.unit_form.same_name`). Only a row that adds a unit or changes its name or parent
    is judged, so twins made before stay editable; a deactivated unit's name may be used
    again. The other unit is an active one the file leaves alone, or another row. A name
    with no mark at all ("xa an hoa") is the twin of any such unit it folds as (/addunit's
    rule too), where one with marks ("Xã Ân Hòa") is another name.
    """
    by_id = {u.id: u for u in existing.values()}

    def parent_key(unit: Unit | None) -> str:
        parent = by_id.get(unit.parent_id) if unit is not None else None
        return parent.code_folded if parent is not None else ""

    final: dict[tuple[str, str], list[tuple[str, str, int | None]]] = {}
    folded: dict[tuple[str, str], list[tuple[str, str, int | None]]] = {}
    in_file = {row.key for row in rows}
    for there in existing.values():
        if there.active and there.code_folded not in in_file:
            named = (there.code_folded, f"{there.name} ({there.code})", None)
            final.setdefault((name_key(there.name), parent_key(there)), []).append(named)
            folded.setdefault((fold(without_committee(there.name)), parent_key(there)), []).append(
                named
            )
    moved: dict[str, tuple[str, str]] = {}
    for row in rows:
        unit = existing.get(row.key)
        if unit is not None and not unit.active:
            continue
        where = (name_key(row.name), parent_key(unit) if row.parent is None else row.parent)
        final.setdefault(where, []).append((row.key, f"{row.name} ({row.code})", row.number))
        if unit is None or where != (name_key(unit.name), parent_key(unit)):
            moved[row.key] = where
    kept = []
    for row in rows:
        moving = moved.get(row.key)
        twins = [t for t in final.get(moving, []) if t[0] != row.key] if moving else []
        if moving and not twins and unmarked(without_committee(row.name)):
            key = (fold(without_committee(row.name)), moving[1])
            twins = [t for t in folded.get(key, []) if t[0] != row.key]
        if twins:  # a unit there is, named "name (code)"; else the file's other rows
            _, other, number = twins[0]
            if number is None:
                reason, value = "same_name", other
            else:
                rows_text = ", ".join(str(t[2]) for t in twins if t[2] is not None)
                reason, value = "same_name_in_file", rows_text
            report.rejected.append(
                Rejection(row.number, reason, {"code": row.code, "value": value})
            )
        else:
            kept.append(row)
    return kept
