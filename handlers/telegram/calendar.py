"""/calendar: the province's own days off and extra working days (make-up Saturdays).

`/calendar` lists them; `/calendar add dd/mm/yyyy [reason]` adds a day off,
`/calendar work dd/mm/yyyy [reason]` a worked day, `/calendar remove dd/mm/yyyy` undoes
either. Public holidays and the government's swaps come from the `holidays` package.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from core.deadlines import parse_date
from core.markup import to_html
from core.paging import page_of
from core.roles import Access
from db.queries.calendar import overrides, remove_override, set_override
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow

PAGE_SIZE = 20
MAX_REASON = 200
ADD_WORDS = frozenset({"add", "off", "them", "thêm", "nghi", "nghỉ"})
WORK_WORDS = frozenset({"work", "lam", "làm", "lambu", "làmbù"})
REMOVE_WORDS = frozenset({"remove", "rm", "del", "delete", "xoa", "xóa", "bo", "bỏ"})


@command(Access.ADMIN)
async def calendar(req: Request) -> None:
    """List the overrides, or add or remove one."""
    if not req.args:
        await _show(req, 1, edit=False)
        return
    verb = req.args[0].casefold()
    day = parse_date(req.args[1]) if len(req.args) > 1 else None
    reason = " ".join(req.args[2:])[:MAX_REASON]
    if verb not in ADD_WORDS | WORK_WORDS | REMOVE_WORDS:
        await req.say("calendar.usage")
    elif day is None:
        await req.say("calendar.bad_date")
    elif verb in REMOVE_WORDS:
        await _remove(req, day)
    else:
        working = verb in WORK_WORDS
        await req.transaction(
            lambda session: set_override(
                session, day=day, working=working, reason=reason, actor_id=req.actor.contact_id
            )
        )
        key = "calendar.work_added" if working else "calendar.off_added"
        await req.say(key, day=day, weekday=_weekday(req, day), reason=reason or "-")


async def _remove(req: Request, day: date) -> None:
    """Undo what the province set for a day."""
    removed = await req.transaction(
        lambda session: remove_override(session, day=day, actor_id=req.actor.contact_id)
    )
    await req.say("calendar.removed" if removed else "calendar.not_set", day=day)


@button(Access.ADMIN)
async def on_page(req: Request) -> None:
    """Show another page of the list."""
    assert req.update.callback_query is not None
    await req.update.callback_query.answer()
    await _show(req, int(req.args[-1]) if req.args[-1].isdigit() else 1, edit=True)


async def _show(req: Request, number: int, *, edit: bool) -> None:
    """Send (or edit into) one page of this year's and later overrides."""
    rows = await req.transaction(
        lambda session: overrides(session, since=date(req.services.today().year, 1, 1))
    )
    if not rows:
        await req.say("calendar.empty")
        return
    page = page_of(rows, number, PAGE_SIZE)
    lines = [req.t("calendar.header", count=len(rows), page=page.number, pages=page.pages)]
    for row in page.items:
        key = "calendar.line_work" if row.working else "calendar.line_off"
        lines.append(
            req.t(key, day=row.day, weekday=_weekday(req, row.day), reason=row.reason or "-")
        )
    lines.append(req.t("calendar.footer"))
    nav: list[InlineKeyboardButton] = []
    if page.has_prev:
        nav.append(req.button(req.t("common.prev"), "cal", "pg", page.number - 1))
    if page.has_next:
        nav.append(req.button(req.t("common.next"), "cal", "pg", page.number + 1))
    markup = InlineKeyboardMarkup([nav]) if nav else None
    query = req.update.callback_query
    if edit and query is not None:
        await query.edit_message_text(to_html("\n".join(lines)), reply_markup=markup)
    else:
        await req.reply("\n".join(lines), reply_markup=markup)


def _weekday(req: Request, day: date) -> str:
    """Return the day of the week in the sender's language."""
    return req.t(f"calendar.wd_{day.weekday()}")


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="calendar",
        commands=(CommandSpec("calendar", Access.ADMIN, calendar, "calendar.cmd_calendar"),),
        late=(CallbackQueryHandler(on_page, pattern=prefix_pattern("cal")),),
    )
