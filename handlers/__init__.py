"""Channel adapters: one subpackage per channel (`telegram` today).

An adapter parses what a person sent, calls a use case of `app`, and renders what the use
case says. Business rules never live here.
"""
