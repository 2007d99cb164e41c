"""A memo of a pure function that holds only what its last rounds asked for.

A preview (`handbook serve`) rebuilds after every save in one process: a text its save left
alone should not be counted or normalised again, and a text it replaced should not be held
for ever. Each round (a build's call of the code that uses the memo) asks for the values of
its texts; `turn()` starts a new round, and a value no round of the last `rounds` asked for is
dropped. Two variants built in turn in one process (as the tests do) each find their own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """fn's values by their argument, for the arguments of the last `rounds` rounds only."""

    def __init__(self, fn: Callable[[K], V], rounds: int = 3) -> None:
        self.fn, self.rounds = fn, rounds
        self.now: dict[K, V] = {}
        self.older: list[dict[K, V]] = []

    def __call__(self, key: K) -> V:
        if key in self.now:
            return self.now[key]
        for old in self.older:
            if key in old:
                value = old[key]
                break
        else:
            value = self.fn(key)
        self.now[key] = value
        return value

    def turn(self) -> None:
        """Start a new round: what neither it nor the rounds - 1 before it ask for is dropped."""
        if self.now:
            self.older = [self.now, *self.older][: self.rounds - 1]
            self.now = {}
