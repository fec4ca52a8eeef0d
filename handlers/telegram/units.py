"""Units for admins: /units (paged, grouped by kind), /editunit, /deactivate, /activate,
/mergeunits, unit cards.

Adding a unit (/addunit, one line or guided) lives in handlers/telegram/unitform.py.
Buttons: `un:pg:<page>`, `un:card:<unit id>`, `un:off:<unit id>`, `un:on:<unit id>`, and a
merge's `un:mg:<token>` (merge) and `un:mgx:<token>` (not).
"""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app import unit_form, unit_list, unit_merge
from core.markup import to_html
from core.numbers import typed_number
from core.roles import Access
from core.units import split_edit_line
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.imports import drop_buttons
from handlers.telegram.presses import settle_press
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.unitform import addunit_command, addunit_conversation
from handlers.telegram.unitpick import pick_unit
from render.telegram import buttons
from scheduler.workers import in_worker

PREFIX = unit_list.PREFIX
PAGE_SIZE = 25


@command(Access.ADMIN)
async def list_units(req: Request) -> None:
    """Show the units grouped by kind, with contacts and reachability, one page at a time."""
    number, words = unit_list.read_args(req.text_args)
    text, markup = await req.run(units_page, req, number, words)
    await req.reply(text, reply_markup=markup)


def units_page(
    req: Request, number: int, words: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the text and pager of one page of /units (of the units `words` fit)."""
    shown = unit_list.units_page(req.services, req.actor.lang, number, PAGE_SIZE, words)
    if not shown.nav:
        return shown.text, None
    return shown.text, buttons(req.services.button_key, req.actor.external_id, [shown.nav])


@command(Access.ADMIN)
async def edit_unit(req: Request) -> None:
    """Show a unit's card, or change it: `/editunit <unit> | name | kind | parent | groups`."""
    ref, values = split_edit_line(req.text_args)
    if not ref:
        await req.say("units.edit_usage")
        return
    unit = await pick_unit(req, ref, PREFIX, "card", include_inactive=True)
    if unit is None or unit.id is None:
        return
    if not any(values):
        await send_card(req, unit.id)
        return
    actor = req.actor
    edit = unit_form.edit
    await req.reply(
        await in_worker(edit, req.services, actor.lang, actor.contact_id, unit.id, values)
    )


@command(Access.ADMIN)
async def deactivate(req: Request) -> None:
    """Deactivate a unit: it stops getting tasks and reminders; its history stays."""
    if not req.text_args:
        await req.say("units.deactivate_usage")
        return
    unit = await pick_unit(req, req.text_args, PREFIX, "off")
    if unit is not None and unit.id is not None:
        await toggle(req, unit.id, active=False)


@command(Access.ADMIN)
async def activate(req: Request) -> None:
    """Follow a deactivated unit again (what the other messages' /activate names)."""
    if not req.text_args:
        await req.say("units.activate_usage")
        return
    unit = await pick_unit(req, req.text_args, PREFIX, "on", include_inactive=True)
    if unit is not None and unit.active:
        await req.say("units.already_active", name=unit.name)
    elif unit is not None and unit.id is not None:
        await toggle(req, unit.id, active=True)


@command(Access.ADMIN)
async def merge_units(req: Request) -> None:
    """Merge units (`/mergeunits OLD1, OLD2 | NEW`): what it would do, with Merge and Cancel."""
    actor = req.actor
    ask = unit_merge.ask_typed
    text, rows = await req.run(ask, req.services, actor.lang, actor.contact_id, req.text_args)
    markup = buttons(req.services.button_key, actor.external_id, rows) if rows else None
    await req.reply(text, reply_markup=markup)


async def merge_chosen(req: Request) -> None:
    """Merge as asked, or not, on a press of the plan's buttons; the buttons go."""
    actor = req.actor
    await drop_buttons(req)  # best effort: a message too old to edit keeps them
    answer = unit_merge.answer_choice  # Merge is heavy (`app.heavy`): in its pool
    said = await req.run_heavy(answer, req.services, actor.lang, actor.contact_id, list(req.args))
    await req.reply(said)


async def toggle(req: Request, unit_id: int, *, active: bool) -> bool:
    """Switch a unit on or off and say so; False when it no longer exists."""
    actor = req.actor
    switch = partial(unit_form.switch, active=active)
    said = await req.run(switch, req.services, actor.lang, actor.contact_id, unit_id)
    if said is None:
        return False
    await req.reply(said)
    return True


async def send_card(req: Request, unit_id: int) -> bool:
    """Send a unit's card: its fields, contacts, and what an admin can do with it."""
    found = await in_worker(unit_form.card, req.services, req.actor.lang, unit_id)
    if found is None:
        return False
    text, active = found
    switch = ("off", "units.button_deactivate") if active else ("on", "units.button_activate")
    rows = [
        [req.button(req.t(switch[1]), PREFIX, switch[0], unit_id)],
        [
            req.button(req.t("units.button_invite"), "iv", "new", unit_id),
            req.button(req.t("units.button_contacts"), "ct", "unit", unit_id),
        ],
    ]
    await req.reply(text, reply_markup=InlineKeyboardMarkup(rows))
    return True


@button(Access.ADMIN)
async def on_button(req: Request) -> None:
    """Handle the units buttons: pages, cards, deactivate, reactivate."""
    query = req.update.callback_query
    assert query is not None
    action, value = ([*req.args, "", ""])[1:3]
    if action in (unit_merge.CONFIRM, unit_merge.DROP):
        await merge_chosen(req)
        await settle_press(req, True)
        return
    number = typed_number(value)
    found = number is not None
    if number is not None and action == "pg":
        text, markup = await req.run(units_page, req, number)
        await query.edit_message_text(to_html(text), reply_markup=markup)
    elif number is not None and action == "card":
        found = await send_card(req, number)
    elif number is not None and action in ("off", "on"):
        found = await toggle(req, number, active=action == "on")
    await settle_press(req, found)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="units",
        commands=(
            CommandSpec("units", Access.ADMIN, list_units, "units.cmd_units"),
            CommandSpec("addunit", Access.ADMIN, addunit_command, "units.cmd_addunit"),
            CommandSpec("editunit", Access.ADMIN, edit_unit, "units.cmd_editunit"),
            CommandSpec("deactivate", Access.ADMIN, deactivate, "units.cmd_deactivate"),
            CommandSpec("activate", Access.ADMIN, activate, "units.cmd_activate"),
            CommandSpec("mergeunits", Access.ADMIN, merge_units, "units.cmd_mergeunits"),
        ),
        early=(addunit_conversation(),),
        late=(CallbackQueryHandler(on_button, pattern=prefix_pattern(PREFIX)),),
    )
