"""Contacts: /whoami for everyone; /contacts [unit], role changes, removals, /scope for admins.
A person's card and its buttons are `contact_card.py`.

Buttons: `ct:pg:<page>:<unit id or 0>`, `ct:unit:<unit id>`, `ct:card:<contact id>`,
`ct:role:<contact id>:<role>`, `ct:rm:<contact id>:<unit id>`.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app import contact_card, people
from core.markup import to_html
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.contact_card import PREFIX, remove, send_card, set_role
from handlers.telegram.presses import settle_press
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.unitpick import pick_unit
from render.telegram import buttons
from scheduler.workers import in_worker

PAGE_SIZE = 10


@command(Access.PUBLIC)
async def whoami(req: Request) -> None:
    """Tell the sender their role, function and units (and their id, for admins to use)."""
    if req.actor.access == Access.PUBLIC:
        await req.say("contacts.whoami_stranger", user_id=req.actor.external_id)
        return
    await req.reply(await in_worker(people.whoami, req.services, req.actor))


@command(Access.ADMIN)
async def contacts(req: Request) -> None:
    """List the registered contacts, or those of one unit, with a button per person;
    `/contacts unlink <person> <channel>` takes an account off a person (typed, as on Zalo:
    a card's buttons change roles and units)."""
    action = people.contact_action(req.text_args)
    if action is not None and action[0] == "unlink":
        actor = req.actor
        answer = await req.run(
            people.unlink, req.services, actor.lang, actor.contact_id, action[1]
        )
        await req.reply(answer)
        return
    unit_id = 0
    if req.text_args:
        unit = await pick_unit(req, req.text_args, PREFIX, "unit", include_inactive=True)
        if unit is None or unit.id is None:
            return
        unit_id = unit.id
    page = await req.run(contacts_page, req, 1, unit_id)
    if page is not None:
        await req.reply(page[0], reply_markup=page[1])


def contacts_page(
    req: Request, number: int, unit_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Return one page of contacts (all, or of a unit) and its buttons; None if unit gone."""
    shown = contact_card.page(
        req.services, req.actor.lang, unit_id=unit_id, number=number, size=PAGE_SIZE
    )
    if shown is None:
        return None
    return shown.text, buttons(req.services.button_key, req.actor.external_id, shown.choices)


@command(Access.ADMIN)
async def scope(req: Request) -> None:
    """/scope <person> [<group>, ... | all]: show, set or clear a coordinator's groups."""
    actor = req.actor
    answer = await in_worker(
        people.scope, req.services, actor.lang, actor.contact_id, req.text_args
    )
    await req.reply(answer)


@button(Access.ADMIN)
async def on_button(req: Request) -> None:
    """Handle the contacts buttons."""
    query = req.update.callback_query
    assert query is not None
    action, first, second = [*req.args, "", "", ""][1:4]
    number, other = typed_number(first), typed_number(second)
    found = number is not None
    if number is not None and action == "pg" and other is not None:
        page = await req.run(contacts_page, req, number, other)
        if found := page is not None:
            await query.edit_message_text(to_html(page[0]), reply_markup=page[1])
    elif number is not None and action == "unit":
        page = await req.run(contacts_page, req, 1, number)
        if found := page is not None:
            await req.reply(page[0], reply_markup=page[1])
    elif number is not None and action == "card":
        found = await send_card(req, number, other or 1)
    elif number is not None and action == "role":
        found = await set_role(req, number, second)
    elif number is not None and action == "rm" and other is not None:
        found = await remove(req, number, other)
    else:
        found = False
    await settle_press(req, found)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="contacts",
        commands=(
            CommandSpec("whoami", Access.PUBLIC, whoami, "contacts.cmd_whoami"),
            CommandSpec("contacts", Access.ADMIN, contacts, "contacts.cmd_contacts"),
            CommandSpec("scope", Access.ADMIN, scope, "contacts.cmd_scope"),
        ),
        late=(CallbackQueryHandler(on_button, pattern=prefix_pattern(PREFIX)),),
    )
