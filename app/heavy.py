"""Which of the things a person does are heavy, for every channel: one list.

A heavy command or choice reads or writes over many tasks or units (a summary, a ranking,
a file, a report, a chart, a list of every unit, task, contact or invite, a fan-out of
nudges, the calendar's moves). Each channel answers a few people at a time and lets heavy
ones take all but one of those slots, so officials' replies never wait behind fifty
coordinators' summaries: Telegram's lanes (`handlers/telegram/lanes.py`) and Zalo's dispatch
(`handlers/zalo/dispatch.py`) both read these sets, from the message's text or a button's
data alone (no database).

Every command a channel registers is listed once, heavy or light, by its name (an alias,
"/tonghop" for "/summary", is its command's): `tests/app/test_heavy.py` reads both
channels' registries, so a new command is classified before it ships.
"""

from __future__ import annotations

import re

HEAVY_COMMANDS = frozenset(
    (
        "summary",
        "ranking",
        "export",
        "chart",
        "report",
        "digest",
        "units",
        "tasks",
        "contacts",
        "invites",
        "calendar",
        "nudge",
        "mergeunits",  # moves every open task and contact of the units merged
    )
)

LIGHT_COMMANDS = frozenset(
    (
        "start",
        "help",
        "whoami",
        "lang",
        "link",
        "cancel",
        "mytasks",
        "explain",
        "evidence",
        "approve",
        "reject",
        "web",
        "unit",
        "invite",
        "newtask",
        "addunit",
        "editunit",
        "scope",
        "recurring",
        "import",  # it asks for the file or gives the upload page; reading the file is heavy
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
    )
)

# Choices (`app/choices.py`) by the first part of their data: a heavy command's next page or
# pick (summary "sm", ranking "rk", report "rp", export "xp") and an import's Apply ("im",
# which writes the whole previewed file); or by their first two parts, where the first is a
# light page's: a merge's Merge ("un:mg", `app.unit_merge.CONFIRM`: every open task and
# contact of the units merged moved, a minute for 200 communes) among the unit pages' "un".
HEAVY_CHOICES = frozenset(("sm", "rk", "rp", "xp", "im", "un:mg"))
# Commands whose numbered choices, typed on a channel without buttons, run heavy work: the
# number typed next is heavy (Zalo's "1" that confirms a merge).
HEAVY_OFFERS = frozenset(("mergeunits",))


def is_heavy_command(name: str) -> bool:
    """Tell whether a command, by its name (lower case, no slash), is heavy."""
    return name in HEAVY_COMMANDS


def is_heavy_choice(data: str, heavy: frozenset[str] = HEAVY_CHOICES) -> bool:
    """Tell whether a choice, by its data ("un:mg:1a2b"), is heavy: its first part, or its
    first two, listed in `heavy`."""
    parts = re.split("[:~]", data, maxsplit=2)
    return parts[0] in heavy or ":".join(parts[:2]) in heavy
