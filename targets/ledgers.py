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

from django.db.models import Prefetch, QuerySet

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
    def prefetch(self, approved: QuerySet, *, detail: bool) -> list[Prefetch]:
        """What `TargetQuerySet.for_dashboard` prefetches for a target's ledger group.

        `approved` is the queryset of approved figures the target's own figures use; without
        `detail` (the lists) only what the ledger's arithmetic reads need be fetched.
        """

    def observations(self, target, *, as_of: dt.date) -> list[rules.Observation]:
        """What the rules measure for a ledger-counted target, oldest first (uses the prefetch)."""

    def items(self, target, *, as_of: dt.date) -> Items:
        """The ledger items behind a target, with whether each counts as done by `as_of`, done ones
        first; fetched a page at a time, not from the prefetch."""


_source: LedgerSource | None = None


def register(source: LedgerSource) -> None:
    global _source
    _source = source


def prefetch(approved: QuerySet, *, detail: bool = False) -> list[Prefetch]:
    return _source.prefetch(approved, detail=detail) if _source is not None else []


def observations(target, *, as_of: dt.date) -> list[rules.Observation]:
    return _source.observations(target, as_of=as_of) if _source is not None else []


def items(target, *, as_of: dt.date) -> Items:
    if _source is None or target.ledger_group_id is None:
        return NoItems()
    return _source.items(target, as_of=as_of)
