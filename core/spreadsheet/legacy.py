"""Vietnamese text typed in a legacy font encoding, told apart from Unicode.

Offices still keep lists typed before Unicode, in TCVN3 (ABC, fonts .VnTime, .VnArial) or
VNI (fonts VNI-Times): each Vietnamese letter is a Latin-1 character the font draws as it
("Sở Y tế" is "Së Y tÕ" in TCVN3, "Sôû Y teá" in VNI). Excel and LibreOffice keep those
characters, so such a workbook, or its CSV saved as UTF-8, reads without an error: its
units were imported named "Së Y tÕ" and its tasks' units not found.

A row is in a legacy encoding when a cell of it holds one of LEGACY_MARKS: characters both
encodings use for Vietnamese letters or their marks that Vietnamese written in Unicode never
holds ("ë", "ä", "û", "µ", "¸"...), and none of it holds a Vietnamese letter past Latin-1
("ơ", "ư", "đ", "ệ"...), which no legacy text has ("Viện Müller" is Unicode). A file is
taken as legacy when at least half of its rows holding letters past ASCII are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# TCVN3 (ABC): µ¶·¸¹ à ả ã á ạ; ¨ ă, »¼½¾Æ ằ ẳ ẵ ắ ặ; © â, ÇË ầ ậ; ® đ; ÌÎÏÑ è ẻ ẽ ẹ;
# ª ê, Ö ệ; ×ØÜÞ ì ỉ ĩ ị; ßä ò ọ; « ô, åæç ồ ổ ỗ; ¬ ơ, ëî ở ợ; ïñ ù ủ; \xad ư, øö÷ ứ ử ữ;
# ûüþ ỷ ỹ ỵ; ¡¢§£¤¥¦ Ă Â Đ Ê Ô Ơ Ư. VNI: ø û ï ä å ë ü (huyền, hỏi, nặng, and the marks
# combined with a circumflex or a breve), ö ư, ñ đ, and their capitals. The letters
# Vietnamese has in Latin-1 (à á â ã è é ê ì í ò ó ô õ ù ú ý, and capitals) are not marks;
# nor are « and » (quotes in Vietnamese texts) or Ì (a grave in TCVN3, a letter here).
LEGACY_MARKS = frozenset("¡¢£¤¥¦§¨©ª¬\xad®µ¶·¸¹¼½¾ÆÇËÎÏÑÖ×ØÜÞßäåæçëîïñöøûüþ÷ÄÅÛ")
# Vietnamese letters past Latin-1 (ă đ ĩ ũ ơ ư, and those with a tone mark): Unicode text.
UNICODE_LETTERS = re.compile("[\u0100-\u01b0\u1ea0-\u1ef9]")
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")  # in no text a list is typed in
SAMPLE_CHARS = 40  # the most of a cell a refusal quotes


class LegacyCount:
    """The rows seen so far that hold letters past ASCII, and those in a legacy encoding."""

    def __init__(self, *, decoded: bool = False) -> None:
        # decoded: the text was decoded from Windows' Vietnamese code page, which reads some
        # of the legacy fonts' bytes as "ơ", "ư", "đ": no row of it is known to be Unicode.
        self.decoded = decoded
        self.wide = 0  # rows holding a character past ASCII
        self.legacy = 0  # of those, the rows in a legacy encoding
        self.sample = ""  # the first cell of those holding a legacy mark, as the file has it

    def add(self, cells: Iterable[str]) -> None:
        """Count a row by its cells."""
        wide = [cell for cell in cells if not cell.isascii()]
        if not wide:
            return
        self.wide += 1
        marked = next((cell for cell in wide if not LEGACY_MARKS.isdisjoint(cell)), None)
        if marked is None:
            return
        if not self.decoded and any(UNICODE_LETTERS.search(cell) for cell in wide):
            return
        self.legacy += 1
        self.sample = self.sample or marked[:SAMPLE_CHARS]

    def legacy_file(self) -> bool:
        """Tell whether the rows counted are a file typed in a legacy encoding."""
        return self.legacy > 0 and 2 * self.legacy >= self.wide


def legacy_sample(lines: Sequence[str]) -> str:
    """Return a line of a CSV not in UTF-8, decoded from Windows' Vietnamese code page, that
    shows it typed in a legacy encoding; "" when it is not (a CSV saved in that code page:
    its Vietnamese letters hold no legacy mark)."""
    count = LegacyCount(decoded=True)
    if any(CONTROLS.search(line) for line in lines):
        return ""  # no text: a binary file (random bytes hold legacy marks too)
    for line in lines:
        count.add([line.strip()])
    return count.sample if count.legacy_file() else ""
