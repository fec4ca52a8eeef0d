"""The simulator's pieces that need no running demo: how a Telegram message is shown, and
that its routes exist in the demo's application only."""

from __future__ import annotations

from typing import cast

from starlette.routing import BaseRoute

from app.services import Services
from bot.demo.chat import keyboard, telegram_html
from web.deps import WebDeps
from web.server import create_app


def test_formatting_follows_utf16_offsets_and_every_character_is_escaped() -> None:
    """Bold after an emoji (two UTF-16 units) lands on the right words; data stays text."""
    text = "🔔 Nhắc việc <script> & xong"
    entities = [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 24, "length": 4},
    ]
    assert telegram_html(text, entities) == (
        "🔔 <b>Nhắc việc</b> &lt;script&gt; &amp; <i>xong</i>"
    )


def test_nested_entities_close_in_order_and_unsafe_links_are_dropped() -> None:
    """A bold link opens and closes as nested tags; a javascript: link is no link."""
    text = "mở trang hoặc đây"
    entities = [
        {"type": "bold", "offset": 0, "length": 8},
        {"type": "text_link", "offset": 3, "length": 5, "url": "http://127.0.0.1:8080/"},
        {"type": "text_link", "offset": 14, "length": 3, "url": "javascript:alert(1)"},
    ]
    assert telegram_html(text, entities) == (
        '<b>mở <a href="http://127.0.0.1:8080/" target="_blank" rel="noopener">trang</a>'
        "</b> hoặc đây"
    )


def test_keyboard_rows_keep_callback_data_and_safe_urls() -> None:
    """Buttons keep their text and data; a URL button keeps an http(s) URL only."""
    markup = {
        "inline_keyboard": [
            [{"text": "✅ Hoàn thành", "callback_data": "st:done:1~x"}],
            [{"text": "Mở", "url": "https://example.org"}, {"text": "X", "url": "tg://x"}],
        ]
    }
    assert keyboard(markup) == [
        [{"text": "✅ Hoàn thành", "data": "st:done:1~x"}],
        [{"text": "Mở", "url": "https://example.org"}],
    ]


def test_the_served_application_has_no_simulator_route() -> None:
    """`dondoc serve`'s application knows no /demo path: only the demo adds them."""
    deps = WebDeps(services=cast(Services, None), link_key=b"")
    routes: list[BaseRoute] = create_app(deps).routes
    assert routes
    assert not [r for r in routes if str(getattr(r, "path", "")).startswith("/demo")]


def test_a_link_to_the_demo_written_in_the_text_is_shown_as_a_link() -> None:
    """/web's sign-in link comes as plain text: the pane makes it a link (without the full
    stop after it), as Telegram's apps do; one in code or already a link is left as it is,
    and one leading out of the demo (an invite's t.me link) stays text."""
    text = (
        "Đăng nhập: http://127.0.0.1:8080/login/abc_1. Mã: http://127.0.0.1:8080/y "
        "hoặc http://z.vn, https://t.me/dondoc_demo_bot?start=x"
    )
    entities = [
        {"type": "code", "offset": 50, "length": 23},
        {"type": "text_link", "offset": 79, "length": 11, "url": "http://z.vn/"},
    ]
    assert telegram_html(text, entities, site="http://127.0.0.1:8080") == (
        'Đăng nhập: <a href="http://127.0.0.1:8080/login/abc_1" target="_blank" '
        'rel="noopener">http://127.0.0.1:8080/login/abc_1</a>. Mã: <code>'
        'http://127.0.0.1:8080/y</code> hoặc <a href="http://z.vn/" target="_blank" '
        'rel="noopener">http://z.vn</a>, https://t.me/dondoc_demo_bot?start=x'
    )
