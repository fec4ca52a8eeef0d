"""Split a message too long for Telegram into several, at line boundaries.

Telegram refuses a text over 4,096 characters ("message is too long"). The sender splits
such an outbox message between lines (a single longer line is cut between words, never inside
an HTML tag or entity, nor between a letter and its marks) and closes the HTML tags open at
a cut, reopening them in the next part, so each part is valid on its own. Lengths are counted
in UTF-16 units, as Telegram counts, on the HTML source (never shorter than what Telegram
counts after parsing it).
"""

from __future__ import annotations

import re
import unicodedata

MESSAGE_LIMIT = 4096
TAG_ROOM = 200  # kept free in each part for the tags closed and reopened at a cut
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>")


def units(text: str) -> int:
    """Return the length of text in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Return the text as parts of at most `limit` units each (one part when it fits)."""
    if units(text) <= limit:
        return [text]
    budget = limit - TAG_ROOM
    parts: list[list[str]] = [[]]
    size = 0
    for line in text.split("\n"):
        for piece in _cut(line, budget):
            length = units(piece)
            if parts[-1] and size + 1 + length > budget:
                parts.append([])
                size = 0
            size += length + (1 if len(parts[-1]) else 0)
            parts[-1].append(piece)
    return _balanced([chunk for lines in parts if (chunk := "\n".join(lines).strip("\n"))])


def _cut(line: str, budget: int) -> list[str]:
    """Return the line, or pieces of it of at most `budget` units, cut between tokens: after a
    space when one leaves the piece at least half full, else never between a letter
    and its combining marks."""
    if units(line) <= budget:
        return [line]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for token in _TOKEN.findall(line):
        length = units(token)
        if current and size + length > budget:
            done, current = _ending(current, token, budget)
            pieces.append("".join(done))
            size = sum(units(kept) for kept in current)
        current.append(token)
        size += length
    pieces.append("".join(current))
    return pieces


def _ending(tokens: list[str], following: str, budget: int) -> tuple[list[str], list[str]]:
    """Return a full piece's tokens as the piece and what goes on to the next one: cut at its
    last space past half the budget ("phường" was cut "phư" | "ờng"), else before the letter
    whose marks follow (a letter typed in NFD keeps its marks)."""
    size, space = 0, -1
    for at, token in enumerate(tokens):
        if token.isspace() and size >= budget // 2:
            space = at
        size += units(token)
    if space >= 0:
        return tokens[: space + 1], tokens[space + 1 :]  # Telegram trims the space it ends with
    cut = len(tokens)
    while cut > 1 and _is_mark(following):
        cut -= 1
        following = tokens[cut]
    return tokens[:cut], tokens[cut:]


def _is_mark(token: str) -> bool:
    """Tell whether a token is a combining mark (of the letter before it)."""
    return len(token) == 1 and unicodedata.combining(token) > 0


def _balanced(chunks: list[str]) -> list[str]:
    """Close the tags each part leaves open, and reopen them at the start of the next."""
    result: list[str] = []
    carried: list[tuple[str, str]] = []  # (name, opening tag) open at the end of the last part
    for chunk in chunks:
        text = "".join(tag for _, tag in carried) + chunk
        open_tags = list(carried)
        for match in _TAG.finditer(chunk):
            closing, name = match.group(1) == "/", match.group(2).lower()
            if not closing:
                open_tags.append((name, match.group(0)))
                continue
            for i in range(len(open_tags) - 1, -1, -1):
                if open_tags[i][0] == name:
                    del open_tags[i]
                    break
        result.append(text + "".join(f"</{name}>" for name, _ in reversed(open_tags)))
        carried = open_tags
    return result
