"""Queries: keyword-only functions that take a session, one module per subject."""
