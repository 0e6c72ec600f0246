"""Telling people: `notify` is the one function that creates notices and sends them out.

It writes one `Notice` per recipient in the caller's transaction (so a refused step leaves none),
and after the commit e-mails each notice to its recipient (Django's `send_mail`; on unless
`NOTICE_EMAIL` is off) and posts the text to the group robot (群机器人) of each unit named. A mail
server or a robot that does not answer is logged and never undoes the step.
"""

import json
import logging
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from entry.roles import REVIEWER

from .models import Notice, UnitWebhook

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """Who was told: the notices written and the addresses they are mailed to (after the commit)."""

    notices: list[Notice] = field(default_factory=list)
    mailed: list[str] = field(default_factory=list)
    robots: int = 0

    @property
    def recipients(self):
        return [n.recipient for n in self.notices]


def reporters(units: Iterable) -> list:
    """The active accounts that report for these units (填报人员), in one query."""
    units = [u for u in units if u is not None]
    if not units:
        return []
    return list(
        get_user_model()
        .objects.filter(report_units__in=units, is_active=True)
        .distinct()
        .order_by("username")
    )


def reviewers(district: str) -> list:
    """The 督查室: active accounts of the reviewer role in the district, in one query."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=REVIEWER, district_memberships__district=district)
        .distinct()
        .order_by("username")
    )


def full_link(link: str) -> str:
    """The link as a mail or a robot shows it: with `SITE_URL` in front when it is set."""
    base = getattr(settings, "SITE_URL", "")
    return base.rstrip("/") + link if base and link else ""


def _with_link(text: str, link: str) -> str:
    address = full_link(link)
    return text + "\n\n" + _("查看:%(address)s") % {"address": address} if address else text


def notify(
    recipients: Iterable,
    *,
    kind: str,
    text: str,
    subject: str,
    link: str = "",
    actor=None,
    units: Iterable = (),
    mail: bool = True,
) -> Delivery:
    """Tell each recipient (once, active ones only, never the actor) and the units' robots.

    `mail=False` when the caller mails the people itself (the monthly reminders).
    """
    seen, people = set(), []
    for user in recipients:
        if (
            user is None
            or not user.is_active
            or user.pk in seen
            or (actor is not None and user.pk == actor.pk)
        ):
            continue
        seen.add(user.pk)
        people.append(user)
    notices = Notice.objects.bulk_create(
        Notice(recipient=user, kind=kind, text=text, link=link) for user in people
    )
    delivery = Delivery(notices=notices)
    if mail and getattr(settings, "NOTICE_EMAIL", True):
        delivery.mailed = [user.email for user in people if user.email]
    body = _with_link(text, link)
    if delivery.mailed:
        transaction.on_commit(lambda: _mail(subject, body, delivery.mailed))
    unit_ids = [u.pk for u in units if u is not None]
    if unit_ids:
        urls = list(UnitWebhook.objects.filter(unit__in=unit_ids, active=True).values_list("url", flat=True))
        delivery.robots = len(urls)
        for url in urls:
            transaction.on_commit(lambda url=url: post_to_robot(url, body))
    return delivery


def _mail(subject: str, body: str, addresses: list[str]) -> None:
    # One message per notice: each recipient gets their own, not a list of everybody's addresses.
    for address in addresses:
        try:
            send_mail(subject, body, None, [address])
        except Exception:  # the step is recorded; a mail server outage must not undo it
            log.exception("notice mail to %s failed", address)


def post_to_robot(url: str, content: str) -> bool:
    """POST a text message ({"msgtype": "text", "text": {"content": …}}); False (logged) on failure."""
    payload = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=payload, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTICE_WEBHOOK_TIMEOUT) as response:
            answer = response.read(10_000)
    except Exception:  # a robot that is down or slow must never break the request
        log.warning("group robot %s did not take the notice", url, exc_info=True)
        return False
    # 企业微信 and 钉钉 answer 200 with {"errcode": 0, …}; another errcode is a refusal.
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        log.warning("group robot %s refused the notice: %s", url, answer[:200])
        return False
    return True
