"""Roles and what each may do; one place that every command and button press consults."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Role(StrEnum):
    """A person's role; it belongs to the person, not to a unit."""

    MEMBER = "member"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role | None:
        """Return the role named by text (English or Vietnamese), or None."""
        return _ROLE_WORDS.get(text.strip().lower())


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
        """Return the function named by text (English or Vietnamese), or None."""
        return _FUNCTION_WORDS.get(text.strip().lower())


_ROLE_WORDS = {
    "member": Role.MEMBER,
    "thanh vien": Role.MEMBER,
    "thành viên": Role.MEMBER,
    "coordinator": Role.COORDINATOR,
    "dieu phoi": Role.COORDINATOR,
    "điều phối": Role.COORDINATOR,
    "admin": Role.ADMIN,
    "quan tri": Role.ADMIN,
    "quản trị": Role.ADMIN,
}

_FUNCTION_WORDS = {
    "focal": Function.FOCAL,
    "dau moi": Function.FOCAL,
    "đầu mối": Function.FOCAL,
    "leader": Function.LEADER,
    "lanh dao": Function.LEADER,
    "lãnh đạo": Function.LEADER,
}


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
