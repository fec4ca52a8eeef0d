"""The Telegram adapter: one module per flow, registered in order by `flows.py`, plus its kit
(access, context, keyboards, menus, inbox)."""
