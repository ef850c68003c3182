"""Graph pictures: what the SVG shows, DOT determinism and escaping, collapsed
views, gradient colours, huge graphs, and a missing Graphviz program.

`Tensor` is written in parallel with this module, so array graphs are built
from `FakeTensor`, a stand-in with the same node protocol; the real Tensor
is tested too once `autograd_mlp.tensor` can be imported.
"""

from __future__ import annotations

import math
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograd_mlp import Value, graph
from autograd_mlp.graph import Op
from autograd_mlp.viz import (
    DEFAULT_MAX_NODES,
    GraphvizNotFoundError,
    draw_dot,
    render,
    to_dot,
)

SVG = "{http://www.w3.org/2000/svg}"


# ------------------------------------------------------------------ helpers


class FakeTensor:
    """The Tensor node protocol: ndarray data, grad, _op, _prev, label, _scope, requires_grad."""

    def __init__(self, data, label="", op=None, prev=(), scope="", requires_grad=True, grad=None):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = grad
        self.label = label
        self._op = Op(op, lambda g, out, *inputs: [None] * len(inputs)) if op else None
        self._prev = tuple(prev)
        self._scope = scope
        self.requires_grad = requires_grad


def mlp_step(grad_scale=(1e-8, 1.0, 1e5), sizes=(4, 8, 8, 3), batch=5):
    """The graph of one training step of a 3-layer MLP, as nn would record it.

    Layer i's gradients are all ``grad_scale[i]``: vanishing in the first
    layer and exploding in the last by default.
    """
    rng = np.random.default_rng(0)
    x = FakeTensor(rng.normal(size=(batch, sizes[0])), "x", requires_grad=False)
    y = FakeTensor(np.arange(batch) % sizes[-1], "y", requires_grad=False)
    h = x
    for i, (m, n) in enumerate(zip(sizes, sizes[1:])):
        scope, g = f"layers.{i}", grad_scale[i]
        W = FakeTensor(rng.normal(size=(m, n)), "W", grad=np.full((m, n), g))
        b = FakeTensor(np.zeros(n), "b", grad=np.full(n, g))
        h = FakeTensor(h.data @ W.data, op="matmul", prev=(h, W), scope=scope, grad=np.full((batch, n), g))
        h = FakeTensor(h.data + b.data, op="+", prev=(h, b), scope=scope, grad=np.full((batch, n), g))
        if i < len(sizes) - 2:
            h = FakeTensor(np.maximum(h.data, 0), op="relu", prev=(h,), scope=scope, grad=np.full((batch, n), g))
    ce = FakeTensor(np.ones(batch), op="cross_entropy", prev=(h, y), grad=np.full(batch, 0.2))
    return FakeTensor(ce.data.mean(), "loss", op="mean", prev=(ce,), grad=np.array(1.0))


def neuron():
    """micrograd's example neuron o = tanh(x*w + b), with every node labelled."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    xw = x * w
    xw.label = "xw"
    n = xw + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, (x, w, b, xw, n)


def svg_texts(path: Path) -> list[str]:
    return [t.text or "" for t in ET.parse(path).iter(f"{SVG}text")]


def svg_node_names(path: Path) -> list[str]:
    """The DOT names of the drawn nodes (each <g class="node"> has a <title>)."""
    root = ET.parse(path).getroot()
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


def dot_node_names(source: str) -> list[str]:
    return [n for n in re.findall(r"^\t(\w+) \[", source, flags=re.M) if n not in ("graph", "node", "edge")]


def fill_of(source: str, name: str) -> str:
    line = re.search(rf"^\t{name} \[.*$", source, flags=re.M).group(0)
    return re.search(r'fillcolor="(#[0-9a-f]{6})"', line).group(1)


def rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


# ------------------------------------------------------------------ pictures


def test_svg_of_a_neuron_shows_labels_ops_and_numbers(tmp_path):
    o, (x, w, b, xw, n) = neuron()
    out = render(o, tmp_path / "neuron.svg")

    assert out == tmp_path / "neuron.svg"
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.svg"]  # no temporary file left behind
    texts = svg_texts(out)
    for node in (x, w, b, xw, n, o):
        assert node.label in texts
        assert f"data {node.data:.4f}" in texts
        assert f"grad {node.grad:.4f}" in texts
    for op in ("*", "+", "tanh"):
        assert op in texts
    assert "grad -1.5000" in texts and "data 0.7071" in texts  # micrograd's numbers

    names = svg_node_names(out)
    assert len([s for s in names if re.fullmatch(r"n\d+", s)]) == 6  # values
    assert len([s for s in names if re.fullmatch(r"n\d+_op", s)]) == 3  # operations


def test_dot_source_is_the_same_on_every_build():
    first = to_dot(neuron()[0])
    assert to_dot(neuron()[0]) == first  # a separately built, equal graph
    o = neuron()[0]
    assert draw_dot(o).source == draw_dot(o).source
    assert to_dot(mlp_step(), collapse="module", color_by_grad=True) == to_dot(
        mlp_step(), collapse="module", color_by_grad=True
    )
    assert not re.search(r"\d{9,}", first)  # no id()-like numbers


def test_labels_with_record_syntax_are_escaped(tmp_path):
    nasty = 'a|b{c}<d> "q" back\\slash'
    a = Value(1.5, label=nasty)
    out = a * 2.0
    odd_op = FakeTensor(3.0, label="<<html>>", op='<|>"\\n', prev=(FakeTensor(1.0, label="in"),))

    texts = svg_texts(render([out, odd_op], tmp_path / "escape.svg"))
    assert nasty in texts
    assert "<<html>>" in texts
    assert '<|>"\\n' in texts  # shown literally: not a line break, not HTML

    boxed = FakeTensor(1.0, op="+", prev=(FakeTensor(1.0),), scope='odd"scope\\{|}')
    assert 'odd"scope\\{|}' in svg_texts(render(boxed, tmp_path / "box.svg", collapse="module"))


def test_png_file_starts_with_the_png_signature(tmp_path):
    out = render(neuron()[0], tmp_path / "neuron.png", color_by_grad=True)
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.png"]


def test_dot_extension_writes_the_source_and_format_can_override(tmp_path):
    o = neuron()[0]
    dot = draw_dot(o)
    assert render(dot, tmp_path / "g.dot").read_text() == dot.source
    assert render(o, tmp_path / "picture", format="svg").read_text().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match="extension"):
        render(o, tmp_path / "no_extension")
    with pytest.raises(ValueError, match="unknown format"):
        render(o, tmp_path / "g.nope")
    with pytest.raises(TypeError):
        render(dot, tmp_path / "g.svg", collapse="op")


def test_array_nodes_show_shape_dtype_and_a_summary():
    small = FakeTensor([1.0, -2.0], label="small", grad=np.array([0.5, 0.25]))
    big = FakeTensor(np.arange(12.0).reshape(3, 4), label="big")
    bad = FakeTensor([1.0, np.inf, np.nan, 2.0, 3.0], op="log", prev=(small,))
    source = to_dot([big, bad])

    assert "(2,) float64" in source and "data [1.0000, -2.0000]" in source and "grad [0.5000, 0.2500]" in source
    assert "(3, 4) float64" in source
    assert f"data min 0.0000  max 11.0000  norm {np.linalg.norm(np.arange(12.0)):.4f}" in source
    assert "grad None" in source
    assert "2 nan/inf" in source


def test_multiple_roots_share_nodes():
    x = Value(1.0, label="x")
    source = to_dot([x * 2.0, x + 3.0])
    assert source.count("{ x |") == 1
    assert len(dot_node_names(source)) == 7  # x, 2, 3, two results, two ops


def test_create_graph_gradients_are_drawn_from_their_data():
    x = Value(3.0, label="x")
    (x * x).backward(create_graph=True)
    assert "grad (graph) 6.0000" in to_dot(x)


# ------------------------------------------------------------------ big graphs


def test_collapse_by_module_draws_one_box_per_layer(tmp_path):
    loss = mlp_step()
    full = dot_node_names(to_dot(loss))
    source = to_dot(loss, collapse="module")
    boxes = dot_node_names(source)

    assert len(full) == 28  # 18 values + 10 operations
    assert len(boxes) == 3 + 6  # three layers; x, y, cross_entropy and mean with their ops
    assert "layers.0\\nmatmul, +, relu (3 ops)\\nparams: W (4, 8), b (8,)\\nout: (5, 8) float64" in source
    assert "layers.2\\nmatmul, + (2 ops)\\nparams: W (8, 3), b (3,)\\nout: (5, 3) float64" in source
    assert re.search(r'g0 -> g1 \[label="\(5, 8\)"\]', source)  # aggregated edge, with the shape crossing it
    texts = svg_texts(render(loss, tmp_path / "mlp.svg", collapse="module"))
    assert "layers.1" in texts and "cross_entropy" in texts


def test_collapse_by_op_counts_each_kind():
    source = to_dot(mlp_step(), collapse="op")
    assert len(dot_node_names(source)) == 6  # leaves, matmul, +, relu, cross_entropy, mean
    assert "matmul\\n3 nodes" in source
    assert "relu\\n2 nodes" in source
    assert "inputs and parameters\\n8 leaves" in source


def test_collapse_by_module_falls_back_to_op_for_values():
    with pytest.warns(UserWarning, match="collapsing by op"):
        source = to_dot(neuron()[0], collapse="module")
    assert "tanh\\n1 node" in source


def test_a_20000_node_chain_needs_no_recursion():
    x = Value(0.5, label="x")
    y = x
    for _ in range(20_000):
        y = -y
    y.backward()
    assert sys.getrecursionlimit() < 20_000

    source = to_dot(y, max_nodes=math.inf)
    names = dot_node_names(source)
    assert len(names) == 20_001 + 20_000
    assert source.count(" -> ") == 2 * 20_000

    assert DEFAULT_MAX_NODES < 20_000
    with pytest.warns(UserWarning, match="collapse="):
        collapsed = to_dot(y)
    assert "neg\\n20,000 nodes" in collapsed
    assert len(dot_node_names(collapsed)) == 2


# ------------------------------------------------------------------ colours


def test_color_by_grad_tells_vanishing_from_exploding():
    source = to_dot(mlp_step(grad_scale=(1e-8, 1.0, 1e5)), collapse="module", color_by_grad=True)
    vanishing, fine, exploding = (rgb(fill_of(source, g)) for g in ("g0", "g1", "g2"))
    assert vanishing[2] > vanishing[0] + 100  # blue
    assert exploding[0] > exploding[2] + 100  # red
    assert len({vanishing, fine, exploding}) == 3
    assert "legend [label=<" in source and "vanishing" in source and "exploding" in source

    tiny, huge = Value(1.0, label="tiny"), Value(1.0, label="huge")
    tiny.grad, huge.grad = 1e-9, 1e5
    source = to_dot([tiny, huge], color_by_grad=True)
    assert rgb(fill_of(source, "n0"))[2] > rgb(fill_of(source, "n0"))[0]
    assert rgb(fill_of(source, "n1"))[0] > rgb(fill_of(source, "n1"))[2]


def test_color_by_grad_marks_missing_and_nonfinite_gradients():
    none = FakeTensor([1.0], label="none")
    nan = FakeTensor([1.0], label="nan", grad=np.array([np.nan]))
    source = to_dot([none, nan], color_by_grad=True)
    assert fill_of(source, "n0") == "#ffffff"
    assert fill_of(source, "n1") == "#cc00cc"


# ------------------------------------------------------------------ no Graphviz


def test_missing_dot_program_gives_install_instructions(tmp_path, monkeypatch):
    o = neuron()[0]
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no `dot` anywhere on PATH

    with pytest.raises(GraphvizNotFoundError) as info:
        render(o, tmp_path / "neuron.svg")
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz",
                 "https://graphviz.org/download/", ".source"):
        assert hint in message
    assert not (tmp_path / "neuron.svg").exists()

    assert "tanh" in draw_dot(o).source  # the source needs no Graphviz program
    assert render(o, tmp_path / "neuron.dot").read_text() == to_dot(o)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty_bin", "neuron.dot"]


# ------------------------------------------------------------------ the real Tensor


def test_real_tensor_graph_if_available(tmp_path):
    tensor = pytest.importorskip("autograd_mlp.tensor")

    def leaf(array):
        try:
            return tensor.Tensor(array, requires_grad=True)
        except TypeError:
            return tensor.Tensor(array)

    x, W = leaf(np.ones((2, 3))), leaf(np.full((3, 4), 0.5))
    with graph.name_scope("layers.0"):
        h = x @ W
    loss = h.sum()
    loss.backward()

    source = to_dot(loss)
    for node in (x, W, h):
        assert f"{node.data.shape} {node.data.dtype}" in source
    for node in graph.topological_order(loss):
        if node._op is not None:
            assert f'[label="{node._op.name}"]' in source
    assert "layers.0" in to_dot(loss, collapse="module")
    assert render(loss, tmp_path / "tensor.svg", color_by_grad=True).stat().st_size > 0


def test_real_mlp_training_step_collapses_to_one_box_per_module(tmp_path):
    pytest.importorskip("autograd_mlp.tensor")
    nn = pytest.importorskip("autograd_mlp.nn")
    from autograd_mlp.tensor import Tensor

    model = nn.sequential_mlp([6, 5, 4, 3], rng=0)
    x = Tensor(np.random.default_rng(0).normal(size=(8, 6)), label="x")
    loss = nn.cross_entropy(model(x), np.arange(8) % 3)
    loss.backward()

    scopes = {n._scope for n in graph.topological_order(loss) if n._op is not None and n._scope}
    assert len(scopes) >= 5  # three Linear and two activation modules
    source = to_dot(loss, collapse="module", color_by_grad=True)
    boxes = [n for n in dot_node_names(source) if n.startswith("g")]
    assert len(boxes) == len(scopes)
    for scope in scopes:
        assert f'label="{scope}\\n' in source
    assert "legend" in dot_node_names(source)
    assert len(dot_node_names(to_dot(loss, collapse="module"))) < len(dot_node_names(to_dot(loss)))
    assert render(loss, tmp_path / "mlp.svg", collapse="module").stat().st_size > 0


# ------------------------------------------------------------------ the lesson's pictures


def _records(source: str) -> list[tuple[str, str, str]]:
    """(label, data, grad) of every value box in a DOT text, in order."""
    return re.findall(r'label="\{ ([^|]*?) \| data (\S+) \| grad (\S+) \}"', source)


def test_a_fused_neuron_is_drawn_as_micrograds_products_sums_and_activation():
    from autograd_mlp.nn import Neuron

    xs = [Value(1.5, label="x1"), Value(-2.0, label="x2"), Value(0.25, label="x3")]
    fused = Neuron(3, "tanh", rng=3)(xs)
    unfused = Neuron(3, "tanh", fused=False, rng=3)(xs)
    fused.backward()
    fused_grads = [x.grad for x in xs]
    for x in xs:
        x.grad = 0.0
    unfused.backward()
    assert fused_grads == [x.grad for x in xs]
    expanded = to_dot(fused)
    # the same boxes, numbers and gradients as micrograd's graph of the same neuron
    assert _records(expanded) == _records(to_dot(unfused))
    assert sorted(re.findall(r'n\d+_op \[label="([^"]+)"\]', expanded)) == ["*", "*", "*", "+", "+", "+", "tanh"]
    collapsed = to_dot(fused, expand_fused=False)
    assert re.findall(r'n\d+_op \[label="([^"]+)"\]', collapsed) == ["linear+tanh"]


def test_interior_values_get_expression_or_generated_labels_and_params_their_names():
    x, w = Value(2.0, label="x"), Value(-3.0)
    y = ((x * w) + 1.0).tanh()
    source = to_dot(y, params={"w": w})
    labels = [r[0] for r in _records(source)]
    assert labels == ["x", "w", "x*w", "", "x*w+1", "tanh(x*w+1)"]  # the constant 1 shows its data
    long = (x * w + x * x + w * w).relu()
    names = [r[0] for r in _records(to_dot(long, params={"w": w}))]
    assert "t1" in names and all(len(n) <= 12 for n in names)
    assert x.label == "x" and w.label == "" and y.label == ""  # the user's nodes are untouched
    assert [r[0] for r in _records(to_dot(y, auto_labels=False))][2] == ""


def test_backward_steps_fill_gradients_in_the_walks_order():
    from autograd_mlp.viz import backward_steps

    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    o = (x * w + b).tanh()
    frames = backward_steps(o)
    assert len(frames) == 3  # tanh, +, * : one frame per node with a rule
    filled = [sum(g != "?" for _, _, g in _records(f.source)) for f in frames]
    assert filled == sorted(filled) and filled[-1] == 6  # gradients only ever fill in
    assert [g for _, _, g in _records(frames[0].source)].count("?") == 5  # only the output's is known
    assert all('fillcolor="#ffd966"' in f.source for f in frames)  # the node being visited
    o.backward()
    assert _records(frames[-1].source) == _records(to_dot(o))  # the last frame is backward's result


def test_tensor_parameters_are_named_by_their_module_path():
    from autograd_mlp import Tensor, nn

    model = nn.sequential_mlp([3, 4, 2])
    out = model(Tensor([[1.0, 2.0, 3.0]])).sum()
    source = to_dot(out, params=model)
    assert re.findall(r'label="([0-9]\.\w+)', source) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "0.weight" not in to_dot(out)
    with pytest.raises(TypeError, match="params must be a module"):
        to_dot(out, params=[1, 2])


def test_render_backward_steps_writes_one_animated_svg(tmp_path):
    from autograd_mlp.viz import render_backward_steps

    x = Value(2.0, label="x")
    y = (x * x).tanh()
    path = render_backward_steps(y, tmp_path / "steps.svg", seconds_per_frame=0.5)
    root = ET.parse(path).getroot()
    animations = root.findall(f".//{SVG}animate")
    assert len(animations) == 2 and all(a.get("dur") == "1s" for a in animations)
    with pytest.raises(ValueError, match="ending in .svg"):
        render_backward_steps(y, tmp_path / "steps.png")


@pytest.mark.parametrize("bad", [3.0, "x", None, [Value(1.0), 2]])
def test_draw_dot_of_something_that_is_not_a_node_says_what_it_needs(bad):
    with pytest.raises(TypeError, match="needs a graph node .*Value or a Tensor"):
        draw_dot(bad)


def test_a_missing_dot_program_is_one_exception_without_a_chain(tmp_path, monkeypatch):
    o = neuron()[0]
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for attempt in (lambda: render(o, tmp_path / "o.svg"), lambda: draw_dot(o).pipe(format="svg")):
        with pytest.raises(GraphvizNotFoundError) as info:
            attempt()
        assert info.value.__cause__ is None and info.value.__suppress_context__
