"""Message catalogs: every user-facing text, in Vietnamese and English.

Catalogs live in `app/texts/<flow>.toml`, one file per flow; each entry is a table with
`vi` and `en`. A key is `<flow>.<name>`. An entry may also hold `en_one`, the English
text when the count parameter named by `one` is 1 ("1 working day left"; Vietnamese has
no plural, so it needs none). A line with two counts ("1 task, 3 rows") chooses each word
where it stands instead: `{rows:row|rows}` is "row" when the parameter `rows` is 1, else
"rows" (the number itself is `{rows}`). A count parameter (`COUNTS`) followed by a plural
English word with neither is a catalog problem. Texts are in the neutral markup of `core.markup`
(`**bold**`, `` `code` ``); parameters are `{name}` placeholders, and string parameters are
escaped into that markup unless wrapped in `Markup`. A channel renders the result.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from core.deadlines import format_date
from core.markup import Markup, escape, to_plain

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
TEXTS_DIR = Path(__file__).parent / "texts"
_SINGULARS = tuple(f"{lang}_one" for lang in LANGUAGES)
# `{rows:row|rows}`: the word for one, then for any other count, of the parameter named.
_CHOICE = re.compile(r"\{(\w+):([^{}|]*)\|([^{}|]*)\}")
# Parameters that are counts. An English line says the words after one of them in the
# singular at one ("1 unit", never "1 units"): by `en_one`, or by a choice `{n:unit|units}`;
# `catalog_problems` flags a plural word within the three words after a count that has
# neither. A new count parameter belongs here.
COUNTS = frozenset(
    {
        *("count", "n", "total", "rows", "days", "pages", "contacts", "times", "hours"),
        *("minutes", "assigned", "found", "ahead", "length", "limit", "shown", "done"),
        *("added", "updated", "unchanged", "rejected", "recent", "tasks", "mb"),
    }
)
# Parameters that are a record's number (task #1234, extension request 1234): written as
# typed, without the thousands separator a count takes ("#1.234" is a number nothing reads).
NUMBERS = frozenset({"id", "task"})
# Words ending in "s" that are no plural noun; "of" ends the look ("1 of the tasks").
_NOT_PLURAL = frozenset({"is", "was", "has", "its", "this", "as", "does", "unless", "less"})
# "contact(s)": a plural hedged, where the count is known and chooses the word.
_HEDGED = re.compile(r"\b[A-Za-z]+\((?:s|es)\)")
_WORDS_AFTER = re.compile(r"\A(?:[ -]+[A-Za-z’']+){1,3}")


@dataclass(frozen=True)
class Catalog:
    """All texts by key and language."""

    entries: Mapping[str, Mapping[str, str]]

    def get(self, lang: str, key: str, **params: object) -> str:
        """Return the text for key in lang with params filled in and escaped."""
        entry = self.entries.get(key)
        if entry is None:
            raise KeyError(f"no catalog entry {key!r}")
        template = entry.get(lang) or entry["vi"]
        count = entry.get("one")
        if count and params.get(count) == 1:
            template = entry.get(f"{lang}_one") or template
        if ":" in template:
            template = _CHOICE.sub(lambda m: m[2] if params.get(m[1]) == 1 else m[3], template)
        return template.format_map(
            {k: _number(v, lang) if k in NUMBERS else _render(v, lang) for k, v in params.items()}
        )

    def plain(self, lang: str, key: str, **params: object) -> str:
        """Return the text as plain text (for a file, a sheet or the console)."""
        return to_plain(self.get(lang, key, **params))

    def has(self, key: str) -> bool:
        """Tell whether the key exists."""
        return key in self.entries


def _number(value: object, lang: str) -> str:
    """Render a record's number as its digits; any other value as `_render` does."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _render(value, lang)


def _render(value: object, lang: str) -> str:
    """Render one parameter for insertion into markup."""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_int(value, lang)
    if isinstance(value, float | Decimal):
        return format_decimal(value, lang)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return escape(str(value))


def format_int(value: int, lang: str) -> str:
    """Format a whole number with the language's thousands separator."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "vi" else text


def format_decimal(value: float | Decimal, lang: str, places: int = 1) -> str:
    """Format a decimal number: decimal comma in Vietnamese, point in English."""
    quant = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quant, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    if lang == "vi":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(numerator: int, denominator: int, lang: str) -> str:
    """Format a ratio as a percentage with one decimal, or a dash when undefined.

    Only all of them reads 100,0% and only none 0,0%: 1,999 of 2,000 done is 99,9%, not the
    100,0% rounding gives (a report saying one unit is overdue and the rate is 100%), and 1
    of 2,000 is 0,1%.
    """
    if denominator == 0:
        return "-"
    value = Decimal(numerator) * 100 / Decimal(denominator)
    if 0 < numerator < denominator:
        value = min(max(value, Decimal("0.1")), Decimal("99.9"))
    return format_decimal(value, lang) + "%"


def format_datetime(value: datetime) -> str:
    """Format a local datetime as hh:mm dd/mm/yyyy."""
    return value.strftime("%H:%M %d/%m/%Y")


@cache
def load_catalog(directory: Path = TEXTS_DIR) -> Catalog:
    """Load every catalog file of the directory into one Catalog."""
    entries: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.toml")):
        flow = path.stem
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for name, entry in data.items():
            texts: dict[str, str] = {lang: str(entry.get(lang, "")) for lang in LANGUAGES}
            texts.update({k: str(entry[k]) for k in (*_SINGULARS, "one") if k in entry})
            entries[f"{flow}.{name}"] = texts
    return Catalog(entries)


def catalog_problems(catalog: Catalog) -> list[str]:
    """List entries that lack a language or whose languages disagree on placeholders."""
    problems: list[str] = []
    for key, entry in catalog.entries.items():
        fields: dict[str, set[str]] = {}
        for lang in LANGUAGES:
            text = entry.get(lang, "")
            if not text.strip():
                problems.append(f"{key}: missing {lang}")
                continue
            parsed = list(string.Formatter().parse(text))
            fields[lang] = {f for _, f, _, _ in parsed if f}
            problems += [
                f"{key}: {{{f}:{spec}}} is not a choice {{{f}:one|other}} ({lang})"
                for _, f, spec, _ in parsed
                if spec and not _CHOICE.fullmatch(f"{{{f}:{spec}}}")
            ]
        if len(fields) == len(LANGUAGES) and fields["vi"] != fields["en"]:
            problems.append(f"{key}: placeholders differ {sorted(fields['vi'])} / {fields['en']}")
        problems += [
            f"{key}: {word} is no plural; say it by the count ({{count:one|other}})"
            for word in _HEDGED.findall(entry.get("en", ""))
            if word.lower() != "http(s)"
        ]
        singular = _singular_problems(key, entry, fields.get("vi", set()))
        problems.extend(singular or _plural_problems(key, entry))
    return problems


def _plural_problems(key: str, entry: Mapping[str, str]) -> list[str]:
    """List the counts of the English line followed by a plural word with no singular for
    one: "{count} units" without `en_one` for `count` nor `{count:unit|units}`."""
    text = entry.get("en", "")
    problems: list[str] = []
    for count in dict.fromkeys(re.findall(r"\{(\w+)\}", text)):
        if count not in COUNTS or f"{{{count}:" in text:
            continue
        if entry.get("one") == count and entry.get("en_one"):
            continue
        for placed in re.finditer(r"\{" + count + r"\}", text):
            after = _WORDS_AFTER.match(text[placed.end() :])
            words = re.split(r"[ -]+", after[0].strip(" -")) if after else []
            if "of" in words:
                words = words[: words.index("of")]
            plural = [w for w in words if w.endswith("s") and w.lower() not in _NOT_PLURAL]
            if plural:
                problems.append(f"{key}: {{{count}}} {plural[0]} has no singular ({count}=1)")
                break
    return problems


def _singular_problems(key: str, entry: Mapping[str, str], fields: set[str]) -> list[str]:
    """List a singular form without its count, or with other placeholders than vi's."""
    singulars = [k for k in _SINGULARS if k in entry]
    if not singulars:
        return []
    if entry.get("one") not in fields:
        return [f"{key}: `one` must name a placeholder, not {entry.get('one')!r}"]
    return [
        f"{key}: {k} placeholders differ"
        for k in singulars
        if {f for _, f, _, _ in string.Formatter().parse(entry[k]) if f} != fields
    ]


def pick_language(code: str | None, default: Lang = "vi") -> Lang:
    """Choose vi or en from a Telegram language_code, falling back to the default."""
    if code and code.lower().startswith("en"):
        return "en"
    if code and code.lower().startswith("vi"):
        return "vi"
    return default
