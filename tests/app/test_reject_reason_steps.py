"""The official's questions a rejection's reason gives way to, named as their modules name
them (`app.reject_reason` cannot import `app.checkin`'s, which import it)."""

from __future__ import annotations

from app.checkin import late_reason
from app.checkin.pending import REASON_STEPS
from app.reject_reason import WORDED_STEPS


def test_every_question_answered_in_words_is_one_a_rejection_gives_way_to() -> None:
    """A blocker's reason, an explanation, an extension's reason and its new date."""
    assert REASON_STEPS | {"extension"} == WORDED_STEPS


def test_the_extension_reason_step_is_named_as_late_reason_names_it() -> None:
    """ "ext_reason" is `late_reason.STEP`."""
    assert late_reason.STEP in WORDED_STEPS
