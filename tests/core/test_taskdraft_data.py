"""A /newtask draft written as JSON data and read back (kept over a restart on Telegram)."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime

from core.assignees import Matched
from core.directives import DirectiveDraft
from core.taskdraft import TaskDraft, draft_from_data, draft_to_data


def full_draft() -> TaskDraft:
    """Return a draft with every field set away from its default."""
    return TaskDraft(
        title="Rà soát thủ tục",
        directive_id=None,
        directive_number="4824/UBND-KGVX",
        new_directive=DirectiveDraft("4824/UBND-KGVX", date(2026, 11, 15), "UBND tỉnh", "Về"),
        deadline=date(2026, 12, 15),
        moved_from=date(2026, 12, 13),
        moved_reason="Chủ nhật",
        unit_ids=[3, 1, 2],
        matched=[Matched("sở", "kind", "Sở", 3)],
        picked=2,
        description="Mô tả",
        mode="pick",
        search="y tế",
        nonce="abcd1234",
        confirm_message_id=77,
        line_missing="units",
        line_units="xã",
        fix_until=datetime(2026, 12, 1, 2, 30, tzinfo=UTC),
    )


def test_every_field_comes_back_through_json() -> None:
    """Each field, the nested directive and matches included, survives JSON unchanged."""
    draft, default = full_draft(), TaskDraft()
    unset = [
        f.name for f in fields(TaskDraft) if getattr(draft, f.name) == getattr(default, f.name)
    ]
    assert unset == ["directive_id"]  # a new directive has no id yet; a new field must be set
    back = draft_from_data(json.loads(json.dumps(draft_to_data(draft))))
    assert back == draft


def test_a_default_draft_comes_back() -> None:
    """Nones and empty lists come back as they were."""
    draft = TaskDraft()
    assert draft_from_data(json.loads(json.dumps(draft_to_data(draft)))) == draft


def test_data_it_could_not_have_written_is_no_draft() -> None:
    """Missing or unknown fields, wrong types and bad dates give None, not an error."""
    data = draft_to_data(full_draft())
    assert draft_from_data({**data, "extra": 1}) is None
    assert draft_from_data({k: v for k, v in data.items() if k != "title"}) is None
    assert draft_from_data({**data, "deadline": "31/02/2026"}) is None
    assert draft_from_data({**data, "matched": [{"text": "x"}]}) is None
    assert draft_from_data({**data, "unit_ids": ["x"]}) is None
    assert draft_from_data("not a dict") is None
