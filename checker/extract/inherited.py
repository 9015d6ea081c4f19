"""A state elements inherit from their ancestors (hiding, a bidi override), worked out once per element."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from bs4 import Tag

S = TypeVar("S")


class Inherited(Generic[S]):
    """The state of each element, from its nearest ancestor already known (or `root`) down through `own`,
    which folds an element's own markup into the state it inherits. Memoised per element: a page's blocks
    share their ancestors, so each element is looked at once."""

    def __init__(self, root: S, own: Callable[[Tag, S], S]) -> None:
        self._root = root
        self._own = own
        self._states: dict[int, S] = {}

    def of(self, tag: Tag) -> S:
        """The state in force for `tag`'s text."""
        chain: list[Tag] = []
        node: Tag | None = tag
        state = self._root
        while node is not None and node.name != "[document]":
            known = self._states.get(id(node))
            if known is not None:
                state = known
                break
            chain.append(node)
            node = node.parent
        for element in reversed(chain):
            state = self._own(element, state)
            self._states[id(element)] = state
        return state
