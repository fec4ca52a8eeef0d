"""Telegram HTML parsing: plain text, UTF-16 entity offsets, refusals."""

from __future__ import annotations

import pytest

from devtools.fakebotapi.errors import ApiError
from devtools.fakebotapi.html_check import parse_html, utf16_len


def test_parse_html_counts_offsets_in_utf16_units() -> None:
    """An emoji before a tag takes two UTF-16 units, as Telegram counts."""
    text, entities = parse_html("👍 <b>Đạt</b>")

    assert text == "👍 Đạt"
    assert entities == [{"type": "bold", "offset": 3, "length": 3}]
    assert utf16_len(text) == 6


def test_parse_html_decodes_entities_and_links() -> None:
    """Named and numeric entities decode; links keep their URL."""
    text, entities = parse_html(
        '&lt;&#8470;&#x41;&quot;&amp; <a href="https://t.me/x?a=1&amp;b=2">x</a>'
    )

    assert text == '<№A"& x'
    assert entities[0]["url"] == "https://t.me/x?a=1&b=2"


def test_parse_html_gives_pre_its_code_language() -> None:
    """<pre><code class="language-python"> becomes one pre entity with a language."""
    _, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')

    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("Sở GD&ĐT", "Character '&' at byte offset 7"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<br/>", 'Unsupported start tag "br"'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_parse_html_refuses_malformed_markup(source: str, detail: str) -> None:
    """Malformed HTML is refused with a "can't parse entities" description."""
    with pytest.raises(ApiError) as caught:
        parse_html(source)

    assert caught.value.code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert detail in caught.value.description
