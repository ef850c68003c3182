"""Making Tensors: copies of data, filled shapes, ranges and random samples.

PyTorch's spellings: a shape is separate ints or one tuple (``zeros(2, 3)`` or ``zeros((2, 3))``);
``dtype=`` defaults to float32; ``requires_grad=`` makes a parameter. Random tensors draw from
``rng=`` (keyword only: a numpy Generator or an int seed) or, without it, from the generator that
`autograd_mlp.random.manual_seed` set, taken at the moment of the draw.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .random import RNGLike, get_generator
from .tensor import ArrayLike, Tensor
from .tensor_convert import as_dtype
from .tensor_errors import show_value

__all__ = [
    "tensor",
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "full_like",
    "arange",
    "linspace",
    "eye",
    "randn",
    "rand",
]


def _shape(name: str, shape: Sequence[Any]) -> tuple[int, ...]:
    """``(2, 3)`` from ``zeros(2, 3)`` or ``zeros((2, 3))``, each side a non-negative int."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    sides = []
    for side in shape:
        try:
            if isinstance(side, bool):
                raise TypeError
            n = operator.index(side)
        except TypeError:
            raise TypeError(f"{name}: the shape must be ints, got {show_value(side)} in {show_value(tuple(shape))}") from None
        if n < 0:
            raise ValueError(f"{name}: shape sides must be >= 0, got {n} in {tuple(shape)}")
        sides.append(n)
    return tuple(sides)


def tensor(data: ArrayLike, requires_grad: bool = False, dtype: Any = None, label: str = "") -> Tensor:
    """A new Tensor holding a *copy* of ``data`` (``Tensor(array)`` shares the array instead)."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, label=label)


def zeros(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return Tensor(np.zeros(_shape("zeros", shape), dtype=as_dtype(dtype, "zeros")), requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return Tensor(np.ones(_shape("ones", shape), dtype=as_dtype(dtype, "ones")), requires_grad=requires_grad)


def empty(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are whatever the memory held (fill it before reading)."""
    return Tensor(np.empty(_shape("empty", shape), dtype=as_dtype(dtype, "empty")), requires_grad=requires_grad)


def full(shape: int | Sequence[int], fill_value: float, *, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor with every element ``fill_value``."""
    sides = _shape("full", (shape,) if isinstance(shape, (int, np.integer)) else (tuple(shape),))
    return Tensor(np.full(sides, fill_value, dtype=as_dtype(dtype, "full")), requires_grad=requires_grad)


def zeros_like(x: ArrayLike, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``x``'s shape and (unless given) dtype."""
    like = np.asarray(x)
    return Tensor(np.zeros(like.shape, dtype=like.dtype if dtype is None else as_dtype(dtype)), requires_grad=requires_grad)


def ones_like(x: ArrayLike, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``x``'s shape and (unless given) dtype."""
    like = np.asarray(x)
    return Tensor(np.ones(like.shape, dtype=like.dtype if dtype is None else as_dtype(dtype)), requires_grad=requires_grad)


def full_like(x: ArrayLike, fill_value: float, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``x``'s shape and (unless given) dtype."""
    like = np.asarray(x)
    data = np.full(like.shape, fill_value, dtype=like.dtype if dtype is None else as_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to (not including) end; ``arange(n)`` is 0 .. n-1.

    As PyTorch: int64 when every argument is an int, float32 otherwise.
    """
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"arange: {name} must be a number, got {show_value(v)}")
    if step == 0:
        raise ValueError("arange: step must not be 0")
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    kind = as_dtype(dtype, "arange") if dtype is not None else np.dtype(np.int64 if integral else np.float32)
    return Tensor(np.arange(start, end, step).astype(kind), requires_grad=requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be an int >= 0, got {show_value(steps)}")
    return Tensor(np.linspace(start, end, int(steps)).astype(as_dtype(dtype, "linspace")), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m = n by default)."""
    rows, cols = _shape("eye", (n, n if m is None else m))
    return Tensor(np.eye(rows, cols, dtype=as_dtype(dtype, "eye")), requires_grad=requires_grad)


def randn(*shape: Any, rng: RNGLike = None, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """Standard normal samples: ``randn(2, 3)`` or ``randn((2, 3))``.

    ``rng`` (keyword only): a numpy Generator or an int seed; None draws from the generator
    `manual_seed` set, at the moment of this call.
    """
    sides = _shape("randn", shape)
    samples = get_generator(rng).standard_normal(sides)
    return Tensor(samples.astype(as_dtype(dtype, "randn"), copy=False), requires_grad=requires_grad)


def rand(*shape: Any, rng: RNGLike = None, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1): ``rand(2, 3)`` or ``rand((2, 3))`` (``rng`` as for `randn`)."""
    sides = _shape("rand", shape)
    samples = get_generator(rng).random(sides)
    return Tensor(samples.astype(as_dtype(dtype, "rand"), copy=False), requires_grad=requires_grad)
