"""Free-function forms of the Tensor operations.

``F.exp(x)`` is ``x.exp()`` for a Tensor, and also accepts arrays and
Python data (converted as ``Tensor(data)`` does: Python data to float32).
The n-ary operations (`linear`, `matmul`, `concatenate`, `stack`, `where`,
`maximum`, `minimum`) live in tensor.py next to their backward rules and are
re-exported here.
"""

from __future__ import annotations

from typing import Any

from .tensor import (
    ArrayLike,
    Tensor,
    as_tensor,
    concatenate,
    linear,
    matmul,
    maximum,
    minimum,
    stack,
    unbroadcast,
    where,
)
from .tensor_shapes import Axis

__all__ = [
    "linear",
    "matmul",
    "concatenate",
    "stack",
    "where",
    "maximum",
    "minimum",
    "unbroadcast",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sigmoid",
    "softplus",
    "log_sigmoid",
    "relu",
    "leaky_relu",
    "clip",
    "softmax",
    "log_softmax",
    "sum",
    "mean",
    "reshape",
    "flatten",
]


# ------------------------------------------------- unary and shape functions


def exp(x: ArrayLike) -> Tensor:
    return as_tensor(x).exp()


def log(x: ArrayLike) -> Tensor:
    return as_tensor(x).log()


def sqrt(x: ArrayLike) -> Tensor:
    return as_tensor(x).sqrt()


def abs(x: ArrayLike) -> Tensor:
    return as_tensor(x).abs()


def tanh(x: ArrayLike) -> Tensor:
    return as_tensor(x).tanh()


def sigmoid(x: ArrayLike) -> Tensor:
    return as_tensor(x).sigmoid()


def softplus(x: ArrayLike) -> Tensor:
    return as_tensor(x).softplus()


def log_sigmoid(x: ArrayLike) -> Tensor:
    return as_tensor(x).log_sigmoid()


def relu(x: ArrayLike) -> Tensor:
    return as_tensor(x).relu()


def leaky_relu(x: ArrayLike, slope: float = 0.01) -> Tensor:
    return as_tensor(x).leaky_relu(slope)


def clip(x: ArrayLike, lo: float | None = None, hi: float | None = None) -> Tensor:
    return as_tensor(x).clip(lo, hi)


def softmax(x: ArrayLike, axis: int = -1) -> Tensor:
    return as_tensor(x).softmax(axis)


def log_softmax(x: ArrayLike, axis: int = -1) -> Tensor:
    return as_tensor(x).log_softmax(axis)


def sum(x: ArrayLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return as_tensor(x).sum(axis, keepdims)


def mean(x: ArrayLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return as_tensor(x).mean(axis, keepdims)


def reshape(x: ArrayLike, *shape: Any) -> Tensor:
    return as_tensor(x).reshape(*shape)


def flatten(x: ArrayLike, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return as_tensor(x).flatten(start_dim, end_dim)
