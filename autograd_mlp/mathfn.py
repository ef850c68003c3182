"""The math that backward rules and forward kernels share, for floats, arrays and nodes alike.

A backward rule runs on raw data in an ordinary pass (a float for `Value`, an
ndarray for `Tensor`) and on the nodes themselves under
``backward(create_graph=True)``. The functions here take any of these and do
the matching thing: ``math`` for a float, numpy for an array, the node's own
method for a node (so the gradient computation is recorded). Anything else
with the method (a symbolic stand-in, say) works too.

The stable kernels (`sigmoid_float`, `sigmoid_array`, `softplus_*`) are the
only place where those formulas are written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "raw",
    "exp",
    "log",
    "sin",
    "cos",
    "sigmoid",
    "sign",
    "sigmoid_float",
    "sigmoid_array",
    "softplus_float",
    "softplus_array",
    "exp_float",
]

_ndarray = np.ndarray


def raw(x: Any) -> Any:
    """The plain number or array inside ``x`` (``x`` itself when it is not a node)."""
    t = type(x)
    if t is float or t is _ndarray or t is int:
        return x
    return getattr(x, "data", x)


def _dispatch(method: str, on_float: Callable[[float], float], on_array: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """One rule-math function: ``on_float`` for a float, ``on_array`` for an array or a numpy
    number, else the argument's own ``method`` (a node under create_graph, or a stand-in)."""

    def apply(x: Any) -> Any:
        t = type(x)
        if t is float:
            return on_float(x)
        if t is _ndarray or isinstance(x, (np.generic, int)):
            return on_array(x)
        return getattr(x, method)()

    apply.__name__ = apply.__qualname__ = method
    apply.__doc__ = f"{method}(x) for a float, an array or a node."
    return apply


def _log_float(x: float) -> float:
    return math.log(x) if x > 0.0 else (-math.inf if x == 0.0 else math.nan)


def _periodic(f: Callable[[float], float]) -> Callable[[float], float]:
    # math.sin(inf) raises ValueError; IEEE (and numpy) give nan
    return lambda x: f(x) if math.isfinite(x) else math.nan


exp = _dispatch("exp", lambda x: exp_float(x), np.exp)
log = _dispatch("log", _log_float, np.log)
sin = _dispatch("sin", _periodic(math.sin), np.sin)
cos = _dispatch("cos", _periodic(math.cos), np.cos)
sigmoid = _dispatch("sigmoid", lambda x: sigmoid_float(x), lambda x: sigmoid_array(np.asarray(x)))


def sign(x: Any) -> Any:
    """sign(x) of the raw data, as a constant (its derivative is 0 wherever it exists)."""
    x = raw(x)
    if type(x) is float:
        return (x > 0.0) - (x < 0.0)
    return np.sign(x)


# ------------------------------------------------------------ stable kernels


def exp_float(x: float) -> float:
    """e**x, inf past ~709.78 (IEEE overflow) instead of Python's OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def sigmoid_float(x: float) -> float:
    """1 / (1 + e**-x) with exp only ever seeing a non-positive argument: no overflow for any x."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """The same formula as `sigmoid_float`, elementwise: e**-|x| never overflows."""
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1, e).astype(np.result_type(x, np.float32) if x.dtype.kind != "f" else x.dtype)
    out /= 1 + e
    return out


def softplus_float(x: float) -> float:
    """log(1 + e**x) = max(x, 0) + log1p(e**-|x|): exact for large |x|, no overflow."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def softplus_array(x: np.ndarray) -> np.ndarray:
    """The same formula as `softplus_float`, elementwise."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
