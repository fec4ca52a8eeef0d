"""Invite codes: random enough, hashed, parsed from /invite arguments, rate limited."""

from __future__ import annotations

import base64

import pytest

from core.invites import (
    MAX_FAILURES,
    hash_code,
    invite_link,
    is_rate_limited,
    looks_like_code,
    new_code,
    parse_invite_args,
    pasted_code,
)
from core.roles import Function, Role


def test_codes_carry_at_least_128_bits_and_fit_a_deep_link() -> None:
    """A code decodes to 24 random bytes and uses only deep-link characters."""
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))) * 8 >= 128
        assert looks_like_code(code)
        assert len(code) <= 64


def test_hash_is_stable_and_hides_the_code() -> None:
    """The same code hashes the same; the hash does not contain it."""
    code = new_code()
    assert hash_code(code) == hash_code(f" {code} ")
    assert code not in hash_code(code)


def test_invite_args_take_role_and_function_from_the_end() -> None:
    """Role and function words (English or Vietnamese, any order) follow the unit."""
    assert parse_invite_args("so y te") == ("so y te", Role.MEMBER, Function.FOCAL)
    assert parse_invite_args("Xã Tam Xuân leader coordinator") == (
        "Xã Tam Xuân",
        Role.COORDINATOR,
        Function.LEADER,
    )
    assert parse_invite_args("TAMKY lãnh đạo") == ("TAMKY", Role.MEMBER, Function.LEADER)
    assert parse_invite_args("") == ("", Role.MEMBER, Function.FOCAL)


def test_rate_limit_starts_at_the_limit() -> None:
    """Below the limit one may try again; at it, one must wait."""
    assert not is_rate_limited(MAX_FAILURES - 1)
    assert is_rate_limited(MAX_FAILURES)


def test_link_is_a_telegram_deep_link() -> None:
    """The link opens the bot with the code as /start payload."""
    assert invite_link("@dondoc_bot", "abc") == "https://t.me/dondoc_bot?start=abc"


CODE = "Xy3_kP9-qR2sT5uV8wZ1aB4c"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (CODE, CODE),
        (f"  {CODE}\n", CODE),
        (f"https://t.me/dondoc_bot?start={CODE}", CODE),
        (f"t.me/dondoc_bot?start={CODE}", CODE),
        ("".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in CODE), CODE),
        (f"«{CODE}».", CODE),
        (f"`{CODE}`", CODE),
        (f"mã {CODE}", None),  # a sentence is not a code pasted alone
        (f"Mã mời: `{CODE}`", CODE),  # the invite's own line, copied whole
        (f"Invite code: {CODE}", CODE),
        ("xong", None),
        (f"{CODE[:10]} {CODE[10:]}", CODE),  # split where the message it came from wrapped
        (f"{CODE[:8]}\n{CODE[8:16]} {CODE[16:]}", CODE),
        (f"Mã mời: {CODE[:12]} {CODE[12:]}", CODE),
        (f"https://t.me/dondoc_bot?start={CODE[:5]} {CODE[5:]}", CODE),
        (" ".join(CODE[i : i + 4] for i in range(0, len(CODE), 4)), None),  # six pieces: no
        (f"{CODE[:10].lower()} {CODE[10:].lower()}", None),  # base64: case is meaning
        ("baocao_tien_do_thang_mot_2026 xong", None),  # words, not a code split apart
        ("https://t.me/dondoc_bot?start=", None),
        ("https://example.org/a/very/long/path/that/is/no/code", None),
    ],
)
def test_a_code_pasted_alone_is_the_code_or_the_links_payload(text: str, code: str | None) -> None:
    assert pasted_code(text) == code


ISSUED = "ZpvOjZncNg5uM561J7p6ujbYWYT4qnZy"  # as new_code() makes them: 32 characters


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (f"mã của em là {ISSUED} ạ", ISSUED),
        (f"Em gửi mã mời: «{ISSUED}».", ISSUED),
        (f"{ISSUED} ạ", ISSUED),
        (f"start {ISSUED}", ISSUED),  # /start without its slash: not one code in two pieces
        (f"bắt đầu {ISSUED}", ISSUED),
        (f"em gửi lại mã {ISSUED}, mã {ISSUED} ạ", ISSUED),  # the same code twice
        (f"mã {ISSUED} hoặc {ISSUED[::-1]}", None),  # two codes: which one is not guessed
        (f"mã của em là {ISSUED.lower()} ạ", None),  # all small letters: a word, not a code
        (f"mã {ISSUED[:31]} ạ", None),  # shorter than any code made: no guess
    ],
)
def test_the_one_whole_code_in_a_sentence_is_the_code(text: str, code: str | None) -> None:
    """A newcomer who writes the code in a sentence, or after "start" without its slash, sent
    the code: the words around it are not read as a code split apart, nor is the whole
    refused."""
    assert pasted_code(text) == code
