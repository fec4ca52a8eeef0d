"""A file too large for the channel it would be sent on: a signed web link instead, or words.

Telegram's Bot API takes a document up to 50 MB and a photo up to 10 MB; a province can set
lower bounds (TELEGRAM_FILE_MAX_BYTES, ZALO_FILE_MAX_BYTES). A workbook, a report or a chart
past the bound is not sent: the person gets a link to the same file on `dondoc serve`'s
`/files/...` routes (`app/links.py`: signed for them, used once, 24 hours; the route checks
their role and scope again), or, when there is no web address to link to
(PUBLIC_BASE_URL unset), what to do instead: ask for less, or have an admin write the file
with the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app import links
from app.actor import Actor
from app.formal_report import ReportTarget
from app.services import Services

TELEGRAM_PHOTO_MAX = 10 * 1024 * 1024  # the Bot API's own bound for a photo
Kind = Literal["export", "report", "chart"]
_CLI = {"export": "dondoc export", "report": "dondoc report"}


def limit(services: Services, channel: str, *, photo: bool = False) -> int:
    """Return the most bytes a file sent on the channel may hold."""
    if channel == "zalo":
        return services.settings.zalo_file_max_bytes
    bound = services.settings.telegram_file_max_bytes
    return min(bound, TELEGRAM_PHOTO_MAX) if photo else bound


def fits(services: Services, channel: str, size: int, *, photo: bool = False) -> bool:
    """Tell whether a file of `size` bytes may be sent on the channel."""
    return size <= limit(services, channel, photo=photo)


@dataclass(frozen=True)
class TooLarge:
    """What a file past the channel's bound is: its kind, size, and what it covers."""

    kind: Kind
    size: int
    covers: ReportTarget  # a task, a directive's tasks, a period, or every open task


def too_large(services: Services, actor: Actor, file: TooLarge, *, channel: str) -> str:
    """Return what to say instead of sending the file: a link to it, or what to do."""
    t = services.catalog.get
    lang = actor.lang
    params: dict[str, object] = {
        "file": t(lang, f"files.kind_{file.kind}"),
        "size": size_text(file.size, lang),
        "limit": size_text(limit(services, channel, photo=file.kind == "chart"), lang),
        "channel": "Zalo" if channel == "zalo" else "Telegram",
    }
    if services.settings.public_base_url_set and actor.contact_id:
        link = links.url(
            services.settings.public_base_url,
            services.link_key,
            path=_path(file),
            person=str(actor.contact_id),
            now=services.clock.now(),
        )
        hours = int(links.DEFAULT_TTL.total_seconds() // 3600)
        return t(lang, "files.too_large_link", link=link, hours=hours, **params)
    if file.kind == "chart":
        return t(lang, "files.too_large_chart", **params)
    return t(lang, "files.too_large_narrow", command=file.kind, cli=_CLI[file.kind], **params)


def size_text(size: int, lang: str) -> str:
    """Return a size as people read it: '52,4 MB', '800 KB' (a decimal comma in Vietnamese)."""
    if size >= 1024 * 1024:
        text = f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    else:
        text = f"{max(1, round(size / 1024))} KB"
    return text.replace(".", ",") if lang == "vi" else text


def _path(file: TooLarge) -> str:
    """Return the `/files/...` path of the same file: a period's report, or a task's, a
    directive's tasks' or every open task's file (a chart of several tasks too, as Zalo's
    /chart links them)."""
    covers = file.covers
    if file.kind == "report" and covers.start is not None and covers.end is not None:
        days = (day.isoformat().replace("-", "") for day in (covers.start, covers.end))
        return "/files/report/p" + "-".join(days)
    if covers.task_id is not None:
        which = str(covers.task_id)
    elif covers.directive_id is not None:
        which = f"d{covers.directive_id}"
    else:
        which = "all"
    return f"/files/{file.kind}/{which}"
