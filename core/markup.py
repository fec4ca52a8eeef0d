"""The neutral markup of everything the bot says: `**bold**`, `` `code` ``, `\\` escapes.

Catalogs are written in it and user data is escaped into it (`escape`); only a channel's
renderer turns it into that channel's format: HTML for Telegram (`to_html`), plain text
for a text-only channel, a file or the console (`to_plain`). A lone `*` is plain text, so
"0 8 * * 1" needs no escaping; a backslash makes the next character plain.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

_SPECIAL = re.compile(r"([\\`*])")
_TOKEN = re.compile(r"\\(.)|(\*\*)|(`)", re.DOTALL)
UNSAFE = frozenset("\\`*")  # characters that escape() changes


class Markup(str):
    """A string that is already neutral markup and must not be escaped again."""

    __slots__ = ()


def escape(text: str) -> str:
    """Return text as markup that shows exactly that text."""
    if "\\" in text or "`" in text or "*" in text:  # UNSAFE, without building a set
        return _SPECIAL.sub(r"\\\1", text)
    return text


def to_html(markup: str) -> str:
    """Render markup as Telegram HTML: data escaped, bold and code as tags, tags balanced."""
    return "".join(_render(markup, html_text, "<b>", "</b>", "<code>", "</code>"))


def to_plain(markup: str) -> str:
    """Render markup as plain text: the markers dropped, the escapes undone."""
    return "".join(_render(markup, str, "", "", "", ""))


def html_text(text: str) -> str:
    """Escape plain text for Telegram HTML."""
    return html.escape(text, quote=False)


def _render(
    markup: str, text: Callable[[str], str], bold: str, unbold: str, code: str, uncode: str
) -> Iterator[str]:
    """Yield the rendered pieces of markup; an unclosed marker is closed at the end."""
    in_bold = in_code = False
    at = 0
    for match in _TOKEN.finditer(markup):
        if match.start() > at:
            yield text(markup[at : match.start()])
        at = match.end()
        if match.group(1) is not None:
            yield text(match.group(1))
        elif match.group(2) is not None and not in_code:
            yield unbold if in_bold else bold
            in_bold = not in_bold
        elif match.group(2) is not None:
            yield text("**")
        else:
            yield uncode if in_code else code
            in_code = not in_code
    if at < len(markup):
        yield text(markup[at:])
    if in_code:
        yield uncode
    if in_bold:
        yield unbold
