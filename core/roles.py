"""Roles and what each may do; one place that every command and button press consults."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from core.textnorm import fold


class Role(StrEnum):
    """A person's role; it belongs to the person, not to a unit."""

    MEMBER = "member"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role | None:
        """Return the role named by text (English or Vietnamese, with or without marks), or
        None."""
        return _ROLE_WORDS.get(fold(text))


class Access(IntEnum):
    """Who may use a command or a button, from least to most privileged."""

    PUBLIC = 0  # anyone who writes to the bot, registered or not
    MEMBER = 1  # a contact of at least one unit, or any coordinator/admin
    COORDINATOR = 2
    ADMIN = 3


class Function(StrEnum):
    """What a contact is for their unit."""

    FOCAL = "focal"  # công chức đầu mối
    LEADER = "leader"  # lãnh đạo phụ trách

    @classmethod
    def parse(cls, text: str) -> Function | None:
        """Return the function named by text (English or Vietnamese, with or without marks),
        or None."""
        return _FUNCTION_WORDS.get(fold(text))


# Folded (`core.textnorm.fold`): "Điều phối viên" and "dieu phoi vien" alike. The bot's own
# words are among them: its texts say "điều phối viên", "quản trị viên", "lãnh đạo phụ trách".
_ROLE_WORDS = {
    "member": Role.MEMBER,
    "thanh vien": Role.MEMBER,
    "coordinator": Role.COORDINATOR,
    "dieu phoi": Role.COORDINATOR,
    "dieu phoi vien": Role.COORDINATOR,
    "admin": Role.ADMIN,
    "quan tri": Role.ADMIN,
    "quan tri vien": Role.ADMIN,
}

_FUNCTION_WORDS = {
    "focal": Function.FOCAL,
    "dau moi": Function.FOCAL,
    "can bo dau moi": Function.FOCAL,
    "cong chuc dau moi": Function.FOCAL,
    "leader": Function.LEADER,
    "lanh dao": Function.LEADER,
    "lanh dao phu trach": Function.LEADER,
}

# The most words a role or function above is spelled with.
LONGEST_WORDS = max(len(words.split()) for words in (*_ROLE_WORDS, *_FUNCTION_WORDS))


def access_of(role: str, *, has_units: bool) -> Access:
    """Return the highest access a person with this role and units has."""
    if role == Role.ADMIN:
        return Access.ADMIN
    if role == Role.COORDINATOR:
        return Access.COORDINATOR
    return Access.MEMBER if has_units else Access.PUBLIC


def may(role: str, *, has_units: bool, needed: Access) -> bool:
    """Tell whether a person may use something that needs the given access."""
    return access_of(role, has_units=has_units) >= needed
