"""Renderers: what the bot says (text and choices) as each channel shows it.

Used by the channel adapters (answers) and by the senders (queued messages) alike, so
both render the same way. Imports the application layer, never an adapter or a job.
"""
