"""Cut a long list into pages for chat (a message holds at most 4096 characters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (from 1) and how many pages there are."""

    items: Sequence[T]
    number: int
    pages: int

    @property
    def has_prev(self) -> bool:
        """Tell whether there is a page before this one."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Tell whether there is a page after this one."""
        return self.number < self.pages


def page_of(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Return page `number` (clamped to the pages that exist) of items."""
    number, pages = page_number(len(items), number, size)
    start = (number - 1) * size
    return Page(items[start : start + size], number, pages)


def page_number(total: int, number: int, size: int) -> tuple[int, int]:
    """Return page `number` clamped to the pages of `total` items, and how many pages."""
    pages = max(1, -(-total // size))
    return min(max(1, number), pages), pages
