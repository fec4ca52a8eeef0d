"""Splitting a text too long for one Telegram message, at line boundaries."""

from __future__ import annotations

import unicodedata

from scheduler.split import MESSAGE_LIMIT, split_html, units


def test_split_keeps_a_text_that_fits_whole() -> None:
    """A text within the limit is one part, unchanged."""
    text = "<b>Nhắc việc</b>\n" + "x" * 4000
    assert split_html(text) == [text]


def test_split_cuts_between_lines_never_inside_one() -> None:
    """Each part holds whole lines, in order, and each fits the limit."""
    lines = [f"{n:04d} " + "việc cần làm " * 8 for n in range(120)]
    parts = split_html("\n".join(lines))
    assert len(parts) > 1
    assert all(units(part) <= MESSAGE_LIMIT for part in parts)
    assert [line for part in parts for line in part.split("\n")] == lines


def test_split_cuts_a_single_overlong_line_outside_tags_and_entities() -> None:
    """A line longer than a message is cut into pieces, never inside a tag or an entity."""
    line = "a &amp; <i>b</i> " * 1200
    parts = split_html(line)
    assert len(parts) > 1
    assert all(units(part) <= MESSAGE_LIMIT for part in parts)
    joined = "".join(parts).replace("<i></i>", "")
    assert joined.replace("</i><i>", "") == line.replace("</i><i>", "")
    for part in parts:
        assert part.count("<i>") == part.count("</i>")
        assert part.count("&") == part.count("&amp;")


def test_split_closes_and_reopens_tags_open_at_a_cut() -> None:
    """A tag spanning the cut is closed at the end of a part and reopened in the next."""
    text = '<blockquote><a href="https://x.vn">' + "\n".join(["dòng"] * 2000) + "</a></blockquote>"
    first, *rest = split_html(text)
    assert first.endswith("</a></blockquote>")
    assert rest[0].startswith('<blockquote><a href="https://x.vn">')


def test_split_counts_emoji_as_telegram_does() -> None:
    """An emoji counts two units, as in Telegram's limit."""
    parts = split_html("\n".join(["📎" * 30] * 100))
    assert len(parts) == 2
    assert all(units(part) <= MESSAGE_LIMIT for part in parts)


def test_split_cuts_a_single_overlong_line_between_words() -> None:
    """A line longer than a message (a description of "&" escaped five times its length) is
    cut at a space, never inside a word: each part ends and starts with a whole word."""
    line = " ".join(["phường", "Điện", "Ngọc", "&amp;", "Hòa", "Quý"] * 900)
    parts = split_html(line)
    assert len(parts) > 1
    assert all(units(part) <= MESSAGE_LIMIT for part in parts)
    assert " ".join(part.strip() for part in parts) == line


def test_split_never_parts_a_letter_from_its_marks() -> None:
    """Text typed in decomposed form (a letter, then its combining marks) with no space to
    cut at is never cut between a letter and a mark of it."""
    line = unicodedata.normalize("NFD", "ệ" * 5000)  # three code points each
    parts = split_html(line)
    assert len(parts) > 1
    assert all(units(part) <= MESSAGE_LIMIT for part in parts)
    assert "".join(parts) == line
    assert not any(unicodedata.combining(part[0]) for part in parts)
