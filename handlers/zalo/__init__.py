"""The Zalo adapter: Zalo events to the text channel's use cases, answers back as text."""
