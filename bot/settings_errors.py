"""Settings' errors told in one line a variable: its name and what it got, secrets hidden."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable

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


# Variables of the environment that may look like a setting but are other programs' own.
NOT_OURS = frozenset({"HTTP_PROXY", "NO_PROXY", "ALL_PROXY", "FTP_PROXY"})
# Words only dondoc's settings begin with: in the environment, a variable beginning with one
# that is no setting is a mistyped one (ZALO_BOT_TOKN, TELEGRAM_TOKEN).
OUR_PREFIXES = (
    "BOT_",
    "ZALO_",
    "TELEGRAM_",
    "ORG_",
    "REPORT_",
    "EVIDENCE_",
    "DIGEST_",
    "REMINDER_",
    "OVERDUE_",
    "INVITE_",
    "OUTBOX_",
    "MINIAPP_",
    "LOOP_PROBE_",
)
# How alike a name must be to a setting's to be read as a typo of it (difflib's ratio).
TYPO_LIKENESS = 0.85
# How alike a name that is no setting must be to one to be told "did you mean".
SUGGEST_LIKENESS = 0.75


def unknown_settings(
    names: Iterable[str], env_file_names: Iterable[str]
) -> list[tuple[str, str | None, bool]]:
    """Return (NAME, the setting it may be a typo of, whether .env holds it) for each name
    that is no setting: every one in the .env file (dondoc's own), and those of the
    environment that begin as dondoc's do or read as a setting mistyped (BOT_TOKN).

    A typo is otherwise silently ignored: the setting keeps its default, and the bot runs
    without the channel, the admin or the address the operator thought they had set.
    """
    known = {name.upper() for name in names}
    found: dict[str, tuple[str | None, bool]] = {}
    for name in env_file_names:
        upper = name.upper()
        if upper not in known:
            found[upper] = (likely_meant(upper, known), True)
    for name in os.environ:
        upper = name.upper()
        if upper in known or upper in found or upper in NOT_OURS:
            continue
        if upper.startswith(OUR_PREFIXES) or alike(upper, known, TYPO_LIKENESS):
            found[upper] = (likely_meant(upper, known), False)
    return [(name, meant, in_file) for name, (meant, in_file) in sorted(found.items())]


def likely_meant(name: str, known: set[str]) -> str | None:
    """Return the setting a name that is none most likely meant, if any is alike enough; a
    token's name mistyped, the token (TELEGRAM_TOKEN is most alike TELEGRAM_HTTP)."""
    if "TOK" in name:
        return "ZALO_BOT_TOKEN" if "ZALO" in name else "BOT_TOKEN"
    return alike(name, known, SUGGEST_LIKENESS)


def alike(name: str, known: set[str], likeness: float) -> str | None:
    """Return the setting a name is most alike, if it is at least that alike."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=likeness)
    return close[0] if close else None
