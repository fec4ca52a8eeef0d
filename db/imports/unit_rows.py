"""A units file's rows read, each on its own and against the others (nothing written):
`parse_rows`, which `db.imports.units.check_units` calls for the import and its preview
before checking the rows' parents; and /addunit's rule for a new code (`new_code_problem`).

The columns are `code,name,kind,parent_code,groups` (the parent by its code or its name;
groups separated by `;` or `,`); a bad row
is rejected with its row number and a reason code (see REASONS), a good one is a `UnitRow`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlmodel import Session

from core.spreadsheet.report import ImportReport, Rejection
from core.spreadsheet.table import Table
from core.textnorm import fold
from core.units import GROUP_SEPARATORS, code_problem, says_none
from db.models import Unit
from db.queries.assignees import names_no_unit
from db.queries.units import find_kind

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
    "code_form",
    "code_keyword",
    "same_name",
    "same_name_in_file",
)
MAX_CODE, MAX_NAME, MAX_GROUP = 40, 200, 120


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


def _cell(cells: dict[str, str], column: str) -> str:
    """Return a parent or groups cell, `-` read as empty (none), as /editunit reads it."""
    value = cells.get(column, "")
    return "" if says_none(value) else value


def parse_rows(
    session: Session, table: Table, report: ImportReport, existing: dict[str, Unit]
) -> list[UnitRow]:
    """Check each row on its own and against the others; return the ones that pass."""
    has_parent, has_groups = "parent_code" in table.header, "groups" in table.header
    kinds: dict[str, str | None] = {}
    parent_of = _parents_by_name(table, existing) if has_parent else {}
    parsed: list[UnitRow] = []
    for number, cells in table.rows:
        code, name, kind_text = cells.get("code", ""), cells.get("name", ""), cells.get("kind", "")
        # ";" or ",", as /addunit reads them: a group named with a comma could never be
        # named in a list of units, which splits at commas.
        groups = [g.strip() for g in GROUP_SEPARATORS.split(_cell(cells, "groups")) if g.strip()]
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
            report.rejected.append(Rejection(number, "unknown_kind", params(code, kind_text)))
            continue
        parent_text = _cell(cells, "parent_code")
        parent = parent_of.get(fold(parent_text), fold(parent_text)) if has_parent else None
        # NFC: a form's name typed with a "Unicode tổ hợp" keyboard (Unikey) comes decomposed
        name = unicodedata.normalize("NFC", " ".join(name.split()))
        kept_groups = groups if has_groups else None
        parsed.append(UnitRow(number, code, name, kind_key, parent, kept_groups, parent_text))
    return _drop_duplicates(parsed, report)


def _parents_by_name(table: Table, existing: dict[str, Unit]) -> dict[str, str]:
    """Return the parents the file names by a unit's name rather than its code: the folded
    name -> the folded code of the one active unit of that name.

    The guided /addunit takes a parent's code or name; a file's column is often headed
    "Đơn vị cấp trên" and holds names. A code (a unit's or one the file adds) is read as a
    code first; a name of an active unit or of a row of the file is that unit; a name two
    units share names none, and the row is refused.
    """
    codes = set(existing) | {fold(cells.get("code", "")) for _, cells in table.rows}
    written = {fold(_cell(cells, "parent_code")) for _, cells in table.rows} - codes - {""}
    if not written:
        return {}
    found: dict[str, set[str]] = {}
    for unit in existing.values():
        if unit.active and unit.name_folded in written:
            found.setdefault(unit.name_folded, set()).add(unit.code_folded)
    for _, cells in table.rows:  # a district the same file adds, its communes below it
        name, code = fold(cells.get("name", "")), fold(cells.get("code", ""))
        if name in written and code:
            found.setdefault(name, set()).add(code)
    return {name: next(iter(keys)) for name, keys in found.items() if len(keys) == 1}


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
    keyword of it, everyone, a parent or a kind ("code_keyword"), and must be a code, not a
    name ("code_form": "tất cả" is told it is a keyword first, the nearer reason). Only new
    codes are checked: no command renames a unit, so one made before a rule stays editable.
    """
    problem = code_problem(code)
    if problem == "code_separator":
        return problem
    return "code_keyword" if names_no_unit(session, code) else problem


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
                Rejection(row.number, "duplicate_code", params(row.code, rows_text))
            )
        else:
            kept.append(row)
    return kept


def params(code: str, value: str) -> dict[str, str]:
    """Return the parameters of a rejection (the row's code, the value at fault)."""
    return {"code": code, "value": value}
