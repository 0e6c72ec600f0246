"""A project's investment target: the `targets.Target` its monthly completed investment is entered
against (年度投资), so the monthly page, the Excel import, review, history and compliance apply
to it unchanged.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from targets.models import Target


def sync_investment_target(project):
    """Keep the project's annual investment target in line with its plan and unit.

    Created once the project has an annual planned investment and a key task; its monthly
    figures (year-to-date completed investment) are then entered and reviewed like any other.
    Returns the target, or None while the project has none.
    """
    target = getattr(project, "investment_target", None)
    if project.annual_planned_investment is None or project.key_task is None:
        return target
    # The name and source text are data, so they are written in the data's language (Chinese)
    # whatever language the saving user reads the pages in.
    with translation.override(settings.LANGUAGE_CODE):
        return _save_investment_target(project, target)


def _save_investment_target(project, target):
    if target is None:
        target = Target(
            key_task=project.key_task,
            code=f"P-{project.pk:04d}",
            kind=Target.Kind.CUMULATIVE,
            unit_of_measure="亿元",
            baseline=0,
            start=project.plan.period_start,
            deadline=project.plan.period_end,
            deadline_stated=False,
            source_text=_("项目台账:%(name)s 年度计划投资") % {"name": project.name},
            project=project,
        )
    target.name = _("%(name)s 年度投资") % {"name": project.name}
    target.goal = project.annual_planned_investment
    target.save()
    target.responsible_units.set([project.responsible_unit] if project.responsible_unit else [])
    return target
