"""Weight initialisation: functions that return seeded numpy arrays.

They return plain arrays so scalar modules (one `Value` per number) and
tensor modules (one array per weight) can share them. Every function draws
from ``rng`` (a `numpy.random.Generator` or an int seed), or from
`autograd_mlp.random.default_generator()` when it is None.

The schemes, for a layer with ``fan_in`` inputs and ``fan_out`` outputs:

    uniform   U(-1, 1): what micrograd uses; fine for the small demos, but the
              spread of a unit's input grows with fan_in, so deep or wide
              networks saturate tanh/sigmoid or blow up relu.
    kaiming   He et al. 2015: U(-b, b), b = gain * sqrt(3 / fan_in), so each
              layer keeps its input's variance (gain sqrt(2) for relu).
    xavier    Glorot & Bengio 2010: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)),
              a compromise between forward and backward variance.

Biases start at 0 in every scheme (as in micrograd).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..random import RNGLike, get_generator

__all__ = [
    "SCHEMES",
    "calculate_gain",
    "uniform",
    "normal",
    "zeros",
    "kaiming_uniform",
    "kaiming_normal",
    "xavier_uniform",
    "xavier_normal",
    "init_weights",
]

Shape = int | Sequence[int]

SCHEMES = ("uniform", "kaiming", "xavier")


def calculate_gain(nonlinearity: str | None = None, param: float | None = None) -> float:
    """The factor by which an activation shrinks its input's spread (PyTorch's values).

    None / "linear" / "sigmoid" -> 1, "tanh" -> 5/3, "relu" -> sqrt(2),
    "leaky_relu" -> sqrt(2 / (1 + slope**2)) with slope ``param`` (default 0.01).
    """
    if nonlinearity in (None, "linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(f"no gain known for nonlinearity {nonlinearity!r}")


def uniform(shape: Shape, low: float = -1.0, high: float = 1.0, *, rng: RNGLike = None) -> np.ndarray:
    """Samples from U(low, high) (micrograd's default is U(-1, 1))."""
    if not low <= high:
        raise ValueError(f"uniform needs low <= high, got low={low}, high={high}")
    return get_generator(rng).uniform(low, high, size=shape)


def normal(shape: Shape, mean: float = 0.0, std: float = 1.0, *, rng: RNGLike = None) -> np.ndarray:
    """Samples from N(mean, std**2)."""
    if std < 0:
        raise ValueError(f"normal needs std >= 0, got {std}")
    return get_generator(rng).normal(mean, std, size=shape)


def zeros(shape: Shape) -> np.ndarray:
    """An array of zeros (float64)."""
    return np.zeros(shape)


def kaiming_uniform(
    shape: Shape, fan_in: int, *, nonlinearity: str | None = "relu", rng: RNGLike = None
) -> np.ndarray:
    """He initialisation: U(-b, b) with b = gain * sqrt(3 / fan_in), i.e. std gain / sqrt(fan_in)."""
    bound = calculate_gain(nonlinearity) * math.sqrt(3.0 / _positive(fan_in, "fan_in"))
    return uniform(shape, -bound, bound, rng=rng)


def kaiming_normal(
    shape: Shape, fan_in: int, *, nonlinearity: str | None = "relu", rng: RNGLike = None
) -> np.ndarray:
    """He initialisation: N(0, std**2) with std = gain / sqrt(fan_in)."""
    std = calculate_gain(nonlinearity) / math.sqrt(_positive(fan_in, "fan_in"))
    return normal(shape, 0.0, std, rng=rng)


def xavier_uniform(
    shape: Shape, fan_in: int, fan_out: int, *, gain: float = 1.0, rng: RNGLike = None
) -> np.ndarray:
    """Glorot initialisation: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    total = _positive(fan_in, "fan_in") + _positive(fan_out, "fan_out")
    bound = gain * math.sqrt(6.0 / total)
    return uniform(shape, -bound, bound, rng=rng)


def xavier_normal(
    shape: Shape, fan_in: int, fan_out: int, *, gain: float = 1.0, rng: RNGLike = None
) -> np.ndarray:
    """Glorot initialisation: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    total = _positive(fan_in, "fan_in") + _positive(fan_out, "fan_out")
    return normal(shape, 0.0, gain * math.sqrt(2.0 / total), rng=rng)


def init_weights(
    scheme: str,
    shape: Shape,
    fan_in: int,
    fan_out: int,
    activation: str | None = None,
    *,
    rng: RNGLike = None,
) -> np.ndarray:
    """Weights drawn by one of `SCHEMES` ("uniform", "kaiming", "xavier").

    ``activation`` is the nonlinearity that follows the weights; kaiming and
    xavier scale by its `calculate_gain`.
    """
    if scheme == "uniform":
        return uniform(shape, -1.0, 1.0, rng=rng)
    if scheme == "kaiming":
        return kaiming_uniform(shape, fan_in, nonlinearity=activation, rng=rng)
    if scheme == "xavier":
        return xavier_uniform(shape, fan_in, fan_out, gain=calculate_gain(activation), rng=rng)
    raise ValueError(f"unknown init scheme {scheme!r}; use one of {list(SCHEMES)}")


def _positive(n: int, name: str) -> int:
    if n < 1:
        raise ValueError(f"{name} must be at least 1, got {n}")
    return n
