"""Check the engine's gradients against finite differences, for Tensor and Value code alike.

    >>> from autograd_mlp.gradcheck import gradcheck
    >>> gradcheck(lambda x, w: (x @ w).tanh(), x, w)
    True

The analytic side is one backward pass through the engine; the numerical
side is a central difference per input element, (f(x+eps) - f(x-eps)) / 2eps,
with everything in float64 so the comparison measures the gradient and not
float32 rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import graph
from .tensor import Tensor
from .value import Value

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "float64_copies"]


class GradcheckError(AssertionError):
    """An analytic gradient that disagrees with its finite-difference estimate."""


def gradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """True when the gradients the engine computes for ``fn(*inputs)`` match central differences.

    Inputs: float Tensors, Values, float numpy arrays and Python floats are
    *checked*: each is replaced by a float64 copy (arrays and floats become
    Tensors that require grad), so the originals are never touched. Anything
    else (integer labels or index arrays, ints, None, options) is passed to
    ``fn`` unchanged.

    Output: a Tensor, a Value, or a sequence of Values. A non-scalar output is
    contracted with a fixed random upstream gradient ``v`` (from ``seed``):
    the check is of d<v, fn(x)>/dx, one backward pass that involves every
    output element (checking each element separately would cost one pass
    per element, and a wrong entry can only hide if it cancels exactly
    in a random sum).

    An element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    On failure raises `GradcheckError` naming the worst element (input index,
    element index, both values, absolute and relative error), or returns
    False when ``raise_exception=False``.
    """
    args, checked = float64_copies(inputs)
    rng = np.random.default_rng(seed)
    with graph.enable_grad():
        out = fn(*args)
    root, upstream, project = _contraction(out, rng)
    nodes = [args[i] for i in checked]
    analytic = _analytic(root, nodes, upstream)
    numeric = [_numeric(fn, args, i, project, eps) for i in checked]
    problem = _worst(checked, nodes, analytic, numeric, atol, rtol)
    if problem is None:
        return True
    if raise_exception:
        raise GradcheckError(problem)
    return False


def gradgradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """True when second derivatives (through ``create_graph=True``) match finite differences.

    Checks the gradient of ``h(x) = sum_i <d<v, fn(x)>/dx_i, u_i>`` with
    `gradcheck`, for fixed random ``v`` and directions ``u_i``: h is computed
    by the engine with ``graph.grad(..., create_graph=True)``, so its
    gradient is a Hessian-vector product that runs every op's backward rule
    on Tensors (or Values) instead of arrays.
    """
    args, checked = float64_copies(inputs)
    rng = np.random.default_rng(seed)
    with graph.enable_grad():
        out = fn(*args)
    _, upstream, _ = _contraction(out, rng)
    directions = [_random_like(args[i], rng) for i in checked]

    def first_derivative_along_directions(*xs: Any) -> Any:
        with graph.enable_grad():
            out = fn(*xs)
            root, _, _ = _contraction(out, rng, upstream)
            if isinstance(root, Tensor) and not root.requires_grad:
                return Tensor(np.zeros((), np.float64))  # fn does not depend on its inputs at all
            grads = graph.grad(root, [xs[i] for i in checked], upstream, create_graph=True)
            total: Any = None
            for g, u in zip(grads, directions):
                if g is None:
                    continue
                term = (g * u).sum() if isinstance(g, Tensor) else g * float(u)
                total = term if total is None else total + term
            return Tensor(np.zeros((), np.float64)) if total is None else total

    return gradcheck(
        first_derivative_along_directions,
        *args,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        seed=seed,
    )


# ------------------------------------------------------------------ helpers


def float64_copies(inputs: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """The arguments for fn (checked ones as float64 copies) and the indices of the checked ones."""
    args: list[Any] = []
    checked: list[int] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            x = Tensor(np.array(x.data, dtype=np.float64), requires_grad=True, label=x.label)
        elif isinstance(x, Value):
            x = Value(float(x.data), label=x.label)
        elif (isinstance(x, (np.ndarray, np.floating)) and x.dtype.kind == "f") or type(x) is float:
            x = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
        else:
            args.append(x)  # passed through: labels, ints, options
            continue
        args.append(x)
        checked.append(i)
    if not checked:
        raise TypeError("gradcheck: no input to check (give float Tensors, Values, float arrays or floats)")
    return args, checked


def _contraction(out: Any, rng: np.random.Generator, upstream: Any = None) -> tuple[Any, Any, Callable[[Any], float]]:
    """(node to run backward from, its upstream gradient, output -> the float being differentiated)."""
    if isinstance(out, Tensor):
        if out.dtype.kind != "f":
            raise TypeError(f"gradcheck: fn returned a Tensor of dtype {out.dtype}; it must be floating point")
        if upstream is None:
            upstream = np.ones(out.shape) if out.numel() == 1 else rng.standard_normal(out.shape)
        v = upstream
        return out, upstream, lambda o: float(np.sum(np.asarray(o.data, np.float64) * v))
    if isinstance(out, Value):
        return out, None, lambda o: float(o.data)
    if isinstance(out, (list, tuple)) and out and all(isinstance(o, Value) for o in out):
        if upstream is None:
            upstream = rng.standard_normal(len(out))
        v = upstream
        root = sum((o * float(w) for o, w in zip(out, v)), Value(0.0))
        return root, None, lambda o: float(sum(float(w) * oi.data for oi, w in zip(o, v)))
    raise TypeError(f"gradcheck: fn must return a Tensor, a Value or a list of Values, got {type(out).__name__}")


def _analytic(root: Any, nodes: list[Any], upstream: Any) -> list[Any]:
    if isinstance(root, Tensor) and not root.requires_grad:
        return [None] * len(nodes)  # the output does not depend on any input: all gradients are zero
    if isinstance(root, Tensor):
        grads = graph.grad(root, nodes, upstream)
        return [g.data if isinstance(g, Tensor) else g for g in grads]  # a leaf's .grad is a Tensor: its array
    return graph.grad(root, nodes)


def _evaluate(fn: Callable[..., Any], args: list[Any], project: Callable[[Any], float]) -> float:
    with graph.no_grad():  # no graph for the thousands of numerical evaluations
        return project(fn(*args))


def _numeric(fn: Callable[..., Any], args: list[Any], i: int, project: Callable[[Any], float], eps: float) -> np.ndarray:
    """Central differences of the projected output with respect to every element of args[i]."""
    x = args[i]
    if isinstance(x, Value):
        original = x.data
        x.data = original + eps
        plus = _evaluate(fn, args, project)
        x.data = original - eps
        minus = _evaluate(fn, args, project)
        x.data = original
        return np.array((plus - minus) / (2 * eps))
    flat = x.data.reshape(-1)  # a view of our own contiguous copy: writing it perturbs x
    result = np.empty(flat.size)
    for j in range(flat.size):
        original = flat[j]
        flat[j] = original + eps
        plus = _evaluate(fn, args, project)
        flat[j] = original - eps
        minus = _evaluate(fn, args, project)
        flat[j] = original
        result[j] = (plus - minus) / (2 * eps)
    return result.reshape(x.data.shape)


def _random_like(x: Any, rng: np.random.Generator) -> Any:
    return rng.standard_normal() if isinstance(x, Value) else rng.standard_normal(x.shape)


def _worst(checked: list[int], nodes: list[Any], analytic: list[Any], numeric: list[np.ndarray],
           atol: float, rtol: float) -> str | None:
    """A report of the worst disagreement, or None when every element passes."""
    worst: tuple | None = None
    failures = total = 0
    for index, node, a, n in zip(checked, nodes, analytic, numeric):
        what = f"Tensor of shape {node.shape}" if isinstance(node, Tensor) else "Value"
        if a is None:
            a = np.zeros_like(n)
        elif isinstance(node, Tensor):
            if not isinstance(a, np.ndarray):
                return f"gradcheck: input {index} ({what}): the gradient is a {type(a).__name__}, not an array"
            if a.shape != node.shape:
                return f"gradcheck: input {index} ({what}): the analytic gradient has shape {a.shape}"
            if a.dtype != node.dtype:
                return (f"gradcheck: input {index} ({what}): the analytic gradient has dtype {a.dtype}, "
                        f"the input {node.dtype}")
        a = np.asarray(a, dtype=np.float64)
        error = np.abs(a - n)
        allowed = atol + rtol * np.abs(n)
        # nan compares False, so a nan on either side counts as a failure
        score = np.where(error <= allowed, 0.0, np.where(np.isnan(error), np.inf, error / allowed))
        failures += int(np.count_nonzero(score))
        total += score.size
        if score.size and score.max() > 0 and (worst is None or score.max() > worst[0]):
            j = np.unravel_index(int(np.argmax(score)), score.shape) if score.ndim else ()
            worst = (score.max(), index, what, j, a[j], n[j], error[j])
    if worst is None:
        return None
    _, index, what, j, a_j, n_j, err = worst
    rel = f"{err / abs(n_j):.3g}" if n_j != 0 else "undefined (numeric is 0)"
    element = f"element {tuple(int(k) for k in j)}" if j != () else "its value"
    return (
        f"gradcheck failed: input {index} ({what}), {element}: analytic {a_j:.10g}, numeric {n_j:.10g}, "
        f"abs error {err:.3g}, rel error {rel} (atol={atol:g}, rtol={rtol:g}); "
        f"{failures} of {total} gradient elements out of tolerance"
    )
