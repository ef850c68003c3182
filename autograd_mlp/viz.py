"""Pictures of the computation graph, drawn with Graphviz.

    from autograd_mlp import Value
    from autograd_mlp.viz import draw_dot, render, to_dot

    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()

    draw_dot(y)              # in Jupyter, a cell ending with this shows the picture
    render(y, "y.svg")       # or .png / .pdf; .dot writes the DOT source
    print(to_dot(y))         # the DOT text: needs no Graphviz program

Each value is a box ``label | data | grad``, and a small oval between a
value and its inputs names the operation that made it (as in micrograd).
Array nodes (`Tensor`) show their shape, dtype and a summary (min, max,
norm; the numbers themselves when there are at most 4) instead of every
element.

Big graphs: ``collapse="module"`` draws one box per module (the dotted
scope a `Tensor` records, e.g. ``layers.0``), ``collapse="op"`` one box per
kind of operation; a graph with more than ``max_nodes`` values is collapsed
automatically, with a warning, since Graphviz needs minutes for a layout
of tens of thousands of nodes. ``color_by_grad=True`` fills each box by the
size of its gradient, blue (vanishing) to red (exploding).

Jupyter: `draw_dot` returns a ``graphviz.Digraph``, which Jupyter displays
inline as SVG (this needs the Graphviz ``dot`` program; ``.source`` does
not). Nothing here is recursive: a 100,000-node chain is fine.

The code relies only on the node protocol of `autograd_mlp.graph` (``data``,
``grad``, ``_op``, ``_prev``, ``label``, and optionally ``_scope`` and
``requires_grad``), so it draws `Value` and `Tensor` graphs alike.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Union

import graphviz
import numpy as np

from . import graph
from .files import write_bytes
from .graph import Op
from .value import fused_parts

__all__ = [
    "draw_dot",
    "to_dot",
    "render",
    "backward_steps",
    "render_backward_steps",
    "Picture",
    "GraphvizNotFoundError",
    "DEFAULT_MAX_NODES",
]

# dot's layout time grows faster than the node count: a scalar MLP graph of
# ~1,000 values took 1 s here, ~1,800 took 7 s, and such pictures are
# unreadable anyway, so bigger graphs are collapsed unless asked otherwise.
DEFAULT_MAX_NODES = 1000

Roots = Union[Any, Sequence[Any]]


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program, which turns DOT text into pictures, is not installed."""


class Picture(graphviz.Digraph):
    """What `draw_dot` returns: a ``graphviz.Digraph`` (Jupyter shows it inline) whose
    rendering raises one `GraphvizNotFoundError` with install instructions, not
    graphviz's chain of tracebacks, when the ``dot`` program is missing."""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(_INSTALL_HINT) from None


_INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH; it is needed to render pictures "
    "(the `graphviz` Python package alone is not enough). Install it with one of:\n"
    "    sudo apt-get install graphviz     # Debian / Ubuntu\n"
    "    brew install graphviz             # macOS\n"
    "    conda install graphviz            # conda environments\n"
    "    or see https://graphviz.org/download/\n"
    "The DOT source is still available without it: draw_dot(...).source or to_dot(...)."
)


# ------------------------------------------------------------- public API


def draw_dot(
    root: Roots,
    rankdir: str = "LR",
    *,
    collapse: str | None = None,
    color_by_grad: bool = False,
    max_nodes: int | float | None = None,
    graph_attr: Mapping[str, str] | None = None,
    expand_fused: bool = True,
    auto_labels: bool = True,
    params: Any = None,
) -> Picture:
    """A Graphviz picture of the graph below ``root`` (a node or a list of nodes).

    >>> x = Value(2.0, label="x")
    >>> y = (x * x).tanh()
    >>> y.backward()
    >>> dot = draw_dot(y)         # Jupyter displays it inline
    >>> print(dot.source)         # the DOT text

    In Jupyter a cell ending in ``draw_dot(...)`` shows the picture: the
    returned ``graphviz.Digraph`` renders itself to SVG, which needs the
    Graphviz ``dot`` program (``.source`` does not).

    Args:
        root: the output node, or a list of them (e.g. ``[loss, logits]``).
        rankdir: ``"LR"`` (inputs on the left) or ``"TB"`` (inputs at the top).
        collapse: None draws every value; ``"module"`` draws one box per
            module scope (Tensor nodes record it), ``"op"`` one box per kind
            of operation; both list the operations inside and their counts.
        color_by_grad: fill boxes by gradient size per element (root mean
            square), blue below 1e-6 (vanishing) to red above 1e3
            (exploding), with a legend.
        max_nodes: a graph with more values than this (default
            `DEFAULT_MAX_NODES`) is collapsed by module (or by op when no
            node has a scope), with a warning. ``math.inf`` draws everything.
        graph_attr: extra Graphviz graph attributes, e.g. ``{"size": "8,8"}``.
        expand_fused: draw a `value.fused_neuron` node (a scalar ``Neuron``'s
            fast path) as micrograd's graph: its products, sums and activation,
            each with its data and gradient.
        auto_labels: name unlabelled scalar results by the expression that
            made them (``x*w``, ``tanh(n)``) when it is short, else ``t1``,
            ``t2``, ... in forward order.
        params: names for parameters: a module (its ``named_parameters()``),
            a dict ``{name: node}`` or ``(name, node)`` pairs; an unlabelled
            parameter is then shown as ``0.weight``.

    Node names come from the topological order, never from ``id()``, so the
    same graph gives the same DOT source on every run.
    """
    roots = _as_roots(root, "draw_dot")
    view, _ = _view(roots, expand_fused, auto_labels, _param_names(params))
    return _draw(view, rankdir, collapse, color_by_grad, max_nodes, graph_attr)


def _draw(
    roots: list[Any],
    rankdir: str,
    collapse: str | None,
    color_by_grad: bool,
    max_nodes: int | float | None,
    graph_attr: Mapping[str, str] | None,
    highlight: frozenset = frozenset(),
) -> Picture:
    if collapse not in (None, "module", "op"):
        raise ValueError(f"collapse must be None, 'module' or 'op', not {collapse!r}")
    limit = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
    # Forward order: inputs first, so node n0 is an input and ids read left to right.
    order = graph.topological_order(roots)[::-1]
    has_scopes = any(_scope(n) for n in order)

    attrs = {"rankdir": rankdir}
    if collapse is None and len(order) > limit:
        collapse = "module" if has_scopes else "op"
        message = (
            f"the graph has {len(order):,} values, more than max_nodes={limit:,}: drawing it "
            f"collapsed by {collapse}. Pass collapse='module' or collapse='op' to choose, "
            "or a larger max_nodes (math.inf for no limit) to draw every node."
        )
        _warn(message)
        attrs.update(label=f"{len(order):,} values, collapsed by {collapse} (max_nodes={limit:,})", labelloc="t")
    elif collapse == "module" and not has_scopes:
        # Scalar Value nodes never record a scope (a byte per node matters there).
        _warn("collapse='module': no node records a module scope (Value nodes never do); collapsing by op instead")
        collapse = "op"
    attrs.update(graph_attr or {})

    dot = Picture(graph_attr=attrs)
    index = {node: i for i, node in enumerate(order)}
    root_set = set(roots)
    sideways = str(attrs.get("rankdir", "TB")).upper() in ("LR", "RL")
    if collapse is None:
        for node in order:
            _draw_value(dot, node, index, root_set, color_by_grad, sideways, highlight=node in highlight)
    else:
        _draw_collapsed(dot, order, index, root_set, collapse, limit, color_by_grad, sideways)
    if color_by_grad:
        _node(dot, "legend", _legend_label(), shape="plaintext")
    return dot


def to_dot(root: Roots, rankdir: str = "LR", **draw_kwargs: Any) -> str:
    """The DOT source of `draw_dot` (same arguments); needs no Graphviz program.

    >>> text = to_dot(loss, collapse="module")
    >>> "layers.0" in text
    True
    """
    return draw_dot(root, rankdir, **draw_kwargs).source


def render(
    root_or_digraph: Roots | graphviz.Digraph,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    **draw_kwargs: Any,
) -> Path:
    """Write a picture of the graph to ``path`` and return the path.

    >>> render(loss, "loss.svg")                     # format from the extension
    >>> render(loss, "loss.png", collapse="module")  # draw_dot arguments pass through
    >>> render(draw_dot(loss), "loss.dot")           # the DOT source, no Graphviz needed

    The file is written to a temporary name in the same folder and then
    renamed, so a reader never sees half a picture. Raises
    `GraphvizNotFoundError` (with install instructions) when the Graphviz
    ``dot`` program is missing.
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if not fmt:
        raise ValueError(f"cannot tell the format of {str(path)!r}: give it an extension (.svg, .png, .pdf, .dot) or pass format=")
    if isinstance(root_or_digraph, (graphviz.Digraph, graphviz.Graph, graphviz.Source)):
        if draw_kwargs:
            raise TypeError(f"render got a finished picture, so draw_dot arguments {sorted(draw_kwargs)} cannot apply")
        dot = root_or_digraph
    else:
        dot = draw_dot(root_or_digraph, **draw_kwargs)

    if fmt in ("dot", "gv"):
        content = dot.source.encode("utf-8")
    elif fmt not in graphviz.FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use svg, png, pdf, dot or another Graphviz format")
    else:
        content = _pipe(dot, fmt)
    return write_bytes(path, content)


def _pipe(dot: graphviz.Digraph, fmt: str) -> bytes:
    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(_INSTALL_HINT) from None


# ------------------------------------------------------------ one node each


def _draw_value(
    dot: graphviz.Digraph,
    node: Any,
    index: dict,
    roots: set,
    color: bool,
    sideways: bool,
    input_edges: bool = True,
    highlight: bool = False,
) -> None:
    """A record for the value, and an op oval fed by its inputs (edges left to the caller if not ``input_edges``)."""
    name = f"n{index[node]}"
    attrs = _fill(_grad_rms([node])) if color else {}
    if highlight:
        attrs.update(style="filled", fillcolor=_HIGHLIGHT)
    if node in roots:
        attrs["penwidth"] = "2"  # the outputs asked for stand out
    _node(dot, name, _value_label(node, sideways), shape="record", **attrs)
    if node._op is not None:
        _node(dot, f"{name}_op", _escape_text(node._op.name))
        _edge(dot, f"{name}_op", name)
        for parent in node._prev if input_edges else ():
            _edge(dot, f"n{index[parent]}", f"{name}_op")


def _value_label(node: Any, sideways: bool) -> str:
    """``label | data ... | grad ...``: side by side for a scalar (as in micrograd), stacked for an array.

    A record lays its fields across the flow of the graph; braces turn them
    by 90 degrees. So under rankdir=LR braces put a scalar's fields side by
    side, and an array's (longer) fields go one under another without them.
    """
    label = getattr(node, "label", "") or ""
    data = node.data
    grad = _grad_data(node.grad)
    # a create_graph gradient is a node that requires grad (a Tensor leaf's .grad is a plain Tensor)
    graph_note = " (graph)" if getattr(node.grad, "requires_grad", False) is True else ""
    if node.grad is _PENDING:  # a step of backward_steps before this gradient is complete
        grad, graph_note = "?", ""
    if isinstance(data, np.ndarray):
        fields = [
            f"{data.shape} {data.dtype}",
            f"data {_summary(data)}",
            f"grad{graph_note} {'None' if grad is None else _summary(np.asarray(grad))}",
        ]
        if label:  # an empty row costs more height than an empty cell costs width
            fields.insert(0, label)
    else:
        fields = [label, f"data {_fmt(data)}", f"grad{graph_note} {_fmt(grad)}"]
    text = " | ".join(_escape_record(f) for f in fields)
    stacked = isinstance(data, np.ndarray)
    return "{ " + text + " }" if stacked != sideways else text


# ------------------------------------------------------------ collapsed views


class _Group:
    """One box of a collapsed picture: the nodes it stands for and what to say about them."""

    def __init__(self, key: tuple, name: str) -> None:
        self.key = key
        self.name = name
        self.members: list[Any] = []
        self.ops: Counter[str] = Counter()
        self.params: list[Any] = []
        self.outputs: list[Any] = []


def _draw_collapsed(
    dot: graphviz.Digraph,
    order: list,
    index: dict,
    roots: set,
    mode: str,
    limit: float,
    color: bool,
    sideways: bool,
) -> None:
    """Group the nodes (key None = drawn on its own), then draw boxes and aggregated edges."""
    key: dict[Any, tuple | None] = {}
    for node in order:
        if node._op is not None:
            scope = _scope(node)
            if mode == "op":
                key[node] = ("op", node._op.name)
            else:
                key[node] = ("module", scope) if scope else None
    if mode == "module":
        # Ops outside any module (the loss, say) stay visible one by one,
        # unless there are so many that the picture would not be readable.
        loose = [n for n in order if n._op is not None and key[n] is None]
        if len(loose) > limit:
            for n in loose:
                key[n] = ("op", n._op.name)

    # Leaves: which boxes consume them decides where they go.
    consumers: dict[Any, set] = {}
    for node in order:
        for parent in node._prev:
            if parent._op is None:
                consumers.setdefault(parent, set()).add(key[node] or ("node", index[node]))
    params = set()
    for node in order:
        if node._op is not None:
            continue
        if mode == "op":
            key[node] = ("leaves",)
        elif _scope(node):
            key[node] = ("module", _scope(node))  # e.g. a constant made inside a module
        else:
            dests = consumers.get(node, set())
            only = next(iter(dests)) if len(dests) == 1 else None
            if getattr(node, "requires_grad", True) and only is not None and only[0] == "module":
                key[node] = only  # a parameter used by one module is drawn inside it
                params.add(node)
            else:
                key[node] = None  # inputs, targets, shared parameters: drawn on their own
    loose_leaves = [n for n in order if key[n] is None and n._op is None]
    if len(loose_leaves) > limit:
        for n in loose_leaves:
            key[n] = ("leaves",)

    groups: dict[tuple, _Group] = {}
    for node in order:
        k = key[node]
        if k is None:
            continue
        group = groups.get(k)
        if group is None:
            group = groups[k] = _Group(k, f"g{len(groups)}")
        group.members.append(node)
        if node in params:
            group.params.append(node)
        elif node._op is not None:
            group.ops[node._op.name] += 1
    # A box's outputs: members used outside it, or asked for.
    is_output = {n for n in roots if key[n] is not None}
    for node in order:
        for parent in node._prev:
            if key[parent] is not None and key[parent] != key[node]:
                is_output.add(parent)
    for node in order:
        group_key = key[node]
        if node in is_output and group_key is not None:
            groups[group_key].outputs.append(node)

    for group in groups.values():
        attrs = _fill(_grad_rms(group.members)) if color else {}
        attrs["style"] = "rounded,filled" if color else "rounded"
        if any(n in roots for n in group.members):
            attrs["penwidth"] = "2"
        _node(dot, group.name, _group_label(group, color), shape="box", **attrs)
    for node in order:
        if key[node] is None:
            _draw_value(dot, node, index, roots, color, sideways, input_edges=False)

    # Edges between boxes, one per pair with a count (internal edges of a
    # module are hidden; in op mode a self-loop shows chains like + -> +).
    edges: dict[tuple[str, str], list] = {}
    for node in order:
        k = key[node]
        dst = groups[k].name if k is not None else f"n{index[node]}_op"
        for parent in node._prev:
            pk = key[parent]
            src = groups[pk].name if pk is not None else f"n{index[parent]}"
            if k is not None and pk == k and mode == "module":
                continue
            edges.setdefault((src, dst), []).append(parent)
    for (src, dst), parents in edges.items():
        parts = []
        if mode == "module" and src.startswith("g"):  # a single value's record already shows its shape
            parts += _distinct(str(p.data.shape) for p in parents if isinstance(p.data, np.ndarray))[:2]
        if len(parents) > 1:
            parts.append(f"×{len(parents):,}")
        attrs = {"penwidth": f"{1 + min(3.0, math.log10(len(parents))):.2g}"} if len(parents) > 1 else {}
        if parts:
            attrs["label"] = _escape_text(" ".join(parts))
        _edge(dot, src, dst, **attrs)


def _group_label(group: _Group, color: bool) -> str:
    """The text of a box: name, operations with counts, parameters, output shapes."""
    kind = group.key[0]
    n_ops = sum(group.ops.values())
    lines = []
    if kind == "module":
        lines.append(group.key[1])
        lines.append(_counted(group.ops) + f" ({n_ops:,} op{'s' if n_ops != 1 else ''})")
        if group.params:
            names = [" ".join(filter(None, [getattr(p, "label", ""), _shape_of(p)])) for p in group.params]
            lines.append("params: " + _shorten(names, 4))
    elif kind == "op":
        lines.append(group.key[1])
        lines.append(f"{n_ops:,} node{'s' if n_ops != 1 else ''}")
    else:
        n = len(group.members)
        lines.append("inputs and parameters")
        lines.append(f"{n:,} lea{'ves' if n != 1 else 'f'}")
    shapes = Counter(_shape_text(n) for n in (group.outputs or group.members) if isinstance(n.data, np.ndarray))
    if shapes:
        lines.append(("out: " if kind == "module" else "") + _counted(shapes, limit=3))
    if color:
        rms = _grad_rms(group.members)
        lines.append("grad rms " + ("None" if rms is None else _fmt(rms)))
    return "\\n".join(_escape_text(line) for line in lines)


def _counted(counts: Counter, limit: int = 6) -> str:
    """'matmul, + ×2, relu': first-seen order, which follows the forward pass."""
    items = [name if c == 1 else f"{name} ×{c:,}" for name, c in counts.items()]
    return _shorten(items, limit)


def _shorten(items: list[str], limit: int) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … +{len(items) - limit} more"


def _distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _shape_of(node: Any) -> str:
    return str(node.data.shape) if isinstance(node.data, np.ndarray) else "scalar"


def _shape_text(node: Any) -> str:
    return f"{node.data.shape} {node.data.dtype}"


def _scope(node: Any) -> str:
    return getattr(node, "_scope", "") or ""


# ------------------------------------------------------------ numbers


def _grad_data(grad: Any) -> Any:
    """The numbers of a gradient; under create_graph it is a node holding them."""
    if grad is None or grad is _PENDING or isinstance(grad, (int, float, np.ndarray, np.generic)):
        return grad
    return getattr(grad, "data", grad)


def _fmt(x: Any) -> str:
    """4 decimals like micrograd, scientific notation where those would hide the number."""
    if x is None:
        return "None"
    if isinstance(x, (bool, np.bool_, int, np.integer)):
        return str(int(x))
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0.0 or 1e-3 <= abs(x) < 1e5:
        return f"{x:.4f}"
    return f"{x:.3e}"


def _summary(a: np.ndarray) -> str:
    """The numbers themselves when at most 4, else min, max and norm (and any nan/inf)."""
    if a.size == 0:
        return "empty"
    if a.size <= 4:
        return "[" + ", ".join(_fmt(v) for v in a.ravel().tolist()) + "]"
    if np.iscomplexobj(a):
        a = np.abs(a)
    try:
        a = a.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        return f"{a.size} elements"
    finite = np.isfinite(a)
    bad = a.size - int(np.count_nonzero(finite))
    good = a[finite] if bad else a
    parts = []
    if good.size:
        parts += [f"min {_fmt(good.min())}", f"max {_fmt(good.max())}", f"norm {_fmt(_scaled_norm(good)[0])}"]
    if bad:
        parts.append(f"{bad} nan/inf")
    return "  ".join(parts)


def _scaled_norm(a: np.ndarray) -> tuple[float, int]:
    """(Euclidean norm, size), divided by the largest |x| first so squares cannot overflow."""
    m = float(np.max(np.abs(a))) if a.size else 0.0
    if m == 0.0 or not math.isfinite(m):
        return m, a.size
    return m * math.sqrt(float(np.sum(np.square(a / m)))), a.size


def _grad_rms(nodes: Sequence[Any]) -> float | None:
    """Root mean square of all gradient elements of ``nodes``: the 'typical' gradient size.

    None when no node has a gradient; nan when any gradient is not finite.
    """
    norms = []
    for node in nodes:
        g = _grad_data(node.grad)
        if g is None or g is _PENDING:
            continue
        a = np.asarray(g, dtype=np.float64) if not np.iscomplexobj(g) else np.abs(np.asarray(g))
        if a.size == 0:
            continue
        if not np.all(np.isfinite(a)):
            return math.nan
        norms.append(_scaled_norm(a))
    if not norms:
        return None
    total = sum(size for _, size in norms)
    top = max(norm for norm, _ in norms)
    if top == 0.0:
        return 0.0
    return top * math.sqrt(sum((norm / top) ** 2 for norm, _ in norms) / total)


# ------------------------------------------------------------ colours

# log10(gradient rms) -> colour: blue (vanishing) through grey to red
# (exploding), the stops of the 'coolwarm' colormap.
_LOW, _HIGH = -6.0, 3.0
_STOPS = [(59, 76, 192), (141, 176, 254), (221, 221, 221), (244, 154, 123), (180, 4, 38)]
_NO_GRAD = "#ffffff"
_HIGHLIGHT = "#ffd966"  # the node backward_steps is visiting
_NONFINITE = "#cc00cc"  # magenta: not on the blue-red scale, so it cannot be misread


def _grad_color(rms: float) -> str:
    t = 0.0 if rms <= 0.0 else (min(max(math.log10(rms), _LOW), _HIGH) - _LOW) / (_HIGH - _LOW)
    pos = t * (len(_STOPS) - 1)
    i = min(int(pos), len(_STOPS) - 2)
    f = pos - i
    rgb = [round(a + (b - a) * f) for a, b in zip(_STOPS[i], _STOPS[i + 1])]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _fill(rms: float | None) -> dict[str, str]:
    """Graphviz attributes filling a box by gradient size, with text readable on it."""
    if rms is None:
        color = _NO_GRAD
    elif not math.isfinite(rms):
        color = _NONFINITE
    else:
        color = _grad_color(rms)
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    dark = 0.299 * r + 0.587 * g + 0.114 * b < 120
    attrs = {"style": "filled", "fillcolor": color}
    if dark:
        attrs["fontcolor"] = "white"
    return attrs


def _legend_label() -> _Html:
    """An HTML-like table: one coloured cell per decade of gradient size."""
    cells = []
    for e in range(int(_LOW), int(_HIGH) + 1):
        text = f"1e{e}" if e else "1"
        if e == _LOW:
            text = "≤" + text
        elif e == _HIGH:
            text = "≥" + text
        fill = _fill(10.0**e)
        font = f' color="{fill["fontcolor"]}"' if "fontcolor" in fill else ""
        cells.append(f'<td bgcolor="{fill["fillcolor"]}"><font{font} point-size="10">{text}</font></td>')
    cells.append(f'<td bgcolor="{_NO_GRAD}"><font point-size="10">no grad</font></td>')
    cells.append(f'<td bgcolor="{_NONFINITE}"><font color="white" point-size="10">nan/inf</font></td>')
    title = "gradient size (rms per element): blue = vanishing, red = exploding"
    return _Html(
        '<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
        f'<tr><td colspan="{len(cells)}"><font point-size="10">{title}</font></td></tr>'
        f"<tr>{''.join(cells)}</tr></table>"
    )


# ------------------------------------------------------------ escaping

# Nodes and edges go straight into the Digraph's body (its documented list of
# DOT lines) rather than through .node() / .edge(): those re-quote every
# attribute with regular expressions, 4x slower on a 100,000-node graph.
# Names here are plain identifiers (n12, n12_op, g3) and every label is
# escaped by the functions below, so the lines are valid DOT.


class _Html(str):
    """An HTML-like label, written <...> instead of as a quoted string."""


def _attr_list(attrs: dict[str, str]) -> str:
    return " ".join(f"{k}=<{v}>" if isinstance(v, _Html) else f'{k}="{v}"' for k, v in attrs.items())


def _node(dot: graphviz.Digraph, name: str, label: str, **attrs: str) -> None:
    dot.body.append(f"\t{name} [{_attr_list({'label': label, **attrs})}]\n")


def _edge(dot: graphviz.Digraph, tail: str, head: str, **attrs: str) -> None:
    dot.body.append(f"\t{tail} -> {head} [{_attr_list(attrs)}]\n" if attrs else f"\t{tail} -> {head}\n")


def _escape_text(text: str) -> str:
    """Make ``text`` show literally in a Graphviz label.

    A backslash starts an escape (``\\n``, ``\\N`` = the node's name...), so
    it is doubled; a double quote would end the string. Real newlines
    become Graphviz line breaks.
    """
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("\r\n", "\n").replace("\n", "\\n").replace("\r", "\\n").replace("\t", " ")


def _escape_record(text: str) -> str:
    """`_escape_text`, and also the characters that structure a record: ``{ } | < >``."""
    text = _escape_text(text)
    for ch in "{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text


# ------------------------------------------------------------ files


def _warn(message: str) -> None:
    """Warn pointing at the user's line, whether they called draw_dot, to_dot or render."""
    frame: Any = sys._getframe()
    level = 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, stacklevel=level)


# ------------------------------------------------------------ what is shown


class _Pending:
    __slots__ = ()

    def __repr__(self) -> str:
        return "_PENDING"


_PENDING = _Pending()  # a gradient backward has not completed yet (backward_steps)


def _no_rule(g: Any, out: Any, *inputs: Any) -> list[None]:
    return [None] * len(inputs)


_PRODUCT, _SUM = Op("*", _no_rule), Op("+", _no_rule)


class _Shown:
    """A value as a picture shows it: a stand-in for a node of the graph, or for
    one product, sum or activation inside a fused neuron. Pictures draw these,
    so labels and expanded parts never touch the user's nodes."""

    __slots__ = ("data", "grad", "_op", "_prev", "label", "_scope", "requires_grad")

    def __init__(self, data: Any, grad: Any, op: Any, prev: tuple, label: str = "", scope: str = "",
                 requires_grad: bool = True) -> None:
        self.data = data
        self.grad = grad
        self._op = op
        self._prev = prev
        self.label = label
        self._scope = scope
        self.requires_grad = requires_grad


def _as_roots(root: Any, who: str) -> list[Any]:
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError(f"{who} needs at least one node")
    for r in roots:
        if not all(hasattr(r, a) for a in ("data", "grad", "_op", "_prev")):
            raise TypeError(
                f"{who} needs a graph node (a Value or a Tensor, or a list of them), "
                f"got {type(r).__name__} {r!r}"
            )
    return roots


def _param_names(params: Any) -> dict[Any, str]:
    """node -> name from a module, a dict {name: node} or (name, node) pairs."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    items = params.items() if isinstance(params, Mapping) else params
    names = {}
    for item in items:
        try:
            name, node = item
        except (TypeError, ValueError):
            raise TypeError(
                "params must be a module, a dict {name: parameter} or (name, parameter) pairs, "
                f"got an item {item!r}"
            ) from None
        names[node] = str(name)
    return names


def _view(
    roots: list[Any], expand_fused: bool, auto_labels: bool, names: dict[Any, str], grads: dict | None = None
) -> tuple[list[_Shown], dict[Any, list[_Shown]]]:
    """Stand-ins for the graph below ``roots``: (the roots' stand-ins, node -> its stand-ins).

    ``grads`` (node -> gradient) replaces the nodes' ``.grad`` (backward_steps).
    """
    shown: dict[Any, _Shown] = {}
    parts_of: dict[Any, list[_Shown]] = {}
    for node in graph.topological_order(roots)[::-1]:
        grad = node.grad if grads is None else grads[node]
        label = getattr(node, "label", "") or names.get(node, "")
        prev = tuple(shown[p] for p in node._prev)
        parts = None
        if expand_fused and node._op is not None and not isinstance(node.data, np.ndarray):
            parts = fused_parts(node, grad=None if grad is _PENDING else grad)
        if parts is None or not parts.weights:
            s = _Shown(node.data, grad, node._op, prev, label, _scope(node), getattr(node, "requires_grad", True))
            shown[node] = s
            parts_of[node] = [s]
            continue
        # micrograd's chain: b + w1*x1 + w2*x2 + ..., then the activation; every
        # product and partial sum has gradient dL/dz (a sum passes it on unchanged)
        dz = _PENDING if grad is _PENDING else parts.dz
        n = len(parts.weights)
        made: list[_Shown] = []
        total = prev[2 * n] if parts.bias is not None else None
        for w, x in zip(prev[:n], prev[n : 2 * n]):
            product = _Shown(w.data * x.data, dz, _PRODUCT, (w, x))
            made.append(product)
            total = product if total is None else _Shown(total.data + product.data, dz, _SUM, (total, product))
            if total is not product:
                made.append(total)
        assert total is not None
        if parts.activation is None:
            total.grad, total.label = grad, label
            out = total
        else:
            out = _Shown(node.data, grad, Op(parts.activation, _no_rule), (total,), label)
            made.append(out)
        shown[node] = out
        parts_of[node] = made
    if auto_labels:
        _name_interior(list(dict.fromkeys(s for ss in parts_of.values() for s in ss)))
    return [shown[r] for r in roots], parts_of


_INFIX = {"+", "-", "*", "/", "**"}
_LONGEST_EXPRESSION = 12


def _name_interior(nodes: list[_Shown]) -> None:
    """Label unlabelled scalar results (in forward order) by a short expression, else t1, t2, ..."""
    counter = itertools.count(1)
    for s in nodes:
        if s._op is None or s.label or isinstance(s.data, np.ndarray):
            continue
        names = [p.label or (f"{p.data:g}" if p._op is None and isinstance(p.data, float) else "") for p in s._prev]
        op = s._op.name
        text = ""
        if all(names):
            if op in _INFIX and len(names) == 2:
                text = f"{names[0]}{op}{names[1]}"
            elif op == "neg" and len(names) == 1:
                text = f"-{names[0]}"
            elif len(names) == 1 and re.fullmatch(r"\w+", op):
                text = f"{op}({names[0]})"
        s.label = text if text and len(text) <= _LONGEST_EXPRESSION else f"t{next(counter)}"


# ------------------------------------------------------------ backward, step by step

MAX_STEPS = 200


def backward_steps(root: Any, *, max_steps: int = MAX_STEPS, **draw_kwargs: Any) -> list[Picture]:
    """One picture per node the backward walk visits, in its order: gradients filling in.

    Frame k highlights the k-th node the walk visits (its gradient is complete
    then, and its rule sends shares to its inputs) and shows every gradient
    that is complete after that step; the others read ``grad ?``. A leaf's
    gradient is complete after its last consumer's step. The numbers are
    those of ``backward()`` from ``root`` with seed 1 (computed with
    `autograd_mlp.grad`, so no ``.grad`` changes). ``draw_kwargs`` go to
    `draw_dot` (``expand_fused``, ``auto_labels``, ``params``, ``rankdir``...).

    >>> frames = backward_steps(loss)   # Jupyter: display(frames[i]) for a slider
    """
    (root,) = _as_roots(root, "backward_steps")
    order = graph.topological_order(root)  # the walk's order: consumers first
    steps = [n for n in order if n._op is not None] or [root]
    if len(steps) > max_steps:
        raise ValueError(
            f"backward_steps draws one picture per node backward visits: {len(steps):,} here, "
            f"more than max_steps={max_steps}; pass a larger max_steps or draw a smaller graph"
        )
    final = dict(zip(order, graph.grad(root, order)))
    complete_at = {}
    for k, node in enumerate(steps):
        complete_at[node] = k
        for parent in node._prev:
            if parent._op is None:
                complete_at[parent] = k  # the last consumer's step wins
    names = _param_names(draw_kwargs.pop("params", None))
    expand = draw_kwargs.pop("expand_fused", True)
    labels = draw_kwargs.pop("auto_labels", True)
    rankdir = draw_kwargs.pop("rankdir", "LR")
    frames = []
    for k, visited in enumerate(steps):
        grads = {n: final[n] if complete_at.get(n, len(steps)) <= k else _PENDING for n in order}
        view, parts_of = _view([root], expand, labels, names, grads)
        frames.append(
            _draw(view, rankdir, draw_kwargs.get("collapse"), draw_kwargs.get("color_by_grad", False),
                  draw_kwargs.get("max_nodes"), draw_kwargs.get("graph_attr"), frozenset(parts_of[visited]))
        )
    return frames


def render_backward_steps(
    root: Any, path: str | os.PathLike[str], *, seconds_per_frame: float = 1.0, **draw_kwargs: Any
) -> Path:
    """Write `backward_steps` as one animated SVG (frames shown in turn, looping) and return the path.

    Browsers play it in an ``<img>`` tag or a Markdown picture; needs Graphviz's ``dot``.
    """
    path = Path(path)
    if path.suffix.lower() != ".svg":
        raise ValueError(f"render_backward_steps writes an animated SVG: give a path ending in .svg, not {str(path)!r}")
    if not (isinstance(seconds_per_frame, (int, float)) and math.isfinite(seconds_per_frame) and seconds_per_frame > 0):
        raise ValueError(f"seconds_per_frame must be a number > 0, got {seconds_per_frame!r}")
    frames = [_pipe(f, "svg").decode("utf-8") for f in backward_steps(root, **draw_kwargs)]
    return write_bytes(path, _animated_svg(frames, float(seconds_per_frame)).encode("utf-8"))


def _animated_svg(frames: list[str], seconds: float) -> str:
    """The frames' SVGs nested in one, each visible for ``seconds`` in turn (SMIL, discrete)."""
    width = height = 0.0
    bodies = []
    n = len(frames)
    for i, svg in enumerate(frames):
        svg = svg[svg.index("<svg"):]
        w, h = (float(re.search(rf'{a}="([\d.]+)pt"', svg).group(1)) for a in ("width", "height"))  # type: ignore[union-attr]
        width, height = max(width, w), max(height, h)
        svg = re.sub(r'\bid="', f'id="f{i}_', svg)  # ids stay unique across frames
        values, times = ("visible;hidden", f"0;{1 / n:.6f}") if i == 0 else (
            "hidden;visible;hidden", f"0;{i / n:.6f};{(i + 1) / n:.6f}")
        bodies.append(
            f'<g visibility="{"visible" if i == 0 else "hidden"}">'
            f'<animate attributeName="visibility" values="{values}" keyTimes="{times}" '
            f'dur="{n * seconds:g}s" calcMode="discrete" repeatCount="indefinite"/>{svg}</g>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width:g}pt" height="{height:g}pt" viewBox="0 0 {width:g} {height:g}">\n'
        + "\n".join(bodies) + "\n</svg>\n"
    )
