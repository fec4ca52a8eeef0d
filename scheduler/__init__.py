"""Periodic jobs on python-telegram-bot's JobQueue; the database holds all the work.

No job per reminder: a few jobs with fixed names read due work from the database, so a
restart loses nothing and needs nothing rebuilt. `periodic.install` adds them to the bot.

Nothing is imported here: a module of the package (the settings read `scheduler.cron`) is
imported without every job's.
"""
