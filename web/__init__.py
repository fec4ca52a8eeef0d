"""The web adapter: webhooks, the coordinator dashboard, signed downloads, health, metrics."""
