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

import math
import os
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import graphviz
import numpy as np

from . import graph

__all__ = [
    "draw_dot",
    "to_dot",
    "render",
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
) -> graphviz.Digraph:
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

    Node names come from the topological order, never from ``id()``, so the
    same graph gives the same DOT source on every run.
    """
    if collapse not in (None, "module", "op"):
        raise ValueError(f"collapse must be None, 'module' or 'op', not {collapse!r}")
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("draw_dot needs at least one node")
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

    dot = graphviz.Digraph(graph_attr=attrs)
    index = {node: i for i, node in enumerate(order)}
    root_set = set(roots)
    sideways = str(attrs.get("rankdir", "TB")).upper() in ("LR", "RL")
    if collapse is None:
        for node in order:
            _draw_value(dot, node, index, root_set, color_by_grad, sideways)
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
        try:
            content = dot.pipe(format=fmt)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFoundError(_INSTALL_HINT) from error
    _write_atomically(path, content)
    return path


# ------------------------------------------------------------ one node each


def _draw_value(
    dot: graphviz.Digraph,
    node: Any,
    index: dict,
    roots: set,
    color: bool,
    sideways: bool,
    input_edges: bool = True,
) -> None:
    """A record for the value, and an op oval fed by its inputs (edges left to the caller if not ``input_edges``)."""
    name = f"n{index[node]}"
    attrs = _fill(_grad_rms([node])) if color else {}
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
    is_output = set(n for n in roots if key[n] is not None)
    for node in order:
        for parent in node._prev:
            if key[parent] is not None and key[parent] != key[node]:
                is_output.add(parent)
    for node in order:
        if node in is_output:
            groups[key[node]].outputs.append(node)

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
    if grad is None or isinstance(grad, (int, float, np.ndarray, np.generic)):
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
        if g is None:
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
    frame, level = sys._getframe(), 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, stacklevel=level)



def _write_atomically(path: Path, content: bytes) -> None:
    """Write to a temporary file next to ``path``, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        # mkstemp makes the file private (0600); a picture should be readable like any other file.
        os.chmod(tmp, os.stat(path).st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
