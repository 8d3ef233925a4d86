"""Background work of the incidents app: scheduled situation-report drafts and sending them.

Huey evaluates crontabs in UTC (``HUEY`` has no ``utc`` setting, so Huey's default ``utc=True``
holds), hence the hours below are UTC for the Japan Standard Time (UTC+9) they stand for:

* 00:00 UTC = 09:00 JST: draft the AM situation report (17:00 of the previous day to 09:00);
* 08:00 UTC = 17:00 JST: draft the PM situation report (09:00 to 17:00);
* 09:00 UTC = 18:00 JST: draft the daily bulletin to members (the day, 00:00 to 24:00).

Each job drafts only if no report of that kind and period exists yet (``draft_scheduled``), as
"the system", and the draft notifies the approvers. Sending jobs take primary keys and reload
inside; ``issue_sitrep`` enqueues them once its transaction commits.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jisp.incidents.choices import SitrepKind, SitrepSlot
from jisp.incidents.services import sitreps

logger = logging.getLogger(__name__)

#: Seconds before e-mailing a report again to the addresses whose message failed.
MAIL_RETRY_DELAY = 300
MAIL_ATTEMPTS = 5


@db_periodic_task(crontab(minute="0", hour="0"), name="incidents.draft_am_sitrep")
def draft_am_sitrep() -> None:
    _drafted(sitreps.draft_scheduled(SitrepKind.SITUATION, SitrepSlot.AM))


@db_periodic_task(crontab(minute="0", hour="8"), name="incidents.draft_pm_sitrep")
def draft_pm_sitrep() -> None:
    _drafted(sitreps.draft_scheduled(SitrepKind.SITUATION, SitrepSlot.PM))


@db_periodic_task(crontab(minute="0", hour="9"), name="incidents.draft_bulletin")
def draft_bulletin() -> None:
    _drafted(sitreps.draft_scheduled(SitrepKind.BULLETIN, SitrepSlot.DAY))


@db_task(retries=0, name="incidents.send_sitrep_mail")
def send_sitrep_mail(sitrep_id: int, addresses: list[str], attempt: int = 1) -> None:
    failed = sitreps.send_sitrep_mail(sitrep_id, addresses)
    if not failed:
        return
    if attempt >= MAIL_ATTEMPTS:
        logger.error("situation report %s not sent to %s addresses", sitrep_id, len(failed))
        return
    logger.warning("situation report %s: %s addresses failed, retrying", sitrep_id, len(failed))
    send_sitrep_mail.schedule(args=(sitrep_id, failed, attempt + 1), delay=MAIL_RETRY_DELAY)


@db_task(retries=0, name="incidents.send_bulletin")
def send_bulletin(sitrep_id: int) -> None:
    sitreps.send_bulletin(sitrep_id)


def _drafted(sitrep: object) -> None:
    if sitrep is not None:
        logger.info("drafted %s", sitrep)
