"""Signed download links: one path, one person, until an expiry; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.links import Refusal, RefusedLinkError, derive_link_key, sign, url, verify

KEY = derive_link_key("a-secret-setting-for-tests")
NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def _split(link: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(link)
    return parts.path, dict(parse_qsl(parts.query))


def test_verify_signed_link_returns_its_person_and_expiry() -> None:
    """A link verifies for its own path and person until it expires."""
    path, query = _split(
        sign(KEY, path="/files/export/7", person="42", expires=NOW + timedelta(hours=1))
    )
    granted = verify(KEY, path=path, query=query, now=NOW, viewer="42")
    assert (granted.path, granted.person) == ("/files/export/7", "42")
    assert granted.expires == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("p", "43"),
        ("e", "9999999999"),
        ("n", "AAAAAAAA"),
        ("s", "AAAAAAAAAAAAAAAAAAAAAA"),
        ("s", "ễ"),
        ("e", "-1"),
    ],
)
def test_verify_changed_field_is_forged(field: str, value: str) -> None:
    """Changing the person, the expiry, the nonce or the signature makes the link forged."""
    path, query = _split(sign(KEY, path="/f/1", person="42", expires=NOW + timedelta(hours=1)))
    query[field] = value
    with pytest.raises(RefusedLinkError) as refused:
        verify(KEY, path=path, query=query, now=NOW)
    assert refused.value.reason is Refusal.FORGED


def test_two_links_for_one_path_person_and_second_are_two_links() -> None:
    """Asked for twice in the same second, a link is made twice: each verifies, and they
    differ in their signature, so that using one (once) does not use the other."""
    made = [sign(KEY, path="/f/1", person="42", expires=NOW + timedelta(hours=1)) for _ in "ab"]
    assert made[0] != made[1]
    granted = [verify(KEY, path=p, query=q, now=NOW) for p, q in map(_split, made)]
    assert granted[0].signature != granted[1].signature


def test_verify_other_path_or_key_is_forged() -> None:
    """A signature does not carry over to another path, nor verify under another key."""
    _, query = _split(sign(KEY, path="/f/1", person="42", expires=NOW + timedelta(hours=1)))
    for key, path in ((KEY, "/f/2"), (derive_link_key("another secret"), "/f/1")):
        with pytest.raises(RefusedLinkError) as refused:
            verify(key, path=path, query=query, now=NOW)
        assert refused.value.reason is Refusal.FORGED


def test_verify_missing_fields_is_forged() -> None:
    """A link without its person, expiry or signature is refused."""
    for query in ({}, {"p": "1"}, {"p": "1", "e": "123"}):
        with pytest.raises(RefusedLinkError):
            verify(KEY, path="/f/1", query=query, now=NOW)


def test_verify_after_expiry_is_expired() -> None:
    """A link stops working at its expiry."""
    path, query = _split(sign(KEY, path="/f/1", person="42", expires=NOW + timedelta(minutes=10)))
    verify(KEY, path=path, query=query, now=NOW + timedelta(minutes=9))
    with pytest.raises(RefusedLinkError) as refused:
        verify(KEY, path=path, query=query, now=NOW + timedelta(minutes=10))
    assert refused.value.reason is Refusal.EXPIRED


def test_verify_by_another_viewer_is_refused() -> None:
    """A valid link presented by someone signed in as another person is refused."""
    path, query = _split(sign(KEY, path="/f/1", person="42", expires=NOW + timedelta(hours=1)))
    with pytest.raises(RefusedLinkError) as refused:
        verify(KEY, path=path, query=query, now=NOW, viewer="7")
    assert refused.value.reason is Refusal.OTHER_PERSON


def test_url_is_absolute_under_base_and_verifies() -> None:
    """An absolute link under the public base URL verifies for its person."""
    link = url("https://dondoc.example.vn/", KEY, path="/f/9", person="zalo:ab12", now=NOW)
    assert link.startswith("https://dondoc.example.vn/f/9?")
    path, query = _split(link)
    assert verify(KEY, path=path, query=query, now=NOW + timedelta(hours=23)).person == "zalo:ab12"


def test_sign_refuses_path_with_query_and_empty_secret() -> None:
    """Only plain absolute paths are signed, and an empty secret derives no key."""
    with pytest.raises(ValueError, match="plain absolute path"):
        sign(KEY, path="/f/1?x=1", person="1", expires=NOW)
    with pytest.raises(ValueError, match="empty secret"):
        derive_link_key("")
