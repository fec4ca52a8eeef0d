"""The dispatcher: move today's due reminders from the plan into the outbox, once.

It runs only in working hours on working days. The first run of a day sweeps every
remindable assignment; later runs that day look only at assignments created since. Each
assignment's occasion today comes from core.reminders; occasions missed since its last
reminder (the bot was down, or the message was never sent) are folded into today's
reminder, and the coordinators get the list. Everything due for one contact goes into one
message. Re-running is harmless: a contact never gets an assignment twice in a day.

The package, a module per thing it does (the sweep that gathers what is due is
scheduler.sweep):

- :mod:`scheduler.dispatcher.run`: ``dispatch``, one run (in working hours, the day's
  first run or what was created since), and ``run_dispatch``, the same in a worker process
  (its ``Job``);
- :mod:`scheduler.dispatcher.reminders`: each contact's reminder composed and queued, a
  batch of contacts a transaction;
- :mod:`scheduler.dispatcher.coordinators`: each coordinator's lists of escalated units
  and missed reminders queued;
- :mod:`scheduler.dispatcher.stale`: what is queued for one day only, cancelled once that
  day is over (``expire_stale``, ``stale``), and local midnight (``start_of_day``);
- :mod:`scheduler.dispatcher.swept`: what the sweeps covered: today's (whether the day's
  first run is done, up to which assignment) and each recent day's.
"""
