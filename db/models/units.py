"""Units: the accountable parties (departments, communes, wards), their kinds and named groups."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.models.columns import _created


class UnitKind(SQLModel, table=True):
    """A kind of unit (department, commune, ...): data an admin can extend."""

    __tablename__ = "unit_kind"

    key: str = Field(primary_key=True, max_length=40)
    name_vi: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    plural_vi: str = Field(default="", max_length=80)
    plural_en: str = Field(default="", max_length=80)
    aliases: str = Field(default="", max_length=400)  # folded, comma-separated
    sort_order: int = 100


class Unit(SQLModel, table=True):
    """An accountable party: a department, a commune or ward, a (legacy) district."""

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40)
    code_folded: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200, index=True)
    kind_key: str = Field(foreign_key="unit_kind.key", index=True, max_length=40)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    active: bool = True
    created_at: datetime = _created()
    updated_at: datetime = _created()


class UnitGroup(SQLModel, table=True):
    """A named group of units ("pilot communes", "coastal wards")."""

    __tablename__ = "unit_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    name_folded: str = Field(max_length=120, unique=True)


class UnitGroupMember(SQLModel, table=True):
    """Membership of a unit in a group."""

    __tablename__ = "unit_group_member"

    group_id: int = Field(foreign_key="unit_group.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
