"""Targets counted from the ledger (台账统计): the kernel asks, the ledger app answers.

A target whose `ledger_measure` is set takes what the rules measure from a group of the project
ledger instead of from monthly figures. The kernel does not import the ledger app: `projects`
registers its `LedgerSource` here when it starts (`ProjectsConfig.ready`), and the kernel's
queries and pages ask through the functions below. Without a registered source (the ledger app
not installed) such a target has no observations, which the rules read as no data.
"""

import datetime as dt
from typing import Protocol

from django.db.models import Prefetch, QuerySet

from . import rules


class LedgerSource(Protocol):
    def prefetch(self, approved: QuerySet, *, detail: bool) -> list[Prefetch]:
        """What `TargetQuerySet.for_dashboard` prefetches for a target's ledger group.

        `approved` is the queryset of approved figures the target's own figures use; without
        `detail` (the lists) only what the ledger's arithmetic reads need be fetched.
        """

    def observations(self, target, *, as_of: dt.date) -> list[rules.Observation]:
        """What the rules measure for a ledger-counted target, oldest first (uses the prefetch)."""

    def items(self, target, *, as_of: dt.date) -> list[tuple[object, bool | None]]:
        """The ledger items behind a target, with whether each counts as done by `as_of`."""


_source: LedgerSource | None = None


def register(source: LedgerSource) -> None:
    global _source
    _source = source


def prefetch(approved: QuerySet, *, detail: bool = False) -> list[Prefetch]:
    return _source.prefetch(approved, detail=detail) if _source is not None else []


def observations(target, *, as_of: dt.date) -> list[rules.Observation]:
    return _source.observations(target, as_of=as_of) if _source is not None else []


def items(target, *, as_of: dt.date) -> list[tuple[object, bool | None]]:
    if _source is None or target.ledger_group_id is None:
        return []
    return _source.items(target, as_of=as_of)
