"""What the task flows share: wording a deadline or assignees read in chat.

Not a flow: /newtask uses these to word, from the catalogs, how units were named and what
went wrong (in the sender's language, by the rules of `app.newtask`, which Zalo's forms use
too). Changing a task by command is `app.taskedit`.
"""

from __future__ import annotations

from app import newtask
from core.assignees import Matched, Resolution
from core.deadlines import DeadlineParsed
from core.markup import Markup
from handlers.telegram.access import Request


def moved_note(req: Request, parsed: DeadlineParsed) -> str:
    """Say that a deadline moved off a day off (Civil Code 2015, art. 148), or nothing."""
    return newtask.moved_note(req.services, req.actor.lang, parsed)


def unmatched_lines(req: Request, resolution: Resolution) -> list[str]:
    """Say, item by item, what in an assignee spec matched no unit or several."""
    return newtask.unmatched_lines(req.services, req.actor.lang, resolution)


def matched_text(req: Request, matched: list[Matched], picked: int = 0) -> Markup:
    """Say how the units were named: 'các xã (95); nhóm Xã thí điểm (5); Sở Y tế'."""
    return newtask.matched_text(req.services, req.actor.lang, matched, picked)
