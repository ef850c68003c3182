"""Shape arithmetic for the Tensor rules: broadcasting undone, reductions undone, indices cleaned.

Every function here works on numpy arrays, and the ones a rule calls (`unbroadcast`, `reduce_to`,
`expand`) also on Tensors (anything with ``.shape``, ``.sum``, ``.reshape``, ``.broadcast_to``,
``.astype``), so a rule written with them records a graph under ``create_graph=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

import numpy as np

__all__ = [
    "Shape",
    "Axis",
    "unbroadcast",
    "reduce_to",
    "axis_tuple",
    "normalized_axes",
    "kept_shape",
    "reduced_count",
    "expand",
    "clean_index",
    "has_integer_array",
    "scatter",
    "pick",
]

Shape = tuple[int, ...]
Axis = Union[None, int, Sequence[int]]

_ndarray = np.ndarray

# Hot-path tuples are built as tuple([...]), not tuple(generator): CPython
# sizes a generator's tuple by guessing and then resizing it, which moves
# tuples between its free lists and looks like slow memory growth.


def unbroadcast(g: Any, shape: Shape) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, so it has ``shape``.

    The gradient of a broadcast is a sum: an input element copied to many
    output elements receives all their gradients. Works on arrays and Tensors.
    """
    if g.shape == shape:
        return g
    lead = len(g.shape) - len(shape)
    if lead:  # axes broadcasting added in front: summed away
        g = g.sum(axis=tuple(range(lead)))
    stretched = tuple([i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1])
    if stretched:  # size-1 axes broadcasting stretched: summed back to size 1
        g = g.sum(axis=stretched, keepdims=True)
    return g  # fresh sums, not reshaped views (the core would have to copy a view for a leaf)


def reduce_to(g: Any, x: Any) -> Any:
    """The gradient for input ``x``: `unbroadcast` to its shape, cast to its dtype (mixed-dtype ops promote)."""
    if g.shape != x.shape:
        g = unbroadcast(g, x.shape)
    if g.dtype is not x.dtype and g.dtype != x.dtype:
        g = g.astype(x.dtype)
    return g


def pick(name: str, numpy_name: str, numpy_value: Any, torch_name: str, torch_value: Any, default: Any) -> Any:
    """One of two spellings of an argument (numpy's ``axis``/``keepdims``, PyTorch's ``dim``/``keepdim``).

    Both given is an error naming both; neither gives ``default``.
    """
    if torch_value is None:
        return default if numpy_value is None else numpy_value
    if numpy_value is not None:
        raise TypeError(f"{name}: give {torch_name}= or {numpy_name}=, not both (got {torch_value!r} and {numpy_value!r})")
    return torch_value


def axis_tuple(axis: Any) -> Any:
    """Lists of axes become tuples (hashable, and what numpy expects)."""
    return tuple(axis) if isinstance(axis, list) else axis


def normalized_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, int or tuple, negatives allowed) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if not isinstance(axis, tuple):
        axis = (axis,)
    return tuple(sorted(int(a) % ndim for a in axis)) if ndim else ()


def kept_shape(shape: Shape, axis: Any) -> Shape:
    """The shape of a reduction over ``axis`` with keepdims=True."""
    axes = normalized_axes(axis, len(shape))
    return tuple([1 if i in axes else n for i, n in enumerate(shape)])


def reduced_count(shape: Shape, axis: Any) -> int:
    """How many elements a reduction over ``axis`` combines into each result."""
    count = 1
    for i in normalized_axes(axis, len(shape)):
        count *= shape[i]
    return count


def expand(g: Any, shape: Shape, axis: Any, keepdims: bool) -> Any:
    """Undo a reduction's shape: put the reduced axes back as size 1, then broadcast g over them."""
    if not keepdims:
        g = g.reshape(kept_shape(shape, axis))
    if type(g) is _ndarray or isinstance(g, np.generic):
        return np.broadcast_to(g, shape)  # a read-only view: no copy (the core copies it if a leaf keeps it)
    return g.broadcast_to(shape)


def clean_index(index: Any, node_type: Any) -> Any:
    """A numpy index: parts that are ``node_type`` (Tensors) replaced by their arrays, lists by arrays."""
    if type(index) is tuple:
        return tuple([_clean_index_part(p, node_type) for p in index])
    return _clean_index_part(index, node_type)


def _clean_index_part(part: Any, node_type: Any) -> Any:
    if isinstance(part, node_type):
        return part.data
    if isinstance(part, list):
        array = np.asarray(part)
        return array.astype(np.intp) if array.size == 0 else array
    return part


def has_integer_array(index: Any) -> bool:
    """True when the index may pick an element twice (integer arrays): then gradients must add up."""
    parts = index if type(index) is tuple else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


def scatter(g: np.ndarray, shape: Shape, index: Any, accumulate: bool) -> np.ndarray:
    """zeros(shape) with the array g placed (added, if indices repeat) at ``index``."""
    full = np.zeros(shape, dtype=g.dtype)
    if accumulate:
        np.add.at(full, index, g)
    else:
        full[index] = g
    return full
