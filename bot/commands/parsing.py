"""`dondoc`'s argument parser, in the console's language (Vietnamese unless DEFAULT_LANGUAGE=en).

argparse words its usage line, its section titles, `-h`'s help and its errors through its
module's gettext function (`argparse._`): while a `CatalogParser` is built, parses or
formats, that function answers from the catalog (`cli_help.argparse_*`), argparse filling in
its %-placeholders after (a message it has and this table lacks stays English, never wrong).
An error is the usage, one line saying what is wrong and a pointer to `--help`, on stderr,
exit status 2: no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from bot.console import EXIT_CONFIG, help_text, print_plain

# argparse's messages (their gettext ids, Python 3.11 to 3.13) -> the catalog's key and what
# fills its placeholders: argparse's own %-placeholders, which it formats afterwards.
_MESSAGES: dict[str, tuple[str, dict[str, str]]] = {
    "usage: ": ("argparse_usage", {}),
    "positional arguments": ("argparse_positionals", {}),
    "options": ("argparse_options", {}),
    "show this help message and exit": ("argparse_help", {}),
    "argument %(argument_name)s: %(message)s": (
        "argparse_argument",
        {"name": "%(argument_name)s", "message": "%(message)s"},
    ),
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "argparse_invalid_choice",
        {"value": "%(value)r", "choices": "%(choices)s"},
    ),
    "the following arguments are required: %s": ("argparse_required", {"names": "%s"}),
    "unrecognized arguments: %s": ("argparse_unrecognized", {"words": "%s"}),
    "expected one argument": ("argparse_expected_one", {}),
    "expected at most one argument": ("argparse_expected_at_most_one", {}),
    "expected at least one argument": ("argparse_expected_at_least_one", {}),
    "expected %s argument": ("argparse_expected_one", {}),
    "expected %s arguments": ("argparse_expected_several", {"number": "%s"}),
    "invalid %(type)s value: %(value)r": (
        "argparse_invalid_value",
        {"type": "%(type)s", "value": "%(value)r"},
    ),
    "ambiguous option: %(option)s could match %(matches)s": (
        "argparse_ambiguous",
        {"option": "%(option)s", "matches": "%(matches)s"},
    ),
    "not allowed with argument %s": ("argparse_not_allowed_with", {"other": "%s"}),
    "one of the arguments %s is required": ("argparse_one_required", {"names": "%s"}),
    "ignored explicit argument %r": ("argparse_ignored_explicit", {"value": "%r"}),
}


def _translated(message: str) -> str:
    """Return argparse's message in the console's language (as is if the catalog lacks it)."""
    found = _MESSAGES.get(message)
    if found is None:
        return message
    key, placeholders = found
    return help_text(key, **placeholders)


def _translated_count(singular: str, plural: str, count: int) -> str:
    """Return argparse's message for a count in the console's language."""
    return _translated(singular if count == 1 else plural)


@contextmanager
def _speaking() -> Iterator[None]:
    """Have argparse word its messages from the catalog meanwhile (re-entrant)."""
    saved = (getattr(argparse, "_"), getattr(argparse, "ngettext"))  # noqa: B009
    setattr(argparse, "_", _translated)  # noqa: B010 (argparse's module-level gettext)
    setattr(argparse, "ngettext", _translated_count)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


class CatalogParser(argparse.ArgumentParser):
    """An ArgumentParser whose words and errors come from the catalog; its subcommands'
    parsers are of this class too (argparse makes them of the parent's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _speaking():  # the section titles and -h's help are worded here
            super().__init__(*args, **kwargs)

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:
        """Parse as argparse does, its errors worded from the catalog."""
        with _speaking():
            return super().parse_args(args, namespace)

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        """Parse as argparse does (a subcommand's parser parses so), worded from the catalog."""
        with _speaking():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        """Return the usage line, worded from the catalog."""
        with _speaking():
            return super().format_usage()

    def format_help(self) -> str:
        """Return the help, worded from the catalog."""
        with _speaking():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """Say what is wrong with the command line in one line, after the usage and before
        a pointer to `--help`; exit with status 2."""
        self.print_usage(sys.stderr)
        print_plain(help_text("argparse_error", prog=self.prog, message=message), err=True)
        print_plain(help_text("argparse_see_help", prog=self.prog), err=True)
        sys.exit(EXIT_CONFIG)


def task_number(text: str) -> int:
    """Parse a task's number (`--task`): a whole number from 1, else a clear refusal."""
    number = int(text) if text.strip().isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(help_text("task_number_invalid", value=repr(text)))
    return number
