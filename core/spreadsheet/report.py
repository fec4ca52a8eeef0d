"""What an import did: the rows added, updated, unchanged, and those rejected and why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Rejection:
    """A row that was not applied: its number in the file, a reason code and its details."""

    row: int
    reason: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did; it applies the good rows and rejects the bad ones."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    # Stopped part way (the bot was stopping): the good rows applied and how many there are;
    # the rest was not applied, and applying the file again goes on (rows are idempotent).
    interrupted: tuple[int, int] | None = None
    # The header's columns the import does not read, as the file names them ("số văn bản"):
    # their cells are dropped, and the admin is told so rather than finding out later.
    ignored: list[str] = field(default_factory=list)
    # The rows hidden in the workbook (hidden or filtered out), not read: Excel does not
    # show them, and the admin is told which they are rather than finding tasks they filtered
    # out imported, or missing rows they forgot were hidden.
    hidden: list[int] = field(default_factory=list)
    # The columns hidden in the workbook, not read for the same reason: (letters, header).
    hidden_columns: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        """Return 0 when every row applied, 1 when some were rejected (CLI contract)."""
        return 1 if self.rejected else 0
