"""PyTorch's tensor constructors and dtypes over the one native `autograd_mlp.Tensor`.

Every function here returns a native `Tensor`; ``torch.Tensor`` is a name
for that class with PyTorch's constructor meaning (``Tensor(2, 3)`` is a
2x3 tensor, ``Tensor([2, 3])`` holds 2 and 3), not a second tensor type.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as _dtypes
from ..random import get_generator
from ..tensor import Tensor as NativeTensor

__all__ = [
    "Tensor",
    "FloatTensor",
    "DoubleTensor",
    "LongTensor",
    "BoolTensor",
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "empty",
    "full",
    "rand",
    "randn",
    "randint",
    "arange",
    "linspace",
    "eye",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "rand_like",
    "randn_like",
    "numpy_dtype",
    "is_tensor",
]

_FLOAT32 = np.dtype(np.float32)


def numpy_dtype(dtype: Any, who: str = "dtype") -> np.dtype:
    """A dtype argument (``torch.float32``, ``np.float64``, ``"long"``...) as a numpy dtype."""
    if isinstance(dtype, str) and dtype in _dtypes.TORCH_NAMES:
        return _dtypes.TORCH_NAMES[dtype].dtype
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{who}: {dtype!r} is not a dtype; use torch.float32, torch.float64, torch.int64 or torch.bool"
        ) from None


def _new(array: np.ndarray, requires_grad: bool, who: str) -> NativeTensor:
    out = NativeTensor(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(
                f"{who}: only tensors of floating point dtype can require gradients, got {_dtypes.of(array.dtype)}"
            )
        out.requires_grad = True
    return out


def _shape(size: Sequence[Any], who: str) -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])`` -> (2, 3), checking every entry."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = []
    for i, n in enumerate(size):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"{who}: size must be ints, got {type(n).__name__} {n!r} at position {i} of {tuple(size)!r}")
        if n < 0:
            raise RuntimeError(f"{who}: negative dimension {n} in size {tuple(size)!r}")
        shape.append(int(n))
    return tuple(shape)


def _default_float(dtype: Any, who: str) -> np.dtype:
    return _FLOAT32 if dtype is None else numpy_dtype(dtype, who)


def _python_data_array(data: Any, who: str) -> np.ndarray:
    """PyTorch's inference for Python data: ints -> int64, floats -> float32, bools -> bool."""
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{who}: data must be a rectangular nested list of numbers ({error})") from None
    if array.dtype.kind == "O" or array.dtype.kind in "USV":
        raise TypeError(f"{who}: could not make a tensor from {type(data).__name__} {data!r:.60}")
    if array.dtype.kind == "f":
        return array.astype(np.float32)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "c":
        raise TypeError(f"{who}: complex numbers are not supported (see docs/from-pytorch.md)")
    return array


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> NativeTensor:
    """A new tensor holding a copy of ``data``: ints give int64, floats float32 (PyTorch's rule).

    A numpy array keeps its dtype, as in PyTorch (``tensor(np.zeros(2))`` is float64).
    """
    _check_device(device, "tensor")
    if isinstance(data, NativeTensor):
        array = data.data.copy()
    elif isinstance(data, np.ndarray):
        array = data.copy()
    elif isinstance(data, (list, tuple)) and data and all(isinstance(d, NativeTensor) for d in data):
        array = np.stack([d.data for d in data])
    else:
        array = _python_data_array(data, "torch.tensor")
    if dtype is not None:
        array = array.astype(numpy_dtype(dtype, "torch.tensor"), copy=False)
    return _new(array, requires_grad, "torch.tensor")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> NativeTensor:
    """Like `tensor`, but shares an ndarray or tensor of the right dtype instead of copying."""
    if isinstance(data, NativeTensor) and (dtype is None or numpy_dtype(dtype) == data.data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or numpy_dtype(dtype) == data.dtype):
        return NativeTensor(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> NativeTensor:
    """A tensor sharing ``array`` (changes to one show in the other), dtype kept."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return NativeTensor(array)


def _legacy(args: tuple, dtype: np.dtype, who: str, requires_grad: bool = False) -> NativeTensor:
    """``Tensor()``/``Tensor(2, 3)``/``Tensor(data)``: PyTorch's legacy constructor."""
    if not args:
        return _new(np.empty((0,), dtype=dtype), requires_grad, who)
    if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
        return _new(_uninitialised(_shape(args, who), dtype), requires_grad, who)
    if len(args) != 1:
        raise TypeError(f"{who}: expected sizes (ints) or one sequence of data, got {args!r:.80}")
    data = args[0]
    if isinstance(data, NativeTensor):
        data = data.data
    array = np.array(data, dtype=dtype) if not isinstance(data, np.ndarray) else data.astype(dtype)
    return _new(array, requires_grad, who)


def _uninitialised(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    # PyTorch leaves this memory uninitialised: arbitrary numbers that differ
    # run to run (and may be NaN). Here they are standard normal draws (as
    # torch.randn) from the generator manual_seed sets: code that (wrongly)
    # trains from torch.Tensor(2, 2), as post 000's hand-written backprop does,
    # then behaves as it usually does in PyTorch (not stuck on symmetric
    # zeros), and repeatably.
    if dtype.kind != "f":
        return np.zeros(shape, dtype=dtype)
    return get_generator(None).standard_normal(shape).astype(dtype)


class _TensorType(type):
    """``torch.Tensor(...)`` builds a native Tensor; ``isinstance(x, torch.Tensor)`` checks for one."""

    _dtype: np.dtype = _FLOAT32

    def __call__(cls, *args: Any, requires_grad: bool = False) -> NativeTensor:
        return _legacy(args, cls._dtype, f"torch.{cls.__name__}", requires_grad)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, NativeTensor) and (cls._dtype is None or cls is Tensor or obj.data.dtype == cls._dtype)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, NativeTensor)

    def __getattr__(cls, name: str) -> Any:  # torch.Tensor.add and friends: the native methods
        try:
            return getattr(NativeTensor, name)
        except AttributeError:
            from ._unsupported import unsupported

            raise unsupported(f"torch.Tensor.{name}") from None


class Tensor(metaclass=_TensorType):
    """``Tensor(2, 3)``: a float32 2x3 tensor; ``Tensor([[1, 2]])``: float32 data. See `_legacy`."""


class FloatTensor(metaclass=_TensorType):
    """float32 tensors, as `Tensor`."""


class DoubleTensor(metaclass=_TensorType):
    """float64 tensors."""

    _dtype = np.dtype(np.float64)


class LongTensor(metaclass=_TensorType):
    """int64 tensors."""

    _dtype = np.dtype(np.int64)


class BoolTensor(metaclass=_TensorType):
    """bool tensors."""

    _dtype = np.dtype(np.bool_)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, NativeTensor)


def _check_device(device: Any, who: str) -> None:
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"{who}: device {str(device)!r} is not available: this library computes on the CPU only")


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> NativeTensor:
    _check_device(device, "torch.zeros")
    return _new(np.zeros(_shape(size, "torch.zeros"), _default_float(dtype, "torch.zeros")), requires_grad, "torch.zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> NativeTensor:
    _check_device(device, "torch.ones")
    return _new(np.ones(_shape(size, "torch.ones"), _default_float(dtype, "torch.ones")), requires_grad, "torch.ones")


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> NativeTensor:
    """Uninitialised in PyTorch; here drawn from the default generator (see `_uninitialised`)."""
    _check_device(device, "torch.empty")
    shape = _shape(size, "torch.empty")
    return _new(_uninitialised(shape, _default_float(dtype, "torch.empty")), requires_grad, "torch.empty")


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    shape = _shape((size,) if isinstance(size, (tuple, list)) else (size,), "torch.full")
    if dtype is None:
        dtype = _python_data_array(fill_value, "torch.full").dtype
    return _new(np.full(shape, fill_value, dtype=numpy_dtype(dtype)), requires_grad, "torch.full")


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Any = None) -> NativeTensor:
    """Uniform in [0, 1), from the generator `manual_seed` set (at the moment of the draw)."""
    shape = _shape(size, "torch.rand")
    array = get_generator(generator).random(shape).astype(_default_float(dtype, "torch.rand"))
    return _new(array, requires_grad, "torch.rand")


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Any = None) -> NativeTensor:
    """Standard normal, from the generator `manual_seed` set (at the moment of the draw)."""
    shape = _shape(size, "torch.randn")
    array = get_generator(generator).standard_normal(shape).astype(_default_float(dtype, "torch.randn"))
    return _new(array, requires_grad, "torch.randn")


def randint(
    low: int, high: int | None = None, size: Sequence[int] = (), *, dtype: Any = None, generator: Any = None
) -> NativeTensor:
    """Integers in [low, high) (``randint(high, size)`` for [0, high)), int64 by default."""
    if high is None or isinstance(high, (tuple, list)):  # randint(high, size)
        size = high if high is not None else size
        low, high = 0, low
    shape = _shape((tuple(size),), "torch.randint")
    array = get_generator(generator).integers(low, high, shape)
    return _new(array.astype(numpy_dtype(dtype) if dtype is not None else np.int64), False, "torch.randint")


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    """``arange(5)`` is 0..4 as int64; any float argument makes it float32 (PyTorch's rule)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("torch.arange: step must be nonzero")
    floats = any(isinstance(v, float) for v in (start, end, step))
    default = np.float32 if floats else np.int64
    array = np.arange(start, end, step, dtype=np.float64 if floats else np.int64)
    return _new(array.astype(numpy_dtype(dtype) if dtype is not None else default), requires_grad, "torch.arange")


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise TypeError(f"torch.linspace: steps must be a non-negative int, got {steps!r}")
    array = np.linspace(start, end, int(steps)).astype(_default_float(dtype, "torch.linspace"))
    return _new(array, requires_grad, "torch.linspace")


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    shape = _shape((n,) if m is None else (n, m), "torch.eye")
    array = np.eye(shape[0], shape[-1], dtype=_default_float(dtype, "torch.eye"))
    return _new(array, requires_grad, "torch.eye")


def _like(x: Any, who: str) -> NativeTensor:
    if not isinstance(x, NativeTensor):
        raise TypeError(f"{who}: expected a tensor, got {type(x).__name__}")
    return x


def zeros_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    x = _like(x, "torch.zeros_like")
    return _new(np.zeros_like(x.data, dtype=None if dtype is None else numpy_dtype(dtype)), requires_grad, "torch.zeros_like")


def ones_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    x = _like(x, "torch.ones_like")
    return _new(np.ones_like(x.data, dtype=None if dtype is None else numpy_dtype(dtype)), requires_grad, "torch.ones_like")


def empty_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    x = _like(x, "torch.empty_like")
    return empty(x.data.shape, dtype=x.data.dtype if dtype is None else dtype, requires_grad=requires_grad)


def full_like(x: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    x = _like(x, "torch.full_like")
    return full(x.data.shape, fill_value, dtype=x.data.dtype if dtype is None else dtype, requires_grad=requires_grad)


def rand_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    x = _like(x, "torch.rand_like")
    return rand(x.data.shape, dtype=x.data.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randn_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> NativeTensor:
    x = _like(x, "torch.randn_like")
    return randn(x.data.shape, dtype=x.data.dtype if dtype is None else dtype, requires_grad=requires_grad)
