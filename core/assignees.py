"""Read who a task is for: 'communes, Sở Y tế, pilot communes, under Điện Bàn'.

A spec is a list of items separated by commas (or semicolons, when a unit's name has a
comma). Each item is, tried in this order:

- everyone: ``all``, ``tất cả``;
- a parent: ``under <unit>``, ``thuộc <unit>`` (every unit below it, at any depth);
- a kind, singular or plural, Vietnamese or English, with or without 'all'/'các'
  (``communes``, ``xã``, ``các sở``, ``all departments``);
- a named group (``xã thí điểm``);
- a unit, by code or name (a name part is enough when it is unique);
- failing those, as a directive's appendix writes it: ``UBND <item>`` is the item, and a
  kind before a unit's name (``huyện Điện Bàn``) is the unit of that kind so named; a kind
  abbreviated as lists do (``P. Điện Bàn``, ``TX. Điện Bàn``) is read spelled out, and a
  unit named as the bot shows it, its code after its name (``Phường An Hòa (X01)``), is the
  unit of that code when the name is its own. A list's full stop ends no item.

This module holds the grammar and the values; resolving a spec against the units is a
query (`db/queries/assignees.py`): it returns the units and, for what did not match, a
reason code ('unknown', 'inactive', 'ambiguous', 'empty') and the candidates to choose from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Matched", "Resolution", "Unmatched", "is_keyword", "kind_spelled_out", "split_spec"]

EVERYONE = frozenset({"all", "tat ca", "tat ca don vi", "all units", "everyone", "toan bo"})
PARENT = re.compile(r"^(?:under|thuoc|truc thuoc|duoi)\s+(.+)$")
BULLET = re.compile(r"^\s*[-•+*]\s+")  # "- Sở Y tế", "• Xã A": a list's marks, not names
# A directive's appendix names a commune or district by its People's Committee: "UBND các
# xã", "UBND huyện Điện Bàn", "Ủy ban nhân dân tỉnh". Read as what follows when the whole
# item names nothing.
COMMITTEE = re.compile(r"^(?:ubnd|uy ban nhan dan)\s+(.+)$")
# Lists abbreviate a unit's kind before its name: "P. Điện Bàn", "TX. Điện Bàn", "TP.Tam Kỳ".
ABBREVIATED_KIND = re.compile(r"^(x|p|tt|tx|tp|q|h)\.\s*(?=\S)", re.IGNORECASE)
# A unit named as the bot shows it, its code after its name: "Phường An Hòa (X01)".
WITH_CODE = re.compile(r"^(.*\S)\s*\(([^()]+)\)$")
KIND_ABBREVIATIONS = {
    "x": "xã",
    "p": "phường",
    "tt": "thị trấn",
    "tx": "thị xã",
    "tp": "thành phố",
    "q": "quận",
    "h": "huyện",
}
KIND_PREFIX = re.compile(r"^(?:all|tat ca cac|tat ca|toan bo cac|toan bo|cac|moi)\s+")
MAX_JOIN = 4  # a unit name with up to 3 commas ("Sở Văn hóa, Thể thao và Du lịch")
MAX_CANDIDATES = 6


@dataclass(frozen=True)
class Matched:
    """An item that matched: what it was, how it was read, and how many units it gave."""

    text: str
    source: str  # all | parent | kind | group | unit
    label: str  # the kind, group or unit name
    count: int


@dataclass(frozen=True)
class Unmatched:
    """An item that matched no unit, or too many to guess."""

    text: str
    reason: str  # unknown | inactive | ambiguous | empty
    candidates: tuple[str, ...] = ()


@dataclass
class Resolution:
    """The units a spec names, in order, and what could not be read."""

    unit_ids: list[int] = field(default_factory=list)
    matched: list[Matched] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether every item matched and there is at least one unit."""
        return not self.unmatched and bool(self.unit_ids)


def is_keyword(folded: str) -> bool:
    """Tell whether a folded item reads as everyone or as a parent, before any unit's code."""
    return folded in EVERYONE or PARENT.match(folded) is not None


def kind_spelled_out(item: str) -> str | None:
    """Return an item whose kind is abbreviated ("P. Điện Bàn") with the kind spelled out
    ("phường Điện Bàn"), or None when it starts with no such abbreviation."""
    found = ABBREVIATED_KIND.match(item.strip())
    if found is None:
        return None
    return f"{KIND_ABBREVIATIONS[found[1].lower()]} {item.strip()[found.end() :]}"


def split_spec(spec: str) -> list[str]:
    """Split a spec into items; semicolons and lines win over commas when there are any.

    A spreadsheet cell often lists its units one a line (Alt+Enter), bulleted or not: each
    line is an item, and keeps its commas ("Sở Văn hóa, Thể thao và Du lịch").
    """
    lines = [BULLET.sub("", line) for line in spec.splitlines()]
    spec = ";".join(lines) if len([line for line in lines if line.strip()]) > 1 else spec
    separator = ";" if ";" in spec else ","
    items = (BULLET.sub("", p) for p in spec.split(separator))
    # A list in a document ends with a full stop ("Sở Y tế, UBND các xã."): not the name's.
    items = (" ".join(p.split()).rstrip(".:").rstrip() for p in items)
    return [p for p in items if p]
