"""What a flow contributes: its commands (for routing, /help and menus) and other handlers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, MessageHandler, filters
from telegram.ext.filters import BaseFilter

from core.roles import Access

# Commands take new messages only: an edited one is not run again (fallback.edited says so).
NEW_MESSAGES = filters.UpdateType.MESSAGE

PTBCallback = Callable[[Update, Any], Coroutine[Any, Any, Any]]  # any context type


@dataclass(frozen=True)
class CommandSpec:
    """A command: its names, who may use it, its callback (already wrapped by `command`)."""

    name: str
    access: Access
    callback: PTBCallback
    description_key: str
    aliases: tuple[str, ...] = ()
    in_menu: bool = True

    def __post_init__(self) -> None:
        """Refuse a command whose callback checks another access than the one declared here.

        The access is written twice, on the callback (`command(access)`, what is enforced) and
        here (what /help and the menus show); they must be one declaration, or a command could
        be listed to people it refuses, or run for people the menus hide it from.
        """
        enforced = getattr(self.callback, "access", None)
        if enforced != self.access:
            raise ValueError(
                f"/{self.name} is declared {self.access.name} but its callback checks {enforced}"
            )


@dataclass(frozen=True)
class Flow:
    """One flow's contribution to the application."""

    name: str
    commands: Sequence[CommandSpec] = ()
    # Handlers that must see updates before the plain commands (conversations).
    early: Sequence[BaseHandler[Any, Any, Any]] = field(default_factory=tuple)
    # Buttons, documents, free text: registered after every flow's commands.
    late: Sequence[BaseHandler[Any, Any, Any]] = field(default_factory=tuple)
    # Which commands and buttons are heavy is `app.heavy`'s one list for every channel.
    # The documents as long as a heavy command (an admin's spreadsheet to import), told by
    # their message alone (name, type, chat): run in the heavy slots too.
    heavy_documents: tuple[BaseFilter, ...] = ()


async def hand_on(update: Update, context: Any, *, after: Callable[[object], bool]) -> bool:
    """Give an update to the first handler after `after` in its group that takes it.

    For a handler that saw an update and declined it: PTB stops at the first handler of a
    group that checks true. Return whether a later handler took it.
    """
    application = context.application
    for handlers in application.handlers.values():
        for index, handler in enumerate(handlers):
            if not after(handler):
                continue
            for later in handlers[index + 1 :]:
                check = later.check_update(update)
                if check is not None and check is not False:
                    await later.handle_update(update, application, check, context)
                    return True
            return False
    return False


def visible_commands(flows: Sequence[Flow], access: Access) -> list[CommandSpec]:
    """Return the menu commands a person with this access may use, in flow order."""
    return [c for f in flows for c in f.commands if c.in_menu and c.access <= access]


class PassingMessageHandler(MessageHandler[Any, Any]):
    """A MessageHandler whose callback may decline (return False) in favour of later ones."""

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        check_result: Any,
        context: Any,
    ) -> Any:
        """Run the callback; when it declines, give the update to the next handler that fits."""
        taken = await super().handle_update(update, application, check_result, context)
        if taken is not False:
            return taken
        await hand_on(update, context, after=lambda handler: handler is self)
        return None
