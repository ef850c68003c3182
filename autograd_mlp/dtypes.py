"""Dtype objects with PyTorch's names and printing, over numpy's dtypes.

>>> import numpy as np
>>> from autograd_mlp import dtypes
>>> dtypes.int64
torch.int64
>>> dtypes.float32 == np.float32, np.dtype(dtypes.float32)
(True, dtype('float32'))

A `DType` is a numpy dtype with PyTorch's name: it compares equal to the
numpy dtype (or scalar type, or its name), hashes like it, and anything that
calls ``np.dtype(...)`` accepts it (it has a ``.dtype`` attribute). Only
numpy-imports here, so the Tensor engine can use it without import cycles.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "DType",
    "of",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool_",
    "TORCH_NAMES",
]


class DType:
    """One numpy dtype under its PyTorch name (``torch.float32``)."""

    __slots__ = ("dtype", "name")

    def __init__(self, dtype: Any, name: str) -> None:
        self.dtype = np.dtype(dtype)
        self.name = name

    @property
    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def kind(self) -> str:
        return self.dtype.kind

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    __str__ = __repr__

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, DType):
            return self.dtype == other.dtype
        try:
            return bool(self.dtype == np.dtype(other))
        except TypeError:
            return NotImplemented

    def __ne__(self, other: Any) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __reduce__(self) -> tuple:
        return (of, (self.dtype,))


float16 = DType(np.float16, "float16")
float32 = DType(np.float32, "float32")
float64 = DType(np.float64, "float64")
int8 = DType(np.int8, "int8")
int16 = DType(np.int16, "int16")
int32 = DType(np.int32, "int32")
int64 = DType(np.int64, "int64")
uint8 = DType(np.uint8, "uint8")
bool_ = DType(np.bool_, "bool")

# PyTorch's names (aliases included) -> the objects above.
TORCH_NAMES: dict[str, DType] = {
    "float16": float16,
    "half": float16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
    "int8": int8,
    "int16": int16,
    "short": int16,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": int64,
    "uint8": uint8,
    "bool": bool_,
}

_BY_NUMPY: dict[np.dtype, DType] = {d.dtype: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)}


def of(dtype: Any) -> DType:
    """The `DType` of a numpy dtype (or anything ``np.dtype`` accepts); other dtypes get a new one."""
    if isinstance(dtype, DType):
        return dtype
    np_dtype = np.dtype(dtype)
    found = _BY_NUMPY.get(np_dtype)
    if found is None:
        found = _BY_NUMPY[np_dtype] = DType(np_dtype, np_dtype.name)
    return found
