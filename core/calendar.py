"""The province's working calendar: Vietnamese public holidays, day swaps and local overrides.

Vietnam's holidays, the government's yearly day swaps (a weekday off paid back by a
Saturday worked) and the lunar dates of Tết and Giỗ Tổ Hùng Vương come from the
`holidays` package; the province adds its own days off and extra working days on top.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import threading
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import holidays
from holidays.holiday_base import HolidayBase

__all__ = ["WorkingCalendar", "public_holiday_name"]

# Civil servants work Monday to Friday; Saturday and Sunday are date.weekday() 5 and 6.
_WEEKEND = frozenset({5, 6})
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _PackageYear:
    """What the `holidays` package says about one calendar year."""

    days_off: Mapping[date, str]
    weekend_workdays: frozenset[date]


# The package's Vietnam, as `holidays.country_holidays("VN")` builds it.
_VIETNAM = "holidays.countries.vietnam"
_vietnam_lock = threading.Lock()


def _vietnam() -> type[HolidayBase]:
    """Return the package's Vietnam class without importing its every other country.

    `holidays.country_holidays("VN")` imports `holidays.countries`, whose `__init__`
    imports all of the package's ~250 countries: about 13 MB of a process's memory for one
    of them (a third of the bot's margin under its 120 MB target). Vietnam's module needs
    only the package's base classes and calendars, so it is loaded from its file alone, under
    its own name; if the package is laid out otherwise, or the countries are loaded anyway,
    the package's own way is taken.
    """
    with _vietnam_lock:
        module = sys.modules.get(_VIETNAM)
        if module is None and "holidays.countries" not in sys.modules:
            path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
            spec = importlib.util.spec_from_file_location(_VIETNAM, path)
            if path.is_file() and spec is not None and spec.loader is not None:
                module = importlib.util.module_from_spec(spec)
                sys.modules[_VIETNAM] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[_VIETNAM]
                    raise
    vietnam = getattr(module, "Vietnam", None)
    if isinstance(vietnam, type) and issubclass(vietnam, HolidayBase):
        return vietnam
    return type(holidays.country_holidays("VN", years=2000))


# The package's languages for ours; its English names write a date the American way.
_PACKAGE_LANGUAGES = {"vi": "vi", "en": "en_US"}
_US_DATE_RE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


@lru_cache(maxsize=64)
def _package_year(year: int, language: str = "vi") -> _PackageYear:
    """Load one year of Vietnamese holidays and make-up Saturdays from the package, the
    holidays named in one of our languages."""
    # A swap can cross New Year (off 31/12/2018, worked 05/01/2019 is listed under 2018),
    # so the neighbouring years are loaded too and only this year's dates are kept.
    years = [y for y in (year - 1, year, year + 1) if 1 <= y <= 9999]
    package = _vietnam()(years=years, language=_PACKAGE_LANGUAGES.get(language, "vi"))
    days_off = {d: _named(str(name), language) for d, name in package.items() if d.year == year}
    workdays = frozenset(d for d in package.weekend_workdays if d.year == year)
    return _PackageYear(days_off=MappingProxyType(days_off), weekend_workdays=workdays)


def _named(name: str, language: str) -> str:
    """Return a holiday's name with its dates as dd/mm/yyyy ("Day off (substituted from
    22/08/2026)", not the package's English 08/22/2026)."""
    if _PACKAGE_LANGUAGES.get(language) != "en_US":
        return name
    return _US_DATE_RE.sub(lambda m: f"{m[2]}/{m[1]}/{m[3]}", name)


def public_holiday_name(d: date, language: str) -> str | None:
    """Return the name of the public holiday on `d` (Tết, a swapped day off, ...) in a
    language of ours ("vi", "en"), or None when it is none."""
    return _package_year(d.year, language).days_off.get(d)


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Tell working days from days off: weekends, public holidays, swaps, local overrides.

    Building one is cheap: holiday years are loaded lazily and cached for the process.
    """

    days_off: Mapping[date, str] = field(default_factory=dict)
    extra_working_days: Set[date] = frozenset()

    def __post_init__(self) -> None:
        """Freeze the overrides and refuse a day that is both off and worked."""
        clash = sorted(set(self.days_off) & set(self.extra_working_days))
        if clash:
            listed = ", ".join(d.isoformat() for d in clash)
            raise ValueError(f"days both off and worked: {listed}")
        # A caller keeping a reference to its dict must not be able to change us later.
        object.__setattr__(self, "days_off", MappingProxyType(dict(self.days_off)))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))

    def fingerprint(self) -> str:
        """Return what the calendar's days off come from (its own days, the `holidays`
        package's version), short: equal for two calendars that tell every day alike."""
        said = repr(
            (
                sorted(self.days_off),
                sorted(self.extra_working_days),
                getattr(holidays, "__version__", ""),
            )
        )
        return hashlib.sha256(said.encode()).hexdigest()[:16]

    def is_working_day(self, d: date) -> bool:
        """Return whether officials work on `d`."""
        if d in self.extra_working_days:
            return True
        if d in self.days_off:
            return False
        package = _package_year(d.year)
        if d.weekday() in _WEEKEND:
            return d in package.weekend_workdays
        return d not in package.days_off

    def holiday_name(self, d: date) -> str | None:
        """Return why `d` is a day off, or None for a working day or a plain weekend."""
        if self.is_working_day(d):
            return None
        if d in self.days_off:
            return self.days_off[d]
        return _package_year(d.year).days_off.get(d)

    def next_working_day(self, d: date, *, include_today: bool) -> date:
        """Return the first working day after `d`, or `d` itself if allowed and working."""
        day = d if include_today else d + _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def roll_forward(self, d: date) -> tuple[date, bool]:
        """Move a deadline off a day off to the next working day (Civil Code 2015, art. 148)."""
        rolled = self.next_working_day(d, include_today=True)
        return rolled, rolled != d

    def add_working_days(self, start: date, n: int) -> date:
        """Return the n-th working day after `start` (not counted); n=0 rolls `start` forward."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return self.next_working_day(start, include_today=True)
        day = start
        for _ in range(n):
            day = self.next_working_day(day, include_today=False)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Count working days after `a` up to and including `b`; negative when `b` < `a`."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
