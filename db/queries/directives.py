"""Finding and creating directives (the documents that assign tasks)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.directives import DirectiveDraft, plain_number
from core.textnorm import fold
from db.models import Directive
from db.queries.audit import record


def find_directive(session: Session, *, number: str) -> Directive | None:
    """Return the directive with this number (case, spaces and diacritics ignored), typed
    with or without its kind ("CV 4824/UBND-KGVX" is 4824/UBND-KGVX); a number kept with
    its kind before these were read apart is found as it was typed."""
    for typed in dict.fromkeys((plain_number(number), number)):
        folded = fold(typed)
        if not folded:
            continue
        query = select(Directive).where(Directive.number_folded == folded)
        found = session.exec(query).first()
        if found is not None:
            return found
    return None


def directive_numbered(session: Session, *, number: int) -> Directive | None:
    """Return the one directive whose number begins with this one ("4824" for
    "4824/UBND-KGVX"), or None when none or several do."""
    query = select(Directive).where(col(Directive.number_folded).startswith(f"{number}/"))
    found = list(session.exec(query.limit(2)))
    return found[0] if len(found) == 1 else None


def recent_directives(session: Session, *, limit: int = 5) -> list[Directive]:
    """Return the newest directives, for quick picking."""
    query = select(Directive).order_by(col(Directive.id).desc()).limit(limit)
    return list(session.exec(query))


def ensure_directive(
    session: Session,
    *,
    draft: DirectiveDraft,
    actor_id: int | None,
    actor_label: str = "",
) -> Directive:
    """Return the directive with the draft's number, creating it (audited) when new."""
    existing = find_directive(session, number=draft.number)
    if existing is not None:
        return existing
    directive = Directive(
        number=draft.number,
        number_folded=fold(draft.number),
        issued_on=draft.issued_on,
        issuer=draft.issuer,
        title=draft.title,
        created_by_id=actor_id,
    )
    session.add(directive)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        actor_label=actor_label,
        action="directive.created",
        object_type="directive",
        object_id=directive.id,
        details={"number": draft.number, "title": draft.title},
    )
    return directive
