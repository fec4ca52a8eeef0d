"""Summary pages fit one Telegram message each, whatever the header and the entries."""

from __future__ import annotations

import random

from app.summary_text import Entry, Report


def test_every_page_fits_a_message_and_keeps_every_entry() -> None:
    """Random headers (emoji count twice in UTF-16), headings, short and 7,000-unit entries:
    each page with its footer is at most 4,096 units, no page ends on a heading, and the
    pages hold every entry's text."""
    rnd = random.Random(3)
    for _ in range(200):
        header = "H" * rnd.randint(10, 900) + "😀" * rnd.randint(0, 50)
        entries = []
        for group in range(rnd.randint(1, 7)):  # as `detail` makes them: a heading, its units
            entries.append(Entry(f"\n**Nhóm {group} ({group}):**"))
            for i in range(rnd.randint(1, 40)):
                if rnd.random() < 0.05:
                    entries.append(Entry("• Xã: " + "lý do 😀 " * rnd.randint(10, 700)))
                else:
                    explain = (i, "x") if rnd.random() < 0.3 else None
                    entries.append(Entry("• Xã " + "A" * rnd.randint(1, 80), explain))
        report = Report(header, entries)
        pages = report.pages()
        for page in pages:
            text = report.text(page) + "\n\nTrang 999/999"
            assert len(text.encode("utf-16-le")) // 2 <= 4096
        for page in pages[:-1]:
            assert len(page) == 1 or not page[-1].text.startswith("\n")
        shown = "".join(e.text for page in pages for e in page).replace("\n", "")
        assert shown.replace(" ", "") == "".join(e.text for e in entries).replace(
            "\n", ""
        ).replace(" ", "")
