"""Words typed in Telex or VNI with the Vietnamese keyboard off, read as the words they spell.

An official whose phone's Vietnamese keyboard is off types the keys anyway: "hoanf thanhf"
is "hoàn thành", "ddax xong" "đã xong", "sawps xong" "sắp xong", "chuaw" "chưa". Only the
words a reply is read by (:data:`WORDS`) are spelled back, each from the forms Telex types
it in (the tone key at the end of the word or right after its vowel, the "w" after its
vowel or at the end), so a word of another language is left alone unless it is one of them.
VNI types the marks as digits ("se4 xong" is "sẽ xong", "tua62n sau" "tuần sau", "d9ang
la2m" "đang làm"): its forms are spelled back too (:func:`vni_forms`).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import product

__all__ = ["WORDS", "forms", "untelex", "vni_forms"]

# The words the parser reads, with their marks: done and the words that make it not done
# (a negation, a promise, work under way, a part of it), blockers, extensions, causes.
WORDS = (
    "hoàn", "thành", "tất", "đã", "rồi", "hết", "cả", "được", "gửi", "nộp", "báo", "cáo", "ký",
    "hành", "xử", "lý", "khắc", "phục", "chuyển", "cập", "nhật",
    "chưa", "không", "chẳng", "kịp", "thể",
    "sắp", "gần", "đang", "làm", "sẽ", "tuần", "tới", "tháng", "nữa", "nửa", "cơ", "bản", "còn",
    "lại", "phần", "chờ", "duyệt", "tiếp", "tục", "thực", "hiện",
    "triển", "dự", "thảo", "trình", "ngày", "hôm", "chiều", "sáng", "tối", "cuối", "trưa",
    "vướng", "mắc", "khó", "khăn", "thiếu", "phí", "trở", "ngại", "kẹt",
    "hạn", "đến", "lùi", "thêm", "đổi", "hoãn", "khất", "vì",
    "cảm", "ơn", "vâng", "nhận", "dạ", "ạ",
    "giờ", "nào", "gì", "phải", "đúng", "nhầm", "lộn", "sai", "toàn", "bộ", "các", "việc",
    "nhiệm", "vụ", "một",
)  # fmt: skip

# Typed so as often, though Telex spells them otherwise: "dda xong" (the tone key left out),
# "dduwocj" (the "w" after the first of the two vowels it hooks), "xongf" (a tone key after
# "xong", which takes none: a slip of the thumb).
_ALSO = {"dda": "đã", "dduwocj": "được"} | {f"xong{key}": "xong" for key in "fsrxj"}
# Forms that are words of English too: left as typed.
_ENGLISH = frozenset({"car", "cow", "own", "barn", "gif"})

_TONE_KEY = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_MARK_KEY = {"\u0302": "", "\u0306": "w", "\u031b": "w"}  # circumflex: the vowel doubled


def forms(word: str) -> frozenset[str]:
    """Return the ways Telex types a word with the keyboard off ("hoàn": "hoanf",
    "hoafn"), none of them the word without its marks."""
    letters: list[str] = []  # each letter as typed in place: "aa", "dd", "uw"
    bare: list[str] = []  # each letter without its mark
    tone, carrier = "", -1
    for index, char in enumerate(word.lower()):
        parts = unicodedata.normalize("NFD", char)
        base = "d" if parts[0] == "đ" else parts[0]
        marked = "dd" if parts[0] == "đ" else base
        for mark in parts[1:]:
            if mark in _TONE_KEY:
                tone, carrier = _TONE_KEY[mark], index
            elif mark in _MARK_KEY:
                marked = base + (_MARK_KEY[mark] or base)
        letters.append(marked)
        bare.append(base)
    found: set[str] = set()
    hooks = any(letter.endswith("w") for letter in letters)
    # The "w" in place ("chuwa"), or once after the letters ("chuaw", "dduoc" + "w").
    spellings = [letters]
    if hooks:
        spellings.append([b if m.endswith("w") else m for m, b in zip(letters, bare, strict=True)])
    for spelled, tone_after_vowel, w_last in product(spellings, (False, True), (False, True)):
        typed = list(spelled)
        if tone and tone_after_vowel:
            typed[carrier] += tone
        tail = "w" if spelled is not letters else ""
        end = tone if tone and not tone_after_vowel else ""
        found.add("".join(typed) + (end + tail if w_last else tail + end))
    found |= {f.replace("uwow", "uow") for f in found}  # "ươ" as "uow": "dduowcj", "vuowngs"
    plain = "".join(bare)
    return frozenset(f for f in found if f != plain)


_VNI_TONE = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_VNI_MARK = {"\u0302": "6", "\u031b": "7", "\u0306": "8"}


def vni_forms(word: str) -> frozenset[str]:
    """Return the ways VNI types a word with the keyboard off ("sẽ": "se4"; "tuần": "tua62n",
    "tuan62"; "vướng": "vu7o71ng", "vuo71ng", "vuong71"): each mark's digit right after its
    letter or all of them at the end, the tone's after its vowel or at the end."""
    letters: list[str] = []  # each letter with its mark's digit: "a6", "u7", "d9"
    bare: list[str] = []
    marks, tone, carrier = "", "", -1
    for index, char in enumerate(word.lower()):
        parts = unicodedata.normalize("NFD", char)
        base = "d" if parts[0] == "đ" else parts[0]
        digit = "9" if parts[0] == "đ" else ""
        for mark in parts[1:]:
            if mark in _VNI_TONE:
                tone, carrier = _VNI_TONE[mark], index
            elif mark in _VNI_MARK:
                digit = _VNI_MARK[mark]
        letters.append(base + digit)
        bare.append(base)
        marks += digit
    in_place = "".join(letters)
    found = {in_place + tone, "".join(bare) + marks + tone}
    if tone:
        found.add("".join(b + tone if i == carrier else b for i, b in enumerate(letters)))
    found |= {f.replace("u7o7", "uo7") for f in found}  # "ươ" with one 7: "vuo71ng"
    plain = "".join(bare)
    return frozenset(f for f in found if f != plain)


def _spelled_back() -> dict[str, str]:
    """Return each Telex and VNI form of :data:`WORDS` with the word it spells."""
    table = dict(_ALSO)
    for word in WORDS:
        for form in (forms(word) - _ENGLISH) | vni_forms(word):
            table.setdefault(form, word)
    return table


_TABLE = _spelled_back()
# A word, with the digits VNI types its marks with ("tua62n"); not a number ("15", "T6" is
# no VNI form of a word read).
_TOKEN_RE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*\b")


def untelex(text: str) -> str:
    """Return text with each word typed in Telex spelled as it was meant ("hoanf thanhf":
    "hoàn thành"); any other word as typed."""

    def spell(match: re.Match[str]) -> str:
        token = match.group()
        word = _TABLE.get(token.lower())
        if word is None:
            return token
        return word.capitalize() if token[0].isupper() else word

    return _TOKEN_RE.sub(spell, text)
