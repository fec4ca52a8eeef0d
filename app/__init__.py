"""The application layer: use cases and what every channel and job shares.

Imports the domain (`core`) and persistence (`db`), never a channel (`telegram`) nor the
composition root (`bot`).
"""
