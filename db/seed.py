"""Reference data every installation starts with (idempotent)."""

from __future__ import annotations

from sqlmodel import Session

from db.models import UnitKind

# key, name vi, name en, plural vi, plural en, aliases (folded), order
DEFAULT_KINDS: tuple[tuple[str, str, str, str, str, str, int], ...] = (
    (
        "department",
        "Sở, ban, ngành",
        "Department",
        "các sở, ban, ngành",
        "departments",
        "so,ban,nganh,so ban nganh,department,departments,agency,agencies",
        10,
    ),
    ("commune", "Xã", "Commune", "các xã", "communes", "xa,commune,communes", 20),
    ("ward", "Phường", "Ward", "các phường", "wards", "phuong,ward,wards", 30),
    # A commune-level township of the district tree (until 2025): "Thị trấn Nam Phước".
    ("town", "Thị trấn", "Town", "các thị trấn", "towns", "thi tran,town,towns", 35),
    (
        "special_zone",
        "Đặc khu",
        "Special zone",
        "các đặc khu",
        "special zones",
        "dac khu,special zone,special zones,special_zone",
        40,
    ),
    (
        "district",
        "Huyện, thị xã, thành phố (cấp huyện)",
        "District (legacy)",
        "các huyện, thị xã, thành phố",
        "districts",
        "huyen,thi xa,thanh pho,district,districts,cap huyen",
        50,
    ),
    ("other", "Khác", "Other", "đơn vị khác", "other units", "khac,other", 90),
)


def seed_defaults(session: Session) -> None:
    """Insert the default unit kinds that are missing; never overwrite an admin's edits."""
    for key, name_vi, name_en, plural_vi, plural_en, aliases, order in DEFAULT_KINDS:
        if session.get(UnitKind, key) is None:
            session.add(
                UnitKind(
                    key=key,
                    name_vi=name_vi,
                    name_en=name_en,
                    plural_vi=plural_vi,
                    plural_en=plural_en,
                    aliases=aliases,
                    sort_order=order,
                )
            )
    session.commit()
