"""The one graph core shared by `Value` (scalars) and `Tensor` (numpy arrays).

A node is any object with these attributes:

    data    the forward result (a float for Value, an ndarray for Tensor)
    grad    the gradient from backward: a leaf's accumulates over passes, an
            interior node's holds the latest pass (before any: 0.0 for a
            Value, None for a Tensor; the walk treats None as "nothing yet")
    _op     the `Op` that made the node, or None for a leaf
    _prev   a tuple of the input nodes (empty for a leaf)
    requires_grad   whether a leaf wants a gradient (always True for Value)

An `Op` bundles an operation's name with its backward rule, written once next
to the forward code in value.py / tensor.py:

    rule(g, out, *inputs) -> one gradient per input (None = no gradient)

(With ``Op(..., skip_unneeded=True)`` the rule also gets ``needs_input_grad=[bool, ...]``,
one per input, and returns None where an input needs no gradient.)

The rule is called with raw data (floats / arrays) during an ordinary
backward pass, and with the nodes themselves under ``create_graph=True``:
the same arithmetic then records a new graph, which is what makes second
derivatives fall out with no extra code per op.

Nothing here holds a reference from a node back to itself, so a graph is
freed by reference counting the moment the last output is dropped: Python's
cyclic garbage collector never has work to do (it dominates micrograd's
training time, whose closures make every node a cycle).
"""

from __future__ import annotations

import contextlib
import operator
import threading
from typing import Any, Callable, Iterator, NamedTuple, Sequence

import numpy as np

__all__ = [
    "Op",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_grad_enabled",
    "topological_order",
    "backward",
    "grad",
    "name_scope",
    "current_scope",
    "find_nonfinite",
    "check_finite",
]


class Op(NamedTuple):
    """An operation: its name (shown in pictures) and its backward rule.

    ``skip_unneeded=True`` asks the walk to pass ``needs_input_grad=[bool per input]`` so
    the rule can skip gradients nobody wants (the input batch of ``x @ W``
    costs as much as the forward product).
    """

    name: str
    rule: Callable[..., Sequence[Any]]
    skip_unneeded: bool = False

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# ---------------------------------------------------------------- grad mode


class _GradMode(threading.local):
    enabled = True
    scope = ""  # dotted name of the module being called, e.g. "layers.0" (for pictures)


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when new operations record the graph (the default)."""
    return _mode.enabled


@contextlib.contextmanager
def set_grad_enabled(enabled: bool) -> Iterator[None]:
    """Context manager that switches graph recording on or off, then restores it."""
    previous = _mode.enabled
    _mode.enabled = bool(enabled)
    try:
        yield
    finally:
        _mode.enabled = previous


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Record no graph inside the block: for parameter updates and evaluation.

    >>> with no_grad():
    ...     y = x * 2          # y has no parents, backward stops at it
    """
    return set_grad_enabled(False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Record the graph inside the block, even within `no_grad()`."""
    return set_grad_enabled(True)


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[None]:
    """Tag the nodes made inside the block with ``name`` (nested scopes join with '.').

    `nn.Module.__call__` opens one per module, so a picture of a big graph can
    be collapsed to one box per module. Tensor nodes record it; scalar
    `Value` nodes do not (a byte per node matters there).
    """
    previous = _mode.scope
    _mode.scope = f"{previous}.{name}" if previous and name else (name or previous)
    try:
        yield
    finally:
        _mode.scope = previous


def current_scope() -> str:
    """The dotted name set by the innermost `name_scope` ('' outside any)."""
    return _mode.scope


# ---------------------------------------------------------------- the walk


def _count_consumers_and_clear_grads(root: Any) -> dict[Any, int]:
    """For each interior node below ``root``: how many edges lead into it from above.

    Also clears every interior node's gradient, so each backward pass starts
    them from zero (leaves keep theirs: they accumulate). Leaves are not
    counted: they wait for nothing, and most edges of a network end in one.
    Iterative depth-first search: a 1,000,000-deep chain must not touch
    Python's recursion limit. Nodes are their own keys (identity hashing;
    Tensor keeps object.__hash__ so its elementwise ``==`` is never asked).
    """
    pending = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        node.grad = None
        for parent in node._prev:
            if parent._prev:
                if parent in pending:
                    pending[parent] += 1
                else:
                    pending[parent] = 1
                    stack.append(parent)
    return pending


def topological_order(roots: Any) -> list[Any]:
    """Every node reachable from ``roots``, each listed after all the nodes that consume it.

    This is the order in which backward visits nodes: outputs first, leaves
    last (Kahn's algorithm on consumer counts: no recursion, no sorting).
    Unlike `backward`, it changes no gradient.
    """
    roots = list(roots) if isinstance(roots, (list, tuple)) else [roots]
    pending: dict[Any, int] = {}
    stack = []
    for root in roots:
        if root not in pending:
            pending[root] = 0
            stack.append(root)
    while stack:
        for parent in stack.pop()._prev:
            key = parent
            if key in pending:
                pending[key] += 1
            else:
                pending[key] = 1
                stack.append(parent)
    ready = [r for r in roots if pending[r] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node._prev:
            pending[parent] -= 1
            if pending[parent] == 0:
                ready.append(parent)
    return order


def backward(root: Any, seed: Any, *, create_graph: bool = False) -> None:
    """Apply the chain rule from ``root`` (whose gradient is ``seed``) down to the leaves.

    The semantics, the same for `Value` and `Tensor`:

    * Gradients **accumulate** where a node feeds several consumers (``x * x``).
    * Leaves accumulate **across calls** too, as in PyTorch: run backward
      twice and a parameter's grad doubles; call ``zero_grad()`` between steps.
    * Intermediate nodes start from zero on every call, so their ``grad``
      holds the gradient of the latest pass (micrograd keeps adding to them
      and double-counts the second time).
    * ``create_graph=True`` makes the gradients nodes of a new graph, so
      they can be differentiated again.

    A node's rule runs only once every consumer has added its share to the
    node's grad: the consumer counts of a first pass say when that is.
    """
    if not root._prev:  # a leaf: nothing to propagate
        _add_grad(root, seed)
        return
    pending = _count_consumers_and_clear_grads(root)
    root.grad = seed
    ready = [root]
    # The grad-mode switch by hand, not `with set_grad_enabled(...)`: the
    # generator-based context manager costs more than a tiny graph's walk.
    previous_mode = _mode.enabled
    _mode.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            prev = node._prev
            g = node.grad
            op = node._op
            if g is None:  # no consumer sent a gradient (e.g. a constant exponent)
                grads = [None] * len(prev)
            elif op.skip_unneeded:
                needs_input_grad = [p.requires_grad for p in prev]
                if create_graph:
                    grads = op.rule(g, node, *prev, needs_input_grad=needs_input_grad)
                else:
                    grads = op.rule(g, node.data, *map(_data, prev), needs_input_grad=needs_input_grad)
            elif create_graph:
                grads = op.rule(g, node, *prev)
            else:
                grads = op.rule(g, node.data, *map(_data, prev))
            for parent, contribution in zip(prev, grads):
                if parent._prev:
                    if contribution is not None:
                        old = parent.grad
                        parent.grad = contribution if old is None else old + contribution
                    left = pending[parent] - 1
                    pending[parent] = left
                    if left == 0:
                        ready.append(parent)
                elif contribution is not None and parent.requires_grad:
                    old = parent.grad
                    if old is None:
                        parent.grad = _private(contribution, g)
                    else:
                        parent.grad = old + contribution
    finally:
        _mode.enabled = previous_mode


_data = operator.attrgetter("data")


def _add_grad(node: Any, contribution: Any) -> None:
    old = node.grad
    node.grad = contribution if old is None else old + contribution


def _private(contribution: Any, upstream: Any) -> Any:
    """A leaf's first gradient must not share memory with another node's.

    Rules return the upstream gradient itself (``a + b``) or a view of it
    (``reshape``) where no arithmetic is needed; a user who then changed
    one leaf's grad in place would silently change another's.
    """
    if type(contribution) is np.ndarray and (
        contribution is upstream or contribution.base is not None
    ):
        return contribution.copy()
    return contribution


def grad(
    output: Any,
    inputs: Sequence[Any],
    grad_output: Any = None,
    *,
    create_graph: bool = False,
) -> list[Any]:
    """The gradients of ``output`` with respect to ``inputs``, leaving every ``.grad`` as it was.

    The functional form of ``backward`` (``torch.autograd.grad``): with
    ``create_graph=True`` the results are nodes, so they can be
    differentiated again::

        dy = grad(y, [x], create_graph=True)[0]
        d2y = grad(dy, [x])[0]
    """
    nodes = topological_order([output, *inputs])
    saved = [(n, n.grad) for n in nodes]
    try:
        for n in inputs:
            n.grad = None
        output.backward(grad_output, create_graph=create_graph)
        results = [n.grad for n in inputs]
    finally:
        for n, g in saved:
            n.grad = g
    return results


# ---------------------------------------------------------------- finiteness


def _all_finite(x: Any) -> bool:
    return bool(np.all(np.isfinite(x)))


def find_nonfinite(root: Any, *, grads: bool = False) -> Any | None:
    """The earliest node (in forward order) below ``root`` whose data is inf or NaN
    although all its inputs are finite: the operation that produced the first
    non-finite number. None when every value is finite.

    With ``grads=True`` it looks at gradients instead (after ``backward``):
    the first node, going backward from ``root``, whose grad is non-finite.
    """
    order = topological_order(root)
    if grads:
        for node in order:
            g = node.grad
            if g is not None and not isinstance(g, (int, float, np.ndarray, np.generic)):
                g = g.data
            if g is not None and not _all_finite(g):
                return node
        return None
    for node in reversed(order):
        if not _all_finite(node.data) and all(_all_finite(p.data) for p in node._prev):
            return node
    return None


def check_finite(root: Any, *, grads: bool = False) -> None:
    """Raise `FloatingPointError` naming the first operation that produced inf or NaN.

    >>> loss = model(x).log().sum()
    >>> check_finite(loss)          # FloatingPointError: 'log' made -inf from ...

    Costs one walk of the graph and nothing while the graph is built, so
    training code pays for it only where it is called.
    """
    node = find_nonfinite(root, grads=grads)
    if node is None:
        return
    what = "gradient" if grads else "value"
    label = getattr(node, "label", "") or ""
    name = f" {label!r}" if label else ""
    shown = node.grad if grads else node.data
    if not isinstance(shown, (int, float, np.ndarray, np.generic)):
        shown = shown.data
    if node._op is None:
        where = f"leaf{name}"
    else:
        inputs = ", ".join(_short(p.data) for p in node._prev)
        where = f"node{name} made by '{node._op.name}' from {inputs}"
    raise FloatingPointError(f"non-finite {what} {_short(shown)} first appears at {where}")


def _short(x: Any) -> str:
    if isinstance(x, np.ndarray) and x.size > 6:
        bad = np.flatnonzero(~np.isfinite(x))
        return f"array{x.shape} ({bad.size} non-finite, first at flat index {bad[0] if bad.size else '-'})"
    return repr(x.tolist() if isinstance(x, np.ndarray) else x)
