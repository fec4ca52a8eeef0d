"""What the coordinator dashboard shows, as data: who is looking, and what they may see.

Every function takes the viewer and keeps to their scope (db.queries.scope's one rule):
nothing outside it is counted, listed or named. Filters only narrow the scope further.
A module per thing: `viewer` (who is looking), `signin` (codes and sessions), `filters`,
`cells` (an assignment's status), and a module per page: `overview`, `task_page`,
`matrix`, `unit_page`, `charts`.
"""
