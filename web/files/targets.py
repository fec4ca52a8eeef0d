"""What a file's path covers (`all`, a task, a directive, a period; `all` and a directive
with the units a dashboard page's filters kept, `~<filters>`) and its sent name."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import quote

from sqlmodel import Session

from app.dashboard.filters import Filters, from_token
from app.dashboard.viewer import Viewer
from app.formal_report import ReportTarget
from app.reports import directive_number
from core.deadlines import format_date
from web.files.signed import Describe, MayHave

_WHICH = re.compile(r"(?:(all)|(\d{1,12})|d(\d{1,12})|p(\d{8})-(\d{8}))")
_FILTERED = re.compile(r"(all|d\d{1,12})~([A-Za-z0-9_-]+)")


def filtered_target_of(which: str) -> tuple[ReportTarget, Filters] | None:
    """Read what a file's path covers and the units a page's filters kept (`~<filters>`,
    `app.dashboard.filters.units_token`), for the files a filtered page offers; None when
    it is no target."""
    filtered = _FILTERED.fullmatch(which)
    if filtered is None:
        target = target_of(which)
        return None if target is None else (target, Filters())
    filters, target = from_token(filtered.group(2)), target_of(filtered.group(1))
    return None if filters is None or target is None else (target, filters)


def target_of(which: str) -> ReportTarget | None:
    """Read what a file's path covers (see web.files); None when it is no target."""
    found = _WHICH.fullmatch(which)
    if found is None:
        return None
    everything, task, directive, start, end = found.groups()
    if everything:
        return ReportTarget()
    if task or directive:
        return ReportTarget(
            task_id=int(task) if task else None, directive_id=int(directive) if directive else None
        )
    try:
        first, last = _day(start), _day(end)
    except ValueError:
        return None
    return ReportTarget(start=first, end=last) if first <= last else None


def _day(text: str) -> date:
    """Read yyyymmdd."""
    return datetime.strptime(text, "%Y%m%d").date()


def described(target: ReportTarget, may_have: MayHave, key: str) -> tuple[MayHave, Describe]:
    """Return the check that a file of `target` may be had, reading the directive's number
    as it checks, and the page's words `key` saying what it covers by that number."""
    seen: dict[str, str] = {}

    def check(session: Session, viewer: Viewer) -> bool:
        if target.directive_id is not None:
            seen["number"] = directive_number(session, target.directive_id) or ""
        return may_have(session, viewer)

    def describe(t: Callable[..., str]) -> str:
        return t(key, subject=subject(t, target, seen.get("number", "")))

    return check, describe


def subject(t: Callable[..., str], target: ReportTarget, number: str = "") -> str:
    """Say what a target covers ("task #12", "every open task within your scope"); a
    directive by its `number` ("4824/UBND-KGVX"), not the database's id of it."""
    if target.task_id is not None:
        return t("web.subject_task", id=target.task_id)
    if target.directive_id is not None:
        return t("web.subject_directive", number=number or f"#{target.directive_id}")
    if target.start is not None and target.end is not None:
        return t(
            "web.subject_period", start=format_date(target.start), end=format_date(target.end)
        )
    return t("web.subject_all")


def attachment(file_name: str) -> str:
    """Return a Content-Disposition naming the file (ASCII fallback and UTF-8 name)."""
    fallback = file_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(file_name)}"
