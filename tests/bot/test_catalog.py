"""Message catalogs: every key in both languages, same placeholders, escaping."""

from __future__ import annotations

import re
from decimal import Decimal

from app.i18n import catalog_problems, format_decimal, format_percent, load_catalog
from core.markup import Markup, to_html, to_plain


def test_every_key_exists_in_vietnamese_and_english() -> None:
    """A key missing in either language, or with other placeholders, fails this test."""
    assert catalog_problems(load_catalog()) == []


def test_catalog_problems_reports_a_missing_language() -> None:
    """The check itself catches a missing English text and a placeholder mismatch."""
    from app.i18n import Catalog

    broken = Catalog(
        {"a.x": {"vi": "xin chào {name}", "en": ""}, "a.y": {"vi": "{n}", "en": "{m}"}}
    )
    problems = catalog_problems(broken)
    assert any("a.x: missing en" in p for p in problems)
    assert any(p.startswith("a.y: placeholders differ") for p in problems)


def test_parameters_are_escaped_into_the_markup() -> None:
    """Data inserted into a message shows as typed on every channel; Markup is kept as is."""
    catalog = load_catalog()
    text = catalog.get("vi", "common.unknown_command", command="<Sở GD&ĐT> **x**")
    assert "<Sở GD&ĐT> \\*\\*x\\*\\*" in text
    assert "&lt;Sở GD&amp;ĐT&gt; **x**" in to_html(text)
    assert "<Sở GD&ĐT> **x**" in to_plain(text)
    assert "**x**" in catalog.get("vi", "common.unknown_command", command=Markup("**x**"))


def test_catalogs_hold_no_html() -> None:
    """Catalogs are written in the neutral markup; a renderer makes HTML for Telegram."""
    catalog = load_catalog()
    tagged = [
        key
        for key, entry in catalog.entries.items()
        for text in entry.values()
        if re.search(r"</?(b|i|code|u|s|pre)>|<a href|&(lt|gt|amp);", text)
    ]
    assert tagged == []


def test_numbers_use_decimal_comma_in_vietnamese() -> None:
    """85.7 is written 85,7 in Vietnamese and 85.7 in English; thousands differ too."""
    assert format_decimal(Decimal("85.71"), "vi") == "85,7"
    assert format_decimal(Decimal("1234.5"), "vi") == "1.234,5"
    assert format_decimal(Decimal("1234.5"), "en") == "1,234.5"
    assert format_percent(12, 14, "vi") == "85,7%"
    assert format_percent(0, 0, "vi") == "-"


def test_english_takes_the_singular_when_the_count_is_one() -> None:
    """`en_one` is said when the count named by `one` is 1; a bad singular is reported."""
    from app.i18n import Catalog

    catalog = load_catalog()
    assert catalog.get("en", "reminders.status_before", days=1) == "⏳ 1 working day left."
    assert catalog.get("en", "reminders.status_before", days=2) == "⏳ 2 working days left."
    assert catalog.get("vi", "reminders.status_before", days=1) == "⏳ Còn 1 ngày làm việc."
    broken = Catalog(
        {
            "a.x": {"vi": "{n} ngày", "en": "{n} days", "en_one": "{m} day", "one": "n"},
            "a.y": {"vi": "{n} ngày", "en": "{n} days", "en_one": "{n} day", "one": "k"},
        }
    )
    assert catalog_problems(broken) == [
        "a.x: en_one placeholders differ",
        "a.y: `one` must name a placeholder, not 'k'",
    ]


def test_a_line_with_two_counts_says_each_in_the_singular_at_one() -> None:
    """ "1 task, 1 row", never "1 rows": each count of a line chooses its own word."""
    catalog = load_catalog()
    said = [
        catalog.get("en", "export.caption", tasks=1, rows=1, as_of=""),
        catalog.get("en", "export.cli_written", path="a.xlsx", tasks=1, rows=1),
        catalog.get("en", "report.caption", tasks=1, rows=1, as_of=""),
        catalog.get("en", "report.cli_written", path="a.docx", tasks=1, rows=1),
        catalog.get("en", "report.doc_total", tasks=1, assigned=1, time="", date=""),
        catalog.get("en", "cli.outbox_purged", count=1, day="", days=1),
        catalog.get("en", "cli.outbox_would_purge", count=1, day="", days=1),
        catalog.get("en", "invites.sheet_caption", count=1, days=1),
        catalog.get("en", "zalo.invites_link", count=1, format="XLSX", hours=24, link=""),
    ]
    assert [re.findall(r"\b1 (?:appendix |finished )?[a-z]+s\b", s) for s in said] == [[]] * 9
    many = catalog.get("en", "export.caption", tasks=1, rows=3, as_of="")
    assert many.startswith("Appendix: 1 task, 3 rows.")


def test_catalog_problems_reports_a_choice_not_made_of_two_words() -> None:
    """`{rows:row}` is refused: a choice names the word for one, then for any other count."""
    from app.i18n import Catalog

    broken = Catalog({"a.x": {"vi": "{rows} dòng", "en": "{rows} {rows:row}"}})
    assert catalog_problems(broken) == ["a.x: {rows:row} is not a choice {rows:one|other} (en)"]


def test_a_count_before_a_plural_word_needs_a_singular() -> None:
    """`{count} units` with neither `en_one` nor `{count:unit|units}` is flagged, so no
    English line says "1 units" again; "of" ends the look ("{n} of the tasks")."""
    from app.i18n import Catalog

    broken = Catalog(
        {
            "a.x": {"vi": "{count} đơn vị", "en": "{count} more units"},
            "a.y": {"vi": "{count} đơn vị", "en": "{count} {count:unit|units}"},
            "a.z": {"vi": "{n} đơn vị", "en": "{n} units", "en_one": "{n} unit", "one": "n"},
            "a.w": {"vi": "{n} việc {title}", "en": "{n} of the tasks; {title} items"},
        }
    )
    assert catalog_problems(broken) == ["a.x: {count} units has no singular (count=1)"]
    catalog = load_catalog()
    said = [
        catalog.get("en", "tasks.assigned", id=1, count=1, total=1),
        catalog.get("en", "chart.shown", shown=1, n=1),
        catalog.get("en", "cli.db_recounted", rows=1),
        catalog.get("en", "units.line", code="X", name="Xã X", contacts=1),
        catalog.get("en", "reminders.escalation_header", times=1, day=""),
        catalog.get("en", "summary.sent_as_file", pages=1),
        catalog.get("en", "calendar.header", count=1, page=1, pages=1),
        catalog.get("en", "tasks.deadline_kept", count=1),
    ]
    assert [re.findall(r"\b1 (?:more )?[a-z]+s\b", s) for s in said] == [[]] * 8
    assert said[-1] == "1 unit keeps its later approved extension."


def test_a_plural_hedged_with_s_in_brackets_is_a_catalog_problem() -> None:
    """ "sent to 1 contact(s)" (the explanation request's answer): the count chooses the
    word, `{count:contact|contacts}`; "http(s)" is no plural."""
    from app.i18n import Catalog

    broken = Catalog(
        {
            "a.x": {"vi": "{count} người", "en": "sent to {count} contact(s)"},
            "a.y": {"vi": "URL", "en": "an http(s) URL"},
        }
    )
    assert catalog_problems(broken) == [
        "a.x: contact(s) is no plural; say it by the count ({count:one|other})"
    ]
    said = load_catalog().get("en", "explanations.requested", task=1, count=1, unit="X")
    assert "1 contact of X" in said
