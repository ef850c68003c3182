"""Argument checks at the door: one validator per kind of argument, used everywhere.

Each returns the argument in its normal form (an int, a float, ...) or raises
an exception whose message names the caller, the argument, the value it got
and what it needed, so that no message ever comes from numpy's or Python's
internals deep inside the work::

    n = positive_int(n, "nin", who="Neuron")     # ValueError: Neuron: nin must be a positive int, got 0
    lr = nonnegative_float(lr, "lr", who="SGD")  # ValueError: SGD: lr must be a finite number >= 0, got nan

Booleans are refused where numbers are wanted (``True`` is an int in Python,
but ``Neuron(True)`` is a mistake).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

__all__ = [
    "positive_int",
    "nonnegative_int",
    "finite_float",
    "positive_float",
    "nonnegative_float",
    "probability",
    "one_of",
    "instance_of",
]


def _prefix(who: str) -> str:
    return f"{who}: " if who else ""


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def positive_int(value: Any, name: str, *, who: str = "") -> int:
    """``value`` as an int >= 1."""
    if not _is_int(value) or value < 1:
        raise _error(value, f"{_prefix(who)}{name} must be a positive int, got {value!r}")
    return int(value)


def nonnegative_int(value: Any, name: str, *, who: str = "") -> int:
    """``value`` as an int >= 0."""
    if not _is_int(value) or value < 0:
        raise _error(value, f"{_prefix(who)}{name} must be an int >= 0, got {value!r}")
    return int(value)


def finite_float(value: Any, name: str, *, who: str = "") -> float:
    """``value`` as a finite float (not NaN, not inf)."""
    if not _is_real(value) or not math.isfinite(value):
        raise _error(value, f"{_prefix(who)}{name} must be a finite number, got {value!r}")
    return float(value)


def positive_float(value: Any, name: str, *, who: str = "") -> float:
    """``value`` as a finite float > 0."""
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise _error(value, f"{_prefix(who)}{name} must be a finite number > 0, got {value!r}")
    return float(value)


def nonnegative_float(value: Any, name: str, *, who: str = "") -> float:
    """``value`` as a finite float >= 0."""
    if not _is_real(value) or not math.isfinite(value) or value < 0:
        raise _error(value, f"{_prefix(who)}{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def probability(value: Any, name: str, *, who: str = "", allow_one: bool = True) -> float:
    """``value`` as a float in [0, 1] (or [0, 1) with ``allow_one=False``)."""
    upper_ok = (lambda v: v <= 1) if allow_one else (lambda v: v < 1)
    if not _is_real(value) or not (value >= 0 and upper_ok(value)):
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise _error(value, f"{_prefix(who)}{name} must be a number in {interval}, got {value!r}")
    return float(value)


def one_of(value: Any, choices: Iterable[Any], name: str, *, who: str = "") -> Any:
    """``value`` itself, when it is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        shown = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{_prefix(who)}unknown {name} {value!r}; use one of {shown}")
    return value


def instance_of(value: Any, kinds: type | tuple[type, ...], name: str, *, who: str = "") -> Any:
    """``value`` itself, when it is an instance of ``kinds``."""
    if not isinstance(value, kinds):
        names = kinds.__name__ if isinstance(kinds, type) else " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"{_prefix(who)}{name} must be a {names}, got {type(value).__name__} {value!r}")
    return value


def _error(value: Any, message: str) -> Exception:
    # A value of the wrong kind is a TypeError; a number out of range a ValueError.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return TypeError(message)
    return ValueError(message)
