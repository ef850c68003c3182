"""Hypothesis strategies and checks for testing differentiable code, yours or ours.

The library's own property tests are built from these, the way MyGrad
publishes its strategies: draw shapes (including mutually broadcastable
ones, size-1 axes and 0-d scalars), values in an op's smooth domain and
reduction axes, then compare the engine's gradient with finite differences::

    from hypothesis import given
    from autograd_mlp.testing import arrays, broadcastable_shapes, check_op_gradient

    @given(broadcastable_shapes().flatmap(lambda s: st.tuples(arrays(s[0]), arrays(s[1]))))
    def test_my_op(pair):
        check_op_gradient(lambda a, b: my_op(a, b), *pair)

This module needs Hypothesis, a test dependency (``pip install
"autograd_mlp[test]"``); the rest of the library does not import it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .gradcheck import float64_copies, gradcheck, gradgradcheck
from .tensor import Tensor

__all__ = [
    "shapes",
    "broadcastable_shapes",
    "floats",
    "away_from",
    "arrays",
    "distinct_arrays",
    "axes",
    "tensors",
    "check_op_gradient",
]

SearchStrategy = st.SearchStrategy


def shapes(*, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> SearchStrategy[tuple[int, ...]]:
    """Array shapes; the defaults include 0-d scalars ``()`` and size-1 axes (``min_side=0``: empty axes too)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, *, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of ``num_shapes`` shapes that broadcast together: size-1 axes, missing leading axes and ``()`` included."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    ).map(lambda drawn: tuple(drawn.input_shapes))


def floats(min_value: float = -3.0, max_value: float = 3.0, *, width: Literal[16, 32, 64] = 64) -> SearchStrategy[float]:
    """Finite floats in [min_value, max_value], no subnormals (they only test the FPU)."""
    return st.floats(
        min_value, max_value, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=width
    )


def away_from(
    points: Sequence[float], margin: float = 0.01, *, min_value: float = -3.0, max_value: float = 3.0
) -> SearchStrategy[float]:
    """Floats in [min_value, max_value] at least ``margin`` from every kink in ``points``.

    Finite differences straddling a kink (relu or abs at 0, clip at its
    bounds) measure the average of two slopes, not a derivative. A value
    drawn too close is pushed out to the nearer side (no filtering, so no
    rejected examples); keep ``margin`` well above gradcheck's ``eps``.
    """
    points = sorted(float(p) for p in points)

    def push(x: float) -> float:
        for _ in range(len(points) + 1):  # a push may land near the next point
            near = [p for p in points if abs(x - p) < margin]
            if not near:
                return x
            p = near[0]
            up, down = p + margin, p - margin
            x = up if (x >= p and up <= max_value) or down < min_value else down
        return x

    return floats(min_value, max_value).map(push)


def arrays(
    shape: tuple[int, ...] | SearchStrategy[tuple[int, ...]],
    *,
    elements: SearchStrategy[float] | None = None,
    dtype: Any = np.float64,
) -> SearchStrategy[np.ndarray]:
    """numpy arrays of ``shape`` (a tuple or a strategy); elements default to `floats` in [-3, 3]."""
    dtype = np.dtype(dtype)
    if elements is None:
        elements = floats(width=8 * dtype.itemsize if dtype.kind == "f" else 64)
    return hnp.arrays(dtype, shape, elements=elements)


def distinct_arrays(
    shape: tuple[int, ...] | SearchStrategy[tuple[int, ...]], *, spacing: float = 0.01, bound: float = 3.0
) -> SearchStrategy[np.ndarray]:
    """float64 arrays whose elements differ pairwise by at least ``spacing`` (no ties: max, min, sort)."""
    steps = int(bound / spacing)
    return hnp.arrays(
        np.int64, shape, elements=st.integers(-steps, steps), unique=True
    ).map(lambda a: a * spacing)


@st.composite
def axes(draw: Callable[..., Any], ndim: int, *, allow_none: bool = True, allow_tuple: bool = True) -> Any:
    """An ``axis`` argument for an ndim-dim array: None, an int (maybe negative) or a tuple of distinct axes."""
    if ndim == 0:
        return draw(st.sampled_from([None, ()] if allow_none and allow_tuple else [None] if allow_none else [()]))
    options: list[SearchStrategy[Any]] = [st.integers(-ndim, ndim - 1)]
    if allow_none:
        options.append(st.none())
    if allow_tuple:
        chosen = st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)
        # each axis written either way: 1 or 1 - ndim
        options.append(chosen.flatmap(lambda ax: st.tuples(*[st.sampled_from([a, a - ndim]) for a in ax])))
    return draw(st.one_of(*options))


@st.composite
def tensors(
    draw: Callable[..., Any],
    shape: tuple[int, ...] | SearchStrategy[tuple[int, ...]] | None = None,
    *,
    elements: SearchStrategy[float] | None = None,
    dtype: Any = np.float64,
    requires_grad: bool = True,
) -> Tensor:
    """Tensors of ``shape`` (drawn from `shapes` when None) holding `arrays` values."""
    if shape is None:
        shape = shapes()
    if not isinstance(shape, tuple):
        shape = draw(shape)
    data = draw(arrays(shape, elements=elements, dtype=dtype))
    return Tensor(data, requires_grad=requires_grad and np.dtype(dtype).kind == "f")


def check_op_gradient(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    second_order: bool = False,
    seed: int = 0,
) -> bool:
    """`gradcheck` ``fn`` on ``inputs`` plus the invariants every op must keep; raises AssertionError.

    Beyond matching finite differences: each gradient has its input's shape
    and dtype and is a Tensor holding an ndarray; no gradient shares memory with another
    gradient or with any input; forward and backward change no input (nor
    the caller's originals). With ``second_order=True`` also `gradgradcheck`.
    """
    originals = [np.array(x.data if isinstance(x, Tensor) else x, copy=True) if _array_like(x) else None for x in inputs]
    gradcheck(fn, *inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)

    args, checked = float64_copies(inputs)
    tensors_in = [args[i] for i in checked if isinstance(args[i], Tensor)]
    before = [t.data.copy() for t in tensors_in]
    out = fn(*args)
    if isinstance(out, Tensor) and out.requires_grad:
        upstream = np.random.default_rng(seed).standard_normal(out.shape)
        out.backward(upstream)
        grads = [t.grad for t in tensors_in]
        for g in grads:
            assert g is None or isinstance(g, Tensor), f"a leaf's gradient is a {type(g).__name__}, not a Tensor"
        grads = [None if g is None else g.data for g in grads]  # the stored arrays
        for t, g in zip(tensors_in, grads):
            if g is None:
                continue
            assert type(g) is np.ndarray, f"gradient is a {type(g).__name__}, not an ndarray"
            assert g.shape == t.shape, f"gradient shape {g.shape} != input shape {t.shape}"
            assert g.dtype == t.dtype, f"gradient dtype {g.dtype} != input dtype {t.dtype}"
            for other in tensors_in:
                assert not np.shares_memory(g, other.data), "a gradient shares memory with an input"
        present = [g for g in grads if g is not None]
        for i, g in enumerate(present):
            for h in present[i + 1 :]:
                assert not np.shares_memory(g, h), "two gradients share memory"
    for t, b in zip(tensors_in, before):
        assert np.array_equal(t.data, b, equal_nan=True), "forward or backward changed an input"
    for x, original in zip(inputs, originals):
        if original is not None:
            now = x.data if isinstance(x, Tensor) else x
            assert np.array_equal(now, original, equal_nan=True), "the caller's input was changed"
    if second_order:
        gradgradcheck(fn, *inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)
    return True


def _array_like(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray))
