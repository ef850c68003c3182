"""What a Tensor may hold and how other data becomes Tensor data (the dtype rules in one place).

* Python data (numbers, nested lists) becomes float32, as in PyTorch; numpy arrays keep their dtype.
* A Python or numpy *scalar* combined with a float tensor takes the tensor's dtype, so ``x * 0.5``
  and ``x / np.float64(n)`` stay float32; arrays follow numpy's promotion.
* Allowed kinds: bool, signed and unsigned integers, floats.

These functions return numpy arrays; tensor.py wraps them into Tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor_errors import show_value
from .value import Value

__all__ = ["ALLOWED_KINDS", "as_dtype", "check_dtype", "to_array", "operand_array", "is_value"]

ALLOWED_KINDS = "biuf"  # bool, signed, unsigned, float: what a Tensor may hold


def check_dtype(dtype: np.dtype) -> np.dtype:
    """``dtype`` itself when a Tensor may hold it, else TypeError naming it."""
    if dtype.kind not in ALLOWED_KINDS:
        raise TypeError(
            f"Tensor: unsupported dtype {dtype} (kind {dtype.kind!r}); "
            "use a float (float32, float64), integer or bool dtype"
        )
    return dtype


def as_dtype(dtype: Any, who: str = "Tensor") -> np.dtype:
    """A user's ``dtype=`` argument (a numpy dtype, a type such as ``np.float32`` or ``float``, a name) checked."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: dtype={show_value(dtype)} is not a dtype (use e.g. np.float32 or 'float64')") from None
    return check_dtype(resolved)


def is_value(x: Any) -> bool:
    return isinstance(x, Value)


def to_array(data: Any, dtype: Any) -> np.ndarray:
    """The constructor's conversion of non-Tensor data: Python data -> float32 by default, arrays keep their dtype."""
    if dtype is not None:
        dtype = as_dtype(dtype)
    if isinstance(data, np.ndarray):
        check_dtype(data.dtype)
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if isinstance(data, np.generic):
        check_dtype(data.dtype)
        return np.asarray(data, dtype=dtype)
    if is_value(data):
        raise TypeError("Tensor(...) cannot hold a Value: use Tensor(value.data), or keep scalars as Values")
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(f"Tensor: data must be a number, nested lists of numbers or an array, got {show_value(data)}")
    try:
        array = np.asarray(data)
    except ValueError as exc:
        raise ValueError(f"Tensor: cannot make an array from this {type(data).__name__}: {exc}") from None
    check_dtype(array.dtype)
    return array.astype(dtype if dtype is not None else np.float32, copy=False)


def operand_array(x: Any, like: np.dtype) -> np.ndarray:
    """``x`` (not a Tensor) as the array of a constant operand beside a tensor of dtype ``like``.

    A Python or numpy scalar takes ``like``'s float dtype (so ``x * 0.5`` stays float32, as Python
    scalars do in numpy and 0-d tensors in PyTorch); arrays keep theirs; lists are Python data.
    """
    if isinstance(x, (int, float, np.generic)):
        if isinstance(x, np.generic):
            check_dtype(x.dtype)
        dtype = like
        if dtype.kind != "f":  # an int/bool tensor: numpy's rules decide (int + 0.5 is float64)
            dtype = np.result_type(dtype, x.item() if isinstance(x, np.generic) else x)
        return np.asarray(x, dtype=dtype)
    if isinstance(x, np.ndarray):
        check_dtype(x.dtype)
        return x
    if isinstance(x, (list, tuple)):
        return to_array(x, None)
    if is_value(x):
        raise TypeError("cannot combine a Tensor with a Value: use Tensors for arrays, Values for scalars")
    raise TypeError(f"unsupported operand of type {type(x).__name__} for a Tensor operation")
