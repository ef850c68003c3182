"""The one graph core shared by `Value` (scalars) and `Tensor` (numpy arrays).

A node is any object with these attributes:

    data    the forward result (a float for Value, an ndarray for Tensor)
    grad    the gradient from backward: a leaf's accumulates over passes, an
            interior node's holds the latest pass (before any: 0.0 for a
            Value, None for a Tensor). The general walk writes each node's
            once and reads only a leaf's (``old + g``), so it may be a
            property (not in a class with ``_parents_in_slots``, below).
    _op     the `Op` that made the node, or None for a leaf (what the walk tests)
    _prev   a tuple of the input nodes (empty for a leaf); may be a property
            (`Value` keeps its parents in slots: see value.py)

A class whose nodes keep their parents as `Value` does (``_a``, ``_b``: None
when absent; ``_b`` is `MANY_PARENTS` when ``_a`` holds a tuple of three or
more) and whose ``grad`` is a plain attribute sets the class attribute
``_parents_in_slots = True``. The ordering pass then reads the slots itself
instead of asking ``_prev`` (a property call and a tuple per node), and
`backward` keeps each interior node's gradient in flight in the node's own
``grad`` (see `_backward_in_slots`): half the backward time of micrograd's
moons graph, where a dict of gradients costs a lookup per edge.
    requires_grad   whether a leaf wants a gradient (always True for Value)

The grad mode and the module scope are per thread, in `state`: read
``state.enabled`` / ``state.scope`` anywhere (one attribute read); change them
with `set_grad_enabled` / `no_grad` / `name_scope` / `enter_scope`.

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
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "Op",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_grad_enabled",
    "topological_order",
    "backward_order",
    "backward",
    "grad",
    "name_scope",
    "enter_scope",
    "restore_scope",
    "current_scope",
    "state",
    "GradState",
    "MANY_PARENTS",
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


class GradState(threading.local):
    """This thread's recording state, read by the node classes on every operation.

    Read it anywhere (``graph.state.enabled``, ``graph.state.scope``: one
    attribute read, cheap enough for a hot path); change it only through
    `set_grad_enabled` / `no_grad` / `enable_grad` and `name_scope` /
    `enter_scope`, which restore what they changed.
    """

    enabled: bool = True  # whether new operations record the graph
    scope: str = ""  # dotted name of the module being called, e.g. "layers.0" (for pictures)


state = GradState()


def is_grad_enabled() -> bool:
    """True when new operations record the graph (the default)."""
    return state.enabled


@contextlib.contextmanager
def set_grad_enabled(enabled: bool) -> Iterator[None]:
    """Context manager that switches graph recording on or off, then restores it."""
    previous = state.enabled
    state.enabled = bool(enabled)
    try:
        yield
    finally:
        state.enabled = previous


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
    previous = enter_scope(name)
    try:
        yield
    finally:
        restore_scope(previous)


def enter_scope(name: str) -> str:
    """Open scope ``name`` inside the current one and return the previous scope.

    `name_scope` without the context manager, for code called thousands of
    times a step (`nn.Module.__call__`): the generator-based manager costs
    more than a small module's forward. Pair it with `restore_scope` in a
    ``finally``.
    """
    previous = state.scope
    state.scope = f"{previous}.{name}" if previous and name else (name or previous)
    return previous


def restore_scope(previous: str) -> None:
    """Go back to the scope `enter_scope` returned."""
    state.scope = previous


def current_scope() -> str:
    """The dotted name set by the innermost `name_scope` ('' outside any)."""
    return state.scope


# ---------------------------------------------------------------- the walk


class _Mark:
    """A named sentinel the walk compares by identity (its repr is its name)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_EMPTY = _Mark("_EMPTY")  # in the walk's dict: "met, and no gradient (yet)"
MANY_PARENTS = _Mark("MANY_PARENTS")  # in ``_b``: ``_a`` holds the tuple of all the parents (see the module docstring)


def _postorder(roots: Sequence[Any], leaves: bool) -> tuple[list[Any], list[tuple], dict[Any, Any]]:
    """The nodes below ``roots``, each listed after all of its inputs (depth-first post-order).

    Returns the nodes, their ``_prev`` tuples in the same order (read once:
    `Value` computes it), and a dict in which every node met, leaves too,
    maps to `_EMPTY`; the backward walk reuses it for its gradients, which
    saves building a second dict as large as the graph.

    Leaves are listed only when ``leaves`` is true: backward needs only the
    nodes that have a rule, and most edges of a network end in a leaf (a node
    whose ``_op`` is None). Iterative, so a 1,000,000-deep chain never meets
    Python's recursion limit. A node is on the stack twice: first to push its
    inputs (its dict entry then holds its ``_prev``), then to be listed once
    they all are; a node whose inputs are all listed already is listed at once. Nodes are their own keys (identity hashing; Tensor keeps
    object.__hash__ so its elementwise ``==`` is never asked).
    """
    seen: dict[Any, Any] = {}
    get = seen.get
    order: list[Any] = []
    prevs: list[tuple] = []
    listed = order.append
    listed_prev = prevs.append
    stack = list(roots)[::-1]
    push = stack.append
    pop = stack.pop
    in_slots = bool(stack) and getattr(type(stack[0]), "_parents_in_slots", False)  # one class per graph
    many = MANY_PARENTS
    while stack:
        node = pop()
        mark = get(node)
        if mark is None:  # first visit: push the inputs it waits for, above itself
            if not in_slots:
                prev = node._prev
            else:  # `Value`'s layout read inline: the same tuple its _prev property builds
                b = node._b
                if b is None:
                    a = node._a
                    prev = () if a is None else (a,)
                elif b is many:
                    prev = node._a
                else:
                    prev = (node._a, b)
            waits = False
            for parent in reversed(prev):  # so the first input is listed first, as written
                if parent not in seen:
                    if leaves or parent._op is not None:
                        if not waits:
                            seen[node] = prev
                            push(node)
                            waits = True
                        push(parent)
                    else:
                        seen[parent] = _EMPTY
            if not waits:  # nothing to wait for: list it now
                seen[node] = _EMPTY
                listed(node)
                listed_prev(prev)
        elif mark is not _EMPTY:  # second visit: all its inputs are listed
            seen[node] = _EMPTY
            listed(node)
            listed_prev(mark)
    return order, prevs, seen


def topological_order(roots: Any) -> list[Any]:
    """Every node reachable from ``roots``, each listed after all the nodes that consume it.

    This is the order in which backward visits nodes: outputs first, leaves
    last. Unlike `backward`, it changes no gradient.
    """
    roots = list(roots) if isinstance(roots, (list, tuple)) else [roots]
    order = _postorder(roots, leaves=True)[0]
    order.reverse()
    return order


def backward_order(root: Any) -> list[Any]:
    """The interior nodes below ``root`` in exactly the order `backward` runs their rules.

    (`topological_order` lists the leaves too, which places the interior nodes
    in another valid order.) Tools that reproduce backward's arithmetic to the
    last bit, such as `autograd_mlp.replay`, follow this order: floating-point
    sums of several contributions depend on it.
    """
    order = _postorder((root,), leaves=False)[0]
    order.reverse()
    return order


def _propagate(root: Any, seed: Any, create_graph: bool, write: bool) -> dict[Any, Any]:
    """The chain rule from ``root`` (gradient ``seed``) down: the gradient each node receives.

    Interior nodes are visited consumers first, so a node's gradient is
    complete (every consumer has added its share) when its rule runs. The
    gradients in flight live in the local dict ``grads`` (`_EMPTY`: none yet).
    With ``write`` each interior node's ``.grad`` is set once, when it is
    visited, and the returned dict keeps only the leaves' totals (not yet
    combined with their previous ``.grad``). Without ``write`` no node is
    touched and the dict holds every node's gradient.
    """
    # The walk makes no reference cycles, so a collection during it could free
    # nothing it made; but the parents tuples it keeps (one per node) would start
    # collections that each pass over the whole live graph: a third of the
    # backward time of micrograd's moons step (benchmarks/bench_scalar.py).
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    # The grad-mode switch by hand, not `with set_grad_enabled(...)`: the
    # generator-based context manager costs more than a tiny graph's walk.
    previous_mode = state.enabled
    state.enabled = create_graph
    try:
        order, prevs, grads = _postorder((root,), leaves=False)
        grads[root] = seed
        take = grads.pop if write else grads.__getitem__
        for node, prev in zip(reversed(order), reversed(prevs)):
            g = take(node)
            if g is _EMPTY:  # no consumer sent a gradient (e.g. a constant exponent)
                if write:
                    node.grad = None
                continue
            if write:
                node.grad = g
            op = node._op
            if op.skip_unneeded:
                needs_input_grad = [p.requires_grad for p in prev]
                if create_graph:
                    contributions = op.rule(g, node, *prev, needs_input_grad=needs_input_grad)
                else:
                    contributions = op.rule(
                        g, node.data, *[p.data for p in prev], needs_input_grad=needs_input_grad
                    )
            elif create_graph:
                contributions = op.rule(g, node, *prev)
            elif len(prev) == 2:  # most nodes of a scalar graph: skip building a list
                a, b = prev
                contributions = op.rule(g, node.data, a.data, b.data)
            else:
                contributions = op.rule(g, node.data, *[p.data for p in prev])
            for parent, c in zip(prev, contributions):
                if c is not None:
                    old = grads[parent]
                    if old is not _EMPTY:
                        grads[parent] = old + c  # never +=: old may be another node's array
                    elif c is g and type(c) is _ndarray and parent._op is None:
                        grads[parent] = c.copy()  # a leaf handed the upstream array itself: see _private
                    else:
                        grads[parent] = c
    finally:
        state.enabled = previous_mode
        if collecting:
            gc.enable()
    return grads


# What an interior node's ``grad`` holds while `_backward_in_slots` runs
# (never after it: any other value means "not met yet in this walk").
_WAITING = _Mark("_WAITING")  # on the ordering stack, its inputs being listed
_NO_GRAD_YET = _Mark("_NO_GRAD_YET")  # listed; no consumer has sent it a gradient yet


def _order_in_slots(root: Any) -> list[Any]:
    """`_postorder` (interior nodes only, the same order) with the marks in the nodes' ``grad``.

    A node's ``grad`` becomes `_WAITING` while its inputs are listed, then
    `_NO_GRAD_YET`: the walk that follows adds gradients into it. No dict
    is built: a slot read costs a third of a dict lookup.
    """
    order: list[Any] = []
    listed = order.append
    stack = [root]
    push = stack.append
    pop = stack.pop
    many = MANY_PARENTS
    waiting = _WAITING
    no_grad_yet = _NO_GRAD_YET
    try:
        while stack:
            node = pop()
            mark = node.grad
            if mark is waiting:  # second visit: all its inputs are listed
                node.grad = no_grad_yet
                listed(node)
            elif mark is not no_grad_yet:  # first visit (not a second copy pushed by another consumer)
                node.grad = waiting
                push(node)  # to come back to once its inputs, pushed above it, are listed
                b = node._b
                if b is many:
                    for parent in reversed(node._a):  # so the first input is listed first, as written
                        if parent._op is not None and parent.grad is not no_grad_yet:
                            push(parent)
                else:
                    if b is not None and b._op is not None and b.grad is not no_grad_yet:
                        push(b)
                    a = node._a
                    if a is not None and a._op is not None and a.grad is not no_grad_yet:
                        push(a)
    except BaseException:  # (a KeyboardInterrupt): no mark may outlive the walk
        for node in order + stack:
            if node.grad is waiting or node.grad is no_grad_yet:
                node.grad = None
        raise
    return order


def _backward_in_slots(root: Any, seed: Any) -> None:
    """`backward` for a graph of `Value` nodes (``_parents_in_slots``), on raw floats.

    The same order and the same sums as `_propagate`, so the same bits, but
    each interior node's gradient in flight lives in its own ``grad`` (which
    ends as its total, as `_propagate` writes it); only the leaves' totals
    are kept in a dict, and added to their ``grad`` at the end. If a rule
    raises, every interior node's ``grad`` is left None and no leaf's changes.

    The collector is not paused, as `_propagate` pauses it: this walk keeps
    nothing but its list of nodes, so it starts no collection.
    """
    previous_mode = state.enabled
    state.enabled = False
    no_grad_yet = _NO_GRAD_YET
    many = MANY_PARENTS
    leaf_totals: dict[Any, Any] = {}
    total_of = leaf_totals.get
    order: list[Any] = []
    try:
        order = _order_in_slots(root)
        root.grad = seed
        for node in reversed(order):
            g = node.grad
            if g is no_grad_yet:  # no consumer sent a gradient (e.g. a constant exponent)
                node.grad = None
                continue
            op = node._op
            b = node._b
            if op.skip_unneeded:
                prev = node._prev
                contributions = op.rule(
                    g, node.data, *[p.data for p in prev], needs_input_grad=[p.requires_grad for p in prev]
                )
            elif b is None:
                a = node._a
                prev = (a,)
                contributions = op.rule(g, node.data, a.data)
            elif b is many:
                prev = node._a
                contributions = op.rule(g, node.data, *[p.data for p in prev])
            else:  # two inputs, most nodes of a scalar graph: the loop below written out (a fifth faster)
                a = node._a
                ga, gb = op.rule(g, node.data, a.data, b.data)
                if ga is not None:
                    if a._op is None:
                        old = total_of(a, no_grad_yet)
                        leaf_totals[a] = ga if old is no_grad_yet else old + ga
                    else:
                        old = a.grad
                        a.grad = ga if old is no_grad_yet else old + ga
                if gb is not None:
                    if b._op is None:
                        old = total_of(b, no_grad_yet)
                        leaf_totals[b] = gb if old is no_grad_yet else old + gb
                    else:
                        old = b.grad
                        b.grad = gb if old is no_grad_yet else old + gb
                continue
            for parent, c in zip(prev, contributions):
                if c is not None:
                    if parent._op is None:
                        old = total_of(parent, no_grad_yet)
                        leaf_totals[parent] = c if old is no_grad_yet else old + c
                    else:
                        old = parent.grad
                        parent.grad = c if old is no_grad_yet else old + c
    except BaseException:
        for node in order:  # no mark, and no partial sum, may outlive the walk
            node.grad = None
        raise
    finally:
        state.enabled = previous_mode
    for leaf, g in leaf_totals.items():  # what _add_to_leaf does, for floats
        old = leaf.grad
        leaf.grad = g if old is None else old + g


def backward(root: Any, seed: Any, *, create_graph: bool = False) -> None:
    """Apply the chain rule from ``root`` (whose gradient is ``seed``) down to the leaves.

    The semantics, the same for `Value` and `Tensor`:

    * Gradients **accumulate** where a node feeds several consumers (``x * x``).
    * Leaves accumulate **across calls** too, as in PyTorch: run backward
      twice and a parameter's grad doubles; call ``zero_grad()`` between steps.
    * Intermediate nodes hold the gradient of the latest pass (micrograd
      keeps adding to them and double-counts the second time); one that no
      gradient reached holds None.
    * ``create_graph=True`` makes the gradients nodes of a new graph, so
      they can be differentiated again.

    Each node's ``.grad`` is written once, with its final value; the only
    ``.grad`` read is a leaf's previous one, combined with ``+``. So a node
    class may make ``grad`` a property. (A class with ``_parents_in_slots``,
    such as `Value`, gets the faster walk that keeps each interior node's
    gradient in flight in its ``grad``: the same sums in the same order. So
    two threads must not run backward at the same time through `Value`
    graphs that share interior nodes.)
    """
    if root._op is None:  # a leaf: nothing to propagate
        _add_to_leaf(root, seed)
        return
    if not create_graph and getattr(type(root), "_parents_in_slots", False):
        _backward_in_slots(root, seed)
        return
    for leaf, g in _propagate(root, seed, create_graph, write=True).items():
        if g is not _EMPTY and leaf.requires_grad:
            _add_to_leaf(leaf, g)


def _add_to_leaf(leaf: Any, g: Any) -> None:
    old = leaf.grad
    if old is None:
        leaf.grad = _private(g)
    else:
        leaf.grad = old + g


_ndarray = np.ndarray


def _private(g: Any) -> Any:
    """A leaf's first gradient, made sure not to share memory with another node's.

    Rules return the upstream gradient itself (``a + b``) or a view of it
    (``reshape``) where no arithmetic is needed; a user who then changed one
    leaf's grad in place would silently change another's. The walk copies
    the first case as it happens (``c is g``); views are copied here.
    """
    return g.copy() if type(g) is _ndarray and g.base is not None else g


def grad(
    output: Any,
    inputs: Sequence[Any],
    grad_output: Any = None,
    *,
    create_graph: bool = False,
) -> list[Any]:
    """The gradients of ``output`` with respect to ``inputs``, changing no ``.grad`` anywhere.

    The functional form of ``backward`` (``torch.autograd.grad``): the same
    walk, with the gradients kept in its own dict. ``grad_output`` is
    d(loss)/d(output), ones by default; an input that no gradient reaches
    gets None. With ``create_graph=True`` the results are nodes, so they can
    be differentiated again::

        dy = grad(y, [x], create_graph=True)[0]
        d2y = grad(dy, [x])[0]
    """
    inputs = list(inputs)
    seed = _seed(output, grad_output, create_graph)
    if output._op is None:
        grads = {output: seed}
    else:
        with np.errstate(all="ignore"):  # 0 * inf in a rule is a value (nan), not a warning
            grads = _propagate(output, seed, create_graph, write=False)
    results = []
    for n in inputs:
        g = grads.get(n, _EMPTY) if n._op is not None or n.requires_grad else _EMPTY
        if g is _EMPTY:
            g = None
        elif isinstance(g, (np.ndarray, np.generic)):
            # an array node's gradient is a node of its own kind, as its .grad is (torch.autograd.grad)
            g = type(n)(np.asarray(g))
        results.append(g)
    return results


def _seed(output: Any, grad_output: Any, create_graph: bool) -> Any:
    """d(loss)/d(output) as the walk wants it: raw data, or a node under create_graph."""
    data = output.data
    if grad_output is None:
        seed: Any = np.ones_like(data) if isinstance(data, np.ndarray) else 1.0
    elif create_graph and type(grad_output) is type(output):
        return grad_output
    else:
        raw = getattr(grad_output, "data", grad_output)
        if isinstance(data, np.ndarray):
            seed = np.array(raw, dtype=data.dtype)
            if seed.shape != data.shape:
                raise ValueError(f"grad: grad_output has shape {seed.shape} but the output has shape {data.shape}")
        else:
            seed = float(raw)
    return type(output)(seed) if create_graph else seed


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
