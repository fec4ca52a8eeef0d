"""Text-only channels: plain text, and choices as numbered lines answered by typing a number.

A message longer than the channel allows is split between lines, never inside one (a single
line longer than the limit is cut between words, or, with no space in its second half, never
between a letter and its marks); the numbered choices come last, in the last part.

Lengths are UTF-16 code units, as JavaScript's `length` and Java's `String.length()` count:
Zalo documents "2000 ký tự" without saying what a character is, and its clients count so.
An emoji outside the Basic Multilingual Plane is two; a Vietnamese letter in NFC one. Counted
so, a message is within the limit whether Zalo counts code points or UTF-16 units.
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


def units(text: str) -> int:
    """Return the length of text in UTF-16 code units (what the limit counts)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def split_lines(lines: Sequence[str], limit: int) -> list[str]:
    """Pack lines into messages of at most `limit` UTF-16 units, splitting only between lines."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in _cut(lines, limit):
        added = units(line) + (1 if current else 0)
        if current and size + added > limit:
            parts.append("\n".join(current))
            current, size = [], 0
            added = units(line)
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
        while units(line) > limit:
            at = _cut_at(line, _fitting(line, limit))
            pieces.append(line[:at].rstrip())
            line = line[at:].lstrip()
        pieces.append(line)
    return pieces


def _fitting(line: str, limit: int) -> int:
    """Return how many characters of the line's start fit in `limit` UTF-16 units."""
    size = 0
    for at, char in enumerate(line):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return at
    return len(line)


def _cut_at(line: str, limit: int) -> int:
    """Return where to cut a line whose first `limit` characters fit: at its last space that
    leaves the first piece at least half full ("phường" was cut "phư" | "ờng"), else at the
    limit moved back off any combining mark (a letter typed in NFD keeps its marks)."""
    spaces = [found.start() for found in _SPACE_RE.finditer(line, limit // 2, limit + 1)]
    if spaces:
        return spaces[-1]
    at = limit
    while at > 1 and unicodedata.combining(line[at]):
        at -= 1
    return at
