"""A date cell saved as Excel's day count read as the date it is."""

from __future__ import annotations

# Excel counts days from 30/12/1899; a date cell saved as General, or pasted into a CSV,
# shows that count ("46387" is 31/12/2026), and a date and time its fraction of a day too
# ("46387.75" is 18:00 that day). Counts of 2000 to 2099 only: any other number
# in a deadline column is a typo, not a date.
_EXCEL_EPOCH_ORDINAL = 693594  # date(1899, 12, 30).toordinal()
_SERIALS = range(36526, 73051)  # 01/01/2000 .. 31/12/2099


def serial_date(text: str) -> str | None:
    """Return an Excel day count as dd/mm/yyyy, or None when the text is no such count."""
    from datetime import date

    whole, point, fraction = text.strip().partition(".")  # a date and time: 46387.75
    if point and not (fraction.isascii() and fraction.isdigit()):
        return None
    stripped = whole
    if not stripped.isascii() or not stripped.isdigit() or int(stripped) not in _SERIALS:
        return None
    return date.fromordinal(_EXCEL_EPOCH_ORDINAL + int(stripped)).strftime("%d/%m/%Y")
