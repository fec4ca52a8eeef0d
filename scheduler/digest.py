"""The coordinators' digest on DIGEST_CRON: one job with a fixed name, added once.

DIGEST_CRON is a standard crontab line (minute hour day month day-of-week, with 0 or 7 for
Sunday and 1 for Monday). APScheduler 3 numbers days of the week from Monday = 0, so the
day-of-week field is translated into day names here rather than passed through. One
difference remains: when both day-of-month and day-of-week are restricted, crontab fires on
either, APScheduler only on both; the default ('0 8 * * 1', Mondays at 08:00) is unaffected.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application

from app.digest import last_digest, send_digests
from app.notices import work_hours
from app.services import Services
from core.calendar import WorkingCalendar
from core.taskdates import local_day
from db.engine import session_scope
from db.queries.calendar import working_calendar
from scheduler.context import JobContext
from scheduler.cron import trigger_for
from scheduler.outage import waited_out
from scheduler.roles import LEADER
from scheduler.workers import in_worker

log = logging.getLogger(__name__)

JOB_NAME = "digest"
CATCH_UP_JOB = "digest.catch_up"
# How often, and how soon after start, the digest is checked for a time missed while the bot
# was down (or no leader held); a time is missed once it is this late (the cron job's own
# run is then long over).
CATCH_UP_EVERY_S = 600.0
CATCH_UP_FIRST_S = 30.0
MISSED_AFTER = timedelta(minutes=5)


async def digest_job(context: JobContext) -> None:
    """Queue this digest for every coordinator who takes it (the sender delivers it)."""
    services: Services = context.bot_data.services
    if not services.roles.holds(LEADER):
        return
    # Each coordinator's counts are read in their scope from the assignments: on the loop,
    # a country's digest stalled every person's update while it was read (and written).
    queued = await waited_out(lambda: in_worker(queue_digests, services), "queueing the digest")
    if queued is not None:
        log.info("digest queued for %d coordinators", queued)


def queue_digests(services: Services, *, missed: bool = False) -> int:
    """Queue the digest of now for every coordinator who takes it; return how many were new.

    Fired on a day off (a Monday of Tết, a swapped Monday) or outside office hours, it goes
    out at the next office moment, as reminders do: nobody is written to on a holiday. A
    digest held so (or `missed`: caught up late) is left to the next DIGEST_CRON time when
    that one goes out the same day: after a week of Tết a coordinator would otherwise get a
    week-old digest at 07:30 and the new one at 08:00 (with a daily DIGEST_CRON, one per
    day off). The next one counts from the last digest made, so nothing is left out.
    """
    tz = services.settings.tz
    with session_scope(services.engine) as session:
        moment = services.clock.now()
        hours = work_hours(services.settings.work_hours)
        calendar = working_calendar(session)
        send_from = hours.next_send_moment(moment, calendar, tz)
        if missed or send_from > moment:
            later = next_digest_out(services, moment, calendar)
            if later is not None and local_day(later, tz) == local_day(send_from, tz):
                log.info("the digest of %s is left to the next one, out the same day", moment)
                return 0
        return send_digests(session, services.catalog, now=moment, tz=tz, not_before=send_from)


def next_digest_out(
    services: Services, moment: datetime, calendar: WorkingCalendar
) -> datetime | None:
    """Return when the first digest of a DIGEST_CRON time after `moment` would go out."""
    trigger = trigger_for(services.settings.digest_cron, services.settings.tz)
    fire: datetime | None = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
    if fire is None:
        return None
    hours = work_hours(services.settings.work_hours)
    return hours.next_send_moment(fire, calendar, services.settings.tz)


def catch_up(services: Services) -> int:
    """Queue the digest now when a DIGEST_CRON time passed without one; return how many.

    A bot down (or restarted) over Monday 08:00 would otherwise skip that week's digest.
    The first digest ever is left to its time: there is nothing to catch up on.
    """
    with session_scope(services.engine) as session:
        last = last_digest(session)
    if last is None:
        return 0
    trigger = trigger_for(services.settings.digest_cron, services.settings.tz)
    missed = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
    if missed is None or missed > services.clock.now() - MISSED_AFTER:
        return 0
    queued = queue_digests(services, missed=True)
    if queued:
        log.info("the digest of %s was missed; queued now", missed.isoformat())
    return queued


async def catch_up_job(context: JobContext) -> None:
    """Queue a digest missed while the bot was down (the leader's job)."""
    services: Services = context.bot_data.services
    if services.roles.holds(LEADER):
        await waited_out(lambda: in_worker(catch_up, services), "catching up the digest")


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the digest job and its catch-up to the application's JobQueue (once)."""
    queue = application.job_queue
    if queue is None:
        return
    if not queue.get_jobs_by_name(CATCH_UP_JOB):
        queue.run_repeating(
            catch_up_job, interval=CATCH_UP_EVERY_S, first=CATCH_UP_FIRST_S, name=CATCH_UP_JOB
        )
    if queue.get_jobs_by_name(JOB_NAME):
        return
    services: Services = application.bot_data.services
    trigger = trigger_for(services.settings.digest_cron, services.settings.tz)
    queue.run_custom(
        digest_job,
        job_kwargs={"trigger": trigger, "id": JOB_NAME, "replace_existing": True},
        name=JOB_NAME,
    )
