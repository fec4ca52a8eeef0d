"""What the bot processes started by tests printed, kept for one check at the session's end.

The README promises that no output and no log line contains the bot token; every test that
starts a real bot process hands its output here, and tests/conftest.py greps it all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Shorter secrets ("1:x" in the settings tests) would match ordinary text.
MIN_SECRET = 8


@dataclass(frozen=True)
class Output:
    """What one bot process printed, and the token it ran with."""

    what: str
    token: str
    text: str


OUTPUTS: list[Output] = []


def keep(what: str, env: Mapping[str, str], *texts: str | bytes | None) -> None:
    """Keep a process's stdout and stderr, with the BOT_TOKEN (or Zalo's) of its environment."""
    token = env.get("BOT_TOKEN") or env.get("ZALO_BOT_TOKEN", "")
    shown = [t.decode(errors="replace") if isinstance(t, bytes) else (t or "") for t in texts]
    OUTPUTS.append(Output(what, token, "\n".join(shown)))


def leaks() -> list[str]:
    """Return the processes whose output shows their token (or its secret part)."""
    found = []
    for output in OUTPUTS:
        secret = output.token.partition(":")[2]
        if len(secret) >= MIN_SECRET and secret in output.text:
            found.append(output.what)
    return found
