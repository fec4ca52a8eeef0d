"""/files/...: downloads through signed links, for their one person, within scope.

A link names its person and expiry under an HMAC (app.links): a forged, expired or
someone else's link gets 403, and so does a person who is no longer staff or a task that
has left their scope since the link was made; this is checked again at every use.

What an export or report covers is in its path (`which`): `all` (every open task in
scope), a task's number, `d<number>` (a directive's tasks in scope) or, for the report,
`p<yyyymmdd>-<yyyymmdd>` (a period). Zalo's /export, /chart and /report link here, and its
/invites to `/files/invites/new` or `all` (`.csv` for CSV), an admin's sheet of fresh invites.

How a link is used depends on who follows it:

- **With the live session of the link's person** (a download on a dashboard page): the
  session is the credential. The file is sent at once, and the link is not used up, so
  the page's downloads can be repeated while the session lives.
- **Without it** (a link sent in chat, a link copied out of a page): the link is a bearer
  credential and works once. A GET shows what it gives (web.landing) and builds nothing,
  since chat servers and scanners fetch links to preview them; the page's button POSTs
  here (from our own pages only). The link is taken (app.link_uses) for a few minutes
  before the file is built, confirmed once the file is built and handed over to be sent,
  and given back when it cannot be sent (busy, a broken template, no task, an error), so
  the person can try again; a take left by a process that died meanwhile lapses. Once
  sent, the link answers "already used" (410) with how to get a new one. Of two POSTs at
  once, one sends the file.
- **A chart's photo** (`/files/photo/<task>`): Zalo's server fetches the photo of a
  /chart itself, by GET, with no page in front; so its link is of its own path, lives 15
  minutes (app.links.PHOTO_TTL) and works for the first successful GET. The chart's text
  message carries a /files/chart link, which has the page in front.

The package: `signed` uses a link as said above (`download`, `once`, the page in front);
`scope`, whether its person may have the file now (else `refused`); `targets`, what a path
covers and the name a file is sent under; one module per file: `exports` (XLSX), `reports`
(Word), `charts` (PNG, and the /chart photo), `evidence` (a kept file), `invites`.
"""
