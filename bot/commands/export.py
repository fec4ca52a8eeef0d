"""`dondoc export ...` (being built)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register this subcommand (nothing yet)."""
