"""How a setting's text is read, and the shapes a valid value has: what the validators of
`bot/settings.py` match and split."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

PLACEHOLDER_MARKERS = ("replace-me", "changeme", "change-me", "example", "your-token", "xxxx")
TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
# A Zalo Bot token is `<bot_id>:<secret>`, as Zalo Bot Creator shows it.
ZALO_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{8,}$")
ZALO_ID_SHAPE = re.compile(r"^[A-Za-z0-9]{1,64}$")
WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,256}$")
WEB_SECRET_SHAPE = re.compile(r"^\S{16,}$")
# An origin a page may be framed by (CSP frame-ancestors): scheme, host, optional port.
FRAME_ORIGIN_SHAPE = re.compile(r"^https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")
CRON_FIELDS = 5


def int_list(value: object) -> object:
    """Turn '1,2' or '[1, 2]' into a list of ints; leave anything else to pydantic."""
    if isinstance(value, int):
        return [value]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError("a list of numbers") from exc
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(re.fullmatch(r"-?\d+", p) for p in parts):
        raise ValueError("a list of numbers")
    return [int(p) for p in parts]


def comma_listed(text: str) -> list[str]:
    """Return the words of a comma-separated setting, as an .env or a JSON-ish list writes
    it (brackets and quotes dropped, blanks skipped)."""
    parts = (part.strip("\"' ") for part in text.strip().strip("[]").split(","))
    return [part for part in parts if part]


def placeholder(token: str) -> bool:
    """Tell whether a secret is still the example's placeholder."""
    return any(marker in token.lower() for marker in PLACEHOLDER_MARKERS)


def is_http_url(value: str) -> bool:
    """Tell whether the value is an absolute http(s) URL, its port (if any) a port."""
    parsed = urlparse(value)
    try:  # "host:99999" or "host:80x" failed only at the first call, as a network error
        parsed.port  # noqa: B018 (read for the ValueError it raises)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.hostname)
