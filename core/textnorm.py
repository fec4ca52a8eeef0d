"""Fold Vietnamese text into one form for matching: no case, no diacritics, single spaces.

Officials type with or without diacritics, on keyboards that emit precomposed (NFC) or
decomposed (NFD) letters, so every comparison of typed text goes through :func:`fold`.
Folding loses information ("đang" and "đăng" both become "dang"); :func:`fold_text`
keeps the way back to the original so a caller can check the word as typed or quote it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "COMMITTEE_NAMES",
    "FoldedText",
    "SortKey",
    "fold",
    "fold_text",
    "name_key",
    "narrow",
    "plain_file_name",
    "spelled",
    "trim",
    "vi_sort_key",
    "without_committee",
    "without_nul",
]

# "UBND xã An Hòa" is Xã An Hòa, named by its People's Committee (core.assignees reads it so).
COMMITTEE_NAMES = ("ubnd", "uy ban nhan dan")

_DROPPED = frozenset({"Mn", "Cf"})  # Unicode categories that folding removes
# The full-width forms of ASCII (U+FF01..U+FF5E) and the ideographic space, as ASCII.
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True, slots=True)
class FoldedText:
    """Text in NFC, its folded form, and the NFC index each folded character came from."""

    original: str
    folded: str
    offsets: tuple[int, ...]

    def original_span(self, start: int, end: int) -> str:
        """Return the original text behind ``folded[start:end]``."""
        if start >= end or start < 0 or end > len(self.folded):
            return ""
        stop = self.offsets[end - 1] + 1
        # A letter with no precomposed form keeps its combining marks in NFC: quote them too.
        while stop < len(self.original) and unicodedata.category(self.original[stop]) == "Mn":
            stop += 1
        return self.original[self.offsets[start] : stop]


def fold(text: str) -> str:
    """Return text in NFC, lower case, without diacritics (đ→d), with whitespace collapsed."""
    return fold_text(text).folded


def spelled(text: str) -> str:
    """Return text in NFC, case folded, whitespace collapsed: its diacritics kept.

    Two names that fold alike ("Xã Ái", "Xã Aí") are told apart by how they are spelled:
    a person who typed one of them exactly means that one.
    """
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def narrow(text: str) -> str:
    """Return text with full-width signs, digits and letters as their ASCII forms.

    A phone keyboard in full-width mode types "＃１２ xong ５０％": the task number, the
    percentage and a date's slashes are read only once they are "#12 xong 50%".
    """
    return text.translate(_NARROW)


def plain_file_name(name: str, fallback: str, *, limit: int = 255) -> str:
    """Return a file name a person sent as it may be kept and shown: its last path part,
    without control characters (NUL, which PostgreSQL refuses, escapes, line breaks as
    spaces) or invisible format ones (a right-to-left override shows "fdp.exe" as "exe.pdf"),
    at most `limit` characters with its suffix kept; `fallback` when nothing is left.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    kept = "".join(c for c in base if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf"))
    plain = " ".join(kept.split())
    if plain.strip(".") == "":
        return fallback
    if len(plain) <= limit:
        return plain
    stem, dot, suffix = plain.rpartition(".")
    if dot and 0 < len(suffix) <= 10 and len(stem) > 0:
        return plain[: limit - len(suffix) - 1] + "." + suffix
    return plain[:limit]


def trim(text: str) -> str:
    """Return text without whitespace or invisible format characters at either end.

    A zero-width space, a BOM or a direction mark that a phone keyboard or a copy puts before
    "/help" would otherwise hide the command.
    """
    start, end = 0, len(text)
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    return text[start:end]


def _blank(char: str) -> bool:
    """Tell whether a character shows nothing: whitespace or a format character (Cf)."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def fold_text(text: str) -> FoldedText:
    """Fold text and keep, for each folded character, its index in the NFC original."""
    original = unicodedata.normalize("NFC", text)
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = -1
    for index, char in enumerate(original):
        if char.isspace():
            if pending_space < 0:
                pending_space = index
            continue
        piece = _fold_char(char)
        if not piece:
            continue
        if pending_space >= 0:
            if chars:
                chars.append(" ")
                offsets.append(pending_space)
            pending_space = -1
        chars.extend(piece)
        offsets.extend([index] * len(piece))
    return FoldedText(original=original, folded="".join(chars), offsets=tuple(offsets))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """Fold one NFC character; the result may be empty (a stray mark or format character)."""
    decomposed = unicodedata.normalize("NFD", char.lower())
    # Mn covers the Vietnamese tone and vowel marks and also emoji variation selectors;
    # Cf the invisible format characters (zero-width space and joiners, BOM, soft hyphen,
    # direction marks) that copying from Word or a web page leaves inside names.
    bare = "".join(c for c in decomposed if unicodedata.category(c) not in _DROPPED)
    # đ has no decomposition, so NFD leaves it alone; recompose what NFD split (Hangul).
    return unicodedata.normalize("NFC", bare).replace("đ", "d")


# The Vietnamese alphabet orders ă and â after a, đ after d, ê after e, ô and ơ after o, ư
# after u; tones only break ties, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
_VARIANT = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONE = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

# (letters, tones, name, code): each letter as two characters, its base letter and its
# variant, each tone as one, so that strings compare as the tuples of numbers they spell
# (fixed width: a name that is the start of another sorts first) and a sort of thousands of
# names compares strings in C instead of tuples of tuples (a task's 10,000 units).
SortKey = tuple[str, str, str, str]


NUMBER_WIDTH = 12
_NUMBER_RE = re.compile(r"[0-9]+")


@lru_cache(maxsize=65536)
def vi_sort_key(name: str, code: str = "") -> SortKey:
    """Return the key that sorts unit names in Vietnamese alphabet order, then by code.

    Letters compare by the alphabet ("Sở Tài chính" before "Sở Thông tin", "Đà Nẵng" after
    every name in D), case aside, and numbers by their value ("Phường 2" before "Phường
    10"); tones, then the exact spelling, then the code break ties.
    """
    letters: list[str] = []
    tones: list[str] = []
    spaced = " ".join(unicodedata.normalize("NFC", name).split())
    # Numbers by their value ("Phường 2" before "Phường 10"): a run of digits is compared
    # as if written with NUMBER_WIDTH digits.
    for char in _NUMBER_RE.sub(lambda m: m.group().rjust(NUMBER_WIDTH, "0"), spaced):
        letter, tone = _letter(char)
        letters.append(letter)
        tones.append(tone)
    return "".join(letters), "".join(tones), name, code


@lru_cache(maxsize=4096)
def _letter(char: str) -> tuple[str, str]:
    """Return (base letter and variant, tone) of one character, case folded, as characters.

    The base letter is the character itself without marks (đ is d), the variant 0 to 3 (ă
    â, đ, ê ô, ơ ư come after their base), the tone 0 to 5 (none, huyền, hỏi, ngã, sắc,
    nặng), each written as the character of that code.
    """
    lower = char.lower()
    if lower == "đ":
        return "d\x01", "\x00"
    decomposed = unicodedata.normalize("NFD", lower)
    variant = tone = 0
    for mark in decomposed[1:]:
        variant = _VARIANT.get(mark, variant)
        tone = _TONE.get(mark, tone)
    return (decomposed[:1] or "\x00") + chr(variant), chr(tone)


def name_key(name: str) -> str:
    """Return what tells two names apart when read: letters and each word's tone.

    Case, spacing, NFC or NFD, and where a word's tone mark sits ("Hòa" or "Hoà", "Thủy"
    or "Thuỷ", both in use) make no difference; a letter's variant or a tone does ("Đông
    Sơn" and "Đồng Sơn" are two communes). Nor does the People's Committee a directive's
    appendix names a commune by (`without_committee`).
    """
    words = []
    for word in unicodedata.normalize("NFC", without_committee(name)).split():
        letters = tone = ""
        for char in word:
            letter, mark = _letter(char)
            letters += letter
            tone = max(tone, mark)
        words.append(letters + tone)
    return " ".join(words)


def without_committee(name: str) -> str:
    """Return a unit's name without the People's Committee it may be named by ("UBND xã An
    Hòa", "Ủy ban nhân dân xã An Hòa": "xã An Hòa"), as directives' appendixes name a
    commune or a district: it is the same unit as "Xã An Hòa"."""
    words = name.split()
    for width in (1, 4):
        if len(words) > width and fold(" ".join(words[:width])) in COMMITTEE_NAMES:
            return " ".join(words[width:])
    return name


def unmarked(text: str) -> bool:
    """Tell whether a text carries no Vietnamese mark at all ("xa an hoa": typed with the
    phone's Vietnamese keyboard off), so that it may mean any name it folds as."""
    return fold(text) == spelled(text)


def without_nul(data: Any) -> Any:
    """Return JSON data with every NUL character taken out of its strings and keys.

    PostgreSQL refuses NUL in text and in jsonb (as \\u0000), so an update carrying one (a
    name, a message, a file name) could not be stored, and its platform would send it again
    until it gave up; no one means anything by a NUL.
    """
    if isinstance(data, str):
        return data.replace("\x00", "") if "\x00" in data else data
    if isinstance(data, dict):
        return {without_nul(key): without_nul(value) for key, value in data.items()}
    if isinstance(data, list):
        return [without_nul(item) for item in data]
    return data
