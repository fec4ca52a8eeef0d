"""Read a directive as admins type it: '4824/UBND-KGVX | 15/11/2026 | UBND tỉnh | Về việc …'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.deadlines import parse_date

__all__ = ["MAX_NUMBER", "DirectiveDraft", "parse_directive_line"]

MAX_NUMBER, MAX_ISSUER, MAX_TITLE = 80, 200, 500


@dataclass(frozen=True, slots=True)
class DirectiveDraft:
    """A directive not yet stored: number and symbol, and what else was given."""

    number: str
    issued_on: date | None = None
    issuer: str = ""
    title: str = ""


def parse_directive_line(text: str) -> DirectiveDraft | str:
    """Return the directive typed as 'number | date | issuer | title' (all but number
    optional), or an error code: 'missing_number', 'bad_date', 'too_long'."""
    parts = [" ".join(p.split()) for p in text.split("|")]
    parts += [""] * (4 - len(parts))
    number, day_text, issuer = parts[0], parts[1], parts[2]
    title = " | ".join(p for p in parts[3:] if p)
    if not number:
        return "missing_number"
    if len(number) > MAX_NUMBER or len(issuer) > MAX_ISSUER or len(title) > MAX_TITLE:
        return "too_long"
    issued_on = parse_date(day_text) if day_text else None
    if day_text and issued_on is None:
        return "bad_date"
    return DirectiveDraft(number, issued_on, issuer, title)
