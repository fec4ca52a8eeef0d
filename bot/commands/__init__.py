"""Subcommands of `dondoc`, one module each, listed in `bot.cli`."""
