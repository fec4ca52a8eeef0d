"""Invites: /invite (one link), /invites (a sheet of links), and redeeming `/start <code>`.

Buttons: `iv:new:<unit id>` (member, focal point), `iv:new:<role>:<function>:<unit id>`, and
`iv:rv:<unit id>` (revoke a unit's open invites, when /invites revoke named several units).
A used, expired or unknown code gets one and the same answer, so a guesser learns nothing;
repeated wrong codes from one person are refused for a while (core.invites).
"""

from __future__ import annotations

from sqlmodel import Session
from telegram.ext import CallbackQueryHandler

from app import invite_admin, pairing
from app.i18n import pick_language
from app.jobs import invite_file
from core.deadlines import format_date
from core.invites import invite_link, looks_like_code, parse_invite_args
from core.markup import to_html
from core.numbers import typed_number
from core.roles import Access, Function, Role
from core.textnorm import fold
from db.models import Invite, Unit
from db.queries.audit import record
from db.queries.invites import create_invite
from handlers.telegram.access import Request, button, command, prefix_pattern, refresh_menu
from handlers.telegram.presses import settle_press
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.senders import CHANNEL
from handlers.telegram.unitpick import pick_unit
from scheduler.delivery import wake
from scheduler.workers import in_process

PREFIX = "iv"
REVOKE = "rv"
REVOKE_WORDS = ("revoke", "huy")  # "hủy"


@command(Access.ADMIN)
async def invite(req: Request) -> None:
    """Create a one-time invite for a unit and answer with its deep link and code."""
    unit_text, role, function = parse_invite_args(req.text_args)
    if not unit_text:
        await req.say("invites.usage")
        return
    unit = await pick_unit(req, unit_text, PREFIX, "new", role.value, function.value)
    if unit is not None and unit.id is not None:
        await create_and_answer(req, unit.id, role, function)


async def create_and_answer(req: Request, unit_id: int, role: Role, function: Function) -> bool:
    """Create the invite and send it; False when the unit no longer exists or is inactive."""
    now = req.services.clock.now()

    def make(session: Session) -> tuple[Invite, str, str] | None:
        unit = session.get(Unit, unit_id)
        if unit is None or not unit.active:
            return None
        made, code = create_invite(
            session,
            unit_id=unit_id,
            role=role,
            function=function,
            created_by_id=req.actor.contact_id,
            now=now,
            ttl_days=req.services.settings.invite_ttl_days,
        )
        record(
            session,
            actor_id=req.actor.contact_id,
            action="invite.created",
            object_type="invite",
            object_id=made.id,
            details={"unit": unit.code, "role": role.value, "function": function.value},
        )
        return made, code, unit.name

    found = await req.transaction(make)
    if found is None:
        return False
    made, code, name = found
    created = req.t(
        "invites.created",
        unit=name,
        role=req.t(f"common.role_{role.value}"),
        function=req.t(f"common.function_{function.value}"),
        link=invite_link(_bot_username(req), code),
        code=code,
        expires=format_date(made.expires_at.astimezone(req.services.settings.tz).date()),
    )
    if "zalo" in req.services.settings.channels:  # the same code pairs on Zalo
        created += "\n" + req.t("zalo.invite_code", code=code)
    await req.reply(created)
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
    name = req.t("invites.file_name", day=req.services.today().strftime("%Y%m%d"))
    chat = req.update.effective_chat
    assert chat is not None
    await req.context.bot.send_document(
        chat.id,
        document=sheet.content,
        filename=f"{name}.{fmt}",
        caption=to_html(
            req.t("invites.sheet_caption", count=sheet.count, days=settings.invite_ttl_days)
        ),
    )


async def revoke(req: Request, text: str) -> None:
    """Revoke the invite of a code (or deep link), or every open invite of a unit."""
    code = invite_admin.code_of(text)
    if not code:
        await req.say("invites.revoke_usage")
        return
    actor = req.actor
    if looks_like_code(code):
        said = await req.run(
            invite_admin.revoke_code, req.services, actor.lang, actor.contact_id, code
        )
        if said is not None:
            await req.reply(said)
            return
    unit = await pick_unit(req, text, PREFIX, REVOKE, include_inactive=True)
    if unit is not None and unit.id is not None:
        await revoke_for_unit(req, unit.id)


async def revoke_for_unit(req: Request, unit_id: int) -> None:
    """Revoke every open invite of a unit and say how many."""
    actor = req.actor
    await req.reply(
        await req.run(
            invite_admin.revoke_for_unit, req.services, actor.lang, actor.contact_id, unit_id
        )
    )


async def redeem(req: Request, code: str) -> None:
    """Register the sender with an invite code (of `/start <code>`, or pasted alone), or
    refuse politely.

    The rules (rate limit, admin codes, spending the code, the audit, telling the admins)
    are `app.pairing.redeem`'s, as on Zalo; here the newcomer's command menu is refreshed.
    """
    redeemed = await req.run(pairing.redeem, req.services, _newcomer(req), code)
    await req.reply(redeemed.said.text)
    if redeemed.contact_id is not None:
        await refresh_menu(req, redeemed.contact_id)
        wake(req.context.application)


def _newcomer(req: Request) -> pairing.Newcomer:
    """Return the sender of a code as Telegram names them (as `register_sender` records)."""
    user = req.update.effective_user
    chat = req.update.effective_chat
    assert user is not None
    return pairing.Newcomer(
        CHANNEL,
        str(user.id),
        str(chat.id if chat is not None else user.id),
        user.full_name[:200],
        pick_language(user.language_code, req.services.settings.default_language),
        username=user.username,
        call_name=user.first_name,
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
