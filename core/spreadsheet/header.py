"""A header row read as the import contracts' columns, the Vietnamese names an official
types ("mã", "tên", "tiêu đề", "hạn", "đơn vị"...) as those."""

from __future__ import annotations

from collections.abc import Sequence

from core.textnorm import fold

# Folded Vietnamese column name -> the import contracts' column.
HEADER_ALIASES = {
    "ma": "code",
    "ten": "name",
    "ten don vi": "name",
    "loai": "kind",
    "loai don vi": "kind",
    "ma don vi cap tren": "parent_code",
    "ma cap tren": "parent_code",
    # A parent written by its name is read too (db.imports.unit_rows): the column's name
    # need not say "mã".
    "don vi cap tren": "parent_code",
    "cap tren": "parent_code",
    "nhom": "groups",
    "tieu de": "title",
    "ten nhiem vu": "title",
    "han": "deadline",
    "thoi han": "deadline",
    "han hoan thanh": "deadline",
    "don vi": "assignees",
    "don vi thuc hien": "assignees",
    "van ban": "directive",
    "van ban giao": "directive",
    "so van ban": "directive",
    "so hieu van ban": "directive",
    "so, ky hieu van ban": "directive",
    "so ky hieu van ban": "directive",
    "van ban chi dao": "directive",
    "ma nhiem vu": "code",
    "mo ta": "description",
    # A directive's appendix (phụ lục): "Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp |
    # Thời gian hoàn thành". The agencies that assist (phối hợp) are not assignees.
    "nhiem vu": "title",
    "noi dung nhiem vu": "title",
    "don vi chu tri": "assignees",
    "co quan chu tri": "assignees",
    "don vi duoc giao": "assignees",
    "thoi han hoan thanh": "deadline",
    "thoi gian hoan thanh": "deadline",
    "han xu ly": "deadline",
    # Other headers plans and appendixes use: "Nội dung công việc | Cơ quan, đơn vị chủ trì
    # | Thời gian thực hiện" (a time given as a period, "Quý IV/2026", is its last day).
    "noi dung": "title",
    "noi dung cong viec": "title",
    "ten cong viec": "title",
    "co quan, don vi chu tri": "assignees",
    "co quan/don vi chu tri": "assignees",
    "co quan, don vi thuc hien": "assignees",
    "co quan thuc hien": "assignees",
    "thoi gian thuc hien": "deadline",
    "thoi han thuc hien": "deadline",
}
# An official list opens with its title lines: the header is the first row that names at
# least HEADER_KNOWN_COLUMNS of our columns, among the first HEADER_SEARCH_ROWS rows.
HEADER_SEARCH_ROWS = 10
HEADER_KNOWN_COLUMNS = 2
# The import contracts' columns (units, tasks): what a header row is recognised by.
KNOWN_COLUMNS = frozenset(HEADER_ALIASES.values()) | {"parent_code"}
# The order the contracts list their columns in (a refusal names the missing ones so).
COLUMN_ORDER = (
    "code",
    "name",
    "kind",
    "parent_code",
    "groups",
    "title",
    "deadline",
    "assignees",
    "directive",
    "description",
)


def column_name(cell: str) -> str:
    """Return a header cell as the contract's column: trimmed, lower case, Vietnamese read."""
    name = cell.strip().lower()
    return HEADER_ALIASES.get(fold(name), name)


def names_columns(cells: Sequence[str]) -> bool:
    """Tell whether a row names enough of our columns to be the header."""
    return len({column_name(cell) for cell in cells} & KNOWN_COLUMNS) >= HEADER_KNOWN_COLUMNS


def header_of(cells: Sequence[str]) -> tuple[str, ...]:
    """Return a header row's cells as column names; a column whose name an earlier one
    took ("Nhiệm vụ" then "Nội dung", both titles) keeps its own text and is not read."""
    names: list[str] = []
    for cell in cells:
        name = column_name(cell)
        names.append(cell.strip().lower() if name in names and name in KNOWN_COLUMNS else name)
    return tuple(names)


# What a sub-column says under a deadline's header merged across ("Thời gian thực hiện"
# over "Bắt đầu | Hoàn thành") to be the deadline, and under the units' ("Đơn vị" over
# "Chủ trì | Phối hợp") to be the units in charge (folded).
DEADLINE_ENDS = frozenset({"hoan thanh", "ket thuc", "den", "den ngay", "han", "han chot"})
IN_CHARGE = frozenset({"chu tri", "don vi chu tri", "co quan chu tri"})


def sub_header(header: Sequence[str], cells: Sequence[str]) -> tuple[str, ...] | None:
    """Return the header's columns as a second header row under it names them, or None when
    the row is no such row (a data row).

    Official tables head a column over two: "Thời gian thực hiện" merged over "Bắt đầu |
    Hoàn thành", "Đơn vị" over "Chủ trì | Phối hợp". The merged cell's text is in its first
    column only: the start date was read as the deadline, the agencies that assist as the
    units in charge when they came first, and the second row was rejected as a task. A
    second header row holds no digit, and each of its cells repeats the header's above it (a
    cell merged down) or lies under a header merged across (its first column, or one after
    it whose header is empty).
    """
    width = max(len(header), len(cells))
    head = [*header, *[""] * (width - len(header))]
    row = [*cells, *[""] * (width - len(cells))]
    if not any(row) or any(char.isdigit() for cell in row for char in cell):
        return None
    parents, last = [], ""
    for text in head:  # each column's header, or the header merged across it
        last = text or last
        parents.append(last)
    for j, cell in enumerate(row):
        if not cell or fold(cell) == fold(head[j]):
            continue
        under_merge = not head[j] and parents[j]
        merge_start = head[j] and j + 1 < width and not head[j + 1]
        if not (under_merge or merge_start):
            return None
    names: list[str] = []
    for j, cell in enumerate(row):
        if not cell or fold(cell) == fold(head[j]):
            name = column_name(head[j]) if head[j] else ""
        else:
            name = _sub_column(parents[j], cell)
        if name in KNOWN_COLUMNS and name in names:  # named twice: the first is read
            name = f"{parents[j]} {cell}".strip().lower()
        names.append(name)
    return tuple(names)


def _sub_column(parent: str, sub: str) -> str:
    """Return the column a second header row's cell names under its parent's header."""
    for text in (f"{parent} {sub}", sub):
        if (name := column_name(text)) in KNOWN_COLUMNS:
            return name
    kind, folded = column_name(parent), fold(sub)
    if (kind == "deadline" and folded in DEADLINE_ENDS) or (
        kind == "assignees" and folded in IN_CHARGE
    ):
        return kind
    return f"{parent} {sub}".strip().lower()  # not read: the report names it
