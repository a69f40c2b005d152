"""Interleaved rounds: the one way bench/ times contenders against an anchor.

On a shared machine a neighbour's burst slows whatever runs at that moment. Timing
contender A for a minute and then contender B gives a ratio that says as much about
the neighbours as about A and B (run-to-run spreads of +-20% were seen). Here every
round runs every contender once, in an order rotated from round to round, and the
ratio to the anchor is taken within each round: a burst that hits a round hits the
anchor and the contenders alike. The figures reported are the median of the
per-round ratios with their spread (min-max and the interquartile range).

Standard library only: bench/run.py, bench/library.py and bench/spark.py all
import it, whichever Python runs them.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

T = TypeVar("T")


def rotation(names: Sequence[str], round_index: int) -> list[str]:
    """The order of round round_index: names rotated left by round_index.

    Over len(names) rounds each contender runs once in each position, so none
    always runs first (cold) or straight after the same neighbour.
    """
    if not names:
        return []
    shift = round_index % len(names)
    return [*names[shift:], *names[:shift]]


def interleave(
    contenders: Mapping[str, Callable[[], T]],
    rounds: int,
    *,
    after_round: Callable[[int, dict[str, T]], None] | None = None,
) -> dict[str, list[T]]:
    """Run every contender once per round, order rotated; return each one's values.

    Each contender is a callable that runs once and returns its measurement (seconds,
    seconds per call, or a tuple of such). after_round, if given, sees each round's
    values as they come, in the order they ran.
    """
    names = list(contenders)
    values: dict[str, list[T]] = {name: [] for name in names}
    for index in range(rounds):
        this_round: dict[str, T] = {}
        for name in rotation(names, index):
            this_round[name] = contenders[name]()
        for name in names:
            values[name].append(this_round[name])
        if after_round is not None:
            after_round(index, this_round)
    return values


def per_round(values: Sequence[float], anchors: Sequence[float]) -> list[float]:
    """The ratio value/anchor of each round (both sequences from the same rounds)."""
    if len(values) != len(anchors):
        raise ValueError(f"{len(values)} values against {len(anchors)} anchors")
    return [value / anchor for value, anchor in zip(values, anchors, strict=True)]


@dataclass(frozen=True)
class Spread:
    """Median of a set of per-round figures, with their range and quartiles."""

    median: float
    low: float
    high: float
    q1: float
    q3: float
    count: int

    def text(self, fmt: str = ".2f", unit: str = "x") -> str:
        """'3.10x (2.90-3.40x, IQR 3.00-3.20x)'; the IQR only from 4 rounds."""
        head = f"{self.median:{fmt}}{unit} ({self.low:{fmt}}-{self.high:{fmt}}{unit}"
        if self.count >= 4:
            head += f", IQR {self.q1:{fmt}}-{self.q3:{fmt}}{unit}"
        return head + ")"


def spread(values: Sequence[float]) -> Spread:
    """Median, min, max and the quartiles (inclusive method) of values."""
    if not values:
        raise ValueError("no values")
    if len(values) == 1:
        (only,) = values
        return Spread(only, only, only, only, only, 1)
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(statistics.median(values), min(values), max(values), q1, q3, len(values))
