"""Targets counted from the ledger (台账统计): the kernel asks, the ledger app answers.

A target whose `ledger_measure` is set takes what the rules measure from a group of the project
ledger instead of from monthly figures. The kernel does not import the ledger app: `projects`
registers its `LedgerSource` here when it starts (`ProjectsConfig.ready`), and the kernel's
queries and pages ask through the functions below. Without a registered source (the ledger app
not installed) such a target has no observations, which the rules read as no data.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Protocol

from django.db.models import QuerySet

from . import rules


class Items(Protocol):
    """The ledger items behind a target, each with whether it counts as done by the as-of date
    (None where done is not known), done ones first: sized, and sliced a page at a time (a
    `Paginator` pages it) without fetching the other items."""

    @property
    def done(self) -> int | None:
        """How many of all the items count as done (None: the target does not count by stage)."""

    @property
    def not_done(self) -> int | None:
        """How many of all the items do not."""

    def __len__(self) -> int: ...

    def __getitem__(self, index) -> list[tuple[object, bool | None]]: ...

    def __iter__(self) -> Iterator[tuple[object, bool | None]]: ...


class NoItems(list):
    """`Items` of a target without a ledger group or without a registered source."""

    done = not_done = None


class LedgerSource(Protocol):
    def prefetch(self, targets: list, *, approved: QuerySet, as_of: dt.date, detail: bool) -> None:
        """Fetch what `observations` reads for these targets, just fetched by
        `TargetQuerySet.for_dashboard(as_of)`, in a fixed number of queries.

        `approved` is the queryset of approved figures the targets' own figures use; without
        `detail` (the lists) only what the ledger's arithmetic reads need be fetched.
        """

    def observations(self, target, *, as_of: dt.date) -> list[rules.Observation]:
        """What the rules measure for a ledger-counted target, oldest first, from what `prefetch`
        fetched: at its `as_of` or an earlier date."""

    def items(self, target, *, as_of: dt.date) -> Items:
        """The ledger items behind a target, with whether each counts as done by `as_of`, done ones
        first; fetched a page at a time, not from the prefetch."""


_source: LedgerSource | None = None


def register(source: LedgerSource) -> None:
    global _source
    _source = source


def prefetch(targets: list, *, approved: QuerySet, as_of: dt.date, detail: bool = False) -> None:
    if _source is not None:
        _source.prefetch(targets, approved=approved, as_of=as_of, detail=detail)


def observations(target, *, as_of: dt.date) -> list[rules.Observation]:
    return _source.observations(target, as_of=as_of) if _source is not None else []


def items(target, *, as_of: dt.date) -> Items:
    if _source is None or target.ledger_group_id is None:
        return NoItems()
    return _source.items(target, as_of=as_of)
