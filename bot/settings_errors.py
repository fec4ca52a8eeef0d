"""Settings' errors told in one line a variable: its name and what it got, secrets hidden."""

from __future__ import annotations

import re

from pydantic import ValidationError

# Up to the last "@": a password typed with an "@" in it (unencoded) is hidden whole.
PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:).*@")


def describe_errors(error: ValidationError) -> list[tuple[str, str]]:
    """Return (VARIABLE, got) pairs for each invalid setting, for one-line messages."""
    pairs: list[tuple[str, str]] = []
    for item in error.errors():
        loc = item.get("loc") or ()
        field = str(loc[0]) if loc else ""
        for name in ("zalo_bot_token", "bot_token"):
            if not field and name in str(item.get("msg", "")):
                field = name
        if not field and "fake_clock_start" in str(item.get("msg", "")):
            field = "fake_clock_start"
        got = item.get("input")
        hidden = field in ("bot_token", "zalo_bot_token", "zalo_webhook_secret", "web_secret")
        shown = "" if hidden or isinstance(got, dict) else str(got)
        # Any URL's password (DATABASE_URL's, HTTPS_PROXY's user:password@proxy).
        shown = PASSWORD_IN_URL.sub(r"\1***@", shown)
        pairs.append((field.upper(), shown))
    return pairs
