"""Constants of a backward rule (an axis, a slope, a reduction, an index), passed one way everywhere.

A rule that needs a constant takes it as a keyword parameter::

    # d sum/dx = 1 for every summed element: g copied back over the axis
    _SUM = Op("sum", lambda g, out, a, *, axis, keepdims: (expand(g, a.shape, axis, keepdims),))

and the op's method records ``with_params(_SUM, axis=axis, keepdims=keepdims)``: the same
`Op` with those keywords fixed. Ops with hashable constants are made once per distinct value
and reused; other constants (an index with arrays or slices) get a fresh Op each time.
"""

from __future__ import annotations

import functools
from typing import Any

from .graph import Op

__all__ = ["with_params"]

_made: dict[tuple, Op] = {}
_PLAIN = (bool, int, float, str, type(None))


def with_params(op: Op, **params: Any) -> Op:
    """``op`` with its rule's keyword constants fixed to ``params`` (the same name and skip_unneeded)."""
    key: list[Any] = [op]
    for name, value in params.items():
        kind = type(value)
        # The type is part of the key: True == 1 and 1.0 == 1, but x[True] is not x[1].
        if kind in _PLAIN or (kind is tuple and all(type(v) is int for v in value)):
            key.append((name, kind, value))
        else:
            return Op(op.name, functools.partial(op.rule, **params), op.skip_unneeded)
    cache_key = tuple(key)
    made = _made.get(cache_key)
    if made is None:
        made = _made[cache_key] = Op(op.name, functools.partial(op.rule, **params), op.skip_unneeded)
    return made
