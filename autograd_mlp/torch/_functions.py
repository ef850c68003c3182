"""``torch.add``, ``torch.matmul``, ``torch.max`` ...: PyTorch's signatures over the native Tensor ops.

Each function converts its arguments, then calls the one native op; none
computes anything itself, so every gradient is the engine's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import functional as _F
from ..graph import Op
from ..tensor import Tensor as NativeTensor
from ..tensor import from_op
from ._tensors import tensor
from ._unsupported import unsupported

__all__ = [
    "add",
    "sub",
    "mul",
    "div",
    "matmul",
    "mm",
    "pow",
    "exp",
    "log",
    "sqrt",
    "abs",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "softmax",
    "log_softmax",
    "sum",
    "mean",
    "max",
    "min",
    "maximum",
    "minimum",
    "argmax",
    "argmin",
    "clamp",
    "transpose",
    "t",
    "reshape",
    "squeeze",
    "unsqueeze",
    "cat",
    "concat",
    "stack",
    "where",
    "flatten",
    "numel",
    "MaxResult",
]


class MaxResult(NamedTuple):
    """``torch.max(x, dim)``: ``values, indices = ...`` or ``.values`` / ``.indices``."""

    values: NativeTensor
    indices: NativeTensor


def _t(x: Any) -> NativeTensor:
    """A tensor argument: tensors as they are, anything else converted as ``torch.tensor`` does."""
    return x if isinstance(x, NativeTensor) else tensor(x)


def add(input: Any, other: Any, *, alpha: Any = 1) -> NativeTensor:
    """input + alpha * other."""
    return _t(input) + (other if alpha == 1 else alpha * other)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> NativeTensor:
    """input - alpha * other."""
    return _t(input) - (other if alpha == 1 else alpha * other)


def mul(input: Any, other: Any) -> NativeTensor:
    return _t(input) * other


def div(input: Any, other: Any) -> NativeTensor:
    return _t(input) / other


def matmul(input: Any, other: Any) -> NativeTensor:
    return _F.matmul(_t(input), _t(other))


def mm(input: Any, mat2: Any) -> NativeTensor:
    """Matrix product of two 2-D tensors (`matmul` also broadcasts and takes vectors)."""
    a, b = _t(input), _t(mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"torch.mm: both arguments must be 2-D matrices, got shapes {a.shape} and {b.shape}")
    return _F.matmul(a, b)


def pow(input: Any, exponent: Any) -> NativeTensor:
    return _t(input) ** exponent


def exp(input: Any) -> NativeTensor:
    return _t(input).exp()


def log(input: Any) -> NativeTensor:
    return _t(input).log()


def sqrt(input: Any) -> NativeTensor:
    return _t(input).sqrt()


def abs(input: Any) -> NativeTensor:
    return _t(input).abs()


# sin and cos: the native Tensor's own methods when it has them; until then
# two ops made with the public `from_op`, their rules written with each other
# so that second derivatives (create_graph=True) work too.


def _sin(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        with np.errstate(invalid="ignore"):  # sin(inf) = nan, silently (the numeric policy)
            return np.sin(x)
    return from_op(_sin(x.data), _SIN, [x])


def _cos(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        with np.errstate(invalid="ignore"):
            return np.cos(x)
    return from_op(_cos(x.data), _COS, [x])


# d sin(x)/dx = cos(x)
_SIN = Op("sin", lambda g, out, x: (g * _cos(x),))
# d cos(x)/dx = -sin(x)
_COS = Op("cos", lambda g, out, x: (-(g * _sin(x)),))


def sin(input: Any) -> NativeTensor:
    x = _t(input)
    method = getattr(x, "sin", None)
    return method() if method is not None else _sin(x)


def cos(input: Any) -> NativeTensor:
    x = _t(input)
    method = getattr(x, "cos", None)
    return method() if method is not None else _cos(x)


def tanh(input: Any) -> NativeTensor:
    return _t(input).tanh()


def sigmoid(input: Any) -> NativeTensor:
    return _t(input).sigmoid()


def relu(input: Any) -> NativeTensor:
    return _t(input).relu()


def softmax(input: Any, dim: int = -1, dtype: Any = None) -> NativeTensor:
    x = _t(input) if dtype is None else _t(input).astype(np.dtype(dtype))
    return x.softmax(dim)


def log_softmax(input: Any, dim: int = -1, dtype: Any = None) -> NativeTensor:
    x = _t(input) if dtype is None else _t(input).astype(np.dtype(dtype))
    return x.log_softmax(dim)


def sum(input: Any, dim: Any = None, keepdim: bool = False) -> NativeTensor:
    return _t(input).sum(_dims(dim), keepdim)


def mean(input: Any, dim: Any = None, keepdim: bool = False) -> NativeTensor:
    x = _t(input)
    if x.dtype.kind != "f":
        raise RuntimeError(f"torch.mean: needs a floating point tensor, got {x.dtype} (use .float() first)")
    return x.mean(_dims(dim), keepdim)


def _dims(dim: Any) -> Any:
    return tuple(dim) if isinstance(dim, list) else dim


def _extreme(name: str, input: Any, dim: Any, keepdim: bool) -> Any:
    x = _t(input)
    if isinstance(dim, NativeTensor):  # torch.max(a, b): elementwise
        return (_F.maximum if name == "max" else _F.minimum)(x, dim)
    if dim is None:
        return getattr(x, name)()
    result = getattr(x, name)(dim, keepdim)
    if isinstance(result, tuple):  # the native Tensor's PyTorch form: (values, indices)
        return MaxResult(*result)
    indices = getattr(x, "arg" + name)(dim)
    if keepdim:
        indices = indices.unsqueeze(dim)
    return MaxResult(result, indices)


def max(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """``max(x)``: the largest element; ``max(x, dim)``: (values, indices); ``max(a, b)``: elementwise."""
    return _extreme("max", input, dim, keepdim)


def min(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """``min(x)``: the smallest element; ``min(x, dim)``: (values, indices); ``min(a, b)``: elementwise."""
    return _extreme("min", input, dim, keepdim)


def maximum(input: Any, other: Any) -> NativeTensor:
    return _F.maximum(_t(input), _t(other))


def minimum(input: Any, other: Any) -> NativeTensor:
    return _F.minimum(_t(input), _t(other))


def _arg(name: str, input: Any, dim: Any, keepdim: bool) -> NativeTensor:
    x = _t(input)
    out = getattr(x, name)(dim)
    if keepdim and dim is not None and out.ndim < x.ndim:
        out = out.unsqueeze(dim)
    return out


def argmax(input: Any, dim: int | None = None, keepdim: bool = False) -> NativeTensor:
    return _arg("argmax", input, dim, keepdim)


def argmin(input: Any, dim: int | None = None, keepdim: bool = False) -> NativeTensor:
    return _arg("argmin", input, dim, keepdim)


def clamp(input: Any, min: Any = None, max: Any = None) -> NativeTensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: at least one of 'min' or 'max' must not be None")
    x = _t(input)
    method = getattr(x, "clamp", None) or x.clip
    return method(min, max)


def transpose(input: Any, dim0: int, dim1: int) -> NativeTensor:
    """Swap two dimensions (PyTorch's meaning; numpy's transpose permutes all of them)."""
    return _t(input).swapaxes(dim0, dim1)


def t(input: Any) -> NativeTensor:
    x = _t(input)
    if x.ndim > 2:
        raise RuntimeError(f"torch.t: expects a tensor with <= 2 dimensions, got {x.ndim}-D of shape {x.shape}")
    return x.swapaxes(0, 1) if x.ndim == 2 else x


def reshape(input: Any, shape: Sequence[int]) -> NativeTensor:
    return _t(input).reshape(*shape)


def squeeze(input: Any, dim: Any = None) -> NativeTensor:
    return _t(input).squeeze(dim) if dim is not None else _t(input).squeeze()


def unsqueeze(input: Any, dim: int) -> NativeTensor:
    return _t(input).unsqueeze(dim)


def cat(tensors: Sequence[Any], dim: int = 0) -> NativeTensor:
    return _F.concatenate([_t(x) for x in tensors], dim)


concat = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> NativeTensor:
    return _F.stack([_t(x) for x in tensors], dim)


def where(condition: Any, input: Any = None, other: Any = None) -> NativeTensor:
    if input is None or other is None:
        raise unsupported("torch.where(condition) with one argument", "Use condition.nonzero() in numpy: np.nonzero(c.numpy()).")
    return _F.where(_t(condition), input, other)


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> NativeTensor:
    return _t(input).flatten(start_dim, end_dim)


def numel(input: Any) -> int:
    return int(_t(input).data.size)
