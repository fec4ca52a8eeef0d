"""Invites: /invite (one link), /invites (a sheet of links); revoking is `invites_revoke.py`,
redeeming `/start <code>` `invites_redeem.py`.

Buttons: `iv:new:<unit id>` (member, focal point), `iv:new:<role>:<function>:<unit id>`, and
`iv:rv:<unit id>` (revoke a unit's open invites, when /invites revoke named several units).
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from app import invite_admin
from app.jobs import InviteFile, invite_file
from core.invites import parse_invite_args
from core.markup import to_html
from core.numbers import typed_number
from core.roles import Access, Function, Role
from core.textnorm import fold
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.invites_revoke import PREFIX, REVOKE, revoke, revoke_for_unit
from handlers.telegram.presses import settle_press
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.unitpick import pick_unit
from scheduler.workers import in_process

REVOKE_WORDS = ("revoke", "huy")  # "hủy"


@command(Access.ADMIN)
async def invite(req: Request) -> None:
    """Create a one-time invite for a unit and answer with its deep link and code."""
    unit_text, role, function = parse_invite_args(req.text_args)
    if not unit_text:
        await req.say("invites.usage")
        return
    stray = await req.run(invite_admin.stray_word, req.services, req.actor.lang, unit_text)
    if stray is not None:
        await req.reply(stray)
        return
    unit = await pick_unit(req, unit_text, PREFIX, "new", role.value, function.value)
    if unit is not None and unit.id is not None:
        await create_and_answer(req, unit.id, role, function)


async def create_and_answer(req: Request, unit_id: int, role: Role, function: Function) -> bool:
    """Create the invite and send it; False when the unit no longer exists or is inactive."""
    made = await req.atomic(
        invite_admin.create, req.services, req.actor.contact_id, unit_id, role, function
    )
    if made is None:
        return False
    lang = req.actor.lang
    await req.reply(invite_admin.created_text(req.services, lang, made, _bot_username(req)))
    return True


def _bot_username(req: Request) -> str:
    """Return the bot's @username (learnt at start-up)."""
    return req.services.bot_username or req.context.bot.username


@button(Access.ADMIN)
async def on_button(req: Request) -> None:
    """Create the invite for the unit chosen among several matches (or from a unit card)."""
    query = req.update.callback_query
    assert query is not None
    revoked = (
        typed_number(req.args[2]) if req.args[1:2] == [REVOKE] and len(req.args) == 3 else None
    )
    if revoked is not None:
        await query.answer()
        await revoke_for_unit(req, revoked)
        return
    parts = req.args[2:]
    role = Role(parts[0]) if len(parts) == 3 and parts[0] in set(Role) else Role.MEMBER
    function = (
        Function(parts[1]) if len(parts) == 3 and parts[1] in set(Function) else Function.FOCAL
    )
    unit_id = typed_number(parts[-1]) if parts else None
    await settle_press(
        req, unit_id is not None and await create_and_answer(req, unit_id, role, function)
    )


@command(Access.ADMIN)
async def invites_sheet(req: Request) -> None:
    """Send a spreadsheet with a fresh invite link per unit (`all`: every unit; `csv`: CSV).

    `/invites revoke <unit|code>` revokes instead (see `revoke`).
    """
    words = fold(req.text_args).split()
    if words and words[0] in REVOKE_WORDS:
        await revoke(req, req.text_args.split(maxsplit=1)[1] if len(words) > 1 else "")
        return
    include_all = "all" in words or "tat" in words  # "tất cả"
    fmt = "csv" if "csv" in words else "xlsx"
    settings = req.services.settings
    person = req.actor.contact_id or req.actor.external_id
    async with req.services.turns.turn("invites", person) as mine:
        if not mine:
            await req.say("invites.busy")
            return
        # A code per unit and a workbook of a country's 3,300 units: a worker process.
        sheet = await in_process(
            req.services.engine,
            invite_file,
            lang=req.actor.lang,
            bot_username=_bot_username(req),
            include_covered=include_all,
            actor_id=req.actor.contact_id,
            actor_label="",
            now=req.services.clock.now(),
            ttl_days=settings.invite_ttl_days,
            tz=str(settings.tz),
            fmt=fmt,
        )
    if sheet is None:
        await req.say("invites.none_to_invite")
        return
    await _send_sheet(req, sheet, fmt)


async def _send_sheet(req: Request, sheet: InviteFile, fmt: str) -> None:
    """Send the sheet of invites as a document, its caption saying how many and how long."""
    name = req.t("invites.file_name", day=req.services.today().strftime("%Y%m%d"))
    days = req.services.settings.invite_ttl_days
    chat = req.update.effective_chat
    assert chat is not None
    await req.context.bot.send_document(
        chat.id,
        document=sheet.content,
        filename=f"{name}.{fmt}",
        caption=to_html(req.t("invites.sheet_caption", count=sheet.count, days=days)),
    )


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="invites",
        commands=(
            CommandSpec("invite", Access.ADMIN, invite, "invites.cmd_invite"),
            CommandSpec("invites", Access.ADMIN, invites_sheet, "invites.cmd_invites"),
        ),
        late=(CallbackQueryHandler(on_button, pattern=prefix_pattern(PREFIX)),),
    )
