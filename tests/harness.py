"""Bot-under-test fixtures; filled in once the fake Bot API server exists."""
