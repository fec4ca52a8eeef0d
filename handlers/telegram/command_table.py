"""Every flow's commands in one handler: a command's callback found by its name in a table.

python-telegram-bot asks each handler of a group in turn whether an update is its own. With a
`CommandHandler` per command, each of a morning's replies ("xong") was offered to some fifty
of them before the check-in's text handler took it, about a tenth of the event loop's work
on a reply (bench/README.md, section 3). One handler for them all reads the command once
and finds its callback in a dictionary; it keeps the place, the filters and the arguments
(`context.args`) the commands had.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler
from telegram.ext.filters import BaseFilter

from handlers.telegram.registry import PTBCallback


class CommandTable(CommandHandler[Any, Any]):
    """A `CommandHandler` of many commands, each with its own callback."""

    __slots__ = ("table",)

    def __init__(self, table: Mapping[str, PTBCallback], filters: BaseFilter) -> None:
        super().__init__(list(table), self._dispatch, filters)
        self.table: Mapping[str, PTBCallback] = {name.lower(): c for name, c in table.items()}

    async def _dispatch(self, update: Update, context: Any) -> Any:
        """Run the callback of the command the message starts with (`check_update` found it)."""
        message = update.effective_message
        assert message is not None
        assert message.text is not None
        assert message.entities
        name = message.text[1 : message.entities[0].length].split("@", 1)[0].lower()
        return await self.table[name](update, context)


def command_table(
    commands: Iterable[tuple[str, PTBCallback]], filters: BaseFilter
) -> CommandTable:
    """Return the handler of `commands` (name, callback); a name given twice is refused: the
    second would never run (as with a handler each, where the first registered took it)."""
    table: dict[str, PTBCallback] = {}
    for name, callback in commands:
        if name.lower() in table:
            raise ValueError(f"/{name} is registered twice")
        table[name.lower()] = callback
    return CommandTable(table, filters)
