"""Walk the texts of a parsed value (YAML or JSON data, page meta): lists, tuples and mappings at any depth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def strings(value: Any, *, keys: bool = False, numbers: bool = False) -> Iterator[str]:
    """Every text in a value, in order (mapping keys too if asked, numbers as text if asked).

    An explicit stack, never recursion, so no depth is too deep; a container met again (a
    YAML alias, even a cyclic one) is walked once."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict | list | tuple):
            if id(v) in seen:
                continue
            seen.add(id(v))
            if not isinstance(v, dict):
                stack.extend(reversed(v))
                continue
            for k, x in reversed(list(v.items())):
                stack.append(x)
                if keys and isinstance(k, str):
                    stack.append(k)
        elif numbers and isinstance(v, int | float) and not isinstance(v, bool):
            yield str(v)


def map_strings(value: Any, f: Callable[[str], Any]) -> Any:
    """Return a copy of a value with f applied to every text in it (lists and mapping values; keys kept)."""
    # Recursion is safe here: it maps validated meta, whose depth front-matter bounds (frontmatter.MAX_DEPTH).
    if isinstance(value, str):
        return f(value)
    if isinstance(value, list | tuple):
        return [map_strings(v, f) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, f) for k, v in value.items()}
    return value
