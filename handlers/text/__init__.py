"""A text-only channel adapter: what Zalo (and any channel without buttons) builds on.

It parses what a person typed (a command, a number answering the last numbered choices, or
words), calls the same use cases as the Telegram adapter, and renders their answers as
plain text with numbered choices (`render/text.py`).
"""
