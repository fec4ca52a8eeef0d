"""Admins' task changes on Zalo, typed as on Telegram: /deadline, /assign, /unassign,
/renametask, /closetask, /canceltask, /reopentask, through the same use case (`app.taskedit`);
/setstatus, a unit's status set by hand, through `app.status_set`.

A title that names several tasks is answered with numbered choices: a typed "2" applies the
same command to the second task (`te:<verb>:<task id>:<rest>`), as typing its number would.
A task closed or cancelled by a part of its title is asked about first: "1" confirms; so is
a kind or group that names many units (`te:units:<token>`).
"""

from __future__ import annotations

from collections.abc import Sequence

from app import status_set, taskedit
from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.services import Services
from handlers.zalo.commandkit import refused_unless_admin

PREFIX = "te"


def deadline(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/deadline #12 20/12/2026 or /deadline <title> | 20/12/2026: move a task's deadline."""
    return _run(services, actor, "deadline", args)


def assign(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/assign #12 X01, X02: give a task to more units."""
    return _run(services, actor, "assign", args)


def unassign(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/unassign #12 X01: take units off a task (their history stays)."""
    return _run(services, actor, "unassign", args)


def renametask(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/renametask #12 <new title> or /renametask <title> | <new title>: a task's new title."""
    return _run(services, actor, "renametask", args)


def closetask(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/closetask #12: close a task, its work is over."""
    return _run(services, actor, "closetask", args)


def canceltask(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/canceltask #12: cancel a task that should not have been assigned."""
    return _run(services, actor, "canceltask", args)


def reopentask(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/reopentask #12: open a closed or cancelled task again."""
    return _run(services, actor, "reopentask", args)


def setstatus(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/setstatus #12 X01 | đang thực hiện | lý do: a unit's status set by hand."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    return [Said(status_set.run(services, actor.lang, actor.contact_id, args))]


def _run(services: Services, actor: Actor, verb: str, args: str) -> list[Said]:
    """Run one task command for an admin; offer the tasks a title named as numbers."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    edited = taskedit.run(services, actor.lang, actor.contact_id, verb, args)
    return [_said(services, actor, verb, edited)]


def _said(services: Services, actor: Actor, verb: str, edited: taskedit.Edited) -> Said:
    """Show what a command says: a confirmation as "1 = Đồng ý", the tasks a title named."""
    yes = services.catalog.get(actor.lang, "common.yes")
    if edited.token:  # "/assign #1 Xã": many units, asked first
        return Said(edited.text, [[Choice(yes, (PREFIX, "units", edited.token))]])
    if edited.confirm:  # "/closetask Kế": the task named by a part of its title, asked first
        [match] = edited.matches
        return Said(edited.text, [[Choice(yes, (PREFIX, verb, match.id, ""))]])
    choices = [
        [Choice(f"#{m.id} {m.title[:40]}", (PREFIX, verb, m.id, edited.rest))]
        for m in edited.matches
    ]
    return Said(edited.text, choices)


def take(services: Services, actor: Actor, data: Sequence[str]) -> list[Said]:
    """Apply the command to the task chosen by its number (`te:<verb>:<id>:<rest>`)."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    if len(data) == 3 and data[1] == "units":
        return [Said(taskedit.confirm_units(services, actor.lang, actor.contact_id, data[2]))]
    if len(data) != 4 or data[1] not in taskedit.VERBS or not data[2].isdigit():
        return [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    verb, task_id, rest = data[1], int(data[2]), data[3]
    edited = taskedit.apply(services, actor.lang, actor.contact_id, verb, task_id, rest)
    return [_said(services, actor, verb, edited)]
