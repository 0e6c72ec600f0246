"""口径待核: a reviewer flags a figure that measures something else; it leaves the verdict until confirmed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from entry import review
from entry.roles import REPORTER, REVIEWER, assign_role
from targets import rules
from targets.tests.factories import make_figure, make_target, make_user

pytestmark = pytest.mark.django_db
JUNE = dt.date(2020, 6, 1)


@pytest.fixture
def schools(task):
    """23 schools by year end; H1 says 10 new ones (the target counts new and continued ones)."""
    target = make_target(task, "7-01", goal=Decimal("23"))
    figure = make_figure(target, JUNE, 10)
    return target, figure


def verdict(client, target):
    response = client.get(reverse("targets:target-detail", args=[target.pk]), {"as_of": "2020-06"})
    return response.context["assessment"], response.content.decode()


def test_reviewer_flags_then_confirms_and_the_verdict_follows(viewer_client, schools):
    target, figure = schools
    reviewer = make_user("rev", is_staff=True)
    assign_role(reviewer, REVIEWER)
    admin_client = Client()
    admin_client.force_login(reviewer)
    url = reverse("admin:targets_figure_changelist")

    before, _html = verdict(viewer_client, target)
    assert (before.light, before.completion) == (rules.Light.ON_TRACK, Decimal("43.5"))

    # The action asks for the note first, then flags.
    ask = admin_client.post(url, {"action": "flag_measure", ACTION_CHECKBOX_NAME: [figure.pk]})
    assert ask.status_code == 200 and "口径说明" in ask.content.decode()
    done = admin_client.post(
        url, {"action": "flag_measure", ACTION_CHECKBOX_NAME: [figure.pk], "reason": "只计新建,目标含续建"}
    )
    assert done.status_code == 302
    figure.refresh_from_db()
    assert (figure.measure_doubtful, figure.measure_note) == (True, "只计新建,目标含续建")
    flagged, html = verdict(viewer_client, target)
    assert (flagged.light, flagged.latest) == (rules.Light.NO_DATA, None)
    assert "口径待核" in html and "只计新建,目标含续建" in html
    assert figure.history.first().history_user == reviewer

    admin_client.post(url, {"action": "confirm_measure", ACTION_CHECKBOX_NAME: [figure.pk]})
    figure.refresh_from_db()
    assert figure.measure_doubtful is False
    confirmed, _html = verdict(viewer_client, target)
    assert confirmed.light == rules.Light.ON_TRACK


def test_a_reporter_cannot_flag_or_confirm(schools):
    _target, figure = schools
    reporter = make_user("rep", is_staff=True)
    assign_role(reporter, REPORTER)
    with pytest.raises(PermissionDenied):
        review.flag_measure([figure], user=reporter, note="x")
    with pytest.raises(PermissionDenied):
        review.confirm_measure([figure], user=reporter)
    figure.refresh_from_db()
    assert figure.measure_doubtful is False
