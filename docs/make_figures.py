"""Regenerate the graph pictures used in docs/ (run from the repository root):

    python docs/make_figures.py

Needs Graphviz's `dot`. Demo figures come from the demos themselves
(`autograd-mlp demo NAME --out docs/images`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import autograd_mlp as am
from autograd_mlp import Tensor, Value, nn
from autograd_mlp.viz import render

OUT = Path(__file__).resolve().parent / "images"


def neuron() -> None:
    """micrograd's neuron: tanh(x1*w1 + x2*w2 + b), after backward()."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    render(o, OUT / "neuron.svg")


def reuse() -> None:
    """A node used twice: the two paths' gradients add up."""
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    z = y + x
    z.label = "z"
    z.backward()
    render(z, OUT / "accumulation.svg")


def tensor_step() -> None:
    """One training step of a small tensor MLP, full and collapsed by module."""
    am.manual_seed(0)
    model = nn.sequential_mlp([4, 8, 8, 3])
    x = Tensor(np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32), label="x")
    loss = nn.CrossEntropyLoss()(model(x), np.array([0, 1, 2, 1, 0]))
    loss.label = "loss"
    loss.backward()
    render(loss, OUT / "mlp_step.svg")
    render(loss, OUT / "mlp_step_modules.svg", collapse="module", color_by_grad=True)


def first_graph() -> None:
    """The first example of getting-started.md: y = tanh(x*w + b), after backward()."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
    n = x * w + b
    n.label = "n"
    y = n.tanh()
    y.label = "y"
    y.backward()
    render(y, OUT / "first_graph.svg")


def fused_neuron_figure() -> None:
    """neuron.svg's neuron as the one node that nn.Neuron builds (value.fused_neuron)."""
    from autograd_mlp.value import fused_neuron

    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = fused_neuron([w1, w2], [x1, x2], b, "tanh")
    o.label = "o"
    o.backward()
    render(o, OUT / "neuron_fused.svg")


def second_derivative() -> None:
    """dy/dx of y = x**3 made with create_graph=True: a graph of its own, differentiated again."""
    x = Value(2.0, label="x")
    y = x**3
    (dy,) = am.grad(y, [x], create_graph=True)
    dy.label = "dy/dx"
    dy.backward()
    render(dy, OUT / "second_derivative.svg")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    neuron()
    reuse()
    tensor_step()
    first_graph()
    fused_neuron_figure()
    second_derivative()
    print(f"wrote figures to {OUT}")
