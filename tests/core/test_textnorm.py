"""Specification of Vietnamese text folding."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.textnorm import fold, fold_text, name_key, narrow, plain_file_name, trim, vi_sort_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đã Hoàn Thành", "da hoan thanh"),
        ("ĐƯỢC 70%", "duoc 70%"),
        ("vướng mắc", "vuong mac"),
        ("Sở Giáo dục và Đào tạo", "so giao duc va dao tao"),
        ("hòa / hoà", "hoa / hoa"),
        ("  xong \t\n rồi  ", "xong roi"),
        ("xong 👍", "xong 👍"),
        ("ok 👍\ufe0f", "ok 👍"),
        ("15/KH-UBND", "15/kh-ubnd"),
        ("", ""),
        (" \n ", ""),
    ],
)
def test_fold_gives_plain_lowercase_text(text: str, expected: str) -> None:
    """Fold drops case, diacritics (đ too), variation selectors and extra whitespace."""
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so\u200b y te", "so y te"),  # zero-width space
        ("s\u200co y\u200d te", "so y te"),  # zero-width non-joiner and joiner
        ("\ufeffSở Y tế", "so y te"),  # byte order mark pasted at the start
        ("Sở\u2060 Y tế", "so y te"),  # word joiner
        ("kinh\u00adphí", "kinhphi"),  # soft hyphen
        ("\u200e15/KH-UBND\u200f", "15/kh-ubnd"),  # left-to-right and right-to-left marks
        ("so \u200b y te", "so y te"),  # a lone format character between spaces
    ],
)
def test_fold_drops_invisible_format_characters(text: str, expected: str) -> None:
    """Fold removes zero-width and other format characters (Unicode Cf) pasted into names."""
    assert fold(text) == expected


def test_fold_treats_nfc_and_nfd_alike() -> None:
    """Fold gives the same result for precomposed and decomposed input."""
    text = "Đã hoàn thành, vướng mắc, được 70%"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


def test_original_span_quotes_the_typed_words() -> None:
    """A folded span maps back to the original words with their diacritics."""
    folded = fold_text("  Vướng:   thiếu   KINH phí ")
    start = folded.folded.index("thieu")
    assert folded.original_span(start, len(folded.folded)) == "thiếu   KINH phí"


def test_original_span_maps_nfd_input_to_nfc() -> None:
    """A span of decomposed input comes back precomposed."""
    folded = fold_text(unicodedata.normalize("NFD", "chờ ý kiến"))
    assert folded.original_span(0, 3) == "chờ"


def test_original_span_keeps_trailing_combining_marks() -> None:
    """A letter with no precomposed form keeps its marks when quoted."""
    folded = fold_text("x\u0303y")
    assert folded.folded == "xy"
    assert folded.original_span(0, 1) == "x\u0303"


def test_original_span_returns_empty_for_an_empty_range() -> None:
    """An empty or out-of-range span quotes nothing."""
    folded = fold_text("xong")
    assert folded.original_span(2, 2) == ""
    assert folded.original_span(0, 99) == ""


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    """Folding folded text changes nothing."""
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_fold_collapses_whitespace(text: str) -> None:
    """Folded text has no leading, trailing, repeated or non-space whitespace."""
    folded = fold(text)
    assert folded == folded.strip()
    assert "  " not in folded
    assert all(c == " " or not c.isspace() for c in folded)


@given(st.text())
def test_fold_text_maps_every_folded_character(text: str) -> None:
    """Each folded character has an offset into the NFC original, in order."""
    folded = fold_text(text)
    assert len(folded.offsets) == len(folded.folded)
    assert list(folded.offsets) == sorted(folded.offsets)
    assert all(0 <= offset < len(folded.original) for offset in folded.offsets)
    assert folded.folded == fold(unicodedata.normalize("NFD", text))


def test_vi_sort_key_orders_names_by_the_vietnamese_alphabet() -> None:
    """Letters go by the Vietnamese alphabet (ă â after a, đ after d), tones break ties."""
    names = ["Sở Thông tin", "Đà Nẵng", "Sở Tài chính", "Duy Xuyên", "Ân Hảo", "An Bình", "xã B"]
    names += ["Xã Á", "Xã A", "Ưng Hòa", "Uỷ ban"]
    expected = ["An Bình", "Ân Hảo", "Duy Xuyên", "Đà Nẵng", "Sở Tài chính", "Sở Thông tin"]
    expected += ["Uỷ ban", "Ưng Hòa", "Xã A", "Xã Á", "xã B"]
    assert sorted(names, key=vi_sort_key) == expected


def test_vi_sort_key_breaks_a_tie_of_names_by_code() -> None:
    """Two units of the same name come in the order of their codes."""
    assert vi_sort_key("Xã A", "X2") > vi_sort_key("Xã A", "X1")


def test_vi_sort_key_puts_a_name_before_the_names_it_begins() -> None:
    """A name that is the start of another comes first; a variant letter after its base."""
    names = ["Ăn", "An Bình", "An", "Azz", "A", "Ân", "D", "Đ", "Dz"]
    expected = ["A", "An", "An Bình", "Azz", "Ăn", "Ân", "D", "Dz", "Đ"]
    assert sorted(names, key=vi_sort_key) == expected


_VI_LETTERS = "aăâbdđeêioôơuưyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệòóỏõọồốổỗộờớởỡợùúủũụừứửữự"


def _letters_then_tones(name: str) -> tuple[list[tuple[int, int]], list[int], str]:
    """The order the key stands for: each letter's (base, variant), then the tones, then
    the spelling (variants: breve 1, circumflex 2, horn 3, đ 1; tones by dictionary)."""
    variants = {"\u0306": 1, "\u0302": 2, "\u031b": 3}
    tones = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
    letters, marks = [], []
    for char in " ".join(unicodedata.normalize("NFC", name).split()):
        lower = char.lower()
        parts = "d" if lower == "đ" else unicodedata.normalize("NFD", lower)
        variant = 1 if lower == "đ" else max([variants.get(m, 0) for m in parts[1:]] or [0])
        letters.append((ord(parts[0]), variant))
        marks.append(max([tones.get(m, 0) for m in parts[1:]] or [0]))
    return letters, marks, name


@given(
    st.text(alphabet=_VI_LETTERS, max_size=8),
    st.text(alphabet=_VI_LETTERS, max_size=8),
)
def test_vi_sort_key_compares_as_letters_then_tones_then_spelling(a: str, b: str) -> None:
    """Two names compare by their letters' (base, variant), then their tones, then as typed."""
    expected = _letters_then_tones(a) < _letters_then_tones(b)
    assert (vi_sort_key(a) < vi_sort_key(b)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u200b/help", "/help"),
        (" /help\ufeff\n", "/help"),
        ("\u202exong\u200d", "xong"),
        ("", ""),
    ],
)
def test_trim_drops_blanks_and_invisible_characters_at_the_ends(text: str, expected: str) -> None:
    """Zero-width spaces, BOMs and direction marks at either end go; inside, text is kept."""
    assert trim(text) == expected
    assert trim("a\u200bb") == "a\u200bb"


def test_narrow_turns_full_width_signs_into_ascii() -> None:
    """A keyboard in full-width mode types "＃１２　xong ５０％ 15／12": read as ASCII."""
    assert narrow("＃１２　xong ５０％ 15／12") == "#12 xong 50% 15/12"
    assert narrow("Sở Y tế ²") == "Sở Y tế ²"  # only the full-width forms change


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Biên bản.pdf", "Biên bản.pdf"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("../..", "file_1"),
        ("", "file_1"),
        ("\x00\x1b", "file_1"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
        ("b" * 300, "b" * 255),
    ],
)
def test_plain_file_name_keeps_a_name_fit_to_store_and_show(name: str, expected: str) -> None:
    """The last path part, no control or format characters, 255 characters with the suffix."""
    assert plain_file_name(name, "file_1") == expected


def test_vi_sort_key_orders_numbers_in_names_by_their_value() -> None:
    """Numbered wards and schools come 1, 2, 10, not 1, 10, 2; a leading zero changes
    nothing but the tie."""
    names = ["Phường 10", "Phường 2", "Phường 1", "Số 10", "Số 9", "Phường 02", "Trường 100"]
    expected = ["Phường 1", "Phường 02", "Phường 2", "Phường 10", "Số 9", "Số 10", "Trường 100"]
    assert sorted(names, key=vi_sort_key) == expected


def test_name_key_ignores_case_spacing_composition_and_the_tone_marks_place() -> None:
    """ "Xã An Hòa" reads as "XÃ  AN HOÀ" (NFD); "Đông Sơn" and "Đồng Sơn" are two names."""
    key = name_key("Xã An Hòa")
    assert name_key(unicodedata.normalize("NFD", "XÃ  AN HOÀ")) == key
    assert name_key("Phường Thủy Xuân") == name_key("Phường Thuỷ Xuân")
    assert name_key("Xã Đông Sơn") != name_key("Xã Đồng Sơn")
    assert name_key("Xã Ân Hòa") != key
