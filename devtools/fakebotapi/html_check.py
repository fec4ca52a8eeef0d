"""Parse Telegram's HTML formatting into plain text and entities, refusing what it refuses.

Deliberately a little stricter than the real server: the Bot API documentation says every
`&` that does not start an entity must be written `&amp;`, and real Telegram silently
tolerates some bare ampersands; here any bare `&` (as in "Sở GD&ĐT") is refused, so a bot
that forgets to escape is caught in tests rather than in production.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from devtools.fakebotapi.errors import entity_error

_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_SPECIAL = re.compile(r"[&<]")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=]+))?")


def utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int


@dataclass
class _Parser:
    source: str
    pos: int = 0
    units: int = 0
    out: list[str] = field(default_factory=list)
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        """Parse the whole source and return the plain text and its entities."""
        while self.pos < len(self.source):
            match = _SPECIAL.search(self.source, self.pos)
            end = match.start() if match else len(self.source)
            self._emit(self.source[self.pos : end])
            self.pos = end
            if match and match.group() == "&":
                self._entity()
            elif match:
                self._tag()
        if self.stack:
            name = self.stack[-1].name
            raise entity_error(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def _emit(self, text: str) -> None:
        """Append plain text and advance the UTF-16 position."""
        if text:
            self.out.append(text)
            self.units += utf16_len(text)

    def _byte_offset(self) -> int:
        """Return the UTF-8 byte offset of the current position, as Telegram reports it."""
        return len(self.source[: self.pos].encode())

    def _entity(self) -> None:
        """Decode the HTML entity at the current position, refusing a bare '&'."""
        match = _ENTITY.match(self.source, self.pos)
        if match is None:
            raise entity_error(
                f"Character '&' at byte offset {self._byte_offset()} must be escaped as &amp;"
            )
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                raise entity_error(
                    f'Unsupported HTML entity "&{name};" at byte offset {self._byte_offset()}'
                )
            self._emit(_NAMED_ENTITIES[name])
        else:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
                raise entity_error(f"Invalid character code at byte offset {self._byte_offset()}")
            self._emit(chr(code))
        self.pos = match.end()

    def _tag_end(self) -> int:
        """Return the index of the '>' closing the tag here, skipping quoted values."""
        quote = ""
        for index in range(self.pos + 1, len(self.source)):
            char = self.source[index]
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == ">":
                return index
        return -1

    def _tag(self) -> None:
        """Handle the start or end tag at the current position."""
        end = self._tag_end()
        closing = self.source.startswith("</", self.pos)
        if end == -1:
            kind = "end" if closing else "start"
            raise entity_error(f"Unclosed {kind} tag at byte offset {self._byte_offset()}")
        inner = self.source[self.pos + 1 : end]
        if closing:
            self._close(inner[1:].strip().lower())
        else:
            self._open(inner)
        self.pos = end + 1

    def _open(self, inner: str) -> None:
        """Push a supported start tag, refusing unknown tags."""
        match = _TAG_NAME.match(inner)
        name = match.group().lower() if match else inner.split(" ", 1)[0]
        if match is None or name not in _TAG_TYPES:
            raise entity_error(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset()}'
            )
        attrs = self._attributes(name, inner[match.end() :])
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise entity_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset()}'
            )
        self.stack.append(_OpenTag(name, attrs, self.units))

    def _attributes(self, name: str, text: str) -> dict[str, str]:
        """Parse a tag's attributes into a dict."""
        attrs: dict[str, str] = {}
        pos = 0
        while text[pos:].strip():
            match = _ATTRIBUTE.match(text, pos)
            if match is None or match.end() == pos:
                raise entity_error(
                    f'Invalid attribute in the tag "{name}" at byte offset {self._byte_offset()}'
                )
            value = match.group(2) or ""
            attrs[match.group(1).lower()] = html.unescape(value.strip("\"'"))
            pos = match.end()
        return attrs

    def _close(self, name: str) -> None:
        """Pop the matching start tag and record its entity."""
        if not self.stack:
            raise entity_error(f"Unexpected end tag at byte offset {self._byte_offset()}")
        top = self.stack.pop()
        if name != top.name:
            raise entity_error(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected "</{top.name}>", found "</{name}>"'
            )
        language = top.attrs.get("class", "").removeprefix("language-")
        if top.name == "code" and self.stack and self.stack[-1].name == "pre" and language:
            self.stack[-1].attrs["language"] = language
            return
        length = self.units - top.offset
        if length > 0:
            self.entities.append(_entity_for(top, length))


def _entity_for(tag: _OpenTag, length: int) -> dict[str, Any]:
    """Build the MessageEntity dict a closed tag produces."""
    entity: dict[str, Any] = {"type": _TAG_TYPES[tag.name], "offset": tag.offset, "length": length}
    if tag.name == "a":
        entity["url"] = tag.attrs.get("href", "")
    elif tag.name == "pre" and "language" in tag.attrs:
        entity["language"] = tag.attrs["language"]
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    return entity


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and entities of HTML-formatted `source`, or raise ApiError."""
    return _Parser(source).run()
