"""The province's own days off and extra working days, typed by an admin (/calendar).

`add dd/mm/yyyy [reason]` adds a day off (or each day of a range, `04/02-10/02/2027`, read
by `core.deadlines.parse_span`), `work dd/mm/yyyy [reason]` a worked day (a
make-up Saturday), `remove dd/mm/yyyy` undoes either; without words, the list, a page at a
time. Public holidays and the government's swaps come from the `holidays` package. Each
returns what to say, from the catalogs; the channel adds its own way to the next page.
A new day off moves what was due that day to the next working day; removing it moves back
what that moved and nothing changed since (`db.queries.dayoff`), and says which. It also
moves the messages held for office time that day to the next office moment (app.notices),
and removing it brings them back, with those queued meanwhile, and says how many. A day
already past is not set: its deadlines were met or missed as they stood, and a day off
added afterwards would move them after the fact (a single task's deadline: /deadline).

The package, a module per thing it does:

- :mod:`app.calendar_days.command`: ``change``, the words of `add`, `work` or `remove`
  read, the day set or removed, and what to say of it;
- :mod:`app.calendar_days.listing`: ``listed``, a page of the days set;
- :mod:`app.calendar_days.moves`: the deadlines due on a new day off moved to the next
  working day, and moved back, a transaction at a time;
- :mod:`app.calendar_days.held`: the messages held for office time on a day off moved past
  it, and brought back;
- :mod:`app.calendar_days.words`: what the replies share: a weekday, tasks named by number.
"""
