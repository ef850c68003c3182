"""Error messages of the Tensor operations: each names the operation, the argument, its value and what was needed.

They are built here and raised by the caller (``raise broadcast_error(...) from None``), so the
frame a user sees last is the operation they called, never numpy's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.exceptions import AxisError

__all__ = [
    "AxisError",
    "broadcast_error",
    "matmul_error",
    "axis_error",
    "check_axis",
    "show_index",
    "show_value",
]

Shape = tuple[int, ...]


def show_value(x: Any, limit: int = 60) -> str:
    """A short repr of a user's argument for a message (long ones cut)."""
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def broadcast_error(name: str, shape_a: Shape, shape_b: Shape) -> ValueError:
    return ValueError(f"{name}: shapes {shape_a} and {shape_b} cannot be broadcast together")


def matmul_error(shape_a: Shape, shape_b: Shape) -> ValueError:
    if not shape_a or not shape_b:
        return ValueError(
            f"matmul: operands need at least 1 dimension, got shapes {shape_a} and {shape_b} "
            "(use * to multiply by a scalar)"
        )
    k_a = shape_a[-1]
    k_b = shape_b[-2] if len(shape_b) > 1 else shape_b[0]
    if k_a != k_b:
        return ValueError(f"matmul: shapes {shape_a} and {shape_b} are not aligned ({k_a} != {k_b})")
    return ValueError(
        f"matmul: batch shapes {shape_a[:-2]} and {shape_b[:-2]} cannot be broadcast together "
        f"(shapes {shape_a} and {shape_b})"
    )


def axis_error(name: str, axis: Any, data: np.ndarray, exc: Exception) -> Exception:
    """numpy's complaint about ``axis`` rewritten to name the op and the shape (same exception type)."""
    message = f"{name}: invalid axis {axis!r} for a tensor of shape {data.shape}: {exc}"
    if isinstance(exc, AxisError):
        return AxisError(message)
    return type(exc)(message)


def check_axis(name: str, axis: Any, ndim: int, shape: Shape) -> int:
    """``axis`` as a non-negative int, or AxisError (an IndexError and a ValueError) naming it and the shape."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name}: dim must be an int, got {show_value(axis)}")
    if not -ndim <= axis < max(ndim, 1):
        raise AxisError(
            f"{name}: dim {axis} is out of range for a tensor of shape {shape} "
            f"(expected a dim in [{-max(ndim, 1)}, {max(ndim, 1) - 1}])"
        )
    return int(axis) % max(ndim, 1)


def show_index(index: Any) -> str:
    """An index as the user wrote it, e.g. ``[0, 1:3, ...]`` (large arrays summarised)."""
    parts = index if type(index) is tuple else (index,)
    shown = []
    for p in parts:
        if isinstance(p, np.ndarray):
            shown.append(f"array(shape={p.shape}, dtype={p.dtype})" if p.size > 8 else repr(p.tolist()))
        elif isinstance(p, slice):
            text = ("" if p.start is None else str(p.start)) + ":" + ("" if p.stop is None else str(p.stop))
            shown.append(text if p.step is None else f"{text}:{p.step}")
        elif p is Ellipsis:
            shown.append("...")
        else:
            shown.append(repr(p))
    return "[" + ", ".join(shown) + "]"
