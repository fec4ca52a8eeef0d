"""Unit names that differ only by their diacritics: the one spelled as typed is meant."""

from __future__ import annotations

import unicodedata

from sqlmodel import Session

from db.queries.assignees import resolve_assignees
from db.queries.units import find_units
from tests.factories import make_unit


def test_a_name_spelled_exactly_picks_its_unit_among_names_folded_alike(
    session: Session,
) -> None:
    """ "Xã Ái" and "Xã Aí" fold alike: typed with its diacritics (even decomposed, or with
    another case), a name is that unit, in a list of units and under a parent; typed
    without them it stays ambiguous. The error said "use the full name", which failed too."""
    ai = make_unit(session, "X-AI", "Xã Ái")
    make_unit(session, "X-AI2", "Xã Aí")
    parent = make_unit(session, "H-AI", "Huyện Ái", kind="district")
    make_unit(session, "H-AI2", "Huyện Aí", kind="district")
    child = make_unit(session, "X-U1", "Xã Dưới", parent=parent)
    session.commit()
    typed = unicodedata.normalize("NFD", "XÃ ÁI")
    assert [u.code for u in find_units(session, text=typed)] == ["X-AI"]
    result = resolve_assignees(session, "Xã Ái, thuộc Huyện Ái, xa ai")
    assert result.unit_ids == [ai.id, child.id]
    assert [(u.text, u.reason) for u in result.unmatched] == [("xa ai", "ambiguous")]
