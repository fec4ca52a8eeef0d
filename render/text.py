"""Text-only channels: plain text, and choices as numbered lines answered by typing a number.

A message longer than the channel allows is split between lines, never inside one (a single
line longer than the limit is cut between words, or, with no space in its second half, never
between a letter and its marks); the numbered choices come last, in the last part.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from app.choices import Choice
from core.markup import to_plain


def numbered(rows: Sequence[Sequence[Choice]]) -> list[Choice]:
    """Return the choices in the order they are numbered (row by row), from 1."""
    return [choice for row in rows for choice in row]


def render(text: str, rows: Sequence[Sequence[Choice]], *, intro: str, limit: int) -> list[str]:
    """Return the messages that show the text and its numbered choices within the limit."""
    lines = to_plain(text).split("\n")
    choices = numbered(rows)
    if choices:
        lines.append(to_plain(intro))
        lines += [f"{n} = {choice.label}" for n, choice in enumerate(choices, 1)]
    return split_lines(lines, limit)


def split_lines(lines: Sequence[str], limit: int) -> list[str]:
    """Pack lines into messages of at most `limit` characters, splitting only between lines."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in _cut(lines, limit):
        added = len(line) + (1 if current else 0)
        if current and size + added > limit:
            parts.append("\n".join(current))
            current, size = [], 0
            added = len(line)
        current.append(line)
        size += added
    if current:
        parts.append("\n".join(current))
    return [part for part in parts if part.strip()] or [""]


_SPACE_RE = re.compile(r"\s")


def _cut(lines: Sequence[str], limit: int) -> list[str]:
    """Return the lines, each one longer than the limit cut into pieces that fit."""
    pieces: list[str] = []
    for line in lines:
        while len(line) > limit:
            at = _cut_at(line, limit)
            pieces.append(line[:at].rstrip())
            line = line[at:].lstrip()
        pieces.append(line)
    return pieces


def _cut_at(line: str, limit: int) -> int:
    """Return where to cut a line longer than the limit: at its last space that leaves the
    first piece at least half full ("phường" was cut "phư" | "ờng"), else at the limit moved
    back off any combining mark (a letter typed in NFD keeps its marks)."""
    spaces = [found.start() for found in _SPACE_RE.finditer(line, limit // 2, limit + 1)]
    if spaces:
        return spaces[-1]
    at = limit
    while at > 1 and unicodedata.combining(line[at]):
        at -= 1
    return at
