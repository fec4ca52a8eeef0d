"""A link code written in a sentence, as the bot shows it, is found there."""

from __future__ import annotations

import pytest

from core.linking import link_code_in, new_link_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Mã liên kết của anh/chị: K7QM-3XPA (dùng một lần)", "K7QM-3XPA"),  # /link's line
        ("k7qm-3xpa ạ", "K7QM-3XPA"),
        ("«K7QM-3XPA».", "K7QM-3XPA"),
        ("mã K7QM-3XPA, K7QM-3XPA", "K7QM-3XPA"),  # the same code twice
        ("K7QM-3XPA và R4TW-9ZHN", None),  # two codes: which one is not guessed
        ("kế hoạch 2025-2026", None),  # 0 and 1 are not in a code's alphabet
        ("văn bản 15/KH-UBND", None),
        ("K7QM3XPA ạ", None),  # without its dash, eight capitals may be a word
    ],
)
def test_a_link_code_in_a_sentence_is_the_one_shown_with_its_dash(
    text: str, code: str | None
) -> None:
    assert link_code_in(text) == code


def test_every_new_code_is_found_in_a_sentence() -> None:
    """What new_link_code makes, link_code_in finds."""
    for _ in range(50):
        code = new_link_code()
        assert link_code_in(f"mã của em là {code} ạ") == code
