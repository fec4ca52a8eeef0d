"""The one-line unit form `code | name | kind [| parent code] [| groups]`, channel-free."""

from __future__ import annotations

import re

FIELDS = ("code", "name", "kind", "parent_code", "groups")
MIN_FIELDS = 3
GROUP_SEPARATORS = re.compile(r"[;,]")
LIST_SEPARATORS = (",", ";")  # what splits a list of units ("X01, X02")
# A code is a short tag typed to name a unit, not its name: Latin letters without marks,
# digits, and - _ . between them (X-TAMXUAN, SYT, 000.00.31.H45, as the state's codes of
# units are written). "Xã Tân Lập" is a name: as a code it listed the unit as two.
CODE = re.compile(r"[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*")
NONE_MARK = "-"  # a parent or groups cell that says "none", in /editunit and in a file


def says_none(value: str) -> bool:
    """Return whether a parent or groups value is the mark for "none" (`-`)."""
    return value.strip() == NONE_MARK


def code_problem(code: str) -> str:
    """Return why a new unit cannot have this code (a reason code), or an empty string.

    Units are named in lists split at commas and semicolons: a unit whose code holds one
    could never be named by it ("code_separator"). Any other sign, a space or a mark says
    the code is no code (a name, typed where the code goes: "code_form").
    """
    if any(sign in code for sign in LIST_SEPARATORS):
        return "code_separator"
    if code and not CODE.fullmatch(code):  # an empty one is asked for again, not refused
        return "code_form"
    return ""


def parse_unit_line(text: str) -> dict[str, str] | None:
    """Return the cells of a one-line unit (as an import row), or None when malformed.

    Groups may be separated by `;` or `,` here (a unit's name may hold commas, a group's
    name rarely does); they come back `;`-separated as in import files.
    """
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < MIN_FIELDS or len(parts) > len(FIELDS):
        return None
    cells = dict(zip(FIELDS, parts, strict=False))
    if "groups" in cells:
        names = [g.strip() for g in GROUP_SEPARATORS.split(cells["groups"]) if g.strip()]
        cells["groups"] = ";".join(names)
    return cells


def split_edit_line(text: str) -> tuple[str, list[str]]:
    """Split `/editunit` arguments into the unit reference and the new field values."""
    unit, _, rest = text.partition("|")
    return unit.strip(), [p.strip() for p in rest.split("|")] if rest else []
