"""Typed commands on Zalo, registered in COMMANDS, with ACCESS (each command's role):
everyone's in `everyone.py`, staff's in `staff.py`, admins' in `admin.py` and others.

Each one is a function of the actor and the command's text returning what to say (`Said`):
the same use cases and queries as Telegram's flows, shown as plain text with numbered
choices. A long answer goes page by page: "tiếp" shows the next one (`pages.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from app.actor import Actor
from app.checkin import Said
from app.heavy import HEAVY_COMMANDS, HEAVY_OFFERS
from app.services import Services
from core.roles import Access
from core.textnorm import fold, narrow, trim
from handlers.text.channel import joined_slash
from handlers.zalo import (
    admin,
    contacts,
    everyone,
    evidence_links,
    files,
    form_addunit,
    form_newtask,
    invites,
    ranking,
    staff,
    taskedit,
    unitadmin,
)
from handlers.zalo.pages import recall

Command = Callable[[Services, Actor, str, str], list[Said]]


def next_page(services: Services, actor: Actor, _args: str, name: str) -> list[Said]:
    """Show the next page of the last paged answer ("tiếp")."""
    data = recall(services, actor)
    if data is None:
        return [Said(services.catalog.get(actor.lang, "zalo.no_more"))]
    page = str(data.get("page", 1))
    if data.get("command") == "summary" and "kind" in data:
        kind, ident = str(data["kind"]), int(data.get("id", 0))
        return staff.summary_shown(services, actor, kind, ident, int(page))
    if data.get("command") == "summary":  # kept before its kind and id were
        return staff.summary_page(services, actor, str(data.get("args", "")), int(page))
    if data.get("command") == "contacts":
        return contacts.contacts_page(services, actor, str(data.get("args", "")), int(page))
    if data.get("command") == "unit":
        return ranking.unit_page(services, actor, str(data.get("args", "")), int(page))
    if data.get("command") == evidence_links.COMMAND:
        return evidence_links.files_page(services, actor, str(data.get("args", "")), int(page))
    if data.get("command") == "ranking":
        return ranking.ranking_page(services, actor, str(data.get("args", "")), int(page))
    if data.get("command") == "tasks":  # "2" typed after /tasks is task #2, not a page
        return admin.tasks_page(services, actor, int(page))
    paged = {"units": staff.units, "calendar": admin.calendar}
    return paged.get(str(data.get("command")), everyone.mytasks_page)(services, actor, page, name)


COMMANDS: dict[str, Command] = {
    "start": everyone.greet,
    "help": everyone.help_text,
    "whoami": everyone.whoami,
    "lang": everyone.lang,
    "mytasks": everyone.mytasks,
    "viec": everyone.mytasks,
    "summary": staff.summary,
    "tonghop": staff.summary,
    "invite": staff.invite,
    "units": staff.units,
    "explain": staff.explain,
    "giaitrinh": staff.explain,
    "newtask": form_newtask.start,
    "addunit": form_addunit.start,
    "editunit": admin.editunit,
    "tasks": admin.tasks,
    "calendar": admin.calendar,
    "scope": admin.scope,
    "contacts": contacts.contacts,
    "recurring": admin.recurring,
    "import": admin.imports,
    "approve": staff.approve,
    "duyet": staff.approve,
    "reject": staff.reject,
    "tuchoi": staff.reject,
    "export": files.export,
    "chart": files.chart,
    "report": files.report,
    "web": files.web,
    "deadline": taskedit.deadline,
    "assign": taskedit.assign,
    "unassign": taskedit.unassign,
    "renametask": taskedit.renametask,
    "closetask": taskedit.closetask,
    "canceltask": taskedit.canceltask,
    "reopentask": taskedit.reopentask,
    "setstatus": taskedit.setstatus,
    "deactivate": unitadmin.deactivate,
    "activate": unitadmin.activate,
    "mergeunits": unitadmin.mergeunits,
    "unit": ranking.unit,
    "ranking": ranking.ranking,
    "digest": staff.digest,
    "invites": invites.invites,
    "evidence": evidence_links.evidence,
    "minhchung": evidence_links.evidence,
}

# Who may run each command on Zalo (checked before it runs, as Telegram's access layer does;
# each command checks again). /cancel, /link and /nudge are answered by the text channel.
# /help lists exactly these, by role (tests/zalo/test_admin.py holds the two together).
ACCESS: dict[str, Access] = {
    **dict.fromkeys(("start", "help", "whoami", "lang", "cancel", "link"), Access.PUBLIC),
    **dict.fromkeys(("mytasks", "viec", "explain", "giaitrinh"), Access.MEMBER),
    **dict.fromkeys(
        (
            "summary",
            "tonghop",
            "nudge",
            "approve",
            "duyet",
            "reject",
            "tuchoi",
            "export",
            "chart",
            "report",
            "web",
            "unit",
            "ranking",
            "digest",
            "evidence",
            "minhchung",
        ),
        Access.COORDINATOR,
    ),
    **dict.fromkeys(
        (
            "invite",
            "units",
            "newtask",
            "addunit",
            "editunit",
            "tasks",
            "calendar",
            "scope",
            "contacts",
            "recurring",
            "import",
            "deadline",
            "assign",
            "unassign",
            "renametask",
            "closetask",
            "canceltask",
            "reopentask",
            "setstatus",
            "deactivate",
            "activate",
            "mergeunits",
            "invites",
        ),
        Access.ADMIN,
    ),
}


def _heavy_names() -> frozenset[str]:
    """Return the heavy commands `app.heavy` lists, with their aliases here ("tonghop")."""
    heavy = {COMMANDS[name] for name in HEAVY_COMMANDS if name in COMMANDS}
    return HEAVY_COMMANDS | {name for name, command in COMMANDS.items() if command in heavy}


# Long reads or writes over many tasks or units (`app.heavy`): the dispatch answers them in
# its heavy slots, which leave one slot to everyone else (`dispatch.py`).
HEAVY = _heavy_names()


def command_word(typed: str) -> str:
    """Return the command a typed text starts with, folded ("/Việc@bot 2": "viec"), else ""."""
    word = typed.partition(" ")[0]
    # "/việc" from a Vietnamese keyboard is /viec: the marks are folded off the command.
    return fold(word[1:]).split("@")[0] if word.startswith("/") else ""


def is_heavy(text: str) -> bool:
    """Tell whether a message's text is a heavy command (read from the text alone)."""
    return command_word(joined_slash(trim(narrow(text)))) in HEAVY


def offers_heavy(text: str) -> bool:
    """Tell whether a message's text is a command whose numbered choices run heavy work
    (`app.heavy.HEAVY_OFFERS`: /mergeunits, whose "1" merges)."""
    return command_word(joined_slash(trim(narrow(text)))) in HEAVY_OFFERS


def is_number(text: str) -> bool:
    """Tell whether a message's text is a number alone (a numbered choice typed)."""
    return trim(narrow(text)).isdigit()
