"""/start, /help, /lang, and the polite answer to strangers."""

from __future__ import annotations

from dataclasses import replace

from app import people
from core.roles import Access
from handlers.telegram import invites_redeem
from handlers.telegram.access import Request, command, refresh_menu
from handlers.telegram.registry import CommandSpec, Flow, visible_commands

ROLE_KEYS = {
    "member": "common.role_member",
    "coordinator": "common.role_coordinator",
    "admin": "common.role_admin",
}


@command(Access.PUBLIC)
async def start(req: Request) -> None:
    """Greet the sender (staff get their role's menu); a payload goes to the invite flow."""
    if req.args:
        await invites_redeem.redeem(req, req.args[0])
        return
    if req.actor.access > Access.MEMBER:
        # Staff may have got their role while the bot had no chat to set their menu in
        # (ADMIN_IDS, `dondoc admin add`, /contacts before they wrote), or from another
        # process: /start sets it. Members keep the default menu and cost nothing here.
        await refresh_menu(req, req.actor.contact_id)
    await greet(req)


async def greet(req: Request) -> None:
    """Say who the sender is for the bot, or how to join when they are nobody yet."""
    name = req.update.effective_user.first_name if req.update.effective_user else ""
    role = req.t(ROLE_KEYS.get(req.actor.role, "common.role_member"))
    if req.actor.unit_ids:
        names = await req.atomic(people.unit_names, req.services, req.actor.unit_ids)
        units = ", ".join(names)
        await req.say("start.welcome_registered", name=name, role=role, units=units)
    elif req.actor.access >= Access.COORDINATOR:
        await req.say("start.welcome_staff", name=name, role=role)
    else:
        await req.say("common.not_registered")


@command(Access.PUBLIC)
async def help_command(req: Request) -> None:
    """List the commands the sender's role may use."""
    if req.actor.access == Access.PUBLIC:
        await req.say("start.help_stranger")
        return
    flows = req.context.bot_data.flows
    lines = [req.t("start.help_header", role=req.t(ROLE_KEYS[req.actor.role]))]
    for spec in visible_commands(flows, req.actor.access):
        lines.append(f"/{spec.name} - {req.t(spec.description_key)}")
    lines.append("")
    lines.append(req.t("start.help_footer"))
    await req.reply("\n".join(lines))


@command(Access.PUBLIC)
async def lang(req: Request) -> None:
    """Switch the sender's language between Vietnamese and English."""
    choice = await req.run(people.set_language, req.services, req.actor, " ".join(req.args))
    await req.reply(choice.said)
    if choice.kept is not None:
        req.actor = replace(req.actor, lang=choice.kept)
        await refresh_menu(req, req.actor.contact_id)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="start",
        commands=(
            CommandSpec("start", Access.PUBLIC, start, "start.cmd_start"),
            CommandSpec("help", Access.PUBLIC, help_command, "start.cmd_help"),
            CommandSpec("lang", Access.PUBLIC, lang, "start.cmd_lang"),
        ),
    )
