"""Each verdict tag writes exactly what its partial template writes, in Chinese and in English."""

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from common.templatetags import verdict_tags
from targets import rules

LANGUAGES = ["zh-hans", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_light_and_risk_badges_equal_their_partials(language):
    with translation.override(language):
        for light in rules.Light:
            assert verdict_tags.light_badge(light) == render_to_string(
                "targets/_light.html", {"light": light}
            )
        assert verdict_tags.risk_badge() == render_to_string("targets/_risk.html", {})


@pytest.mark.parametrize("language", LANGUAGES)
def test_verdict_cell_equals_its_partial(language):
    months = [None, dt.date(2020, 6, 30), dt.date(2021, 12, 31)]
    with translation.override(language):
        for light, measured_on, at_risk in itertools.product(rules.Light, months, (False, True)):
            row = SimpleNamespace(measured_on=measured_on, at_risk=at_risk)
            expected = render_to_string("targets/_verdict_cell.html", {"light": light, "row": row})
            assert verdict_tags.verdict_cell(light, row) == expected, (light, measured_on, at_risk)


@pytest.mark.parametrize("language", LANGUAGES)
def test_commitment_tags_equal_their_partial(language):
    with translation.override(language):
        for commitment, standard in itertools.product(("firm", "stretch", "", "other"), (False, True)):
            target = SimpleNamespace(commitment=commitment, standard=standard)
            expected = render_to_string("targets/_commitment.html", {"target": target})
            assert verdict_tags.commitment_tags(target) == expected, (commitment, standard)
