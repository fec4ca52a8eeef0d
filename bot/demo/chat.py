"""A chat as the simulator shows it: Telegram's messages as the app formats them, Zalo's text.

Telegram gives a message as plain text with entities (offsets in UTF-16 code units); the
simulator shows it with the same formatting, every character of the text escaped, and its
inline keyboard as buttons. Zalo shows plain text, so its messages stay text.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

JsonDict = dict[str, Any]

# A link written out in a message's text: Telegram's apps show it as a link (up to the
# punctuation that ends the sentence), though the bot sent it as plain text. The simulator
# does so for the demo's own pages only (/web's sign-in link): an invite's t.me link would
# lead out of the demo, to whatever bot bears the demo's name on the real Telegram.
WRITTEN_URL = re.compile(r"https?://[^\s<>\"«»]+")
TRAILING = ".,;:!?)]}'\""

# Telegram's formatting entities, as the HTML the simulator shows (links are made apart).
TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "pre": "pre",
    "spoiler": "span",
    "blockquote": "blockquote",
}


def telegram_html(text: str, entities: list[JsonDict], *, site: str = "") -> str:
    """Return the message's text as safe HTML with its formatting entities (and its written
    links to `site`, the demo's own address, as links)."""
    units = text.encode("utf-16-le")
    if site:
        entities = [*entities, *_written_links(text, entities, site)]
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    ordered = sorted(entities, key=lambda e: (int(e["offset"]), -int(e["length"])))
    for entity in ordered:
        start, end = int(entity["offset"]), int(entity["offset"]) + int(entity["length"])
        kind = str(entity.get("type", ""))
        if kind == "text_link" and _safe_url(str(entity.get("url", ""))):
            opening = f'<a href="{escape(str(entity["url"]))}" target="_blank" rel="noopener">'
            tag = "a"
        elif kind == "url":
            url = units[start * 2 : end * 2].decode("utf-16-le", errors="replace")
            if not _safe_url(url):
                continue
            opening, tag = f'<a href="{escape(url)}" target="_blank" rel="noopener">', "a"
        elif kind in TAGS:
            tag = TAGS[kind]
            opening = f"<{tag}>"
        else:
            continue
        opens.setdefault(start, []).append(opening)
        closes.setdefault(end, []).insert(0, f"</{tag}>")
    marks = sorted(set(opens) | set(closes) | {0, len(units) // 2})
    out: list[str] = []
    for here, after in zip(marks, [*marks[1:], None], strict=True):
        out.extend(closes.get(here, []))
        out.extend(opens.get(here, []))
        if after is not None:
            chunk = units[here * 2 : after * 2].decode("utf-16-le", errors="replace")
            out.append(escape(chunk))
    return "".join(out)


def _written_links(text: str, entities: list[JsonDict], site: str) -> list[JsonDict]:
    """Return "url" entities for the links to `site` written out in the text, outside links
    and code."""
    linked = [
        (int(e["offset"]), int(e["offset"]) + int(e["length"]))
        for e in entities
        if e.get("type") in ("url", "text_link", "code", "pre")
    ]
    found: list[JsonDict] = []
    for match in WRITTEN_URL.finditer(text):
        url = match.group().rstrip(TRAILING)
        if not url.startswith(site.rstrip("/") + "/"):
            continue
        start = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(url.encode("utf-16-le")) // 2
        if not any(start < end and begin < start + length for begin, end in linked):
            found.append({"type": "url", "offset": start, "length": length})
    return found


def keyboard(markup: JsonDict | None) -> list[list[JsonDict]]:
    """Return an inline keyboard's rows of {text, data} (URL buttons as {text, url})."""
    rows: list[list[JsonDict]] = []
    for row in (markup or {}).get("inline_keyboard", []):
        shown: list[JsonDict] = []
        for button in row:
            if "callback_data" in button:
                shown.append({"text": button["text"], "data": button["callback_data"]})
            elif "url" in button and _safe_url(str(button["url"])):
                shown.append({"text": button["text"], "url": button["url"]})
        rows.append(shown)
    return rows


def _safe_url(url: str) -> bool:
    """Tell whether a link may be shown (http or https only)."""
    return url.startswith(("http://", "https://"))
